"""The objects the simulated Xendit account holds, and their JSON shapes.

Amounts are kept in minor units and shown in the currency's major unit, as
Xendit does (PHP 25.5, IDR 10000).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from payroute_common.money import currency_exponent

JsonDict = dict[str, Any]


def major(amount: int, currency: str) -> int | float:
    exponent = currency_exponent(currency)
    return amount if exponent == 0 else float(Decimal(amount).scaleb(-exponent))


@dataclass(slots=True)
class PaymentRequest:
    id: str
    reference_id: str
    amount: int
    currency: str
    country: str
    payment_method: JsonDict
    method: str
    """Payroute's name for the channel (card, gcash, maya), for the ledger."""
    created: str
    metadata: JsonDict = field(default_factory=dict)
    description: str | None = None
    status: str = "PENDING"
    failure_code: str | None = None
    actions: list[JsonDict] = field(default_factory=list)
    return_urls: JsonDict = field(default_factory=dict)
    payment_id: str | None = None
    """Xendit's payment (`py-…`), made when the request succeeds."""
    refunded: int = 0

    def to_json(self) -> JsonDict:
        return {
            "id": self.id,
            "reference_id": self.reference_id,
            "business_id": BUSINESS_ID,
            "amount": major(self.amount, self.currency),
            "currency": self.currency,
            "country": self.country,
            "payment_method": self.payment_method,
            "status": self.status,
            "failure_code": self.failure_code,
            "actions": self.actions,
            "capture_method": "AUTOMATIC",
            "description": self.description,
            "metadata": self.metadata,
            "created": self.created,
            "updated": self.created,
        }

    def payment_json(self, updated: str) -> JsonDict:
        """The payment object a `payment.*` callback carries."""
        return {
            "id": self.payment_id or self.id.replace("pr-", "py-", 1),
            "payment_request_id": self.id,
            "reference_id": self.reference_id,
            "business_id": BUSINESS_ID,
            "amount": major(self.amount, self.currency),
            "currency": self.currency,
            "country": self.country,
            "status": self.status,
            "payment_method": self.payment_method,
            "failure_code": self.failure_code,
            "metadata": self.metadata,
            "created": self.created,
            "updated": updated,
        }


@dataclass(slots=True)
class Refund:
    id: str
    payment_request_id: str
    reference_id: str
    amount: int
    currency: str
    reason: str
    created: str
    metadata: JsonDict
    status: str = "SUCCEEDED"
    """PENDING → SUCCEEDED | FAILED (the `refunds` scenario knob), or SUCCEEDED at once."""
    failure_code: str | None = None
    updated: str | None = None

    def to_json(self) -> JsonDict:
        return {
            "id": self.id,
            "payment_request_id": self.payment_request_id,
            "invoice_id": None,
            "reference_id": self.reference_id,
            "amount": major(self.amount, self.currency),
            "currency": self.currency,
            "status": self.status,
            "reason": self.reason,
            "failure_code": self.failure_code,
            "refund_fee_amount": None,
            "metadata": self.metadata,
            "created": self.created,
            "updated": self.updated or self.created,
        }


BUSINESS_ID = "5f27a14a9bf05c73dd040bc8"
