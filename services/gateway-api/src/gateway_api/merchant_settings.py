"""A merchant's terms: fee tier and rate, routing preferences, amount limits,
and how long manual payments wait for verification. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway_api.domain import InvalidRequest, Tier
from payroute_common.catalog import providers_for
from payroute_common.fees import platform_rate
from payroute_common.limits import AmountLimits, limits_for
from payroute_common.messages import RoutingPreferences
from payroute_common.messages.values import PaymentMethodType

DEFAULT_VERIFICATION_TTL_SECONDS = 72 * 3600


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

    def check_payment(self, amount: int, currency: str, method: PaymentMethodType) -> None:
        """Refuse (InvalidRequest) an amount outside the limits or a method nobody takes."""
        refusal = self.limits_for(currency).check(amount, currency)
        if refusal is not None:
            too_small = amount < self.limits_for(currency).minimum
            code = "amount_too_small" if too_small else "amount_too_large"
            raise InvalidRequest(refusal, param="amount", code=code)
        if not providers_for(method, currency):
            raise InvalidRequest(
                f"No provider takes {method} payments in {currency}.",
                param="payment_method[type]",
                code="payment_method_unavailable",
            )
