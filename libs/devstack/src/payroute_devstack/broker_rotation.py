"""Keeping the local broker's log short: a drained broker rotation.

The local broker (Tansu, memory engine) keeps every record batch for ever, and
its fetches cost more the more batches a partition holds (docs/decisions/0001).
A rotation (`rotate(stack)`; `make run` calls it from `keep_broker_short`) swaps
it for an empty one without losing a message. What a group consumes is known only
from its commits, so it first waits, publishing as usual, until each of the
stack's groups has committed once; then:

1. Pause the publishers: every service publishes through its outbox relay, which
   sends only while it holds the advisory lock `relay_lock_key(service)` in the
   service's database. Holding that lock on a session of our own in every service
   database stops every relay (replicas included) after its current batch; HTTP
   requests are still taken and their events wait in the outbox.
2. Drain: wait until every consumer group has committed the end of every
   partition of every topic it consumes (`BrokerState.undrained`). Dead letters
   are sent only while a batch is handled, so none is in flight either. Not
   drained within `drain_within` seconds: the relays resume, nothing else happened.
3. Keep what nobody consumes: every record of the dead-letter topics and of any
   other topic no active group consumes, with key, value, headers and timestamp.
4. Restart the broker on its port, re-create every topic with its partition count
   and produce the kept records again, partition by partition, so each keeps its
   offset; offsets committed on those topics (dead-letter replay marks, a stopped
   service's group) are committed again. While the broker restarts and its
   topics are created, every process of the stack is stopped (SIGSTOP): a Kafka
   client asking for a missing topic's metadata would have Tansu create it with
   four partitions, whatever the topic's declared count.
5. Wait until every active group has re-joined with all its members, then check
   that no group has committed past a partition's new end.
6. Release the locks: the relays publish what waited.

Why no consumer can skip a record: the consumed topics are drained and stay empty
until step 6, and a running consumer cannot commit its old position to the new
broker. A commit names the member and the group generation; the new broker knows
neither, answers UNKNOWN_MEMBER_ID, and aiokafka re-joins, finds no committed
offset and starts from the earliest (`auto_offset_reset="earliest"`). Measured on
Tansu with aiokafka 0.14: a consumer at offset 100 with auto-commit on (which
commits before re-joining) had that commit refused, then committed 0; the
services' subscribers (FastStream, `AckPolicy.NACK_ON_ERROR`) do not auto-commit
at all and commit only after a batch, and there is no batch to handle until the
relays resume. Step 5 checks it all the same: a commit past an end, or a group
that has not re-joined in time, raises `RelaysStayPaused`, leaving the relays
paused (a stall, never a loss) until the stack stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import asyncpg  # type: ignore[import-untyped, unused-ignore]
from aiokafka import TopicPartition

from payroute_common.outbox import relay_lock_key
from payroute_common.topics import CONSUMER_GROUPS
from payroute_devstack.broker_restore import commit_again, create_topics, produce, read_kept
from payroute_devstack.broker_state import (
    STABLE,
    BrokerState,
    admin_client,
    listed_ends,
    read_groups,
    read_state,
)
from payroute_devstack.dsn import libpq_url
from payroute_devstack.errors import DevstackError
from payroute_devstack.process import ManagedProcess
from payroute_devstack.stack import Stack

ROTATE_RECORDS_VAR = "PAYROUTE_BROKER_ROTATE_RECORDS"
DEFAULT_ROTATE_RECORDS = 2_000
CHECK_EVERY_S = 30.0
POLL_S = 0.5


class BrokerRotationError(DevstackError):
    """This rotation did not happen; the relays publish again."""


class RelaysStayPaused(BrokerRotationError):
    """The new broker is not safe to publish to: the relays stay paused."""

    def __init__(self, message: str, locks: RelayLocks) -> None:
        super().__init__(f"{message}; the outbox relays stay paused until the stack stops")
        self.locks = locks


@dataclass(frozen=True)
class Rotation:
    seconds: float
    paused_seconds: float  # publishing held
    dropped_records: int
    kept_records: int
    groups: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"broker rotated in {self.seconds:.1f}s (publishing paused "
            f"{self.paused_seconds:.1f}s): {self.dropped_records} consumed records "
            f"dropped, {self.kept_records} kept; groups re-joined: {', '.join(self.groups)}"
        )


class RelayLocks:
    """Each service's relay lock, held on a session of our own in its database."""

    def __init__(self, database_urls: Mapping[str, str]) -> None:
        self._urls = dict(database_urls)
        self._sessions: list[asyncpg.Connection] = []

    async def acquire(self, within: float) -> None:
        try:
            for service, url in self._urls.items():
                session = await asyncpg.connect(libpq_url(url), timeout=10.0)
                self._sessions.append(session)
                lock = session.execute("SELECT pg_advisory_lock($1)", relay_lock_key(service))
                await asyncio.wait_for(lock, within)
        except BaseException:
            await self.release()
            raise

    async def release(self) -> None:
        """Closing a session releases its lock."""
        sessions, self._sessions = self._sessions, []
        for session in sessions:
            await session.close()


async def rotate(
    stack: Stack, *, drain_within: float = 60.0, rejoin_within: float = 60.0
) -> Rotation:
    """Replace the stack's broker by an empty one, keeping every message (see above)."""
    broker = stack.infra.broker
    if broker is None:
        raise BrokerRotationError("the broker is not one the devstack started")
    servers, started = stack.bootstrap_servers, time.monotonic()
    known = [f"{stack.topic_prefix}{group}" for group in CONSUMER_GROUPS]
    await wait_until(
        servers, known, BrokerState.silent_groups, drain_within, "every group to commit"
    )
    locks = RelayLocks(stack.plan.database_urls)
    await locks.acquire(drain_within)
    paused = time.monotonic()
    try:
        before = await wait_until(servers, known, BrokerState.undrained, drain_within, "a drain")
        kept = await read_kept(servers, before)
        with stopped(list(stack.processes.values())):
            # Nothing to flush in memory, and Tansu does not exit on SIGTERM while
            # the (stopped) clients hold their connections: killed after half a second.
            await broker.restart(within=30.0, grace=0.5)
            if refused := await create_topics(servers, before.partitions):
                raise RelaysStayPaused(f"topics not re-created: {refused}", locks)
        await produce(servers, kept)
        await commit_again(servers, before, kept)
        await wait_rejoined(servers, before, rejoin_within, locks)
        after = await read_state(servers, known)
        if beyond := after.beyond_end():
            raise RelaysStayPaused("; ".join(beyond), locks)
    except RelaysStayPaused:
        raise
    except BaseException:
        await locks.release()
        raise
    await locks.release()
    consumed = sorted(before.consumed_topics())
    return Rotation(
        seconds=time.monotonic() - started,
        paused_seconds=time.monotonic() - paused,
        dropped_records=before.records(consumed),
        kept_records=sum(len(records) for records in kept.values()),
        groups=tuple(before.active_groups()),
    )


async def wait_until(
    servers: str,
    known: list[str],
    waiting: Callable[[BrokerState], list[str]],
    within: float,
    what: str,
) -> BrokerState:
    """The broker's state once `waiting` finds nothing; BrokerRotationError after `within`."""
    deadline = time.monotonic() + within
    while True:
        state = await read_state(servers, known)
        left = waiting(state)
        if not left:
            return state
        if time.monotonic() > deadline:
            shown = "; ".join(left[:5])
            raise BrokerRotationError(f"gave up after {within:.0f}s waiting for {what}: {shown}")
        await asyncio.sleep(POLL_S)


@contextlib.contextmanager
def stopped(processes: list[ManagedProcess]) -> Iterator[None]:
    """SIGSTOP every running process for the block, SIGCONT after."""
    running = [p for p in processes if p.is_running()]
    for process in running:
        process.kill(signal.SIGSTOP)
    try:
        yield
    finally:
        for process in running:
            with contextlib.suppress(DevstackError):
                process.kill(signal.SIGCONT)


async def wait_rejoined(
    servers: str, before: BrokerState, within: float, locks: RelayLocks
) -> None:
    """Until every group active before is stable again with as many members."""
    wanted = {g: before.groups[g].members for g in before.active_groups()}
    deadline = time.monotonic() + within
    while True:
        admin = admin_client(servers)
        await admin.start()
        try:
            groups = await read_groups(admin, wanted)
        finally:
            await admin.close()
        missing = [
            f"{g} ({groups[g].members if g in groups else 0} of {n} members)"
            for g, n in wanted.items()
            if g not in groups or groups[g].state != STABLE or groups[g].members < n
        ]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise RelaysStayPaused(f"not re-joined within {within:.0f}s: {missing}", locks)
        await asyncio.sleep(POLL_S)


def rotate_records(environ: Mapping[str, str]) -> int:
    """PAYROUTE_BROKER_ROTATE_RECORDS: records a partition may gain before a rotation; 0 never."""
    raw = environ.get(ROTATE_RECORDS_VAR) or str(DEFAULT_ROTATE_RECORDS)
    try:
        value = int(raw)
    except ValueError:
        raise DevstackError(f"{ROTATE_RECORDS_VAR}={raw!r} is not a number of records") from None
    if value < 0:
        raise DevstackError(f"{ROTATE_RECORDS_VAR}={raw!r} must be 0 (never) or more")
    return value


async def keep_broker_short(
    stack: Stack,
    threshold: int,
    report: Callable[[str], None],
    *,
    every_s: float = CHECK_EVERY_S,
) -> None:
    """Rotate whenever a partition has gained more than `threshold` records since the
    last rotation, checked every `every_s`; an idle stack never rotates."""
    baseline: dict[TopicPartition, int] = {}
    while True:
        await asyncio.sleep(every_s)
        try:
            ends = await listed_ends(stack.bootstrap_servers)
            if max((e - baseline.get(tp, 0) for tp, e in ends.items()), default=0) <= threshold:
                continue
            report((await rotate(stack)).summary())
            baseline = await listed_ends(stack.bootstrap_servers)
        except RelaysStayPaused as error:
            report(f"broker rotation unsafe: {error}")
            try:
                await asyncio.Event().wait()
            finally:
                await error.locks.release()
        except Exception as error:
            report(f"broker rotation failed, the relays publish again: {error!r}")


def start_rotating(
    stack: Stack, environ: Mapping[str, str], report: Callable[[str], None]
) -> asyncio.Task[None] | None:
    """The background rotation of a broker the devstack started; None when it did not
    start it (KAFKA_BOOTSTRAP_SERVERS names another) or the threshold is 0."""
    threshold = rotate_records(environ)
    if stack.infra.broker is None or threshold == 0:
        return None
    report(
        f"the broker is rotated once a partition gains {threshold} records ({ROTATE_RECORDS_VAR})"
    )
    return asyncio.create_task(keep_broker_short(stack, threshold, report), name="broker-rotation")
