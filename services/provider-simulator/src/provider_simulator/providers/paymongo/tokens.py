"""Test payment methods: ids the simulator knows in advance, as PayMongo's test cards.

Cards follow SPEC section 10 (`pm_card_visa` succeeds, `pm_card_chargeDeclined`
declines with `generic_decline`, ...), with PayMongo's own failure codes
(https://developers.paymongo.com/docs/testing). A soft decline is PayMongo's
`processor_unavailable`. Wallet tokens follow the same idea, `pm_<type>_<scenario>`:
`pm_gcash_success` (the customer confirms on the redirect page), `pm_gcash_declined`,
`pm_gcash_webhookFirst` (the customer confirms at once; the webhook beats the
attach answer), and the same for `paymaya`. A wallet payment method created
without a token (POST /v1/payment_methods) behaves as `..._success`.
"""

from provider_simulator.providers.paymongo.model import Behaviour, Failure

_GENERIC = Failure("generic_decline", "The payment failed to be processed.")

CARD_TOKENS: dict[str, Behaviour] = {
    "pm_card_visa": Behaviour(),
    "pm_card_mastercard": Behaviour(),
    "pm_card_threeDSecureRequired": Behaviour(redirect=True),
    "pm_card_chargeDeclined": Behaviour(_GENERIC),
    "pm_card_chargeDeclinedInsufficientFunds": Behaviour(
        Failure("insufficient_funds", "The card has insufficient funds.")
    ),
    "pm_card_chargeDeclinedExpiredCard": Behaviour(
        Failure("card_expired", "The card has expired.")
    ),
    "pm_card_chargeDeclinedFraudulent": Behaviour(
        Failure("fraudulent", "The payment was flagged as fraudulent.")
    ),
    "pm_card_chargeDeclinedProcessingError": Behaviour(
        Failure("processor_unavailable", "The processor is unavailable. Try again later.")
    ),
}

WALLET_BEHAVIOURS: dict[str, Behaviour] = {
    "success": Behaviour(redirect=True),
    "declined": Behaviour(_GENERIC, redirect=True),
    "webhookFirst": Behaviour(redirect=True, webhook_first=True),
}
WALLET_TYPES = ("gcash", "paymaya")
CUSTOMER_FAILED = Failure("generic_decline", "The customer did not authorize the payment.")


def test_payment_method(token: str) -> tuple[str, Behaviour] | None:
    """The type and behaviour of a test payment method id, or None if unknown."""
    if token in CARD_TOKENS:
        return "card", CARD_TOKENS[token]
    prefix, _, scenario = token.removeprefix("pm_").partition("_")
    if prefix in WALLET_TYPES and scenario in WALLET_BEHAVIOURS:
        return prefix, WALLET_BEHAVIOURS[scenario]
    return None
