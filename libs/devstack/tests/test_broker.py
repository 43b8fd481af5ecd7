"""Integration: the Tansu broker starts, serves metadata and messages, and stops."""

import socket
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from payroute_devstack.broker import start_broker, wait_for_broker
from payroute_devstack.errors import InfraError, PortInUseError
from payroute_devstack.infra import Infra
from payroute_devstack.ports import free_port, port_is_open

pytestmark = pytest.mark.integration


async def test_broker_starts_answers_and_stops(devstack_run_dir: Path) -> None:
    port = free_port()
    started = time.monotonic()
    broker = await start_broker(devstack_run_dir, port)
    elapsed = time.monotonic() - started
    bootstrap = f"127.0.0.1:{port}"
    try:
        assert elapsed < 10, f"broker took {elapsed:.1f}s"
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
        await producer.start()
        try:
            await producer.send_and_wait("devstack.smoke", b"hello")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            "devstack.smoke", bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            assert "devstack.smoke" in await consumer.topics()
            message = await consumer.getone()
            assert message.value == b"hello"
        finally:
            await consumer.stop()
    finally:
        await broker.stop()
    assert not broker.is_running()
    assert broker.returncode is not None
    assert not port_is_open("127.0.0.1", port)
    assert not (devstack_run_dir / "pids" / "broker.pid").exists()


async def test_broker_refuses_a_taken_port(devstack_run_dir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(PortInUseError, match="KAFKA_BOOTSTRAP_SERVERS"):
            await start_broker(devstack_run_dir, sock.getsockname()[1])


async def test_infra_broker_answers_metadata(infra: Infra) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.bootstrap_servers)
    await consumer.start()
    try:
        assert isinstance(await consumer.topics(), set)
    finally:
        await consumer.stop()


async def test_an_absent_external_broker_is_reported() -> None:
    with pytest.raises(InfraError, match="no Kafka broker answered"):
        await wait_for_broker(f"127.0.0.1:{free_port()}", within=0.5)
