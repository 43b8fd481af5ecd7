"""Settings of the provider simulator, read from the environment."""

import secrets
from pathlib import Path
from typing import Self

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One place for every knob; secrets left unset are generated at start, never defaulted."""

    model_config = SettingsConfigDict(
        env_prefix="PROVIDER_SIMULATOR_",
        extra="ignore",
        validate_by_name=True,
        validate_by_alias=True,
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8100, ge=1, le=65535)
    webhook_base_url: str = "http://127.0.0.1:8001/webhooks"
    timeout_hang_s: float = Field(default=35.0, ge=0, le=3_600)
    webhook_workers: int = Field(default=4, ge=1, le=64)
    data_dir: Path | None = None
    """Where the history file goes (storage/database.py); unset: a temporary directory of
    the simulator's own, removed when it stops."""
    hot_objects: int = Field(default=5_000, ge=2)
    """Per collection (a provider's intents, refunds, idempotency keys, …): how many of
    the most recently used stay in memory; the rest wait in the history file."""
    idempotency_max_keys: int = Field(default=1_000_000, ge=1)
    """Per provider: at most this many idempotency keys besides those in memory, the
    oldest forgotten first (keys expire after 24 hours anyway)."""

    stripe_api_key: SecretStr = Field(default=SecretStr(""), validation_alias="STRIPE_API_KEY")
    stripe_webhook_secret: SecretStr = Field(
        default=SecretStr(""), validation_alias="STRIPE_WEBHOOK_SECRET"
    )
    paymongo_secret_key: SecretStr = Field(
        default=SecretStr(""), validation_alias="PAYMONGO_SECRET_KEY"
    )
    paymongo_webhook_secret: SecretStr = Field(
        default=SecretStr(""), validation_alias="PAYMONGO_WEBHOOK_SECRET"
    )
    xendit_secret_key: SecretStr = Field(
        default=SecretStr(""), validation_alias="XENDIT_SECRET_KEY"
    )
    xendit_callback_token: SecretStr = Field(
        default=SecretStr(""), validation_alias="XENDIT_CALLBACK_TOKEN"
    )
    maya_public_key: SecretStr = Field(default=SecretStr(""), validation_alias="MAYA_PUBLIC_KEY")
    maya_secret_key: SecretStr = Field(default=SecretStr(""), validation_alias="MAYA_SECRET_KEY")

    _generated: tuple[str, ...] = PrivateAttr(default=())

    @field_validator("webhook_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            msg = "PROVIDER_SIMULATOR_WEBHOOK_BASE_URL must be an http(s) URL"
            raise ValueError(msg)
        return value.rstrip("/")

    @model_validator(mode="after")
    def _generate_missing_secrets(self) -> Self:
        generated: list[str] = []
        if not self.stripe_api_key.get_secret_value():
            self.stripe_api_key = SecretStr("sk_test_" + secrets.token_hex(24))
            generated.append("STRIPE_API_KEY")
        if not self.stripe_webhook_secret.get_secret_value():
            self.stripe_webhook_secret = SecretStr("whsec_" + secrets.token_hex(24))
            generated.append("STRIPE_WEBHOOK_SECRET")
        if not self.paymongo_secret_key.get_secret_value():
            self.paymongo_secret_key = SecretStr("sk_test_" + secrets.token_hex(24))
            generated.append("PAYMONGO_SECRET_KEY")
        if not self.paymongo_webhook_secret.get_secret_value():
            self.paymongo_webhook_secret = SecretStr("whsk_" + secrets.token_hex(24))
            generated.append("PAYMONGO_WEBHOOK_SECRET")
        if not self.xendit_secret_key.get_secret_value():
            self.xendit_secret_key = SecretStr("xnd_development_" + secrets.token_hex(24))
            generated.append("XENDIT_SECRET_KEY")
        if not self.xendit_callback_token.get_secret_value():
            self.xendit_callback_token = SecretStr(secrets.token_hex(24))
            generated.append("XENDIT_CALLBACK_TOKEN")
        if not self.maya_public_key.get_secret_value():
            self.maya_public_key = SecretStr("pk-" + secrets.token_hex(24))
            generated.append("MAYA_PUBLIC_KEY")
        if not self.maya_secret_key.get_secret_value():
            self.maya_secret_key = SecretStr("sk-" + secrets.token_hex(24))
            generated.append("MAYA_SECRET_KEY")
        self._generated = tuple(generated)
        return self

    @property
    def generated_secrets(self) -> tuple[str, ...]:
        """Names (never values) of the secrets generated because they were unset."""
        return self._generated

    def webhook_url(self, provider: str) -> str:
        return f"{self.webhook_base_url}/{provider}"
