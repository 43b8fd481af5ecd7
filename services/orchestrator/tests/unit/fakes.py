"""An in-memory unit of work for handler tests."""

from collections.abc import Iterable
from datetime import datetime

from orchestrator.domain import Payment, Refund
from orchestrator.routing import Conditions, Health, SuccessWindow
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderHealthChanged
from payroute_common.timers import Timer
from payroute_common.topics import TopicSpec


class FakePayments:
    def __init__(self, refunds: "FakeRefunds") -> None:
        self.rows: dict[str, Payment] = {}
        self._refunds = refunds

    async def load(self, payment_ids: Iterable[str]) -> None:
        return None

    async def resolve(self, references: Iterable[tuple[str, str]]) -> set[str]:
        found = (self.by_reference(*reference) for reference in references)
        return {payment.payment_id for payment in found if payment is not None}

    def get(self, payment_id: str) -> Payment | None:
        return self.rows.get(payment_id)

    def by_reference(self, provider: str, reference: str) -> Payment | None:
        for refund in self._refunds.rows.values():
            if (refund.provider, refund.provider_reference) == (provider, reference):
                return self.rows.get(refund.payment_id)
        return next((p for p in self.rows.values() if p.has_reference(provider, reference)), None)

    def add(self, payment: Payment) -> None:
        self.rows[payment.payment_id] = payment


class FakeRefunds:
    def __init__(self) -> None:
        self.rows: dict[str, Refund] = {}

    def get(self, refund_id: str) -> Refund | None:
        return self.rows.get(refund_id)

    def of_payment(self, payment_id: str) -> list[Refund]:
        return [r for r in self.rows.values() if r.payment_id == payment_id]

    def add(self, refund: Refund) -> None:
        self.rows[refund.refund_id] = refund


class FakeTimers:
    def __init__(self) -> None:
        self.scheduled: list[Timer] = []

    def schedule(self, timer: Timer) -> None:
        self.scheduled.append(timer)


class FakeProviders:
    """Provider conditions as routing sees them; set `health` to steer it."""

    def __init__(self) -> None:
        self.health: dict[str, Health] = {}
        self.results: list[tuple[str, bool]] = []

    async def conditions(self, now: datetime) -> Conditions:
        success: dict[str, SuccessWindow] = {}
        for provider, ok in self.results:
            seen = success.get(provider, SuccessWindow())
            success[provider] = SuccessWindow(seen.attempts + 1, seen.successes + ok)
        return Conditions(today=now.date(), health=dict(self.health), success=success)

    def record_result(self, provider: str, succeeded: bool, at: datetime) -> None:
        self.results.append((provider, succeeded))

    def record_health(self, report: ProviderHealthChanged) -> None:
        self.health[report.provider] = report.health


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.refunds = FakeRefunds()
        self.payments = FakePayments(self.refunds)
        self.timers = FakeTimers()
        self.providers = FakeProviders()
        self.published: list[tuple[str, str, Envelope]] = []

    def publish(
        self, topic: TopicSpec, key: str, envelope: Envelope, headers: dict[str, str] | None = None
    ) -> None:
        self.published.append((topic.name, key, envelope))

    def types(self) -> list[str]:
        return [envelope.event_type for _, _, envelope in self.published]

    def events(self, topic: str = "payment.events") -> list[Envelope]:
        return [envelope for name, _, envelope in self.published if name == topic]
