"""What a provider's answer to a status query means for an attempt whose outcome is unknown.

An attempt becomes `unknown` when its call timed out or lost its connection
after it was sent: the provider may have taken the money. The orchestrator asks
the provider (`QueryProviderStatus`) until it knows; until then no other attempt
starts. `not_found` is believed only once the attempt is older than a grace
period: a provider's search lags behind its writes (Stripe: "under normal
operating conditions, data is searchable in under 1 minute", longer during an
outage; https://docs.stripe.com/search#data-freshness). Pure.
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


def note_query(payment: Payment, attempt: Attempt, now: datetime) -> str:
    """The provider is asked once more about `attempt`."""
    asked = replace(attempt, queries=attempt.queries + 1)
    payment.attempts = [asked if a.attempt_id == asked.attempt_id else a for a in payment.attempts]
    payment.touch(now)
    return (
        f"asked {attempt.provider} for the status of attempt {attempt.attempt_id} "
        f"(query {asked.queries})"
    )


def answer(
    payment: Payment, report: ProviderStatusReported, now: datetime, grace: timedelta
) -> Answer | None:
    """Apply `report`; None when the attempt is no longer unknown (other news settled it)."""
    attempt = unknown_attempt(payment, report.attempt_id)
    if attempt is None:
        return None
    said = f"{attempt.provider} reports {report.outcome}"
    reference = report.provider_reference or ""
    if report.outcome == "captured":
        reason = payment.record_capture(attempt.attempt_id, reference, None, now, report.amount)
        return Answer(reason and f"{said}: {reason}")
    if report.outcome == "authorized":
        reason = payment.record_authorization(attempt.attempt_id, reference, None, now)
        return Answer(reason and f"{said}: {reason}")
    if report.outcome == "requires_action":
        reason = payment.record_action_required(attempt.attempt_id, reference, None, None, now)
        return Answer(reason and f"{said}: {reason}")
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
