from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORCHESTRATOR_", extra="ignore", frozen=True)

    service_name: str = "orchestrator"
    port: int = Field(default=8003, ge=1, le=65535)
    database_url: SecretStr = local_database_url("orchestrator")
    # How long an operator has to verify a manual payment when the command says nothing.
    verification_ttl_s: int = Field(default=72 * 3600, ge=1)
    timer_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    timer_batch_size: int = Field(default=100, ge=1, le=10_000)
