"""Major-unit amounts (Xendit, Maya) to and from minor units, exactly or not at all."""

import pytest

from provider_worker.adapters.amounts import to_major, to_minor
from provider_worker.adapters.base import ProviderFailure


@pytest.mark.parametrize(
    ("minor", "currency", "major"),
    [
        (2550, "PHP", 25.5),
        (1, "PHP", 0.01),
        (10_000, "IDR", 100.0),
        (500, "JPY", 500),
        (1, "KWD", 0.001),
    ],
)
def test_amounts_round_trip_through_the_major_unit(
    minor: int, currency: str, major: object
) -> None:
    assert to_major(minor, currency) == major
    assert to_minor(to_major(minor, currency), currency) == minor


def test_a_currency_without_minor_unit_is_sent_as_a_whole_number() -> None:
    assert isinstance(to_major(500, "JPY"), int)


@pytest.mark.parametrize("amount", [25.505, "abc", None, True, float("nan")])
def test_an_amount_that_is_not_whole_minor_units_is_refused_not_rounded(amount: object) -> None:
    with pytest.raises(ProviderFailure) as raised:
        to_minor(amount, "PHP")
    assert (raised.value.error.category, raised.value.error.code) == (
        "timeout",
        "malformed_answer",
    )
