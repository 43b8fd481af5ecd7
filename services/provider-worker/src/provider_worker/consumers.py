"""provider-worker's subscription to provider commands.

AuthorizePayment, CaptureAuthorization, VoidAuthorization, RefundCharge and
QueryProviderStatus are handled alike. Provider calls happen outside any database transaction
(they can be slow): commands already processed are skipped, the rest are sent
to providers concurrently, then one transaction records every answer, claims
the commands in the inbox and stages the results. If a replica crashed after
calling the provider but before committing, the command comes back and is sent
again with the same idempotency key, so the provider does not move money twice.
"""

import asyncio
from collections.abc import Sequence

from payroute_common.consumer import BatchHandler, Received, subscribe
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PROVIDER_COMMANDS
from payroute_common.uow import UnitOfWork
from provider_worker import handlers, recording
from provider_worker.guard import Providers

GROUP = "provider-worker"


async def call(item: Received, providers: Providers) -> handlers.Result:
    with item.traced():
        return await handlers.call(item.message, providers)


def batch_handler(runtime: ServiceRuntime, providers: Providers) -> BatchHandler:
    async def handle(batch: Sequence[Received]) -> None:
        async with runtime.unit_of_work(UnitOfWork) as uow:
            done = await uow.processed(GROUP, (item.envelope.event_id for item in batch))
        todo = [
            item
            for item in batch
            if item.envelope.event_id not in done and handlers.handles(item.message)
        ]
        results = await asyncio.gather(*(call(item, providers) for item in todo))
        async with runtime.unit_of_work(UnitOfWork) as uow:
            fresh = await uow.claim(GROUP, (item.envelope.event_id for item in batch))
            for item, result in zip(todo, results, strict=True):
                if item.envelope.event_id in fresh:
                    with item.traced():
                        await recording.record(result, item.envelope, uow=uow)
            await uow.commit()

    return handle


def register(runtime: ServiceRuntime, providers: Providers) -> None:
    subscribe(
        runtime.broker,
        runtime.settings,
        group=GROUP,
        topics=[PROVIDER_COMMANDS],
        handler=batch_handler(runtime, providers),
    )
