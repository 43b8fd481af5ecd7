"""The orchestrator's subscription (commands, provider results, health, webhooks) and its
timers, both over units of work from the one factory `bootstrap` builds."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from orchestrator.config import Settings
from orchestrator.handlers import handlers, payment_id_of, reference_of
from orchestrator.handlers.timers import fire
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork, OrchestratorUnitOfWork
from orchestrator.tables import timers
from payroute_common.consumer import subscribe
from payroute_common.consumer_dispatch import InboxDispatcher, PerMessage, Route
from payroute_common.envelope import Message
from payroute_common.runtime import ServiceRuntime
from payroute_common.timers import Timer, TimerPoller
from payroute_common.topics import (
    PAYMENT_COMMANDS,
    PROVIDER_HEALTH,
    PROVIDER_RESULTS,
    PROVIDER_WEBHOOKS,
)

GROUP = "orchestrator"

UnitOfWorkFactory = Callable[[], OrchestratorUnitOfWork]


def register(
    runtime: ServiceRuntime, settings: Settings, new_unit_of_work: UnitOfWorkFactory
) -> None:
    subscribe(
        runtime.broker,
        runtime.settings,
        group=GROUP,
        topics=[PAYMENT_COMMANDS, PROVIDER_RESULTS, PROVIDER_HEALTH, PROVIDER_WEBHOOKS],
        handler=dispatcher(settings, new_unit_of_work),
    )
    runtime.run_in_background(timer_poller(settings, new_unit_of_work).run)


def dispatcher(
    settings: Settings, new_unit_of_work: UnitOfWorkFactory
) -> InboxDispatcher[OrchestratorUnitOfWork]:
    """Each message to its handler, in one transaction per batch that first locks the
    batch's payments."""
    table = handlers(timedelta(seconds=settings.verification_ttl_s), RecoveryPolicy.of(settings))
    routes: dict[type[Message], Route[OrchestratorUnitOfWork]] = {
        kind: PerMessage(handler) for kind, handler in table.items()
    }
    return InboxDispatcher(GROUP, new_unit_of_work, routes, prepare=lock_payments)


async def lock_payments(messages: Sequence[Message], *, uow: HandlerUnitOfWork) -> None:
    """Lock and load the payments `messages` name; those named by provider reference are
    found first, then locked with the rest."""
    ids = {pid for message in messages if (pid := payment_id_of(message))}
    references = [ref for message in messages if (ref := reference_of(message))]
    if references:
        ids |= await uow.payments.resolve(references)
    await uow.payments.load(ids)


def timer_handler(
    policy: RecoveryPolicy,
) -> Callable[[Sequence[Timer], OrchestratorUnitOfWork], Awaitable[None]]:
    async def fire_timers(due: Sequence[Timer], uow: OrchestratorUnitOfWork) -> None:
        await uow.payments.load(t.aggregate_id for t in due)
        await fire(due, uow=uow, policy=policy)

    return fire_timers


def timer_poller(
    settings: Settings, new_unit_of_work: UnitOfWorkFactory
) -> TimerPoller[OrchestratorUnitOfWork]:
    return TimerPoller(
        new_unit_of_work,
        timers,
        timer_handler(RecoveryPolicy.of(settings)),
        batch_size=settings.timer_batch_size,
        poll_interval_s=settings.timer_poll_interval_s,
    )
