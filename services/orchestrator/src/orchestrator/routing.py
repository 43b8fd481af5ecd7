"""Which providers may take a payment, best first, each with its reasons. Pure.

A function of the payment, the merchant's routing preferences, the catalog's
capabilities and what the orchestrator knows of the providers right now
(`Conditions`: health, rolling success rates, fee schedules, the date):

1. Only providers that take the method in the currency qualify, and for manual
   capture only those that can hold an authorization.
2. The request's explicit provider comes first.
3. A volume split (merchant weights) picks the next one by a weighted draw. The
   draw is a function of the payment id, so a redelivered command routes the
   same way.
4. Then come the providers of the merchant's first matching priority list.
5. The rest follow the merchant's strategy: catalog order (`priority`), cheapest
   fee (`cost`), or best smoothed success rate (`success_rate`). With
   `success_rate`, one payment in ten goes first to the provider tried least
   lately, so a provider that has recovered gets traffic back.
6. Health overrides all of that: degraded providers follow the healthy ones,
   and providers whose circuit is open go last, tried only when nothing else
   is left. Misconfigured providers (they refused Payroute's credentials) are
   left out altogether: every request to them would be refused the same way,
   until a health check is answered with the credentials again.

Without fallback only the first candidate is kept; otherwise at most
`max_attempts`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from payroute_common.catalog import PROVIDERS, providers_for
from payroute_common.fees import PROVIDER_FEES, FeeRule, NoFeeScheduleError, provider_rule
from payroute_common.messages.values import CaptureMethod, PaymentMethodType, RoutingPreferences

Health = Literal["healthy", "degraded", "unhealthy", "misconfigured"]
EXPLORATION = 0.1  # share of success-rate routed payments that explore
_HEALTH_RANK: dict[Health, int] = {"healthy": 0, "degraded": 1, "unhealthy": 2, "misconfigured": 3}


@dataclass(frozen=True)
class SuccessWindow:
    """A provider's recent attempts and how many succeeded (a rolling window)."""

    attempts: int = 0
    successes: int = 0

    @property
    def rate(self) -> float:
        """Smoothed (Laplace) so that a provider with few attempts is neither 0 nor 1."""
        return (self.successes + 1) / (self.attempts + 2)


@dataclass(frozen=True)
class Conditions:
    """What is known of the providers at routing time; unknown providers count as healthy."""

    today: date
    health: Mapping[str, Health] = field(default_factory=dict)
    success: Mapping[str, SuccessWindow] = field(default_factory=dict)
    fee_rules: tuple[FeeRule, ...] = PROVIDER_FEES


@dataclass(frozen=True)
class RouteRequest:
    payment_id: str
    method: PaymentMethodType
    currency: str
    amount: int
    capture_method: CaptureMethod = "automatic"
    preference: str | None = None
    routing: RoutingPreferences = field(default_factory=RoutingPreferences)


@dataclass(frozen=True)
class Candidate:
    provider: str
    reasons: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.provider} ({'; '.join(self.reasons)})"


@dataclass(frozen=True)
class Route:
    candidates: tuple[Candidate, ...]
    refusal: str | None = None  # why there is no candidate

    @property
    def providers(self) -> list[str]:
        return [candidate.provider for candidate in self.candidates]

    @property
    def first(self) -> str | None:
        return self.candidates[0].provider if self.candidates else None

    @property
    def reason(self) -> str:
        """Why the first candidate comes first (or why there is none)."""
        if not self.candidates:
            return self.refusal or "no candidate"
        return "; ".join(self.candidates[0].reasons)

    def describe(self) -> str:
        """Every candidate in order with its reasons, for the payment's timeline."""
        if not self.candidates:
            return self.reason
        first, *rest = self.candidates
        fallback = ", ".join(candidate.describe() for candidate in rest)
        return first.describe() + (f"; fallback: {fallback}" if rest else "")

    def after(self, provider: str) -> Route:
        """The candidates left once `provider` has been tried."""
        rest = tuple(c for c in self.candidates if c.provider != provider)
        return Route(rest, None if rest else f"no candidate left after {provider}")


def draws(payment_id: str) -> tuple[float, float]:
    """Two uniform numbers in [0, 1) that depend only on the payment id."""
    digest = hashlib.sha256(payment_id.encode()).digest()
    scale = float(1 << 64)
    return (
        int.from_bytes(digest[:8], "big") / scale,
        int.from_bytes(digest[8:16], "big") / scale,
    )


def route_payment(request: RouteRequest, conditions: Conditions) -> Route:
    able = _able(request)
    if not able:
        return Route((), _refusal(request))
    usable = [p for p in able if conditions.health.get(p) != "misconfigured"]
    if not usable:
        return Route(
            (),
            f"every provider of {request.method} in {request.currency} is "
            "misconfigured (it refused Payroute's credentials)",
        )
    able = usable
    reasons: dict[str, list[str]] = {provider: [] for provider in able}
    ordered = _preferred(request, able, reasons)
    ordered += _split(request, able, ordered, reasons)
    ordered += _prioritized(request.routing, request, able, ordered, reasons)
    ordered += _by_strategy(request, conditions, [p for p in able if p not in ordered], reasons)
    ordered = _by_health(ordered, conditions, reasons)
    keep = request.routing.max_attempts if request.routing.fallback else 1
    return Route(tuple(Candidate(p, tuple(reasons[p])) for p in ordered[:keep]))


def _able(request: RouteRequest) -> list[str]:
    able = providers_for(request.method, request.currency)
    if request.capture_method == "manual":
        able = [p for p in able if PROVIDERS[p].supports_manual_capture]
    return able


def _refusal(request: RouteRequest) -> str:
    if request.capture_method == "manual" and providers_for(request.method, request.currency):
        return f"no provider can authorize {request.method} in {request.currency} for later capture"
    return f"no provider supports {request.method} in {request.currency}"


def _preferred(request: RouteRequest, able: list[str], reasons: dict[str, list[str]]) -> list[str]:
    if request.preference in able:
        reasons[request.preference].append("merchant preference")
        return [request.preference]
    return []


def _split(
    request: RouteRequest, able: list[str], taken: list[str], reasons: dict[str, list[str]]
) -> list[str]:
    weights = {
        p: w
        for p, w in request.routing.volume_split.items()
        if w > 0 and p in able and p not in taken
    }
    total = sum(weights.values())
    if not total:
        return []
    point = draws(request.payment_id)[0] * total
    for provider, weight in weights.items():
        if point < weight:
            share = round(100 * weight / total)
            reasons[provider].append(f"volume split: {share} % of payments")
            return [provider]
        point -= weight
    return []  # unreachable: the draw is below the total


def _prioritized(
    routing: RoutingPreferences,
    request: RouteRequest,
    able: list[str],
    taken: list[str],
    reasons: dict[str, list[str]],
) -> list[str]:
    priority = next(
        (
            p
            for p in routing.priorities
            if p.payment_method in {None, request.method} and p.currency in {None, request.currency}
        ),
        None,
    )
    if priority is None:
        return []
    listed = [p for p in priority.providers if p in able and p not in taken]
    scope = "/".join(x for x in (priority.payment_method, priority.currency) if x)
    for provider in listed:
        reasons[provider].append(f"merchant priority for {scope or 'all payments'}")
    return listed


def _fee(request: RouteRequest, provider: str, conditions: Conditions) -> int | None:
    try:
        rule = provider_rule(
            provider,
            request.currency,
            conditions.today,
            conditions.fee_rules,
            method=request.method,
        )
    except NoFeeScheduleError:
        return None
    return rule.fee(request.amount, request.currency)


def _by_strategy(
    request: RouteRequest,
    conditions: Conditions,
    rest: list[str],
    reasons: dict[str, list[str]],
) -> list[str]:
    strategy = request.routing.strategy
    if strategy == "cost":
        fees = {p: _fee(request, p, conditions) for p in rest}
        rest = sorted(rest, key=lambda p: (fees[p] is None, fees[p] or 0))
        for provider in rest:
            fee = fees[provider]
            known = (
                f"fee {fee} {request.currency} minor units" if fee is not None else "fee unknown"
            )
            reasons[provider].append(f"cheapest first: {known}")
        return rest
    if strategy == "success_rate":
        windows = {p: conditions.success.get(p, SuccessWindow()) for p in rest}
        rest = sorted(rest, key=lambda p: -windows[p].rate)
        for provider in rest:
            window = windows[provider]
            reasons[provider].append(
                f"success rate {window.rate:.0%} ({window.successes}/{window.attempts} lately)"
            )
        if len(rest) > 1 and draws(request.payment_id)[1] < EXPLORATION:
            explored = min(rest, key=lambda p: windows[p].attempts)
            reasons[explored].append("explored: tried least lately")
            rest = [explored] + [p for p in rest if p != explored]
        return rest
    for provider in rest:
        reasons[provider].append(f"supports {request.method} in {request.currency}")
    return rest


def _by_health(
    ordered: list[str], conditions: Conditions, reasons: dict[str, list[str]]
) -> list[str]:
    """Stable: within each health class the order so far stands."""
    for provider in ordered:
        health = conditions.health.get(provider, "healthy")
        if health == "degraded":
            reasons[provider].append("degraded: after healthy providers")
        elif health == "unhealthy":
            reasons[provider].append("circuit open: last resort")
    return sorted(ordered, key=lambda p: _HEALTH_RANK[conditions.health.get(p, "healthy")])
