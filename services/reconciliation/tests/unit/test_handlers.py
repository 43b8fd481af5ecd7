import uuid
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Self

from payroute_common.envelope import Message
from payroute_common.messages import (
    CreatePayment,
    PaymentCaptured,
    PaymentCreated,
    PaymentMethod,
)
from reconciliation import handlers
from reconciliation.ledger import LedgerEntry

from .snapshots import T0, snapshot


class FakeLedger:
    def __init__(self) -> None:
        self.entries: dict[str, LedgerEntry] = {}
        self.upserts: list[list[LedgerEntry]] = []

    async def upsert(self, entries: Sequence[LedgerEntry]) -> None:
        self.upserts.append(list(entries))
        for entry in entries:
            current = self.entries.get(entry.payment_id)
            if current is None or entry.version > current.version:
                self.entries[entry.payment_id] = entry

    async def get(self, payment_id: str) -> LedgerEntry | None:
        return self.entries.get(payment_id)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.ledger = FakeLedger()
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


async def test_batch_is_folded_into_one_upsert_and_one_commit() -> None:
    uow = FakeUnitOfWork()
    events: list[tuple[uuid.UUID, Message]] = [
        (uuid.uuid4(), created()),
        (uuid.uuid4(), captured()),
    ]
    await handlers.handle_batch(events, uow=uow)
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
    await handlers.handle_batch([(uuid.uuid4(), command)], uow=uow)
    assert uow.ledger.entries == {}


async def test_redelivered_event_is_not_applied_again() -> None:
    uow = FakeUnitOfWork()
    event_id = uuid.uuid4()
    await handlers.handle_batch([(event_id, captured())], uow=uow)
    await handlers.handle_batch([(event_id, captured())], uow=uow)
    assert [len(entries) for entries in uow.ledger.upserts] == [1, 0]
