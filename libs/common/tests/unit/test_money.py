import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from payroute_common.money import CURRENCY_EXPONENTS, Money, currency_exponent


@pytest.mark.parametrize(("code", "exponent"), [("JPY", 0), ("PHP", 2), ("USD", 2), ("KWD", 3)])
def test_exponents_follow_iso_4217(code: str, exponent: int) -> None:
    assert currency_exponent(code) == exponent


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(amount=123456, currency="PHP"), "1234.56 PHP"),
        (Money(amount=500, currency="JPY"), "500 JPY"),
        (Money(amount=1005, currency="KWD"), "1.005 KWD"),
    ],
)
def test_money_prints_in_major_units(money: Money, text: str) -> None:
    assert str(money) == text


@pytest.mark.parametrize("amount", [-1, 1.5, "100", True])
def test_amounts_are_non_negative_integers_only(amount: object) -> None:
    with pytest.raises(ValidationError):
        Money(amount=amount, currency="PHP")  # type: ignore[arg-type]


def test_unknown_currency_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="unsupported currency 'XYZ'"):
        Money(amount=1, currency="XYZ")


def test_currency_codes_are_normalized_to_upper_case() -> None:
    assert Money(amount=1, currency="php").currency == "PHP"


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(sorted(CURRENCY_EXPONENTS)))
def test_printed_amount_round_trips_to_minor_units(amount: int, currency: str) -> None:
    major = str(Money(amount=amount, currency=currency)).split()[0]
    assert int(major.replace(".", "")) == amount
