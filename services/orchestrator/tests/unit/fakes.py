"""An in-memory unit of work for handler tests."""

from collections.abc import Iterable

from orchestrator.domain import Payment, Refund
from payroute_common.envelope import Envelope
from payroute_common.timers import Timer
from payroute_common.topics import TopicSpec


class FakePayments:
    def __init__(self) -> None:
        self.rows: dict[str, Payment] = {}

    async def load(self, payment_ids: Iterable[str]) -> None:
        return None

    def get(self, payment_id: str) -> Payment | None:
        return self.rows.get(payment_id)

    def add(self, payment: Payment) -> None:
        self.rows[payment.payment_id] = payment


class FakeRefunds:
    def __init__(self) -> None:
        self.rows: dict[str, Refund] = {}

    def get(self, refund_id: str) -> Refund | None:
        return self.rows.get(refund_id)

    def add(self, refund: Refund) -> None:
        self.rows[refund.refund_id] = refund


class FakeTimers:
    def __init__(self) -> None:
        self.scheduled: list[Timer] = []

    def schedule(self, timer: Timer) -> None:
        self.scheduled.append(timer)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.payments = FakePayments()
        self.refunds = FakeRefunds()
        self.timers = FakeTimers()
        self.published: list[tuple[str, str, Envelope]] = []

    def publish(
        self, topic: TopicSpec, key: str, envelope: Envelope, headers: dict[str, str] | None = None
    ) -> None:
        self.published.append((topic.name, key, envelope))

    def types(self) -> list[str]:
        return [envelope.event_type for _, _, envelope in self.published]

    def events(self, topic: str = "payment.events") -> list[Envelope]:
        return [envelope for name, _, envelope in self.published if name == topic]
