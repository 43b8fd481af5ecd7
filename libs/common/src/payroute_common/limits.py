"""Per-currency amount limits, in minor units; merchants may set their own.

Each currency's limits are in its own minor unit (its ISO 4217 exponent):
JPY 50 is ¥50, KWD 150 is 0.150 KWD.
"""

from __future__ import annotations

from dataclasses import dataclass

from payroute_common.money import CURRENCY_EXPONENTS, Money


@dataclass(frozen=True)
class AmountLimits:
    minimum: int
    maximum: int

    def check(self, amount: int, currency: str) -> str | None:
        """Why `amount` is refused, or None when it is within the limits."""
        if amount < self.minimum:
            return (
                f"Amount must be at least {Money(amount=self.minimum, currency=currency)}; "
                f"got {Money(amount=amount, currency=currency)}."
            )
        if amount > self.maximum:
            return (
                f"Amount must be at most {Money(amount=self.maximum, currency=currency)}; "
                f"got {Money(amount=amount, currency=currency)}."
            )
        return None


# Defaults in minor units. Floors sit near half a US dollar (a card network's
# practical minimum; PHP follows PayMongo's ₱20.00); ceilings near USD 20,000,
# except PHP, capped at 100,000.00.
DEFAULT_LIMITS: dict[str, AmountLimits] = {
    currency: AmountLimits(minimum, maximum)
    for currency, (minimum, maximum) in {
        "AUD": (50, 3_000_000), "BHD": (200, 7_000_000), "CAD": (50, 3_000_000),
        "CHF": (50, 2_000_000), "CNY": (400, 15_000_000), "EUR": (50, 2_000_000),
        "GBP": (30, 1_500_000), "HKD": (400, 15_000_000), "IDR": (1_000_000, 30_000_000_000),
        "INR": (5_000, 150_000_000), "JOD": (350, 14_000_000), "JPY": (50, 3_000_000),
        "KRW": (1_000, 25_000_000), "KWD": (150, 6_000_000), "MYR": (200, 9_000_000),
        "NZD": (50, 3_000_000), "OMR": (200, 7_500_000), "PHP": (2_000, 10_000_000),
        "SGD": (50, 2_500_000), "THB": (1_000, 70_000_000), "TND": (1_500, 60_000_000),
        "USD": (50, 2_000_000), "VND": (10_000, 500_000_000),
    }.items()
}  # fmt: skip
assert set(DEFAULT_LIMITS) == set(CURRENCY_EXPONENTS), "every currency needs limits"


def limits_for(currency: str, overrides: dict[str, AmountLimits] | None = None) -> AmountLimits:
    """The merchant's own limits for `currency` when it set them, else the default."""
    if overrides and currency in overrides:
        return overrides[currency]
    return DEFAULT_LIMITS[currency]
