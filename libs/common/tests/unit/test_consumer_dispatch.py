"""The consumer dispatcher: one unit of work per batch, the inbox claimed once, each new
message to its route, one commit after the last handler."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Self

import pytest

from payroute_common.clock import utcnow
from payroute_common.consumer_dispatch import InboxDispatcher, PerBatch, PerMessage, Route
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import ApiKeyRevoked, CancelPayment, CapturePayment
from payroute_devstack.batches import received


class FakeUnitOfWork:
    """An inbox whose claims count once committed; every step is written to `log`."""

    def __init__(self) -> None:
        self.inbox: set[uuid.UUID] = set()
        self.log: list[str] = []
        self._claimed: set[uuid.UUID] = set()

    async def __aenter__(self) -> Self:
        self._claimed = set()
        self.log.append("begin")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.log.append("end")

    async def claim(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(event_ids)
        self.log.append(f"claim {len(ids)}")
        self._claimed = set(ids) - self.inbox
        return set(self._claimed)

    async def processed(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        self.log.append("lookup")
        return set(event_ids) & self.inbox

    async def commit(self) -> None:
        self.inbox |= self._claimed
        self.log.append("commit")


def capture(payment_id: str) -> CapturePayment:
    return CapturePayment(payment_id=payment_id, merchant_id="mch_1", requested_at=utcnow())


def cancel(payment_id: str) -> CancelPayment:
    return CancelPayment(payment_id=payment_id, merchant_id="mch_1", requested_at=utcnow())


def revoked(key_id: str) -> ApiKeyRevoked:
    return ApiKeyRevoked(key_id=key_id, merchant_id="mch_1", revoked_at=utcnow())


def named(message: Message) -> str:
    return str(getattr(message, "payment_id", None) or getattr(message, "key_id", "?"))


async def one(message: Message, *, uow: FakeUnitOfWork, envelope: Envelope) -> None:
    assert envelope.event_type == message.event_type
    uow.log.append(f"{message.event_type} {named(message)}")


async def together(
    messages: Sequence[Message], *, uow: FakeUnitOfWork, envelopes: Sequence[Envelope]
) -> None:
    assert [e.event_type for e in envelopes] == [m.event_type for m in messages]
    uow.log.append("together " + ",".join(named(m) for m in messages))


def dispatcher(
    uow: FakeUnitOfWork, routes: dict[type[Message], Route[FakeUnitOfWork]]
) -> InboxDispatcher[FakeUnitOfWork]:
    return InboxDispatcher("test", lambda: uow, routes)


ONE_BY_ONE: dict[type[Message], Route[FakeUnitOfWork]] = {
    CapturePayment: PerMessage(one),
    CancelPayment: PerMessage(one),
}


async def test_a_batch_is_claimed_once_dispatched_by_type_in_order_and_committed_once() -> None:
    uow = FakeUnitOfWork()
    await dispatcher(uow, ONE_BY_ONE)(received(capture("pay_1"), cancel("pay_2"), capture("pay_3")))
    assert uow.log == [
        "begin",
        "claim 3",
        "CapturePayment pay_1",
        "CancelPayment pay_2",
        "CapturePayment pay_3",
        "commit",
        "end",
    ]


async def test_a_redelivered_batch_is_marked_again_but_handled_once() -> None:
    uow = FakeUnitOfWork()
    batch = received(capture("pay_1"), cancel("pay_2"))
    await dispatcher(uow, ONE_BY_ONE)(batch)
    uow.log.clear()
    await dispatcher(uow, ONE_BY_ONE)(batch)
    assert uow.log == ["begin", "claim 2", "commit", "end"]


async def test_an_event_twice_in_one_batch_is_handled_once() -> None:
    uow = FakeUnitOfWork()
    batch = received(capture("pay_1"))
    await dispatcher(uow, ONE_BY_ONE)(batch + batch)
    assert uow.log.count("CapturePayment pay_1") == 1
    assert "claim 1" in uow.log


async def test_a_message_without_a_route_is_only_marked_processed() -> None:
    uow = FakeUnitOfWork()
    batch = received(revoked("key_1"), capture("pay_1"))
    await dispatcher(uow, ONE_BY_ONE)(batch)
    assert uow.log == ["begin", "claim 2", "CapturePayment pay_1", "commit", "end"]
    assert uow.inbox == {item.envelope.event_id for item in batch}


async def test_a_failing_handler_leaves_nothing_committed() -> None:
    async def refuse(message: Message, *, uow: FakeUnitOfWork, envelope: Envelope) -> None:
        raise ValueError("poison")

    uow = FakeUnitOfWork()
    with pytest.raises(ValueError, match="poison"):
        await dispatcher(uow, {CapturePayment: PerMessage(refuse)})(received(capture("pay_1")))
    assert "commit" not in uow.log
    assert uow.inbox == set()


async def test_a_gathering_route_takes_all_its_messages_where_the_first_stands() -> None:
    uow = FakeUnitOfWork()
    routes: dict[type[Message], Route[FakeUnitOfWork]] = {
        CapturePayment: PerMessage(one),
        Message: PerBatch(together),  # the nearest base class of everything else
    }
    batch = received(capture("pay_1"), cancel("pay_2"), capture("pay_3"), revoked("key_4"))
    await dispatcher(uow, routes)(batch)
    assert uow.log[2:5] == [
        "CapturePayment pay_1",
        "together pay_2,key_4",
        "CapturePayment pay_3",
    ]


async def test_prepare_sees_the_new_messages_before_any_handler() -> None:
    uow = FakeUnitOfWork()

    async def prepare(messages: Sequence[Message], *, uow: FakeUnitOfWork) -> None:
        uow.log.append("prepare " + ",".join(named(m) for m in messages))

    seen = received(capture("pay_0"))
    await dispatcher(uow, ONE_BY_ONE)(seen)
    uow.log.clear()
    routed = InboxDispatcher("test", lambda: uow, ONE_BY_ONE, prepare=prepare)
    await routed([*seen, *received(cancel("pay_1"), revoked("key_2"))])
    assert uow.log == ["begin", "claim 3", "prepare pay_1", "CancelPayment pay_1", "commit", "end"]


async def test_answers_come_first_outside_the_transaction_and_are_dispatched_in_its_place() -> None:
    uow = FakeUnitOfWork()
    answered: list[str] = []

    async def answer(message: Message) -> Message | None:
        answered.append(named(message))
        uow.log.append(f"answer {named(message)}")
        return cancel(named(message)) if isinstance(message, CapturePayment) else None

    async def record(message: Message, *, uow: FakeUnitOfWork, envelope: Envelope) -> None:
        uow.log.append(f"record {message.event_type} for {envelope.event_type}")

    seen = received(capture("pay_0"))
    await dispatcher(uow, ONE_BY_ONE)(seen)
    uow.log.clear()
    routes: dict[type[Message], Route[FakeUnitOfWork]] = {CancelPayment: PerMessage(record)}
    answering = InboxDispatcher("test", lambda: uow, routes, answer=answer)
    await answering([*seen, *received(capture("pay_1"), revoked("key_2"))])
    assert answered == ["pay_1", "key_2"]  # what the inbox holds is not answered again
    assert uow.log == [
        "begin",
        "lookup",
        "end",
        "answer pay_1",
        "answer key_2",
        "begin",
        "claim 3",
        "record CancelPayment for CapturePayment",
        "commit",
        "end",
    ]
