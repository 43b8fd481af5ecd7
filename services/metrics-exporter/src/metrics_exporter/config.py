from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICS_EXPORTER_", extra="ignore", frozen=True)

    service_name: str = "metrics-exporter"
    port: int = Field(default=9101, ge=1, le=65535)
    database_url: SecretStr = local_database_url("metrics_exporter")
    # How often the cache re-reads the table (picks up other replicas' counts).
    cache_refresh_s: float = Field(default=15.0, gt=0, le=3600)
