from typing import Annotated

from pydantic import Field, SecretStr, StringConstraints
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url
from provider_worker.policy import PolicyOverride, ProviderPolicy

ProviderSlug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROVIDER_WORKER_", extra="ignore", frozen=True)

    service_name: str = "provider-worker"
    port: int = Field(default=8004, ge=1, le=65535)
    database_url: SecretStr = local_database_url("provider_worker")
    # Defaults of every provider's policy (policy.py); `limits` overrides them per
    # provider. The default rate stays above one replica's end-to-end throughput;
    # Stripe documents 100 operations/s per live account
    # (https://docs.stripe.com/rate-limits): divide it among replicas in `limits`.
    provider_timeout_s: float = Field(default=10.0, gt=0, le=120)
    provider_concurrency: int = Field(default=32, ge=1, le=1000)
    provider_rate_per_s: float = Field(default=200.0, gt=0, le=100_000)
    breaker_threshold: int = Field(default=5, ge=1, le=1000)
    breaker_open_s: float = Field(default=60.0, gt=0, le=3600)
    limits: dict[ProviderSlug, PolicyOverride] = Field(default_factory=dict)
    # Every this many seconds each provider gets one cheap call; its answer feeds the
    # circuit breaker and every provider's state goes to `provider.health`.
    health_check_interval_s: float = Field(default=15.0, gt=0, le=3600)
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

    def policy(self, provider: str) -> ProviderPolicy:
        """`provider`'s policy: the defaults, with its `limits` entry over them."""
        defaults = ProviderPolicy(
            concurrency=self.provider_concurrency,
            timeout_s=self.provider_timeout_s,
            rate_per_s=self.provider_rate_per_s,
            breaker_threshold=self.breaker_threshold,
            breaker_open_s=self.breaker_open_s,
        )
        override = self.limits.get(provider)
        return defaults if override is None else override.over(defaults)
