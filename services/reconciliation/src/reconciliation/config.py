from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECONCILIATION_", extra="ignore", frozen=True)

    service_name: str = "reconciliation"
    port: int = Field(default=8002, ge=1, le=65535)
    database_url: SecretStr = local_database_url("reconciliation")
