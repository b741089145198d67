"""French numbers and amounts: the one home for parsing "2.200", "1,5 milliard", "14M€".

>>> parse_amount("250 millions d'euros")
Quantity(value=250000000.0, unit='EUR')
>>> parse_number("2.200")
2200.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Quantity

__all__ = ["AmountMatch", "find_amounts", "parse_amount", "parse_number"]

_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "mille": 1000,
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "centaine": 100, "millier": 1000,
    "soixantaine": 60, "septante": 70, "huitante": 80, "nonante": 90, "seize": 16, "treize": 13,
    "quatorze": 14,
}  # fmt: skip
# "trente-neuf", "vingt-deux", "soixante-et-un", "septante-cinq" (Belgian and Swiss tens).
_TENS = r"vingt|trente|quarante|cinquante|soixante|septante|huitante|nonante"
_UNITS = r"et-un|et-une|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf"
_COMPOUND = rf"(?:{_TENS})-(?:{_UNITS})"

_MULTIPLIERS = {
    "milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrds": 1e9, "g": 1e9,
    "million": 1e6, "millions": 1e6, "m": 1e6, "mio": 1e6,
    "millier": 1e3, "milliers": 1e3, "mille": 1e3, "k": 1e3,
}  # fmt: skip

_CURRENCIES = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "chf": "CHF", "franc": "CHF", "francs": "CHF",
    "£": "GBP", "gbp": "GBP", "livre": "GBP", "livres": "GBP",
}  # fmt: skip

# Digits with French thousands separators (".", space, no-break spaces) and a comma decimal part.
_DIGITS = r"\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?|\d+(?:[,.]\d+)?"
_WORD_NUMBERS = _COMPOUND + "|" + "|".join(sorted(_WORDS, key=len, reverse=True))
_MULT = r"milliards?|millions?|milliers?|mille|mrds?|mds?|mio|md|m|k|g"
_CUR = r"€|\$|£|eur\b|euros?\b|dollars?\b|usd\b|chf\b|francs?\b|gbp\b|livres?\b"

# The same shape without groups, for patterns that embed an amount ({AMOUNT} in patterns.toml).
AMOUNT_REGEX = rf"(?:{_DIGITS}|\b(?:{_WORD_NUMBERS})\b)\s*(?:(?:{_MULT})\b\.?)?\s*(?:(?:d['’]\s*|de\s+)(?:{_CUR}))?(?:{_CUR})?"

_AMOUNT = re.compile(
    rf"""(?P<number>{_DIGITS}|\b(?:{_WORD_NUMBERS})\b)
        \s*(?P<mult>(?:{_MULT})\b\.?)?
        \s*(?:d['’]\s*|de\s+)?(?P<cur>{_CUR})?""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_number(text: str) -> float | None:
    """A French-written number, or ``None``.

    >>> parse_number("1,5"), parse_number("200.000"), parse_number("3 500"), parse_number("trois")
    (1.5, 200000.0, 3500.0, 3.0)
    >>> parse_number("Trente-neuf"), parse_number("soixante-et-un"), parse_number("soixantaine")
    (39.0, 61.0, 60.0)
    """
    token = text.strip().lower()
    if token in _WORDS:
        return float(_WORDS[token])
    if re.fullmatch(_COMPOUND, token):  # "trente-neuf": the tens plus the unit
        tens, unit = token.split("-", 1)
        return float(_WORDS[tens] + _WORDS[unit.removeprefix("et-")])
    if re.fullmatch(r"\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?", token):
        token = re.sub(r"[.\u00a0\u202f ]", "", token)
    token = token.replace(",", ".")
    try:
        return float(token)
    except ValueError:
        return None


@dataclass(frozen=True)
class AmountMatch:
    """A number found in text, with its multiplier and currency applied."""

    start: int
    end: int
    quantity: Quantity
    has_multiplier: bool

    @property
    def is_money(self) -> bool:
        return self.quantity.unit is not None


def find_amounts(text: str) -> list[AmountMatch]:
    """Every number in ``text``, money or not.

    >>> [(m.quantity.value, m.quantity.unit) for m in find_amounts("CA : 4 M€, 40 salariés")]
    [(4000000.0, 'EUR'), (40.0, None)]
    """
    matches = []
    for match in _AMOUNT.finditer(text):
        value = parse_number(match.group("number"))
        if value is None:
            continue
        mult_text = (match.group("mult") or "").rstrip(".").lower()
        currency_text = (match.group("cur") or "").lower()
        # A lone "m" or "g" is a unit of length or mass unless money follows it.
        if mult_text in {"m", "g", "k"} and not currency_text:
            mult_text = ""
        multiplier = _MULTIPLIERS.get(mult_text, 1.0)
        unit = _CURRENCIES.get(currency_text)
        # "un"/"une" alone is an article ("un chiffre d'affaires"), not a number; other number
        # words count ("quarante salariés", "une cinquantaine", "trois milliards d'euros").
        word = match.group("number").lower()
        if not word[:1].isdigit() and not (mult_text or unit) and word in {"un", "une"}:
            continue
        end = match.end() if (mult_text or unit) else match.end("number")
        matches.append(
            AmountMatch(
                start=match.start(),
                end=end,
                quantity=Quantity(round(value * multiplier, 6), unit),
                has_multiplier=bool(mult_text),
            )
        )
    return matches


def parse_amount(text: str) -> Quantity | None:
    """The first amount in ``text`` (money gets its currency, counts have no unit).

    >>> parse_amount("14M€"), parse_amount("plus de trois milliards d'euros")
    (Quantity(value=14000000.0, unit='EUR'), Quantity(value=3000000000.0, unit='EUR'))
    >>> parse_amount("1,5 milliard")
    Quantity(value=1500000000.0, unit=None)
    """
    found = find_amounts(text)
    return found[0].quantity if found else None
