import uuid
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Self

from payroute_common.consumer import Received
from payroute_common.messages import (
    CreatePayment,
    PaymentCaptured,
    PaymentCreated,
    PaymentMethod,
    RefundSucceeded,
)
from payroute_devstack.batches import received
from reconciliation import consumers
from reconciliation.ledger import LedgerEntry
from reconciliation.movements import Movement, merge
from reconciliation.settling import LateSuccessState, RefundState

from .fake_keys import FakeApiKeys
from .snapshots import T0, refund, snapshot


class FakeLedger:
    def __init__(self) -> None:
        self.entries: dict[str, LedgerEntry] = {}
        self.upserts: list[list[LedgerEntry]] = []
        self.lines: dict[tuple[str, str], Movement] = {}

    async def upsert(self, entries: Sequence[LedgerEntry]) -> None:
        self.upserts.append(list(entries))
        for entry in entries:
            current = self.entries.get(entry.payment_id)
            if current is None or entry.version > current.version:
                self.entries[entry.payment_id] = entry

    async def get(self, payment_id: str) -> LedgerEntry | None:
        return self.entries.get(payment_id)

    async def record(self, movements: Sequence[Movement]) -> None:
        for line in movements:
            seen = self.lines.get(line.key)
            self.lines[line.key] = merge(seen, line) if seen is not None else line

    async def movements(self, payment_id: str) -> list[Movement]:
        return [m for m in self.lines.values() if m.payment_id == payment_id]


class FakeSettling:
    def __init__(self) -> None:
        self.refunds: dict[str, RefundState] = {}
        self.late: dict[str, LateSuccessState] = {}

    async def record_refunds(self, refunds: Sequence[RefundState]) -> None:
        self.refunds |= {r.refund_id: r for r in refunds}

    async def record_late_successes(self, found: Sequence[LateSuccessState]) -> None:
        self.late |= {f.attempt_id: f for f in found}


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.ledger = FakeLedger()
        self.settling = FakeSettling()
        self.api_keys = FakeApiKeys()
        self.claimed: set[uuid.UUID] = set()
        self.commits = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def claim(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        fresh = set(event_ids) - self.claimed
        self.claimed |= fresh
        return fresh

    async def commit(self) -> None:
        self.commits += 1


def created() -> PaymentCreated:
    return PaymentCreated(payment=snapshot(1), reason="routed to stripe")


def captured() -> PaymentCaptured:
    return PaymentCaptured(payment=snapshot(2, "captured"))


async def consume(batch: list[Received], uow: FakeUnitOfWork) -> None:
    """Hand `batch` to the service's consumer, over `uow`."""
    await consumers.dispatcher(lambda: uow)(batch)  # type: ignore[arg-type, return-value]


async def test_batch_is_folded_into_one_upsert_and_one_commit() -> None:
    uow = FakeUnitOfWork()
    await consume(received(created(), captured()), uow)
    assert (len(uow.ledger.upserts), uow.commits) == (1, 1)
    assert len(uow.ledger.upserts[0]) == 1
    entry = uow.ledger.entries["pay_1"]
    assert (entry.status, entry.version) == ("captured", 2)
    assert entry.captured_at == captured().payment.updated_at


async def test_messages_other_than_payment_events_are_ignored() -> None:
    uow = FakeUnitOfWork()
    command = CreatePayment(
        payment_id="pay_9",
        merchant_id="mch_1",
        amount=100,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card"),
        created_at=T0,
    )
    await consume(received(command), uow)
    assert uow.ledger.entries == {}


async def test_redelivered_event_is_not_applied_again() -> None:
    uow = FakeUnitOfWork()
    batch = received(captured())
    await consume(batch, uow)
    await consume(batch, uow)
    assert [len(entries) for entries in uow.ledger.upserts] == [1]


def moved(uow: FakeUnitOfWork) -> list[tuple[str, str, int]]:
    return sorted((m.kind, m.source_id, m.amount) for m in uow.ledger.lines.values())


def refunded(refund_id: str, amount: int, total: int, version: int) -> RefundSucceeded:
    payment = snapshot(version, "partially_refunded", amount_captured=6_000, amount_refunded=total)
    return RefundSucceeded(payment=payment, refund=refund(refund_id, amount, "succeeded"))


async def test_partial_capture_and_two_partial_refunds_are_three_lines() -> None:
    uow = FakeUnitOfWork()
    capture = PaymentCaptured(payment=snapshot(3, "captured", amount_captured=6_000))
    for event in (capture, refunded("re_1", 2_500, 2_500, 4), refunded("re_2", 2_000, 4_500, 5)):
        await consume(received(event), uow)
    assert moved(uow) == [
        ("capture", "pay_1", 6_000),
        ("refund", "re_1", 2_500),
        ("refund", "re_2", 2_000),
    ]
    entry = uow.ledger.entries["pay_1"]
    assert (entry.status, entry.amount_captured, entry.amount_refunded) == (
        "partially_refunded",
        6_000,
        4_500,
    )


async def test_the_same_facts_announced_again_record_nothing_new() -> None:
    uow = FakeUnitOfWork()
    capture = PaymentCaptured(payment=snapshot(3, "captured", amount_captured=6_000))
    refund_1 = refunded("re_1", 2_500, 2_500, 4)
    await consume(received(refund_1, capture), uow)
    # Other events (new ids) saying the same, older ones last.
    await consume(received(refund_1, capture), uow)
    assert moved(uow) == [("capture", "pay_1", 6_000), ("refund", "re_1", 2_500)]
    assert uow.ledger.entries["pay_1"].version == 4
