"""`payroute dlq`: inspect dead-letter topics and send their letters back.

    payroute dlq list [GROUP] [--limit N] [--json]
    payroute dlq replay GROUP (--offset [PARTITION:]OFFSET ... | --all) [--dry-run] [--json]

The broker is KAFKA_BOOTSTRAP_SERVERS, reached with the same KAFKA_SECURITY_PROTOCOL,
KAFKA_SASL_* and KAFKA_SSL_* settings as the services (`payroute_common.kafka_security`),
and topic names carry TOPIC_PREFIX. A group's dead-letter topic is `<group>.dlq`; what has been
replayed is the committed offset of `payroute-dlq-replay.<group>` on it (see
`payroute_common.dead_letter_replay`), so `replay --all` never resends a letter
an earlier replay sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from pydantic import ValidationError

from payroute_cli import dead_letter_output
from payroute_cli.errors import CommandError
from payroute_common.dead_letter_replay import (
    Choice,
    DeadLetterError,
    check_routable,
    commit_marks,
    dlq_groups,
    load_queue,
    replay_group,
    send_back,
)
from payroute_common.kafka import producer_for
from payroute_common.kafka_security import KafkaSecurityError
from payroute_common.settings import BrokerSettings
from payroute_common.topic_reader import operator_consumer

Command = Callable[[argparse.Namespace, BrokerSettings], Coroutine[Any, Any, dict[str, Any]]]
Render = Callable[[dict[str, Any]], str]


async def _list(args: argparse.Namespace, settings: BrokerSettings) -> dict[str, Any]:
    if args.consumer_group is None:
        return await _list_topics(settings)
    return await _list_letters(args.consumer_group, args.limit, settings)


async def _list_topics(settings: BrokerSettings) -> dict[str, Any]:
    async with _consumer(settings) as consumer:
        groups = dlq_groups(await consumer.topics(), settings.topic_prefix)
    queues = []
    for group in groups:
        async with _consumer(settings, replay_group(group)) as consumer:
            queue = await load_queue(consumer, group, settings.topic_prefix)
        queues.append(dead_letter_output.queue_summary(queue))
    return {"topics": queues}


async def _list_letters(group: str, limit: int, settings: BrokerSettings) -> dict[str, Any]:
    async with _consumer(settings, replay_group(group)) as consumer:
        queue = await load_queue(consumer, group, settings.topic_prefix)
    return dead_letter_output.queue_letters(queue, limit=limit)


async def _replay(args: argparse.Namespace, settings: BrokerSettings) -> dict[str, Any]:
    async with _consumer(settings, replay_group(args.consumer_group)) as consumer:
        queue = await load_queue(consumer, args.consumer_group, settings.topic_prefix)
        chosen = queue.pending() if args.all else queue.select(args.offsets)
        check_routable(chosen, await consumer.topics())
        marks = queue.marks_after(chosen)
        if chosen and not args.dry_run:
            async with _producer(settings) as producer:
                await send_back(producer, chosen)
            await commit_marks(consumer, queue, marks)
    return dead_letter_output.replay_report(queue, chosen, marks, dry_run=args.dry_run)


@asynccontextmanager
async def _consumer(
    settings: BrokerSettings, group_id: str | None = None
) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = operator_consumer(settings, group_id)
    await _start(consumer)
    try:
        yield consumer
    finally:
        await consumer.stop()


@asynccontextmanager
async def _producer(settings: BrokerSettings) -> AsyncIterator[AIOKafkaProducer]:
    producer = producer_for(settings, client_id="payroute-dlq-replay")
    await _start(producer)
    try:
        yield producer
    finally:
        await producer.stop()


async def _start(client: AIOKafkaConsumer | AIOKafkaProducer) -> None:
    try:
        await client.start()
    except BaseException:
        await client.stop()
        raise


@contextmanager
def _quiet_client_logs() -> Iterator[None]:
    """The client's own connection errors are reported once, as the command's error."""
    logger = logging.getLogger("aiokafka")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _setting_problem(error: ValidationError) -> str:
    """The first bad setting, by its variable when it is one alone."""
    first = error.errors()[0]
    if first["loc"]:
        return f"bad setting {first['loc'][0]}: {first['msg']}"
    return f"bad settings: {first['msg']}"


def _choice(text: str) -> Choice:
    partition, _, offset = text.rpartition(":")
    try:
        choice = (int(partition) if partition else None, int(offset))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not [PARTITION:]OFFSET: {text!r}") from None
    if choice[1] < 0 or (choice[0] is not None and choice[0] < 0):
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return choice


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def register(groups: Any) -> None:
    """Add `dlq list` and `dlq replay` to the root parser's subcommands."""
    dlq = groups.add_parser("dlq", help="dead-letter topics: list and replay")
    actions = dlq.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="dead-letter topics, or one group's letters")
    listing.add_argument(
        "consumer_group", metavar="GROUP", nargs="?", help="consumer group, e.g. orchestrator"
    )
    listing.add_argument(
        "--limit", type=_positive, default=50, help="show the newest N letters (default 50)"
    )
    listing.add_argument("--json", action="store_true", help="one JSON object")
    listing.set_defaults(run=run, dlq=_list, render=dead_letter_output.render_list)
    replay = actions.add_parser("replay", help="send letters back to their original topics")
    replay.add_argument("consumer_group", metavar="GROUP", help="consumer group, e.g. orchestrator")
    chosen = replay.add_mutually_exclusive_group(required=True)
    chosen.add_argument(
        "--offset",
        dest="offsets",
        metavar="[PARTITION:]OFFSET",
        type=_choice,
        nargs="+",
        action="extend",
        help="the letters to replay (even if replayed before)",
    )
    chosen.add_argument("--all", action="store_true", help="every letter not replayed yet")
    replay.add_argument("--dry-run", action="store_true", help="show what would be sent")
    replay.add_argument("--json", action="store_true", help="one JSON object")
    replay.set_defaults(run=run, dlq=_replay, render=dead_letter_output.render_replay)


def run(args: argparse.Namespace) -> str:
    """Carry out a `dlq` command; its output."""
    command: Command = args.dlq
    render: Render = args.render
    try:
        settings = BrokerSettings()
    except ValidationError as error:
        raise CommandError(_setting_problem(error)) from None
    try:
        with _quiet_client_logs():
            result = asyncio.run(command(args, settings))
    except (DeadLetterError, KafkaSecurityError) as error:
        raise CommandError(str(error)) from None
    except KafkaConnectionError:
        raise CommandError(f"broker unreachable at {settings.kafka_bootstrap_servers}") from None
    except (KafkaError, TimeoutError) as error:
        raise CommandError(f"broker error: {type(error).__name__}: {error}") from None
    return json.dumps(result) if args.json else render(result)
