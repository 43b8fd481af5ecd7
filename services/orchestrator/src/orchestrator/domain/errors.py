"""Why the payment domain refuses a merchant's command; each reason has a stable code."""

from payroute_common.messages import PaymentFailure
from payroute_common.messages.values import PaymentStatus


class PaymentError(Exception):
    """A rule of the payment domain was broken; `code` names which (API and events)."""

    code = "payment_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def failure(self) -> PaymentFailure:
        return PaymentFailure(code=self.code, message=self.message)


class IllegalTransition(PaymentError):
    code = "illegal_transition"

    def __init__(self, payment_id: str, current: PaymentStatus, wanted: PaymentStatus) -> None:
        super().__init__(f"payment {payment_id} cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


class NotCapturable(IllegalTransition):
    code = "payment_not_capturable"


class NotCancelable(IllegalTransition):
    code = "payment_not_cancelable"


class NotAwaitingVerification(IllegalTransition):
    code = "payment_not_awaiting_verification"


class NotRefundable(PaymentError):
    code = "payment_not_refundable"


class AmountExceedsCapturable(PaymentError):
    code = "amount_exceeds_capturable"


class AmountExceedsRefundable(PaymentError):
    code = "amount_exceeds_refundable"


class CurrencyMismatch(PaymentError):
    code = "currency_mismatch"


class OperationInProgress(PaymentError):
    code = "operation_in_progress"


class UnknownAttempt(PaymentError):
    code = "unknown_attempt"


class AttemptStillOpen(PaymentError):
    """An attempt may still take money (no answer yet, or unknown): no other may start."""

    code = "attempt_still_open"
