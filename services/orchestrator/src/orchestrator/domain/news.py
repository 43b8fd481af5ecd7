"""Provider news by webhook: applied when it moves the payment forward, else ignored;
a success the payment no longer needs is given back (see `late`)."""

from __future__ import annotations

from datetime import datetime

from orchestrator.domain.payment import Payment
from orchestrator.domain.states import OPEN_ATTEMPTS
from orchestrator.domain.successes import Applied, SuccessNews, apply_success
from payroute_common.messages import ProviderError
from payroute_common.messages.provider_webhooks import WebhookOutcome


def _settle_authorization(
    payment: Payment, outcome: WebhookOutcome, amount: int | None, now: datetime
) -> str | None:
    """An authorized payment captured or voided at the provider (maybe by our own operation)."""
    payment.operation = None
    if outcome == "succeeded":
        authorized = payment.amount_capturable
        captured = authorized if amount is None else min(amount, authorized)
        payment.capture(captured, now)
        return f"{payment.provider} reports {captured} of {authorized} authorized captured"
    payment.amount_capturable = 0
    payment.move_to("canceled", now)
    return f"{payment.provider} reports the authorization canceled"


def apply_webhook(
    payment: Payment,
    provider: str,
    provider_reference: str,
    outcome: WebhookOutcome,
    amount: int | None,
    reversal_id: str,
    now: datetime,
) -> Applied:
    if (
        payment.status == "authorized"
        and outcome in {"succeeded", "canceled"}
        and (provider, provider_reference) == (payment.provider, payment.provider_reference)
    ):
        return Applied(_settle_authorization(payment, outcome, amount, now))
    attempt = payment.attempt_for_reference(provider, provider_reference)
    if attempt is None:
        return Applied()
    if outcome in ("succeeded", "authorized"):
        news = SuccessNews(
            attempt_id=attempt.attempt_id,
            outcome="captured" if outcome == "succeeded" else "authorized",
            provider_reference=provider_reference,
            amount=amount,
        )
        applied = apply_success(payment, news, reversal_id, now)
        return Applied(applied.reason and f"{applied.reason} (provider news)", applied.reversal)
    # A refusal by webhook carries no decline code: while the synchronous answer
    # (with the provider's codes) is still due, wait for it. The webhook decides
    # only when nothing else will: the customer was sent away, or the call timed out.
    webhook_decides = payment.status == "requires_action" or attempt.status == "unknown"
    if outcome in {"failed", "canceled"} and attempt.status in OPEN_ATTEMPTS and webhook_decides:
        code = "payment_failed" if outcome == "failed" else "payment_canceled_at_provider"
        error = ProviderError(
            category="hard_decline",
            code=code,
            message=f"{provider} reports the payment {outcome}",
        )
        return Applied(payment.record_attempt_failure(attempt.attempt_id, error, 0, now))
    return Applied()
