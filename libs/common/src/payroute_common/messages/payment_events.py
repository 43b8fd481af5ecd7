"""Events on topic `payment.events` (orchestrator → everyone who keeps a view)."""

from payroute_common.envelope import Message
from payroute_common.messages.values import PaymentSnapshot


class PaymentEvent(Message):
    """Every payment event carries the payment's state after the change."""

    payment: PaymentSnapshot


class PaymentCreated(PaymentEvent):
    event_type = "PaymentCreated"

    reason: str


class PaymentCaptured(PaymentEvent):
    event_type = "PaymentCaptured"


class PaymentFailed(PaymentEvent):
    event_type = "PaymentFailed"
