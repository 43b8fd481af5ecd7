"""What each test card token does, and the e-wallet channels.

Card tokens follow Payroute's names (SPEC §10) with Xendit's failure codes;
e-wallets always send the customer to approve in the wallet, where the hosted
page decides (`result=failed&failure_code=…` for a decline).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CardBehaviour:
    status: str
    failure_code: str | None = None


CARD_TOKENS: dict[str, CardBehaviour] = {
    "pm_card_visa": CardBehaviour("SUCCEEDED"),
    "pm_card_mastercard": CardBehaviour("SUCCEEDED"),
    "pm_card_threeDSecureRequired": CardBehaviour("REQUIRES_ACTION"),
    "pm_card_chargeDeclined": CardBehaviour("FAILED", "DECLINED_BY_ISSUER"),
    "pm_card_chargeDeclinedInsufficientFunds": CardBehaviour("FAILED", "INSUFFICIENT_BALANCE"),
    "pm_card_chargeDeclinedProcessingError": CardBehaviour("FAILED", "PROCESSOR_ERROR"),
}

# Xendit's channel code → Payroute's payment method name.
EWALLET_CHANNELS = {"GCASH": "gcash", "PAYMAYA": "maya"}
WALLET_DECLINE = "USER_DECLINED_PAYMENT"
COUNTRIES = {"PHP": "PH", "IDR": "ID"}
REFUND_REASONS = frozenset(
    {"FRAUDULENT", "DUPLICATE", "REQUESTED_BY_CUSTOMER", "CANCELLATION", "OTHERS"}
)
