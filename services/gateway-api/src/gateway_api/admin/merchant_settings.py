"""A merchant's terms: fee tier and rate, routing preferences, amount limits,
and how long manual payments wait for verification. Pure: no I/O.

Rules (the API refuses anything else with 400):
- platform fee override: a decimal-string percent ("1.25"), 0..100, at most
  four decimals, held as parts per million (12_500); None = the tier's rate;
- routing: every provider named must be in the catalog, and a priority for a
  payment method may only name providers that take that method;
- amount limits, per currency, in minor units: 1 <= minimum <= maximum <= the
  platform's default maximum for that currency. A merchant may go below the
  default floor (its own small-ticket business) but never above the ceiling,
  which is the platform's risk limit: raising it is a change to
  `payroute_common.limits.DEFAULT_LIMITS`, not a setting;
- verification window for manual payments: 1 s .. 30 days.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gateway_api.domain import InvalidRequest, Tier
from payroute_common.catalog import PROVIDERS, providers_for
from payroute_common.fees import PPM, platform_rate
from payroute_common.limits import DEFAULT_LIMITS, AmountLimits, limits_for
from payroute_common.messages import RoutingPreferences
from payroute_common.messages.values import PaymentMethodType
from payroute_common.money import Money

DEFAULT_VERIFICATION_TTL_SECONDS = 72 * 3600
MAX_VERIFICATION_TTL_SECONDS = 30 * 24 * 3600
PERCENT_DECIMALS = 4  # 0.0001 % = 1 ppm: every percent maps to a whole ppm
PERCENT_PATTERN = r"^\d{1,3}(\.\d{1,4})?$"
_PPM_PER_PERCENT = PPM // 100


@dataclass(frozen=True)
class MerchantSettings:
    merchant_id: str
    tier: Tier
    platform_fee_ppm_override: int | None = None
    routing: RoutingPreferences = field(default_factory=RoutingPreferences)
    limits: Mapping[str, AmountLimits] = field(default_factory=dict)
    verification_ttl_seconds: int = DEFAULT_VERIFICATION_TTL_SECONDS

    @property
    def platform_fee_ppm(self) -> int:
        return platform_rate(self.tier, self.platform_fee_ppm_override)

    def limits_for(self, currency: str) -> AmountLimits:
        return limits_for(currency, dict(self.limits))

    def check_amount(self, amount: int, currency: str) -> None:
        """Refuse (InvalidRequest) an amount outside the merchant's limits for `currency`."""
        limits = self.limits_for(currency)
        refusal = limits.check(amount, currency)
        if refusal is not None:
            code = "amount_too_small" if amount < limits.minimum else "amount_too_large"
            raise InvalidRequest(refusal, param="amount", code=code)

    def check_payment(self, amount: int, currency: str, method: PaymentMethodType) -> None:
        """Refuse (InvalidRequest) an amount outside the limits or a method nobody takes."""
        self.check_amount(amount, currency)
        if not providers_for(method, currency):
            raise InvalidRequest(
                f"No provider takes {method} payments in {currency}.",
                param="payment_method[type]",
                code="payment_method_unavailable",
            )


@dataclass(frozen=True)
class SettingsChange:
    """A partial update: only the fields in `fields` change.

    `routing` holds only the routing fields to replace (the rest stay; None = the
    field's default); `limits`
    maps a currency to its new limits, or to None to go back to the default. A
    None platform fee or verification window means "back to the default" too.
    """

    fields: frozenset[str]
    tier: Tier | None = None
    platform_fee_ppm_override: int | None = None
    routing: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, AmountLimits | None] = field(default_factory=dict)
    verification_ttl_seconds: int | None = None

    @property
    def pricing(self) -> frozenset[str]:
        """The fields that set what the merchant pays: the platform's (admin keys) to change."""
        return self.fields & PRICING_FIELDS


PRICING_FIELDS = frozenset({"tier", "platform_fee_percent"})


def percent_to_ppm(percent: str, *, param: str = "platform_fee_percent") -> int:
    """ "1.25" → 12_500. Exact decimal arithmetic: no float ever sees the rate."""
    if not re.fullmatch(PERCENT_PATTERN, percent):
        raise InvalidRequest(
            f"Invalid {param}: use a decimal string percent with at most "
            f"{PERCENT_DECIMALS} decimals, such as '1.25'.",
            param=param,
        )
    whole, _, fraction = percent.partition(".")
    ppm = int(whole) * _PPM_PER_PERCENT + int(fraction.ljust(PERCENT_DECIMALS, "0"))
    if ppm > PPM:
        raise InvalidRequest(f"Invalid {param}: must be between 0 and 100.", param=param)
    return ppm


def ppm_to_percent(ppm: int) -> str:
    """12_500 → "1.25"; 30_000 → "3"; 1 → "0.0001"."""
    whole, fraction = divmod(ppm, _PPM_PER_PERCENT)
    digits = f"{fraction:0{PERCENT_DECIMALS}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def check_routing(routing: RoutingPreferences) -> None:
    """Every provider named must exist, and take the method its priority is for."""
    for i, priority in enumerate(routing.priorities):
        for j, provider in enumerate(priority.providers):
            param = f"routing[priorities][{i}][providers][{j}]"
            _known_provider(provider, param)
            caps = PROVIDERS[provider]
            if priority.payment_method and priority.payment_method not in caps.methods:
                raise InvalidRequest(
                    f"Provider '{provider}' does not take {priority.payment_method} payments.",
                    param=param,
                )
            if priority.currency and priority.currency not in caps.currencies:
                raise InvalidRequest(
                    f"Provider '{provider}' does not take {priority.currency}.", param=param
                )
    for provider in routing.volume_split:
        _known_provider(provider, f"routing[volume_split][{provider}]")


def _known_provider(provider: str, param: str) -> None:
    if provider not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        raise InvalidRequest(f"Unknown provider '{provider}' (known: {known}).", param=param)


def check_limits(currency: str, limits: AmountLimits) -> None:
    param = f"limits[{currency}]"
    ceiling = DEFAULT_LIMITS[currency].maximum
    if limits.minimum < 1:
        raise InvalidRequest("The minimum must be at least 1.", param=f"{param}[minimum]")
    if limits.minimum > limits.maximum:
        raise InvalidRequest("The minimum must not exceed the maximum.", param=f"{param}[minimum]")
    if limits.maximum > ceiling:
        platform_max = Money(amount=ceiling, currency=currency)
        raise InvalidRequest(
            f"The maximum must not exceed the platform's {platform_max}.",
            param=f"{param}[maximum]",
        )


def check_verification_ttl(seconds: int) -> None:
    if not 1 <= seconds <= MAX_VERIFICATION_TTL_SECONDS:
        raise InvalidRequest(
            f"verification_ttl_seconds must be between 1 and {MAX_VERIFICATION_TTL_SECONDS} "
            "(30 days).",
            param="verification_ttl_seconds",
        )


def changed(settings: MerchantSettings, change: SettingsChange) -> MerchantSettings:
    """`settings` with `change` applied, after checking every rule above."""
    updates: dict[str, Any] = {}
    if "tier" in change.fields and change.tier is not None:
        updates["tier"] = change.tier
    if "platform_fee_percent" in change.fields:
        updates["platform_fee_ppm_override"] = change.platform_fee_ppm_override
    if "routing" in change.fields:
        merged = {**settings.routing.model_dump(), **change.routing}
        routing = RoutingPreferences.model_validate(
            {name: value for name, value in merged.items() if value is not None}
        )
        check_routing(routing)
        updates["routing"] = routing
    if "limits" in change.fields:
        limits = dict(settings.limits)
        for currency, new in change.limits.items():
            if new is None:
                limits.pop(currency, None)
            else:
                check_limits(currency, new)
                limits[currency] = new
        updates["limits"] = limits
    if "verification_ttl_seconds" in change.fields:
        seconds = change.verification_ttl_seconds
        if seconds is None:
            seconds = DEFAULT_VERIFICATION_TTL_SECONDS
        check_verification_ttl(seconds)
        updates["verification_ttl_seconds"] = seconds
    return replace(settings, **updates)
