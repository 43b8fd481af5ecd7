"""Commands and provider answers as the orchestrator receives them, for its tests."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Literal

from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import (
    CancelPayment,
    CapturePayment,
    CreatePayment,
    PaymentMethod,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
    ProviderHealthChanged,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    ProviderStatusReported,
    ProviderWebhookReceived,
    RefundPayment,
    VerifyPayment,
)
from payroute_common.messages.provider_health import ProviderHealth
from payroute_common.messages.provider_results import ProviderOperation
from payroute_common.messages.provider_status import StatusOutcome
from payroute_common.messages.provider_webhooks import WebhookOutcome
from payroute_common.messages.values import CaptureMethod, PaymentMethodType, RoutingPreferences

PAY = "pay_1"
DECLINE = ProviderError(category="hard_decline", code="card_declined", message="declined")
TIMEOUT = ProviderError(category="timeout", code="timeout", message="no answer")
UNAVAILABLE = ProviderError(
    category="provider_unavailable", code="circuit_open", message="circuit open"
)
SOFT_DECLINE = ProviderError(
    category="soft_decline", code="processing_error", message="try again later"
)


def wrap(message: Message) -> Envelope:
    return Envelope.wrap(message, producer="test", tenant_id="mch_1", aggregate_id=PAY)


def run(coro: Coroutine[Any, Any, None]) -> None:
    """Run a handler to its end: with the fakes it never waits on anything."""
    try:
        coro.send(None)
    except StopIteration:
        return
    raise AssertionError("the handler waited on something")


def create(
    method: PaymentMethodType = "card",
    *,
    amount: int = 10_000,
    capture_method: CaptureMethod = "automatic",
    provider: str | None = None,
    platform_fee_ppm: int = 15_000,
    routing: RoutingPreferences | None = None,
    verification_ttl_seconds: int | None = None,
) -> CreatePayment:
    return CreatePayment(
        payment_id=PAY,
        merchant_id="mch_1",
        amount=amount,
        currency="PHP",
        capture_method=capture_method,
        payment_method=PaymentMethod(type=method),
        provider=provider,
        created_at=utcnow(),
        platform_fee_ppm=platform_fee_ppm,
        routing=routing or RoutingPreferences(),
        verification_ttl_seconds=verification_ttl_seconds,
        return_url="https://shop.example/back",
    )


def attempt_ok(
    attempt_id: str,
    outcome: Literal["captured", "authorized", "requires_action"],
    *,
    redirect_url: str | None = None,
) -> ProviderAttemptSucceeded:
    return ProviderAttemptSucceeded(
        payment_id=PAY,
        attempt_id=attempt_id,
        provider="stripe",
        provider_reference="pi_1",
        outcome=outcome,
        amount=10_000,
        currency="PHP",
        latency_ms=12,
        redirect_url=redirect_url,
    )


def attempt_failed(attempt_id: str, error: ProviderError = DECLINE) -> ProviderAttemptFailed:
    return ProviderAttemptFailed(
        payment_id=PAY, attempt_id=attempt_id, provider="stripe", error=error, latency_ms=9
    )


def capture(amount: int | None = None) -> CapturePayment:
    return CapturePayment(payment_id=PAY, merchant_id="mch_1", amount=amount, requested_at=utcnow())


def cancel() -> CancelPayment:
    return CancelPayment(payment_id=PAY, merchant_id="mch_1", requested_at=utcnow())


def verify(decision: Literal["approve", "reject"] = "approve") -> VerifyPayment:
    return VerifyPayment(
        payment_id=PAY,
        merchant_id="mch_1",
        decision=decision,
        operator_key_id="key_op",
        note="receipt checked",
        requested_at=utcnow(),
    )


def refund(refund_id: str, amount: int, currency: str = "PHP") -> RefundPayment:
    return RefundPayment(
        refund_id=refund_id,
        payment_id=PAY,
        merchant_id="mch_1",
        amount=amount,
        currency=currency,
        reason="requested_by_customer",
        created_at=utcnow(),
    )


def operation_ok(
    operation_id: str, operation: ProviderOperation, amount: int
) -> ProviderOperationSucceeded:
    return ProviderOperationSucceeded(
        payment_id=PAY,
        operation_id=operation_id,
        operation=operation,
        provider="stripe",
        provider_reference="re_p" if operation == "refund" else "pi_1",
        amount=amount,
        currency="PHP",
        latency_ms=7,
    )


def operation_failed(
    operation_id: str, operation: ProviderOperation, error: ProviderError = DECLINE
) -> ProviderOperationFailed:
    return ProviderOperationFailed(
        payment_id=PAY,
        operation_id=operation_id,
        operation=operation,
        provider="stripe",
        error=error,
        latency_ms=7,
    )


def webhook(outcome: WebhookOutcome, amount: int | None = None) -> ProviderWebhookReceived:
    return ProviderWebhookReceived(
        provider="stripe",
        provider_event_id="evt_1",
        provider_event_type=f"payment_intent.{outcome}",
        subject="payment",
        outcome=outcome,
        provider_reference="pi_1",
        payment_id=PAY,
        amount=amount,
        currency="PHP",
        received_at=utcnow(),
    )


def status_report(
    attempt_id: str,
    outcome: StatusOutcome,
    *,
    provider: str = "stripe",
    error: ProviderError | None = None,
    amount: int = 10_000,
) -> ProviderStatusReported:
    """The provider's answer to a status query; found payments get a reference."""
    found = outcome not in ("not_found", "unknown")
    return ProviderStatusReported(
        payment_id=PAY,
        attempt_id=attempt_id,
        provider=provider,
        outcome=outcome,
        provider_reference=f"ref_{attempt_id}" if found else None,
        amount=amount if found else None,
        currency="PHP" if found else None,
        error=error
        or (DECLINE if outcome == "failed" else TIMEOUT if outcome == "unknown" else None),
        latency_ms=5,
    )


def health_changed(provider: str, health: ProviderHealth) -> ProviderHealthChanged:
    circuit = {
        "healthy": "closed",
        "degraded": "half_open",
        "unhealthy": "open",
        "misconfigured": "closed",
    }[health]
    return ProviderHealthChanged(
        provider=provider,
        health=health,
        circuit=circuit,
        reason="test",
        consecutive_failures=0 if health == "healthy" else 5,
        trigger="state_change",
        at=utcnow(),
    )


def dispute_webhook(
    outcome: Literal["opened", "closed"],
    status: str = "needs_response",
    amount: int | None = 10_000,
    dispute_id: str = "dp_1",
) -> ProviderWebhookReceived:
    """Stripe's `charge.dispute.*`: no payment id, routed by the intent's reference."""
    return ProviderWebhookReceived(
        provider="stripe",
        provider_event_id=f"evt_{dispute_id}_{outcome}",
        provider_event_type=f"charge.dispute.{'created' if outcome == 'opened' else 'closed'}",
        subject="dispute",
        outcome=outcome,
        provider_reference="pi_1",
        payment_id=None,
        amount=amount,
        currency="PHP",
        received_at=utcnow(),
        dispute_id=dispute_id,
        dispute_status=status,
        reason="fraudulent",
    )


def refund_webhook(
    outcome: Literal["refunded", "failed"],
    *,
    provider_reference: str = "pi_1",
    refund_id: str | None = None,
    amount_refunded: int | None = None,
) -> ProviderWebhookReceived:
    """Refund news: of one refund (named by id, with the payment's id, both from the
    refund's metadata; or by its reference alone), or of the charge (a total)."""
    return ProviderWebhookReceived(
        provider="stripe",
        provider_event_id="evt_refund",
        provider_event_type="charge.refunded" if refund_id is None else "refund.updated",
        subject="refund",
        outcome=outcome,
        provider_reference=provider_reference,
        payment_id=PAY if refund_id is not None else None,
        amount=None,
        currency="PHP",
        received_at=utcnow(),
        refund_id=refund_id,
        amount_refunded=amount_refunded,
    )
