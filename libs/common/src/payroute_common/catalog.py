"""What each provider can take: payment methods and currencies. Shared by the
gateway (what to offer, fee quotes) and the orchestrator (where to route).
"""

from __future__ import annotations

from dataclasses import dataclass

from payroute_common.messages.values import PaymentMethodType
from payroute_common.money import CURRENCY_EXPONENTS

MANUAL_PROVIDER = "manual"
MANUAL_METHODS: frozenset[PaymentMethodType] = frozenset({"cash", "cheque", "bank_transfer"})


@dataclass(frozen=True)
class ProviderCapabilities:
    name: str
    methods: frozenset[PaymentMethodType]
    currencies: frozenset[str]
    supports_manual_capture: bool = True

    def takes(self, method: PaymentMethodType, currency: str) -> bool:
        return method in self.methods and currency in self.currencies


PROVIDERS: dict[str, ProviderCapabilities] = {
    provider.name: provider
    for provider in (
        ProviderCapabilities("stripe", frozenset({"card"}), frozenset(CURRENCY_EXPONENTS)),
        # PayMongo: cards, GCash, Maya and its own hosted checkout, in pesos.
        ProviderCapabilities(
            "paymongo", frozenset({"card", "gcash", "maya", "paymongo"}), frozenset({"PHP"})
        ),
        # Xendit: e-wallets and cards in the Philippines and Indonesia.
        ProviderCapabilities(
            "xendit",
            frozenset({"card", "gcash", "maya"}),
            frozenset({"PHP", "IDR"}),
            supports_manual_capture=False,
        ),
        # Maya Checkout: the Maya wallet and cards, in pesos.
        ProviderCapabilities(
            "maya", frozenset({"maya", "card"}), frozenset({"PHP"}), supports_manual_capture=False
        ),
        # Cash, cheques and bank transfers are checked by an operator, not a provider.
        ProviderCapabilities(
            MANUAL_PROVIDER,
            MANUAL_METHODS,
            frozenset(CURRENCY_EXPONENTS),
            supports_manual_capture=False,
        ),
    )
}


def providers_for(method: PaymentMethodType, currency: str) -> list[str]:
    """Every provider that takes `method` in `currency`, in catalog order."""
    return [name for name, caps in PROVIDERS.items() if caps.takes(method, currency)]
