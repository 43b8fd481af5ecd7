"""provider-worker's subscription to provider commands.

AuthorizePayment, CaptureAuthorization, VoidAuthorization, RefundCharge and
QueryProviderStatus are handled alike. Provider calls happen outside any database transaction
(they can be slow): commands already processed are skipped, the rest are sent
to providers concurrently, then one transaction records every answer, claims
the commands in the inbox and stages the results (the dispatcher's `answer` stage,
payroute_common.consumer_dispatch). If a replica crashed after calling the provider
but before committing, the command comes back and is sent again with the same
idempotency key, so the provider does not move money twice.
"""

from collections.abc import Callable

from payroute_common.consumer import subscribe
from payroute_common.consumer_dispatch import InboxDispatcher, PerMessage
from payroute_common.envelope import Message
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    ProviderStatusReported,
)
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PROVIDER_COMMANDS
from payroute_common.uow import UnitOfWork
from provider_worker import handlers, recording
from provider_worker.guard import Providers

GROUP = "provider-worker"
ANSWERS: tuple[type[Message], ...] = (
    ProviderAttemptSucceeded,
    ProviderAttemptFailed,
    ProviderOperationSucceeded,
    ProviderOperationFailed,
    ProviderStatusReported,
)


def dispatcher(
    new_unit_of_work: Callable[[], UnitOfWork], providers: Providers
) -> InboxDispatcher[UnitOfWork]:
    """Each new command sent to its provider first, then every answer recorded in one
    transaction."""

    async def send(command: Message) -> Message | None:
        return await handlers.call(command, providers) if handlers.handles(command) else None

    record = PerMessage(recording.record)
    return InboxDispatcher(GROUP, new_unit_of_work, dict.fromkeys(ANSWERS, record), answer=send)


def register(
    runtime: ServiceRuntime, new_unit_of_work: Callable[[], UnitOfWork], providers: Providers
) -> None:
    subscribe(
        runtime.broker,
        runtime.settings,
        group=GROUP,
        topics=[PROVIDER_COMMANDS],
        handler=dispatcher(new_unit_of_work, providers),
    )
