"""Per-provider policies from the environment: defaults, JSON overrides, bad values refused."""

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from provider_worker.config import Settings
from provider_worker.policy import ProviderPolicy


def test_every_provider_gets_the_defaults() -> None:
    settings = Settings()

    assert settings.policy("paymongo") == ProviderPolicy(
        concurrency=32, timeout_s=10.0, rate_per_s=200.0, breaker_threshold=5, breaker_open_s=60.0
    )


def test_limits_override_the_defaults_per_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVIDER_WORKER_PROVIDER_TIMEOUT_S", "8")
    monkeypatch.setenv(
        "PROVIDER_WORKER_LIMITS", '{"stripe": {"rate_per_s": 50, "breaker_open_s": 30}}'
    )

    settings = Settings()

    assert settings.policy("stripe") == ProviderPolicy(
        concurrency=32, timeout_s=8.0, rate_per_s=50.0, breaker_threshold=5, breaker_open_s=30.0
    )
    assert settings.policy("xendit").rate_per_s == 200.0


@pytest.mark.parametrize(
    "limits",
    [
        '{"stripe": {"rate_per_sec": 50}}',  # misspelt
        '{"stripe": {"concurrency": 0}}',
        '{"stripe": {"breaker_open_s": -1}}',
        '{"Stripe!": {}}',
        "not json",
    ],
)
def test_bad_limits_fail_at_start_up(monkeypatch: pytest.MonkeyPatch, limits: str) -> None:
    monkeypatch.setenv("PROVIDER_WORKER_LIMITS", limits)

    with pytest.raises((ValidationError, SettingsError)):
        Settings()
