"""The one place Kafka topics are declared, and their creation at start-up.

Every payment-scoped topic is keyed by payment id, so one payment's messages
stay in order on one partition. Each consumer group has its own dead-letter
topic `<group>.dlq`.

The partition counts here are what a service creates when a topic is missing
(development and tests): enough for a few replicas per group while keeping each
fetch small. Production topics are declared by the deployment (Strimzi
`KafkaTopic`) with counts sized for their replica counts; existing topics are
never changed from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from payroute_common.kafka_security import client_security
from payroute_common.settings import BrokerSettings

log = structlog.get_logger(__name__)

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    key: str


PAYMENT_COMMANDS = TopicSpec("payment.commands", 4, 7 * DAY_MS, "payment_id")
PAYMENT_EVENTS = TopicSpec("payment.events", 4, 30 * DAY_MS, "payment_id")
PROVIDER_COMMANDS = TopicSpec("provider.commands", 4, 7 * DAY_MS, "payment_id")
PROVIDER_RESULTS = TopicSpec("provider.results", 4, 7 * DAY_MS, "payment_id")
PROVIDER_HEALTH = TopicSpec("provider.health", 1, 1 * DAY_MS, "provider")
PROVIDER_WEBHOOKS = TopicSpec("provider.webhooks", 4, 7 * DAY_MS, "payment_id")
RECONCILIATION_EVENTS = TopicSpec("reconciliation.events", 4, 30 * DAY_MS, "run_id")
# API keys issued and revoked (hashes only), for services that authenticate keys
# themselves; kept as long as keys live (compacted in production, keyed by key id).
ACCESS_KEYS = TopicSpec("access.keys", 1, 3650 * DAY_MS, "key_id")

TOPICS: tuple[TopicSpec, ...] = (
    PAYMENT_COMMANDS,
    PAYMENT_EVENTS,
    PROVIDER_COMMANDS,
    PROVIDER_RESULTS,
    PROVIDER_HEALTH,
    PROVIDER_WEBHOOKS,
    RECONCILIATION_EVENTS,
    ACCESS_KEYS,
)

CONSUMER_GROUPS: tuple[str, ...] = (
    "gateway-api",
    "orchestrator",
    "provider-worker",
    "reconciliation",
    "metrics-exporter",
)


def dead_letter_topic(group: str) -> TopicSpec:
    return TopicSpec(f"{group}.dlq", 1, 30 * DAY_MS, "original key")


ALL_TOPICS: tuple[TopicSpec, ...] = TOPICS + tuple(dead_letter_topic(g) for g in CONSUMER_GROUPS)


def topic_name(spec: TopicSpec, prefix: str) -> str:
    return f"{prefix}{spec.name}"


async def ensure_topics(settings: BrokerSettings) -> None:
    """Create every declared topic (named with the settings' prefix) that does not exist yet."""
    prefix = settings.topic_prefix
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id="payroute-topics",
        **client_security(settings),
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                topic_name(spec, prefix),
                num_partitions=spec.partitions,
                replication_factor=1,
                topic_configs={"retention.ms": str(spec.retention_ms)},
            )
            for spec in ALL_TOPICS
            if topic_name(spec, prefix) not in existing
        ]
        if missing:
            await admin.create_topics(missing)
            log.info("topics_created", topics=[t.name for t in missing])
    finally:
        await admin.close()
