"""A provider's success, from any source: the payment moves on, or, late, the money
is given back; a payment that now waits for its customer gets an expiry timer."""

from __future__ import annotations

from orchestrator.domain import Payment
from orchestrator.domain.successes import SuccessNews, apply_success
from orchestrator.handlers.publishing import publish_status_change
from orchestrator.handlers.reversals import late_success_found
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.timers import Timer

ACTION_EXPIRY = "action_expiry"


def succeeded(
    uow: HandlerUnitOfWork,
    payment: Payment,
    news: SuccessNews,
    cause: Envelope | None,
    policy: RecoveryPolicy,
    *,
    prefix: str = "",
) -> str | None:
    """Apply `news`; the reason shown, if anything changed (a late success's keeps
    its heading; others start with `prefix`)."""
    now = utcnow()
    applied = apply_success(payment, news, new_id("op"), now)
    if applied.reason is None:
        return None
    if applied.reversal is not None:
        late_success_found(uow, payment, applied.reversal, applied.reason, cause, now, policy)
        return applied.reason
    reason = prefix + applied.reason
    if payment.status == "requires_action":
        expires_at = now + policy.action_ttl
        payload = {"attempt_id": news.attempt_id}
        uow.timers.schedule(Timer(ACTION_EXPIRY, payment.payment_id, expires_at, payload))
        reason += f"; it expires at {expires_at.isoformat(timespec='seconds')}"
    publish_status_change(uow, payment, reason, cause)
    return reason
