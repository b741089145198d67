"""French display of numbers and amounts in the graph view: ``250 M€``, ``3 Md€``, ``12 500``.

Thousands are grouped with a narrow no-break space (U+202F), the French typographic rule; the
decimal separator is a comma. These strings are display text only — the RDF keeps exact values.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["CURRENCY_SYMBOLS", "THIN_SPACE", "format_count", "format_decimal", "format_money"]

THIN_SPACE = "\u202f"

CURRENCY_SYMBOLS: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}

# (threshold, suffix) from largest to smallest: French press abbreviations.
_MONEY_SCALES: tuple[tuple[Decimal, str], ...] = (
    (Decimal(10) ** 12, "Bn"),  # billion (10^12), rare but unambiguous
    (Decimal(10) ** 9, "Md"),
    (Decimal(10) ** 6, "M"),
)


def _to_decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def format_count(value: object) -> str:
    """An integer with French thousands grouping.

    >>> format_count(12500) == "12\\u202f500"
    True
    >>> format_count(950)
    '950'
    """
    number = _to_decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    sign = "-" if number < 0 else ""
    return sign + f"{abs(int(number)):,}".replace(",", THIN_SPACE)


def format_decimal(value: object, places: int = 2) -> str:
    """A number with at most ``places`` decimals, trailing zeros dropped, French separators.

    >>> format_decimal(1.5), format_decimal(2.0), format_decimal(1234.567)
    ('1,5', '2', '1\\u202f234,57')
    """
    number = _to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    text = format_count(int(whole))
    if fraction:
        text += "," + fraction
    return ("-" if number < 0 and (int(whole) or fraction) else "") + text


def format_money(value: object, currency: str | None = "EUR") -> str:
    """An amount the way French business news writes it.

    >>> format_money(250_000_000)
    '250 M€'
    >>> format_money(3e9), format_money(1_500_000_000, "USD")
    ('3 Md€', '1,5 Md$')
    >>> format_money(800_000) == "800\\u202f000 €"
    True
    """
    number = _to_decimal(value)
    code = (currency or "EUR").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code)
    for threshold, suffix in _MONEY_SCALES:
        if abs(number) >= threshold:
            scaled = format_decimal(number / threshold)
            # A symbol glues to its prefix ("M€"); a code needs a space ("M CHF").
            unit = f"{suffix}{symbol}" if len(symbol) == 1 else f"{suffix} {symbol}"
            return f"{scaled} {unit}"
    return f"{format_decimal(number)} {symbol}"
