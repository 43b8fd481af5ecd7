"""Which providers can take a payment, best first. Pure."""

from payroute_common.messages.values import PaymentMethodType

# The methods each provider adapter supports.
PROVIDER_METHODS: dict[str, frozenset[PaymentMethodType]] = {
    "stripe": frozenset({"card"}),
}


def candidates(method: PaymentMethodType, preference: str | None) -> list[str]:
    """Providers supporting `method`; the merchant's preference first when it qualifies."""
    able = [name for name, methods in PROVIDER_METHODS.items() if method in methods]
    if preference in able:
        able.remove(preference)
        able.insert(0, preference)
    return able
