"""The outbox relay, the inbox and the batch consumer against the real broker and Postgres.

The relay also when it may not or cannot publish: nothing is lost, nothing is sent twice."""

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry import trace
from sqlalchemy import Column, MetaData, Table, Text, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from payroute_common.clock import utcnow
from payroute_common.consumer import Received, subscribe
from payroute_common.db import make_engine, make_session_factory, new_metadata
from payroute_common.envelope import Envelope
from payroute_common.inbox import define_inbox
from payroute_common.kafka import make_broker, make_producer
from payroute_common.messages import CreatePayment, PaymentMethod
from payroute_common.outbox import OutboxRelay, define_outbox, relay_lock_key
from payroute_common.settings import ServiceSettings
from payroute_common.topics import PAYMENT_COMMANDS, ensure_topics, topic_name
from payroute_common.tracing import configure_tracing
from payroute_common.uow import UnitOfWork

pytestmark = pytest.mark.integration

metadata: MetaData = new_metadata()
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)
effects = Table("effects", metadata, Column("event_id", Text), Column("payment_id", Text))


def command(payment_id: str, amount: int = 100) -> Envelope:
    message = CreatePayment(
        payment_id=payment_id,
        merchant_id="mch_1",
        amount=amount,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card"),
        created_at=utcnow(),
    )
    return Envelope.wrap(message, producer="test", tenant_id="mch_1", aggregate_id=payment_id)


configure_tracing("test")


@pytest.fixture
async def settings(infra, database_url_factory) -> ServiceSettings:  # type: ignore[no-untyped-def]
    url = database_url_factory("messaging")
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = ServiceSettings(
        service_name="test",
        port=1,
        database_url=url,
        KAFKA_BOOTSTRAP_SERVERS=infra.bootstrap_servers,
        TOPIC_PREFIX=prefix,
        handler_max_tries=2,
    )
    await ensure_topics(settings)
    return settings


async def read_all(settings: ServiceSettings, topic: str, expected: int) -> list:  # type: ignore[type-arg]
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    records: list = []  # type: ignore[type-arg]
    try:
        async with asyncio.timeout(20):
            while len(records) < expected:
                batch = await consumer.getmany(timeout_ms=100)
                records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return records


def unit_of_work(engine: AsyncEngine, settings: ServiceSettings) -> UnitOfWork:
    return UnitOfWork(
        make_session_factory(engine),
        outbox_table=outbox,
        inbox_table=inbox,
        topic_prefix=settings.topic_prefix,
        after_commit=lambda: None,
    )


def relay_over(
    engine: AsyncEngine, producer: Callable[[], AIOKafkaProducer], *, batch_size: int
) -> OutboxRelay:
    return OutboxRelay(
        make_session_factory(engine),
        producer,
        outbox,
        batch_size=batch_size,
        poll_interval_s=0.1,
        gather_s=0,
        lock_name="test",
    )


async def test_the_relay_publishes_committed_rows_once_in_order_per_key(settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url.get_secret_value())
    sent: dict[str, list[str]] = defaultdict(list)
    traces: dict[str, str] = {}
    try:
        for round_ in range(3):
            with trace.get_tracer("test").start_as_current_span("request") as span:
                trace_id = format(span.get_span_context().trace_id, "032x")
            async with unit_of_work(engine, settings) as uow:
                for i in range(100):
                    payment_id = f"pay_{i % 7}"
                    envelope = command(payment_id, amount=round_ * 1000 + i + 1)
                    with trace.use_span(span):
                        uow.publish(PAYMENT_COMMANDS, payment_id, envelope)
                    sent[payment_id].append(str(envelope.event_id))
                    traces[str(envelope.event_id)] = trace_id
                await uow.commit()
        relay = relay_over(engine, lambda: make_producer(settings), batch_size=120)
        await relay.start()
        try:
            while await relay.publish_pending():
                pass
        finally:
            await relay.stop()
        assert await relay.backlog() == 0
        records = await read_all(settings, topic_name(PAYMENT_COMMANDS, settings.topic_prefix), 300)
    finally:
        await engine.dispose()
    received: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        received[record.key.decode()].append(json.loads(record.value)["event_id"])
    assert received == sent
    for record in records:
        traceparent = dict(record.headers)["traceparent"].decode()
        assert traceparent.split("-")[1] == traces[json.loads(record.value)["event_id"]]


async def test_the_consumer_applies_each_event_once_and_isolates_poison(settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url.get_secret_value())
    broker = make_broker(settings)
    infrastructure_failures = 1

    async def handle(batch: Sequence[Received]) -> None:
        nonlocal infrastructure_failures
        async with unit_of_work(engine, settings) as uow:
            fresh = await uow.claim("test", (item.envelope.event_id for item in batch))
            for item in batch:
                if item.envelope.aggregate_id == "pay_bug":
                    raise RuntimeError("this handler cannot take pay_bug")
                if item.envelope.aggregate_id == "pay_db" and infrastructure_failures:
                    infrastructure_failures -= 1
                    raise OperationalError("SELECT 1", {}, ConnectionError("database restarting"))
                if item.envelope.event_id in fresh:
                    await uow.session.execute(
                        effects.insert().values(
                            event_id=str(item.envelope.event_id),
                            payment_id=item.envelope.aggregate_id,
                        )
                    )
            await uow.commit()

    subscribe(broker, settings, group="test", topics=[PAYMENT_COMMANDS], handler=handle)
    good = [command(f"pay_{i}") for i in range(20)]
    flaky = command("pay_db")
    poison = [b"not json", command("pay_bug").model_dump_json().encode()]
    topic = topic_name(PAYMENT_COMMANDS, settings.topic_prefix)
    await broker.start()
    try:
        for envelope in [*good, *good[:5], flaky]:  # five delivered twice
            await broker.publish(envelope.model_dump_json().encode(), topic, key=b"k")
        for value in poison:
            await broker.publish(value, topic, key=b"k")
        letters = await read_all(settings, topic_name_dlq(settings), 2)

        async def applied() -> int:
            async with engine.connect() as connection:
                return len((await connection.execute(select(effects))).all())

        async with asyncio.timeout(20):
            while await applied() < 21:
                await asyncio.sleep(0.05)
        async with engine.connect() as connection:
            rows = (await connection.execute(select(effects.c.event_id))).scalars().all()
    finally:
        await broker.stop()
        await engine.dispose()
    # Each event once; pay_db applied after its batch was read again.
    assert sorted(rows) == sorted(str(e.event_id) for e in [*good, flaky])
    errors = sorted(dict(letter.headers)["dlq-error"].decode()[:20] for letter in letters)
    assert errors == ["RuntimeError: this h", "undecodable: 1 valid"]


def topic_name_dlq(settings: ServiceSettings) -> str:
    return f"{settings.topic_prefix}test.dlq"


class _FailingSend:
    """A producer whose every send is refused after it was handed the record."""

    def __init__(self) -> None:
        self.handed: list[bytes] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, topic: str, value: bytes, **_: object) -> object:
        self.handed.append(value)

        async def refused() -> None:
            raise ConnectionError("broker gone")

        return refused()


@pytest.fixture
async def engine(settings: ServiceSettings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url.get_secret_value())
    yield engine
    await engine.dispose()


async def _failing_relay(
    engine: AsyncEngine, settings: ServiceSettings, staged: int
) -> tuple[OutboxRelay, _FailingSend]:
    """A started relay over `staged` committed rows, sending to a refusing producer."""
    async with unit_of_work(engine, settings) as uow:
        for _ in range(staged):
            payment_id = f"pay_{uuid.uuid4().hex[:8]}"
            uow.publish(PAYMENT_COMMANDS, payment_id, command(payment_id))
        await uow.commit()
    producer = _FailingSend()
    relay = relay_over(engine, lambda: producer, batch_size=10)  # type: ignore[arg-type,return-value]
    await relay.start()
    return relay, producer


async def _rows(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(outbox)) or 0)


async def test_a_failed_send_leaves_every_row_of_its_batch_for_the_next_round(
    settings: ServiceSettings, engine: AsyncEngine
) -> None:
    relay, producer = await _failing_relay(engine, settings, staged=3)

    with pytest.raises(ConnectionError):
        await relay.publish_pending()

    assert len(producer.handed) == 3
    assert await _rows(engine) == 3


async def test_a_relay_publishes_nothing_while_another_holds_the_lock(
    settings: ServiceSettings, engine: AsyncEngine
) -> None:
    relay, producer = await _failing_relay(engine, settings, staged=2)

    async with engine.begin() as other:
        await other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": relay_lock_key("test")})
        assert await relay.publish_pending() == 0

    assert producer.handed == []
    assert await _rows(engine) == 2
