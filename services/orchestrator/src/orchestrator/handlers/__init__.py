"""One function per command or event the orchestrator takes."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from orchestrator.handlers.attempts import attempt_failed, attempt_succeeded
from orchestrator.handlers.creation import DEFAULT_VERIFICATION_TTL, create_payment
from orchestrator.handlers.health import provider_health_changed
from orchestrator.handlers.operations import (
    cancel_payment,
    capture_payment,
    operation_failed,
    operation_succeeded,
    verify_payment,
)
from orchestrator.handlers.publishing import PRODUCER, UnknownPaymentError
from orchestrator.handlers.refunds import refund_payment
from orchestrator.handlers.status import status_reported
from orchestrator.handlers.webhooks import reference_of, webhook_received
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from payroute_common.envelope import Message
from payroute_common.messages import (
    CancelPayment,
    CapturePayment,
    CreatePayment,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderHealthChanged,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    ProviderStatusReported,
    ProviderWebhookReceived,
    RefundPayment,
    VerifyPayment,
)

Handler = Callable[..., Awaitable[None]]


def handlers(
    verification_ttl: timedelta = DEFAULT_VERIFICATION_TTL,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> dict[type[Message], Handler]:
    return {
        CreatePayment: partial(create_payment, verification_ttl=verification_ttl, policy=policy),
        CapturePayment: partial(capture_payment, policy=policy),
        CancelPayment: partial(cancel_payment, policy=policy),
        VerifyPayment: verify_payment,
        RefundPayment: partial(refund_payment, policy=policy),
        ProviderAttemptSucceeded: partial(attempt_succeeded, policy=policy),
        ProviderAttemptFailed: partial(attempt_failed, policy=policy),
        ProviderStatusReported: partial(status_reported, policy=policy),
        ProviderHealthChanged: provider_health_changed,
        ProviderOperationSucceeded: operation_succeeded,
        ProviderOperationFailed: operation_failed,
        ProviderWebhookReceived: partial(webhook_received, policy=policy),
    }


HANDLERS = handlers()


def payment_id_of(message: Message) -> str | None:
    return getattr(message, "payment_id", None)


__all__ = [
    "HANDLERS",
    "PRODUCER",
    "UnknownPaymentError",
    "attempt_failed",
    "attempt_succeeded",
    "cancel_payment",
    "capture_payment",
    "create_payment",
    "handlers",
    "operation_failed",
    "operation_succeeded",
    "payment_id_of",
    "provider_health_changed",
    "reference_of",
    "refund_payment",
    "status_reported",
    "verify_payment",
    "webhook_received",
]
