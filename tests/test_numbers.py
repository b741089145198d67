"""French numbers and amounts (``kg.extract.numbers``): worked examples and property tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.extract.numbers import parse_amount, parse_number
from kg.records import Quantity

# Thousands separators seen in French news: dot, space, no-break space, narrow no-break space.
SEPARATORS = [".", " ", "\u00a0", "\u202f"]


def french(n: int, separator: str) -> str:
    """``n`` with its thousands grouped the French way.

    >>> french(1234567, ".")
    '1.234.567'
    """
    return f"{n:,}".replace(",", separator)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2.200", 2200),
        ("1,5", 1.5),
        ("200.000", 200_000),
        ("6.000", 6000),
        ("3 500", 3500),
        ("1\u202f000\u202f000", 1_000_000),
        ("12,75", 12.75),
        ("42", 42),
        ("trois", 3),
        ("Trois", 3),
        ("vingt", 20),
    ],
)
def test_parse_number_examples(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "deux cents mille trucs", "1,2,3", "€"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,5 milliard d'euros", 1.5e9),
        ("1,5 milliard €", 1.5e9),
        ("250 millions d'euros", 2.5e8),
        ("14M€", 1.4e7),
        ("4 M€", 4e6),
        ("1,3 M€", 1.3e6),
        ("2 Md€", 2e9),
        ("plus de trois milliards d'euros", 3e9),
        ("le chiffre d'affaires atteint 250 millions d'euros en 2015", 2.5e8),
        ("200.000 euros", 2e5),
    ],
)
def test_parse_amount_money(text: str, value: float) -> None:
    assert parse_amount(text) == Quantity(value, "EUR")


def test_parse_amount_without_currency_has_no_unit() -> None:
    assert parse_amount("1,5 milliard") == Quantity(1.5e9, None)
    assert parse_amount("2.200 salariés") == Quantity(2200, None)


def test_parse_amount_of_text_without_numbers() -> None:
    assert parse_amount("aucun montant ici") is None


# --- properties ---------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(SEPARATORS))
def test_integers_with_thousands_separators(n: int, separator: str) -> None:
    assert parse_number(french(n, separator)) == n


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(SEPARATORS),
)
def test_decimal_comma(n: int, fraction: int, separator: str) -> None:
    digits = str(fraction)
    expected = float(Decimal(f"{n}.{digits}"))
    assert parse_number(f"{french(n, separator)},{digits}") == pytest.approx(expected, rel=1e-12)


MONEY_FORMS = {
    "{} millions d'euros": 1e6,
    "{} million d’euros": 1e6,
    "{} M€": 1e6,
    "{}M€": 1e6,
    "{} millions €": 1e6,
    "{} milliards d'euros": 1e9,
    "{} milliard d'euros": 1e9,
    "{} Md€": 1e9,
    "{} euros": 1,
    "{} €": 1,
}


@given(
    st.integers(min_value=1, max_value=999_999),
    st.one_of(st.none(), st.integers(min_value=0, max_value=99)),
    st.sampled_from(SEPARATORS),
    st.sampled_from(sorted(MONEY_FORMS)),
)
def test_amounts_parse_back(n: int, fraction: int | None, separator: str, form: str) -> None:
    number = french(n, separator) + ("" if fraction is None else f",{fraction}")
    exact = Decimal(n) if fraction is None else Decimal(f"{n}.{fraction}")
    expected = float(exact * Decimal(MONEY_FORMS[form]))
    sentence = f"La société a levé {form.format(number)} auprès de ses investisseurs."
    found = parse_amount(sentence)
    assert found is not None
    assert found.unit == "EUR"
    assert found.value == pytest.approx(expected, rel=1e-9)


@given(st.text(max_size=200))
def test_parsers_never_raise(text: str) -> None:
    number = parse_number(text)
    amount = parse_amount(text)
    assert number is None or isinstance(number, float)
    assert amount is None or isinstance(amount, Quantity)
