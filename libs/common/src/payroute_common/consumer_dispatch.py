"""One unit of work per batch: claim the inbox, dispatch each new message by type, commit once.

`InboxDispatcher` is the batch handler a service gives `consumer.subscribe`, which
keeps decoding, poison isolation, dead letters, back-off, lag and metrics around
it. For each batch it opens ONE unit of work from its factory, claims the batch's
event ids in the inbox, and hands each message claimed now to the route registered
for its type (or for the nearest base class); a redelivered message is skipped, an
event id twice in one batch is handled once, a message without a route is only
marked processed. Handlers never commit: the dispatcher commits once, after the
last of them, so the batch's effects, outbox rows and inbox marks are one transaction.

Routes come in two shapes through the one mechanism:
- `PerMessage(handler)`: `handler(message, *, uow, envelope)` for each message, in
  batch order, inside the trace its producer started;
- `PerBatch(handler)`: `handler(messages, *, uow, envelopes)` once, with every
  message of the batch the route takes, where the first of them stands in the
  batch: for handlers that write a whole batch in a few statements.

Two optional stages:
- `prepare(messages, *, uow)` runs in the transaction before any handler, with
  the messages about to be dispatched (the orchestrator locks their payments there);
- `answer(message)` runs before the transaction opens, outside any, concurrently
  and each in its message's trace, on the messages the inbox does not hold yet
  (looked up first, in a read that ends before the first answer starts).
  Each answer (None: nothing to do) is dispatched in place of its message, with
  the envelope of the message it answers. provider-worker calls providers there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Generic, NamedTuple, Protocol, Self, TypeVar

from payroute_common.consumer import Received
from payroute_common.envelope import Envelope, Message


class InboxUnitOfWork(Protocol):
    """What the dispatcher needs of a service's unit of work."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def claim(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...

    async def processed(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...

    async def commit(self) -> None: ...


U = TypeVar("U", bound=InboxUnitOfWork)
U_contra = TypeVar("U_contra", contravariant=True)


class Delivery(NamedTuple):
    """A message claimed in this batch (or its answer), with what it arrived as."""

    item: Received
    message: Message


class MessageHandler(Protocol[U_contra]):
    def __call__(
        self, message: Any, /, *, uow: U_contra, envelope: Envelope
    ) -> Awaitable[None]: ...


class MessagesHandler(Protocol[U_contra]):
    def __call__(
        self, messages: Sequence[Any], /, *, uow: U_contra, envelopes: Sequence[Envelope]
    ) -> Awaitable[None]: ...


class Prepare(Protocol[U_contra]):
    def __call__(self, messages: Sequence[Message], /, *, uow: U_contra) -> Awaitable[None]: ...


Answer = Callable[[Message], Awaitable[Message | None]]


@dataclass(frozen=True)
class PerMessage(Generic[U_contra]):
    """Each message alone, in batch order, inside its producer's trace."""

    handler: MessageHandler[U_contra]
    gathers: ClassVar[bool] = False

    async def run(self, deliveries: Sequence[Delivery], uow: U_contra) -> None:
        for item, message in deliveries:
            with item.traced():
                await self.handler(message, uow=uow, envelope=item.envelope)


@dataclass(frozen=True)
class PerBatch(Generic[U_contra]):
    """Every message of the batch this route takes, in one call."""

    handler: MessagesHandler[U_contra]
    gathers: ClassVar[bool] = True

    async def run(self, deliveries: Sequence[Delivery], uow: U_contra) -> None:
        messages = [message for _, message in deliveries]
        await self.handler(messages, uow=uow, envelopes=[item.envelope for item, _ in deliveries])


Route = PerMessage[U_contra] | PerBatch[U_contra]


class InboxDispatcher(Generic[U]):
    def __init__(
        self,
        consumer: str,
        new_unit_of_work: Callable[[], U],
        routes: Mapping[type[Message], Route[U]],
        *,
        prepare: Prepare[U] | None = None,
        answer: Answer | None = None,
    ) -> None:
        self._consumer = consumer
        self._new_unit_of_work = new_unit_of_work
        self._routes = dict(routes)
        self._prepare = prepare
        self._answer = answer
        self._route_of_type: dict[type[Message], Route[U] | None] = {}

    async def __call__(self, batch: Sequence[Received]) -> None:
        items: dict[uuid.UUID, Received] = {}
        for item in batch:
            items.setdefault(item.envelope.event_id, item)
        answers = None
        if self._answer is not None:
            answers = await self._answers(list(items.values()), self._answer)
        async with self._new_unit_of_work() as uow:
            fresh = await uow.claim(self._consumer, items.keys())
            claimed = [item for event_id, item in items.items() if event_id in fresh]
            routed = self._routed(claimed, answers)
            if self._prepare is not None and routed:
                await self._prepare([delivery.message for _, delivery in routed], uow=uow)
            for route, deliveries in calls_in_order(routed):
                await route.run(deliveries, uow)
            await uow.commit()

    def _routed(
        self, claimed: Sequence[Received], answers: Mapping[uuid.UUID, Message | None] | None
    ) -> list[tuple[Route[U], Delivery]]:
        """What to dispatch for the messages claimed now: each one (or its answer) that
        has a route, with that route."""
        routed = []
        for item in claimed:
            message = item.message if answers is None else answers.get(item.envelope.event_id)
            route = None if message is None else self._route(type(message))
            if message is not None and route is not None:
                routed.append((route, Delivery(item, message)))
        return routed

    async def _answers(
        self, items: Sequence[Received], answer: Answer
    ) -> dict[uuid.UUID, Message | None]:
        """Answers to the items the inbox does not hold yet; the lookup's transaction
        ends before the first answer starts."""
        async with self._new_unit_of_work() as uow:
            done = await uow.processed(self._consumer, (item.envelope.event_id for item in items))
        todo = [item for item in items if item.envelope.event_id not in done]

        async def answer_in_trace(item: Received) -> Message | None:
            with item.traced():
                return await answer(item.message)

        answers = await asyncio.gather(*(answer_in_trace(item) for item in todo))
        return {item.envelope.event_id: a for item, a in zip(todo, answers, strict=True)}

    def _route(self, kind: type[Message]) -> Route[U] | None:
        if kind not in self._route_of_type:
            found = (self._routes[base] for base in kind.__mro__ if base in self._routes)
            self._route_of_type[kind] = next(found, None)
        return self._route_of_type[kind]


def calls_in_order(
    routed: Sequence[tuple[Route[U_contra], Delivery]],
) -> list[tuple[Route[U_contra], list[Delivery]]]:
    """One call per message of a per-message route, one per gathering route, in the
    order of the batch (a gathering route's where its first message stands)."""
    calls: list[tuple[Route[U_contra], list[Delivery]]] = []
    gathered: dict[Route[U_contra], list[Delivery]] = {}
    for route, delivery in routed:
        if not route.gathers:
            calls.append((route, [delivery]))
        elif route in gathered:
            gathered[route].append(delivery)
        else:
            gathered[route] = [delivery]
            calls.append((route, gathered[route]))
    return calls
