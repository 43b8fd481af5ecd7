"""Settings shared by every service; each service subclasses with its env prefix.

Service-specific variables carry the service's prefix (`GATEWAY_API_PORT`,
`ORCHESTRATOR_DATABASE_URL`); infrastructure shared by all is unprefixed
(`KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_SECURITY_PROTOCOL` and the other `KAFKA_*`
connection settings, `TOPIC_PREFIX`).
"""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.kafka_security import KafkaSecurity


class BrokerSettings(KafkaSecurity):
    """Where the broker is, how to connect to it securely (`KafkaSecurity`) and which
    topics are this environment's: services and tools."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS", min_length=3
    )
    topic_prefix: str = Field(default="", validation_alias="TOPIC_PREFIX")


class ServiceSettings(BrokerSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    database_url: SecretStr
    # Development and tests create missing topics at start-up; where the deployment
    # declares them (Strimzi KafkaTopic), this is off so none is created with the
    # wrong replication factor before the topic operator runs.
    create_missing_topics: bool = Field(default=True, validation_alias="CREATE_MISSING_TOPICS")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="LOG_LEVEL"
    )
    consumer_max_records: int = Field(default=500, ge=1, le=10_000)
    # The broker holds a fetch until it has this many bytes or the wait runs out, so
    # under load each fetch (and each batch transaction) carries many records. The
    # wait also bounds idle polling; Tansu answers at once when it has any data.
    consumer_fetch_min_bytes: int = Field(default=64 * 1024, ge=1, le=16 * 1024 * 1024)
    consumer_fetch_max_wait_ms: int = Field(default=100, ge=1, le=1000)
    handler_max_tries: int = Field(default=3, ge=1, le=20)
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_poll_interval_s: float = Field(default=0.5, gt=0, le=60)
    outbox_gather_s: float = Field(default=0.005, ge=0, le=1)
    # A fixed pool (no overflow): under a burst, work waits for a connection instead
    # of opening and closing one per transaction. Consumers need few; HTTP edges more.
    db_pool_size: int = Field(default=8, ge=1, le=200)
    shutdown_grace_s: float = Field(default=10.0, ge=0, le=300)


def local_database_url(name: str) -> SecretStr:
    """The development default: the local Postgres, one database per service."""
    return SecretStr(f"postgresql+asyncpg://postgres@127.0.0.1:5432/payroute_{name}")
