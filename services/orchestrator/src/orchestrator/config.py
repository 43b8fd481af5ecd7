from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORCHESTRATOR_", extra="ignore", frozen=True)

    service_name: str = "orchestrator"
    port: int = Field(default=8003, ge=1, le=65535)
    database_url: SecretStr = local_database_url("orchestrator")
