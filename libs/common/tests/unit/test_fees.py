from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payroute_common.fees import (
    PLATFORM_TIER_PPM,
    FeeRule,
    NoFeeScheduleError,
    fees_for,
    provider_rule,
    rate_of,
)
from payroute_common.limits import DEFAULT_LIMITS, AmountLimits, limits_for

DAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("amount", "rate_ppm", "expected"),
    [
        (1_000, 15_000, 15),  # exact
        (100, 15_000, 2),  # 1.5 → 2 (half to even)
        (300, 15_000, 4),  # 4.5 → 4 (half to even)
        (101, 15_000, 2),  # 1.515 → 2
        (10_050, 29_000, 291),  # 291.45 → 291
        (0, 30_000, 0),
    ],
)
def test_rates_round_half_even_to_the_minor_unit(amount: int, rate_ppm: int, expected: int) -> None:
    assert rate_of(amount, rate_ppm) == expected


def test_platform_tiers() -> None:
    assert PLATFORM_TIER_PPM == {"starter": 30_000, "professional": 15_000, "enterprise": 5_000}


def test_a_currency_rule_wins_over_the_catch_all() -> None:
    fees = fees_for(100_000, "PHP", provider="stripe", platform_fee_ppm=15_000, on=DAY)
    assert fees.provider_fee == 3_500 + 1_500
    assert fees.platform_fee == 1_500
    assert fees.net == 100_000 - 5_000 - 1_500


def test_schedules_are_dated() -> None:
    rules = (
        FeeRule("acme", rate_ppm=10_000, effective_to=date(2026, 1, 1)),
        FeeRule("acme", rate_ppm=20_000, effective_from=date(2026, 1, 1)),
    )
    assert provider_rule("acme", "USD", date(2025, 12, 31), rules).rate_ppm == 10_000
    assert provider_rule("acme", "USD", date(2026, 1, 1), rules).rate_ppm == 20_000
    with pytest.raises(NoFeeScheduleError):
        provider_rule("nobody", "USD", DAY, rules)


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    platform=st.integers(min_value=0, max_value=100_000),
    currency=st.sampled_from(["PHP", "USD", "JPY", "KWD"]),
)
def test_fees_and_net_add_up_to_the_amount(amount: int, platform: int, currency: str) -> None:
    fees = fees_for(amount, currency, provider="stripe", platform_fee_ppm=platform, on=DAY)
    assert fees.provider_fee + fees.platform_fee + fees.net == amount


def test_limits_are_in_the_currencys_minor_unit() -> None:
    assert DEFAULT_LIMITS["PHP"].maximum == 100_000_00
    assert DEFAULT_LIMITS["JPY"].check(49, "JPY") == "Amount must be at least 50 JPY; got 49 JPY."
    assert DEFAULT_LIMITS["KWD"].check(150, "KWD") is None
    assert "at most 100000.00 PHP" in (DEFAULT_LIMITS["PHP"].check(100_000_01, "PHP") or "")


def test_merchant_limits_override_the_default() -> None:
    own = {"PHP": AmountLimits(100, 500_00)}
    assert limits_for("PHP", own).maximum == 500_00
    assert limits_for("USD", own) == DEFAULT_LIMITS["USD"]


def test_a_method_rule_wins_over_the_providers_card_rate() -> None:
    gcash = fees_for(
        100_000, "PHP", provider="paymongo", platform_fee_ppm=0, on=DAY, method="gcash"
    )
    card = fees_for(100_000, "PHP", provider="paymongo", platform_fee_ppm=0, on=DAY, method="card")
    assert gcash.provider_fee == 2_500
    assert card.provider_fee == 3_500 + 1_500
