"""Drives the orchestrator's handlers the way the consumer does, over the fakes."""

from __future__ import annotations

from typing import Any

from orchestrator.domain import Payment
from orchestrator.handlers import handlers
from orchestrator.handlers.timers import fire
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.testing import PAY, run, wrap
from payroute_common.envelope import Envelope, Message

from .fakes import FakeUnitOfWork


class Flow:
    def __init__(self, policy: RecoveryPolicy = DEFAULT_POLICY) -> None:
        self.uow = FakeUnitOfWork()
        self.policy = policy
        self.handlers = handlers(policy=policy)

    def send(self, message: Message) -> list[Envelope]:
        """Handle `message`; what it published."""
        before = len(self.uow.published)
        handler = self.handlers[type(message)]
        run(handler(message, uow=self.uow, envelope=wrap(message)))  # type: ignore[arg-type]
        return [envelope for _, _, envelope in self.uow.published[before:]]

    def fire_timers(self) -> list[Envelope]:
        before = len(self.uow.published)
        run(fire(self.uow.timers.scheduled, uow=self.uow, policy=self.policy))  # type: ignore[arg-type]
        return [envelope for _, _, envelope in self.uow.published[before:]]

    def fire_scheduled(self, kind: str | None = None) -> list[Envelope]:
        """Fire the timers scheduled so far (of `kind`) once each, as if they were due."""
        scheduled = self.uow.timers.scheduled
        due = [t for t in scheduled if kind is None or t.kind == kind]
        self.uow.timers.scheduled = [t for t in scheduled if all(t is not d for d in due)]
        before = len(self.uow.published)
        run(fire(due, uow=self.uow, policy=self.policy))  # type: ignore[arg-type]
        return [envelope for _, _, envelope in self.uow.published[before:]]

    @property
    def payment(self) -> Payment:
        return self.uow.payments.rows[PAY]

    def last_command(self, event_type: str) -> dict[str, Any]:
        return next(
            e.payload for _, _, e in reversed(self.uow.published) if e.event_type == event_type
        )

    def last_event(self) -> Envelope:
        return self.uow.events()[-1]


def types(envelopes: list[Envelope]) -> list[str]:
    return [e.event_type for e in envelopes]
