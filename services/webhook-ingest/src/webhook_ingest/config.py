from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOK_INGEST_", extra="ignore", frozen=True)

    service_name: str = "webhook-ingest"
    port: int = Field(default=8001, ge=1, le=65535)
    db_pool_size: int = Field(default=16, ge=1, le=200)
    database_url: SecretStr = local_database_url("webhook_ingest")
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=10 * 1024 * 1024)
    # Shared with provider-worker and the simulator (SPEC section 10): no service prefix.
    stripe_webhook_secret: SecretStr = Field(validation_alias="STRIPE_WEBHOOK_SECRET", min_length=1)
