"""Readiness probes: async callables answering "is it ready yet?"."""

import asyncio

import asyncpg  # type: ignore[import-untyped, unused-ignore]
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from payroute_common.kafka_security import KafkaSecurity, client_security
from payroute_devstack.ports import port_is_open
from payroute_devstack.process import Probe


def http_ok(url: str) -> Probe:
    """Ready when GET url answers 200."""

    async def probe() -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(url)
        except httpx.TransportError:
            return False
        return response.status_code == 200

    return probe


def kafka_metadata(bootstrap_servers: str) -> Probe:
    """Ready when a Kafka client, connected as the services will be (KAFKA_SECURITY_PROTOCOL
    and the other `KAFKA_*` settings), can fetch cluster metadata."""
    first = bootstrap_servers.split(",", maxsplit=1)[0].strip()
    host, _, port = first.rpartition(":") if ":" in first else (first, ":", "9092")

    async def probe() -> bool:
        if not port.isdigit() or not port_is_open(host, int(port)):
            return False
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            request_timeout_ms=5000,
            **client_security(KafkaSecurity()),
        )
        try:
            await asyncio.wait_for(consumer.start(), timeout=5.0)
            await asyncio.wait_for(consumer.topics(), timeout=5.0)
        except (KafkaError, OSError):
            return False
        finally:
            await consumer.stop()
        return True

    return probe


def postgres_connects(dsn: str) -> Probe:
    """Ready when a connection to dsn opens (any other error is raised)."""

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(dsn, timeout=2.0)
        except (OSError, asyncpg.CannotConnectNowError):
            return False
        await conn.close()
        return True

    return probe
