import pytest
from pydantic import ValidationError

from webhook_ingest.config import Settings


def test_webhook_secret_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValidationError):
        Settings()


def test_defaults_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    settings = Settings()
    assert (settings.service_name, settings.port) == ("webhook-ingest", 8001)
    assert settings.max_body_bytes == 256 * 1024
    assert settings.stripe_webhook_secret.get_secret_value() == "whsec_x"
    assert "payroute_webhook_ingest" in settings.database_url.get_secret_value()
