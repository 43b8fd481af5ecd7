"""Secrets are never defaulted in code: unset ones are generated at start."""

import pytest
from pydantic import ValidationError

from provider_simulator.config import Settings


def test_unset_secrets_are_generated_and_named(monkeypatch):
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)

    first, second = Settings(), Settings()

    assert {"STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"} <= set(first.generated_secrets)
    assert first.stripe_api_key.get_secret_value().startswith("sk_test_")
    assert first.stripe_api_key != second.stripe_api_key
    assert "sk_test_" not in repr(first)


def test_environment_is_read(monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_from_env")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_from_env")
    monkeypatch.setenv("PROVIDER_SIMULATOR_PORT", "8199")
    monkeypatch.setenv("PROVIDER_SIMULATOR_WEBHOOK_BASE_URL", "http://127.0.0.1:9/hooks/")

    settings = Settings()

    assert not {"STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"} & set(settings.generated_secrets)
    assert settings.stripe_api_key.get_secret_value() == "sk_test_from_env"
    assert settings.port == 8199
    assert settings.webhook_url("stripe") == "http://127.0.0.1:9/hooks/stripe"
    assert settings.timeout_hang_s == 35


def test_bad_values_fail_fast(monkeypatch):
    monkeypatch.setenv("PROVIDER_SIMULATOR_WEBHOOK_BASE_URL", "ftp://nowhere")

    with pytest.raises(ValidationError):
        Settings()
