"""The adapters this worker runs, built from configuration."""

from payroute_common.settings import ServiceSettings
from provider_worker.adapters.base import ProviderAdapter
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.config import Settings


def build_adapters(settings: Settings | ServiceSettings) -> dict[str, ProviderAdapter]:
    adapters: dict[str, ProviderAdapter] = {}
    if isinstance(settings, Settings) and settings.stripe_api_key is not None:
        adapters["stripe"] = StripeAdapter(
            settings.stripe_api_key.get_secret_value(),
            settings.stripe_api_base,
            settings.provider_timeout_s,
        )
    return adapters
