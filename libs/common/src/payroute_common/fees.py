"""Fees: what a provider charges and what Payroute keeps, in integer minor units.

A fee is `rate * amount + fixed`. Rates are parts per million (2.9 % = 29_000),
so every published rate is exact; the product is rounded half-even (banker's
rounding) to the minor unit, once per fee. The net is what is left:
`provider_fee + platform_fee + net == amount`, always.

Provider schedules are dated: a fee is computed with the schedule in force on
the day the money is captured. Platform fees come from the merchant's tier
unless the merchant has its own rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from payroute_common.messages.values import Fees

PPM = 1_000_000
Tier = Literal["starter", "professional", "enterprise"]
PLATFORM_TIER_PPM: dict[Tier, int] = {
    "starter": 30_000,  # 3.0 %
    "professional": 15_000,  # 1.5 %
    "enterprise": 5_000,  # 0.5 %
}
ANY_CURRENCY = "*"
ANY_METHOD = "*"


class NoFeeScheduleError(LookupError):
    pass


def rate_of(amount: int, rate_ppm: int) -> int:
    """`amount * rate_ppm / 1e6`, rounded half-even to a whole minor unit."""
    quotient, remainder = divmod(amount * rate_ppm, PPM)
    if remainder * 2 > PPM or (remainder * 2 == PPM and quotient % 2 == 1):
        quotient += 1
    return quotient


@dataclass(frozen=True)
class FeeRule:
    """One provider's price for one method and currency (or any) over [from, to)."""

    provider: str
    rate_ppm: int
    fixed: dict[str, int] = field(default_factory=dict)  # minor units, by currency
    currency: str = ANY_CURRENCY
    method: str = ANY_METHOD
    effective_from: date = date(2020, 1, 1)
    effective_to: date | None = None

    def applies(self, provider: str, currency: str, method: str | None, on: date) -> bool:
        return (
            self.provider == provider
            and self.currency in {currency, ANY_CURRENCY}
            and self.method in {method, ANY_METHOD}
            and self.effective_from <= on
            and (self.effective_to is None or on < self.effective_to)
        )

    def fee(self, amount: int, currency: str) -> int:
        return rate_of(amount, self.rate_ppm) + self.fixed.get(currency, 0)


# List prices of the providers Payroute routes to. The most specific rule wins: a
# method beats `*`, then a currency beats `*`, then the latest effective date.
PROVIDER_FEES: tuple[FeeRule, ...] = (
    FeeRule(
        "stripe",
        rate_ppm=29_000,
        fixed={"USD": 30, "EUR": 25, "GBP": 20, "PHP": 1_500, "JPY": 30, "SGD": 50},
    ),
    FeeRule("stripe", currency="PHP", rate_ppm=35_000, fixed={"PHP": 1_500}),
    # PayMongo's published PH rates: cards 3.5 % + ₱15, GCash 2.5 %, Maya 2.0 %.
    FeeRule("paymongo", currency="PHP", rate_ppm=35_000, fixed={"PHP": 1_500}),
    FeeRule("paymongo", currency="PHP", method="gcash", rate_ppm=25_000),
    FeeRule("paymongo", currency="PHP", method="maya", rate_ppm=20_000),
    # Xendit PH e-wallets 2.3 %; IDR e-wallets 1.5 %; cards 2.9 % + ₱15.
    FeeRule("xendit", currency="PHP", rate_ppm=29_000, fixed={"PHP": 1_500}),
    FeeRule("xendit", currency="PHP", method="gcash", rate_ppm=23_000),
    FeeRule("xendit", currency="PHP", method="maya", rate_ppm=23_000),
    FeeRule("xendit", currency="IDR", rate_ppm=15_000),
    # Maya Checkout: wallet 2.0 %, cards 3.0 % + ₱10.
    FeeRule("maya", currency="PHP", rate_ppm=30_000, fixed={"PHP": 1_000}),
    FeeRule("maya", currency="PHP", method="maya", rate_ppm=20_000),
    FeeRule("manual", rate_ppm=0),
)


def provider_rule(
    provider: str,
    currency: str,
    on: date,
    rules: tuple[FeeRule, ...] = PROVIDER_FEES,
    *,
    method: str | None = None,
) -> FeeRule:
    found = [rule for rule in rules if rule.applies(provider, currency, method, on)]
    if not found:
        raise NoFeeScheduleError(f"no fee schedule for {provider} in {currency} on {on}")
    return max(
        found,
        key=lambda rule: (
            rule.method != ANY_METHOD,
            rule.currency != ANY_CURRENCY,
            rule.effective_from,
        ),
    )


def fees_for(
    amount: int,
    currency: str,
    *,
    provider: str,
    platform_fee_ppm: int,
    on: date,
    method: str | None = None,
    rules: tuple[FeeRule, ...] = PROVIDER_FEES,
) -> Fees:
    """The fees on `amount` of `method` captured through `provider` on day `on`."""
    rule = provider_rule(provider, currency, on, rules, method=method)
    provider_fee = rule.fee(amount, currency)
    platform_fee = rate_of(amount, platform_fee_ppm)
    return Fees(
        provider_fee=provider_fee,
        platform_fee=platform_fee,
        net=amount - provider_fee - platform_fee,
    )


def platform_rate(tier: Tier, override_ppm: int | None = None) -> int:
    return PLATFORM_TIER_PPM[tier] if override_ppm is None else override_ppm
