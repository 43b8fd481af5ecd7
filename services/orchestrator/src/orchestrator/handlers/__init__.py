"""One function per command or event the orchestrator takes."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from orchestrator.handlers.attempts import attempt_failed, attempt_succeeded, webhook_received
from orchestrator.handlers.creation import DEFAULT_VERIFICATION_TTL, create_payment
from orchestrator.handlers.emit import PRODUCER, UnknownPaymentError
from orchestrator.handlers.operations import (
    cancel_payment,
    capture_payment,
    operation_failed,
    operation_succeeded,
    verify_payment,
)
from orchestrator.handlers.refunds import refund_payment
from payroute_common.envelope import Message
from payroute_common.messages import (
    CancelPayment,
    CapturePayment,
    CreatePayment,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    ProviderWebhookReceived,
    RefundPayment,
    VerifyPayment,
)

Handler = Callable[..., Awaitable[None]]


def handlers(
    verification_ttl: timedelta = DEFAULT_VERIFICATION_TTL,
) -> dict[type[Message], Handler]:
    return {
        CreatePayment: partial(create_payment, verification_ttl=verification_ttl),
        CapturePayment: capture_payment,
        CancelPayment: cancel_payment,
        VerifyPayment: verify_payment,
        RefundPayment: refund_payment,
        ProviderAttemptSucceeded: attempt_succeeded,
        ProviderAttemptFailed: attempt_failed,
        ProviderOperationSucceeded: operation_succeeded,
        ProviderOperationFailed: operation_failed,
        ProviderWebhookReceived: webhook_received,
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
    "refund_payment",
    "verify_payment",
    "webhook_received",
]
