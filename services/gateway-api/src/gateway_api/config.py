from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_API_", extra="ignore", frozen=True)

    service_name: str = "gateway-api"
    port: int = Field(default=8000, ge=1, le=65535)
    db_pool_size: int = Field(default=32, ge=1, le=200)
    database_url: SecretStr = local_database_url("gateway_api")
    max_request_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    # The longest range one analytics request may cover (/v1/analytics).
    analytics_max_range_days: int = Field(default=366, ge=1, le=3660)
