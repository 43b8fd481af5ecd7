from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROVIDER_WORKER_", extra="ignore", frozen=True)

    service_name: str = "provider-worker"
    port: int = Field(default=8004, ge=1, le=65535)
    database_url: SecretStr = local_database_url("provider_worker")
    provider_timeout_s: float = Field(default=10.0, gt=0, le=120)
    provider_concurrency: int = Field(default=64, ge=1, le=1000)
    stripe_api_key: SecretStr | None = Field(default=None, validation_alias="STRIPE_API_KEY")
    stripe_api_base: str = Field(
        default="https://api.stripe.com", validation_alias="STRIPE_API_BASE", min_length=8
    )
    paymongo_secret_key: SecretStr | None = Field(
        default=None, validation_alias="PAYMONGO_SECRET_KEY"
    )
    paymongo_api_base: str = Field(
        default="https://api.paymongo.com", validation_alias="PAYMONGO_API_BASE", min_length=8
    )
    xendit_secret_key: SecretStr | None = Field(default=None, validation_alias="XENDIT_SECRET_KEY")
    xendit_api_base: str = Field(
        default="https://api.xendit.co", validation_alias="XENDIT_API_BASE", min_length=8
    )
    maya_public_key: SecretStr | None = Field(default=None, validation_alias="MAYA_PUBLIC_KEY")
    maya_secret_key: SecretStr | None = Field(default=None, validation_alias="MAYA_SECRET_KEY")
    maya_api_base: str = Field(
        default="https://pg.maya.ph", validation_alias="MAYA_API_BASE", min_length=8
    )
