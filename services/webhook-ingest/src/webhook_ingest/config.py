from typing import Self

from pydantic import Field, IPvAnyNetwork, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from payroute_common.settings import ServiceSettings, local_database_url
from webhook_ingest.sources import ForwardedHeader


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOK_INGEST_", extra="ignore", frozen=True)

    service_name: str = "webhook-ingest"
    port: int = Field(default=8001, ge=1, le=65535)
    db_pool_size: int = Field(default=16, ge=1, le=200)
    database_url: SecretStr = local_database_url("webhook_ingest")
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=10 * 1024 * 1024)
    # A refused, unverified body (bad signature, unknown provider, too large, not
    # allowed) is stored only up to this many bytes, with its full size beside it.
    rejected_body_max_bytes: int = Field(default=4096, ge=0, le=256 * 1024)
    # Per (provider, client address) token bucket. Generous: providers retry in bursts.
    rate_per_source: float = Field(default=2000.0, gt=0)
    burst_per_source: int = Field(default=4000, ge=1)
    rate_limit_sources: int = Field(default=10_000, ge=1)  # buckets kept (least recent dropped)
    # Optional allowlist, JSON: {"maya": ["203.0.113.0/24"]}; a provider not named is open.
    allowed_sources: dict[str, list[IPvAnyNetwork]] = Field(default_factory=dict)
    # Proxies whose forwarding header names the client (JSON list of CIDRs); none by
    # default: the TCP peer is the client. `forwarded_header` is the one they write.
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)
    forwarded_header: ForwardedHeader = "x-forwarded-for"
    # Group commit: at most this many requests share one transaction.
    write_batch_max: int = Field(default=500, ge=1, le=10_000)
    # Audit rows (and with them the dedupe of their event ids) older than this go.
    retention_days: int = Field(default=30, ge=1, le=3650)
    prune_interval_s: float = Field(default=3600.0, ge=1, le=7 * 24 * 3600)
    prune_batch_size: int = Field(default=5000, ge=1, le=100_000)
    # Shared with provider-worker and the simulator (SPEC section 10): no service prefix.
    stripe_webhook_secret: SecretStr = Field(validation_alias="STRIPE_WEBHOOK_SECRET", min_length=1)
    paymongo_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="PAYMONGO_WEBHOOK_SECRET", min_length=1
    )
    xendit_callback_token: SecretStr | None = Field(
        default=None, validation_alias="XENDIT_CALLBACK_TOKEN", min_length=1
    )
    # Maya's webhooks are unsigned: taken only when asked for, and only from the
    # addresses `allowed_sources["maya"]` lists (checked below).
    maya_webhooks: bool = False

    @model_validator(mode="after")
    def _maya_needs_an_allowlist(self) -> Self:
        if self.maya_webhooks and not self.allowed_sources.get("maya"):
            msg = "WEBHOOK_INGEST_MAYA_WEBHOOKS needs Maya's addresses in ALLOWED_SOURCES"
            raise ValueError(msg)
        return self
