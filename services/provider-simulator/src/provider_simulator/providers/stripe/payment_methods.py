"""Stripe's test payment-method tokens and what each one does when charged."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decline:
    code: str
    decline_code: str | None
    message: str
    seller_message: str = "The bank did not return any further details with this decline."
    outcome_type: str = "issuer_declined"


@dataclass(frozen=True, slots=True)
class Card:
    brand: str
    last4: str
    funding: str = "credit"
    decline: Decline | None = None
    authentication: bool = False
    """3-D Secure required: confirming leaves the intent in `requires_action`."""
    dispute: bool = False
    """The charge succeeds, then the cardholder disputes it (`charge.dispute.created`)."""


_GENERIC = "Your card was declined."

TEST_PAYMENT_METHODS: dict[str, Card] = {
    "pm_card_visa": Card("visa", "4242"),
    "pm_card_visa_debit": Card("visa", "5556", funding="debit"),
    "pm_card_mastercard": Card("mastercard", "4444"),
    "pm_card_amex": Card("amex", "8431"),
    "pm_card_threeDSecure2Required": Card("visa", "3220", authentication=True),
    "pm_card_authenticationRequired": Card("visa", "3184", authentication=True),
    # Payroute's name for the same scenario, as the docs and tests use it.
    "pm_card_threeDSecureRequired": Card("visa", "3220", authentication=True),
    # https://docs.stripe.com/testing#disputes: a successful charge, disputed as fraudulent.
    "pm_card_createDispute": Card("visa", "0259", dispute=True),
    "pm_card_chargeDeclined": Card(
        "visa", "0002", decline=Decline("card_declined", "generic_decline", _GENERIC)
    ),
    "pm_card_chargeDeclinedInsufficientFunds": Card(
        "visa",
        "9995",
        decline=Decline("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    ),
    "pm_card_chargeDeclinedLostCard": Card(
        "visa", "9987", decline=Decline("card_declined", "lost_card", _GENERIC)
    ),
    "pm_card_chargeDeclinedStolenCard": Card(
        "visa", "9979", decline=Decline("card_declined", "stolen_card", _GENERIC)
    ),
    "pm_card_chargeDeclinedFraudulent": Card(
        "visa", "0019", decline=Decline("card_declined", "fraudulent", _GENERIC)
    ),
    "pm_card_chargeDeclinedExpiredCard": Card(
        "visa", "0069", decline=Decline("expired_card", None, "Your card has expired.")
    ),
    "pm_card_chargeDeclinedIncorrectCvc": Card(
        "visa",
        "0127",
        decline=Decline("incorrect_cvc", None, "Your card's security code is incorrect."),
    ),
    "pm_card_chargeDeclinedProcessingError": Card(
        "visa",
        "0119",
        decline=Decline(
            "processing_error",
            None,
            "An error occurred while processing your card. Try again in a little bit.",
            outcome_type="issuer_declined",
        ),
    ),
}
