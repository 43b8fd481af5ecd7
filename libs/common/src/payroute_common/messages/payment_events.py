"""Events on topic `payment.events` (orchestrator → everyone who keeps a view)."""

from typing import Literal

from payroute_common.envelope import Message
from payroute_common.messages.values import (
    LateSuccess,
    PaymentFailure,
    PaymentSnapshot,
    RefundSnapshot,
)


class PaymentEvent(Message):
    """Every payment event carries the payment's state after the change, and why."""

    payment: PaymentSnapshot
    reason: str | None = None


class PaymentCreated(PaymentEvent):
    event_type = "PaymentCreated"

    reason: str


class PaymentActionRequired(PaymentEvent):
    """The customer must act (`payment.next_action`); a webhook completes the payment."""

    event_type = "PaymentActionRequired"


class PaymentAwaitingVerification(PaymentEvent):
    """A manual payment (cash, cheque, bank transfer) waits for an operator."""

    event_type = "PaymentAwaitingVerification"


class PaymentAuthorized(PaymentEvent):
    event_type = "PaymentAuthorized"


class PaymentCaptured(PaymentEvent):
    event_type = "PaymentCaptured"


class PaymentCanceled(PaymentEvent):
    event_type = "PaymentCanceled"


class PaymentFailed(PaymentEvent):
    event_type = "PaymentFailed"


class PaymentOperationFailed(PaymentEvent):
    """A capture, cancel or verification was refused; the payment's status is unchanged."""

    event_type = "PaymentOperationFailed"

    operation: Literal["capture", "cancel", "verify"]
    failure: PaymentFailure


class PaymentAttemptUpdated(PaymentEvent):
    """News of the attempts of a payment still `processing`; its status is unchanged.

    An attempt's outcome became unknown, its provider was asked for its status or
    answered, an attempt failed and another provider is next, or a new attempt
    started. `reason` says which, and why.
    """

    event_type = "PaymentAttemptUpdated"


class PaymentDisputed(PaymentEvent):
    """The customer's bank opened a dispute (`payment.dispute`); its money is held."""

    event_type = "PaymentDisputed"


class PaymentDisputeClosed(PaymentEvent):
    """A dispute ended (`payment.dispute.outcome`): won, the payment is as before; lost,
    the disputed amount counts as refunded."""

    event_type = "PaymentDisputeClosed"


class LateSuccessEvent(PaymentEvent):
    """A provider's success the payment no longer needed (`late_success`); the
    payment's own status is unchanged. The timeline names it `late_success_reversed`."""

    late_success: LateSuccess


class LateSuccessFound(LateSuccessEvent):
    """A late success arrived; its reversal was sent to the provider."""

    event_type = "LateSuccessFound"


class LateSuccessReversed(LateSuccessEvent):
    """The provider confirmed the reversal: the customer's money is back."""

    event_type = "LateSuccessReversed"


class LateSuccessReversalFailed(LateSuccessEvent):
    """The provider refused the reversal; `reason` says why. Operators must act."""

    event_type = "LateSuccessReversalFailed"


class RefundEvent(PaymentEvent):
    """A refund changed; `payment` shows its effect on the payment."""

    refund: RefundSnapshot


class RefundCreated(RefundEvent):
    event_type = "RefundCreated"


class RefundSucceeded(RefundEvent):
    event_type = "RefundSucceeded"


class RefundFailed(RefundEvent):
    event_type = "RefundFailed"
