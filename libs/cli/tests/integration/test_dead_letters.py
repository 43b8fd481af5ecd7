"""`payroute dlq` on the real broker: real dead letters, listed and replayed once."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pydantic import SecretStr

from payroute_cli.main import main
from payroute_common.clock import utcnow
from payroute_common.consumer import Received, subscribe
from payroute_common.envelope import Envelope
from payroute_common.kafka import make_broker
from payroute_common.messages import CreatePayment, PaymentMethod
from payroute_common.settings import BrokerSettings, ServiceSettings
from payroute_common.topic_reader import Record, operator_consumer, partitions_of, read_to_end
from payroute_common.topics import PAYMENT_COMMANDS, dead_letter_topic, ensure_topics, topic_name
from payroute_devstack.testing import Infra

pytestmark = pytest.mark.integration

TRACEPARENT = b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@dataclass(frozen=True)
class Env:
    settings: ServiceSettings
    group: str

    @property
    def commands(self) -> str:
        return topic_name(PAYMENT_COMMANDS, self.settings.topic_prefix)

    @property
    def dlq(self) -> str:
        return topic_name(dead_letter_topic(self.group), self.settings.topic_prefix)


@pytest.fixture
async def env(infra: Infra, monkeypatch: pytest.MonkeyPatch) -> Env:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    group = f"dlqcli-{uuid.uuid4().hex[:6]}"
    await ensure_topics(
        BrokerSettings(KAFKA_BOOTSTRAP_SERVERS=infra.bootstrap_servers, TOPIC_PREFIX=prefix)
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.bootstrap_servers)
    await admin.start()
    try:
        dlq = topic_name(dead_letter_topic(group), prefix)
        await admin.create_topics([NewTopic(dlq, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.bootstrap_servers)
    monkeypatch.setenv("TOPIC_PREFIX", prefix)
    settings = ServiceSettings(
        service_name="test",
        port=1,
        database_url=SecretStr("postgresql+asyncpg://unused/unused"),
        KAFKA_BOOTSTRAP_SERVERS=infra.bootstrap_servers,
        TOPIC_PREFIX=prefix,
        handler_max_tries=1,
    )
    return Env(settings, group)


async def payroute(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    """Run the CLI's main (in a thread: it runs its own event loop, as in a real process)."""
    code = await asyncio.to_thread(main, list(args))
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 and "--json" in args else out, err


def poison_command(payment_id: str) -> Envelope:
    message = CreatePayment(
        payment_id=payment_id,
        merchant_id="mch_1",
        amount=1000,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card"),
        created_at=utcnow(),
    )
    return Envelope.wrap(message, producer="test", tenant_id="mch_1", aggregate_id=payment_id)


async def produce(env: Env, value: bytes, key: bytes) -> tuple[int, int]:
    producer = AIOKafkaProducer(
        bootstrap_servers=env.settings.kafka_bootstrap_servers, enable_idempotence=False
    )
    await producer.start()
    try:
        headers = [("traceparent", TRACEPARENT), ("x-origin", b"dlq-test")]
        sent = await producer.send_and_wait(env.commands, value, key=key, headers=headers)
    finally:
        await producer.stop()
    return sent.partition, sent.offset


async def all_records(env: Env, topic: str) -> list[Record]:
    consumer = operator_consumer(env.settings)
    await consumer.start()
    try:
        return await read_to_end(consumer, await partitions_of(consumer, topic))
    finally:
        await consumer.stop()


@asynccontextmanager
async def failing_consumer(env: Env) -> AsyncIterator[None]:
    """A real batch consumer for `env.group` whose handler always fails."""

    async def handle(batch: Sequence[Received]) -> None:
        raise RuntimeError("cannot apply this command")

    broker = make_broker(env.settings)
    subscribe(broker, env.settings, group=env.group, topics=[PAYMENT_COMMANDS], handler=handle)
    await broker.start()
    try:
        yield
    finally:
        await broker.stop()


async def dead_lettered(env: Env, count: int) -> list[Record]:
    async with asyncio.timeout(30):
        while len(records := await all_records(env, env.dlq)) < count:
            await asyncio.sleep(0.2)
    return records


async def test_a_letter_is_listed_replayed_with_its_key_and_headers_and_never_twice(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    command = poison_command("pay_poison")
    async with failing_consumer(env):
        failed_at = await produce(env, command.model_dump_json().encode(), b"pay_poison")
        undecodable_at = await produce(env, b"{not json", b"pay_garbled")
        await dead_lettered(env, 2)
    capsys.readouterr()  # the consumer's own logs

    code, topics, _ = await payroute(["dlq", "list", "--json"], capsys)

    assert code == 0
    assert {"group": env.group, "topic": env.dlq, "count": 2, "pending": 2} in topics["topics"]

    code, listed, _ = await payroute(["dlq", "list", env.group, "--json"], capsys)

    assert code == 0
    failed, undecodable = sorted(listed["letters"], key=lambda item: item["key"] != "pay_poison")
    assert (failed["original_topic"], failed["original_partition"], failed["original_offset"]) == (
        env.commands,
        *failed_at,
    )
    assert (failed["event_id"], failed["event_type"]) == (str(command.event_id), "CreatePayment")
    assert failed["error"] == "RuntimeError: cannot apply this command"
    assert (undecodable["original_partition"], undecodable["original_offset"]) == undecodable_at
    assert (undecodable["event_id"], undecodable["event_type"]) == (None, None)
    assert undecodable["error"].startswith("undecodable")
    code, table, _ = await payroute(["dlq", "list", env.group], capsys)
    assert code == 0
    assert f"{env.dlq}: 2 letters, 2 not replayed" in table

    code, dry, _ = await payroute(["dlq", "replay", env.group, "--all", "--dry-run"], capsys)

    assert code == 0
    assert "dry run: nothing sent" in dry
    assert len(await all_records(env, env.commands)) == 2

    oldest, newest = listed["letters"]
    values = {b"pay_poison": command.model_dump_json().encode(), b"pay_garbled": b"{not json"}

    code, first, _ = await payroute(
        ["dlq", "replay", env.group, "--offset", str(oldest["offset"]), "--json"], capsys
    )

    assert code == 0
    assert [item["key"] for item in first["replayed"]] == [oldest["key"]]
    assert first["marks"] == {"0": oldest["offset"] + 1}
    records = await all_records(env, env.commands)
    [replayed] = [r for r in records if "dlq-replayed-from" in dict(r.headers)]
    assert replayed.key == oldest["key"].encode()
    assert replayed.value == values[replayed.key]
    headers = dict(replayed.headers)
    assert headers["traceparent"] == TRACEPARENT
    assert headers["x-origin"] == b"dlq-test"
    assert headers["dlq-replayed-from"] == f"{env.dlq}:0:{oldest['offset']}".encode()
    assert not {"dlq-error", "dlq-original-topic", "dlq-original-offset"} & headers.keys()

    code, rest, _ = await payroute(["dlq", "replay", env.group, "--all", "--json"], capsys)
    code_again, again, _ = await payroute(["dlq", "replay", env.group, "--all", "--json"], capsys)

    assert (code, code_again) == (0, 0)
    assert [item["key"] for item in rest["replayed"]] == [newest["key"]]
    assert rest["marks"] == {"0": 2}
    assert again["replayed"] == []
    assert len(await all_records(env, env.commands)) == 4  # two originals, each replayed once
    code, listed, _ = await payroute(["dlq", "list", env.group, "--json"], capsys)
    assert (listed["count"], listed["pending"]) == (2, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dlq", "list", "nobody"], "no dead-letter topic '{prefix}nobody.dlq'"),
        (["dlq", "replay", "nobody", "--all"], "no dead-letter topic '{prefix}nobody.dlq'"),
        (["dlq", "replay", "{group}", "--offset", "5"], "no letter at 0:5 in {dlq} (it is empty)"),
    ],
)
async def test_unknown_groups_and_offsets_fail_in_one_line(
    env: Env, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {"prefix": env.settings.topic_prefix, "group": env.group, "dlq": env.dlq}

    code, out, err = await payroute([arg.format(**names) for arg in args], capsys)

    assert (code, out) == (1, "")
    assert err.startswith(f"payroute: error: {message.format(**names)}")
    assert err.count("\n") == 1


async def test_an_unreachable_broker_fails_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")

    code, out, err = await payroute(["dlq", "list"], capsys)

    assert (code, out) == (1, "")
    assert err == "payroute: error: broker unreachable at 127.0.0.1:1\n"
