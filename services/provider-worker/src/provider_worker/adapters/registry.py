"""The adapters this worker runs, built from configuration."""

from payroute_common.settings import ServiceSettings
from provider_worker.adapters.base import ProviderAdapter
from provider_worker.adapters.maya import MayaAdapter
from provider_worker.adapters.paymongo import PaymongoAdapter
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.adapters.xendit import XenditAdapter
from provider_worker.config import Settings


def build_adapters(settings: Settings | ServiceSettings) -> dict[str, ProviderAdapter]:
    adapters: dict[str, ProviderAdapter] = {}
    if isinstance(settings, Settings) and settings.stripe_api_key is not None:
        adapters["stripe"] = StripeAdapter(
            settings.stripe_api_key.get_secret_value(),
            settings.stripe_api_base,
            settings.provider_timeout_s,
        )
    if isinstance(settings, Settings) and settings.paymongo_secret_key is not None:
        adapters["paymongo"] = PaymongoAdapter(
            settings.paymongo_secret_key.get_secret_value(),
            settings.paymongo_api_base,
            settings.provider_timeout_s,
        )
    if isinstance(settings, Settings) and settings.xendit_secret_key is not None:
        adapters["xendit"] = XenditAdapter(
            settings.xendit_secret_key.get_secret_value(),
            settings.xendit_api_base,
            settings.provider_timeout_s,
        )
    if isinstance(settings, Settings) and settings.maya_public_key and settings.maya_secret_key:
        adapters["maya"] = MayaAdapter(
            settings.maya_public_key.get_secret_value(),
            settings.maya_secret_key.get_secret_value(),
            settings.maya_api_base,
            settings.provider_timeout_s,
        )
    return adapters
