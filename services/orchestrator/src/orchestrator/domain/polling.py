"""What a provider's answer to a status query means for an attempt whose outcome is unknown.

An attempt becomes `unknown` when its answer was undetermined (no answer in time,
a 5xx or 429 after sending, a lost connection, an unparseable body) or never
came: the provider may have taken the money. Providers with idempotency keys are
sent the same request again (see `recovery`); the others are asked
(`QueryProviderStatus`) until they tell. Until then no other attempt starts.
Successes go through `successes`; this module reads the rest. `not_found` is
believed only once the attempt is older than a grace period: a provider's search
lags behind its writes (Stripe: "under normal operating conditions, data is
searchable in under 1 minute", longer during an outage;
https://docs.stripe.com/search#data-freshness). Should the payment turn up after
all, its success is late and is given back. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from orchestrator.domain.attempts import Attempt
from orchestrator.domain.payment import Payment
from payroute_common.messages import ProviderError, ProviderStatusReported


@dataclass(frozen=True)
class Answer:
    """`reason` for the timeline; with `failure` the attempt failed and took nothing."""

    reason: str | None
    failure: ProviderError | None = None


def unknown_attempt(payment: Payment, attempt_id: str) -> Attempt | None:
    """The attempt `attempt_id` if its outcome is still unknown."""
    found = next((a for a in payment.attempts if a.attempt_id == attempt_id), None)
    return found if found is not None and found.status == "unknown" else None


def note_query(payment: Payment, attempt: Attempt, now: datetime, *, resent: bool) -> str:
    """The provider is asked once more about `attempt`: the same request sent again
    (`resent`), or a status query."""
    asked = replace(attempt, queries=attempt.queries + 1)
    payment.attempts = [asked if a.attempt_id == asked.attempt_id else a for a in payment.attempts]
    payment.touch(now)
    if resent:
        return (
            f"sent attempt {attempt.attempt_id} to {attempt.provider} again under the same "
            f"idempotency key (try {asked.queries}), so that it tells what it did with it"
        )
    return (
        f"asked {attempt.provider} for the status of attempt {attempt.attempt_id} "
        f"(query {asked.queries})"
    )


def answer(
    payment: Payment, report: ProviderStatusReported, now: datetime, grace: timedelta
) -> Answer | None:
    """Apply a report that is no success; None when the attempt is no longer unknown."""
    attempt = unknown_attempt(payment, report.attempt_id)
    if attempt is None:
        return None
    said = f"{attempt.provider} reports {report.outcome}"
    if report.outcome in ("failed", "canceled"):
        return Answer(None, report.error or _canceled(attempt))
    if report.outcome == "not_found" and _older_than(attempt, now, grace):
        return Answer(None, _not_found(attempt, grace))
    payment.touch(now)
    if report.outcome == "not_found":
        return Answer(f"{said} (its search may lag behind): asking again")
    why = f" ({report.error.code})" if report.error else ""
    return Answer(f"{said}{why}: asking again")


def _older_than(attempt: Attempt, now: datetime, grace: timedelta) -> bool:
    return attempt.started_at is None or now - attempt.started_at >= grace


def _canceled(attempt: Attempt) -> ProviderError:
    return ProviderError(
        category="soft_decline",
        code="canceled_at_provider",
        message=f"{attempt.provider} canceled the payment; no money was taken",
    )


def _not_found(attempt: Attempt, grace: timedelta) -> ProviderError:
    return ProviderError(
        category="timeout",
        code="not_found_at_provider",
        message=(
            f"{attempt.provider} has no payment for attempt {attempt.attempt_id} "
            f"{int(grace.total_seconds())} s after it was sent; no money was taken"
        ),
    )
