"""Which providers can take a payment, best first, and why. Pure.

Order: the request's explicit provider, then the merchant's first priority list
matching the method and currency, then every other able provider in catalog
order. Only providers able to take the method in the currency qualify.
"""

from __future__ import annotations

from dataclasses import dataclass

from payroute_common.catalog import providers_for
from payroute_common.messages.values import PaymentMethodType, RoutingPreferences


@dataclass(frozen=True)
class Route:
    providers: list[str]
    reason: str  # why the first one comes first

    @property
    def first(self) -> str | None:
        return self.providers[0] if self.providers else None


def candidates(
    method: PaymentMethodType,
    currency: str,
    preference: str | None = None,
    routing: RoutingPreferences | None = None,
) -> Route:
    able = providers_for(method, currency)
    if not able:
        return Route([], f"no provider supports {method} in {currency}")
    ordered: list[str] = []
    reasons: list[str] = []
    if preference in able:
        ordered.append(preference)
        reasons.append("merchant preference")
    priority = next(
        (
            p
            for p in (routing.priorities if routing else [])
            if p.payment_method in {None, method} and p.currency in {None, currency}
        ),
        None,
    )
    if priority is not None:
        listed = [p for p in priority.providers if p in able and p not in ordered]
        if listed:
            scope = "/".join(x for x in (priority.payment_method, priority.currency) if x)
            reasons.append(f"merchant priority for {scope or 'all payments'}")
        ordered += listed
    rest = [p for p in able if p not in ordered]
    if rest:
        reasons.append(f"first provider supporting {method} in {currency}")
    ordered += rest
    return Route(ordered, reasons[0])
