"""The payments the simulated Maya account holds, and their JSON shapes.

A Maya Checkout's id is also its payment's id. Amounts are kept in minor units
and shown in pesos, as Maya does.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from payroute_common.money import currency_exponent

JsonDict = dict[str, Any]


def major(amount: int, currency: str) -> str:
    """`"25.50"`: Maya writes payment amounts as decimal strings."""
    exponent = currency_exponent(currency)
    return f"{Decimal(amount).scaleb(-exponent):.{exponent}f}"


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    payment: str
    amount: int
    currency: str
    reason: str
    request_reference_number: str | None
    created: str
    status: str = "SUCCESS"

    def to_json(self) -> JsonDict:
        return {
            "id": self.id,
            "payment": self.payment,
            "totalAmount": {"amount": major(self.amount, self.currency), "currency": self.currency},
            "reason": self.reason,
            "status": self.status,
            "requestReferenceNumber": self.request_reference_number,
            "createdAt": self.created,
            "updatedAt": self.created,
        }


@dataclass(slots=True)
class Payment:
    id: str
    request_reference_number: str
    amount: int
    currency: str
    created: str
    redirect_urls: JsonDict = field(default_factory=dict)
    metadata: JsonDict = field(default_factory=dict)
    status: str = "PENDING_TOKEN"
    method: str = "maya"
    """How the customer paid on the hosted page: `maya` (wallet) or `card`."""
    updated: str = ""
    refunds: list[Refund] = field(default_factory=list)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def payment_id(self) -> str | None:
        """Payroute's payment id, sent in `metadata.payment_id`."""
        value = self.metadata.get("payment_id")
        return value if isinstance(value, str) else None

    def to_json(self) -> JsonDict:
        paid = self.status in ("PAYMENT_SUCCESS", "REFUNDED")
        return {
            "id": self.id,
            "isPaid": paid,
            "status": self.status,
            "amount": major(self.amount, self.currency),
            "currency": self.currency,
            "canVoid": self.status == "PAYMENT_SUCCESS" and not self.refunds,
            "canRefund": paid and self.refunded < self.amount,
            "canCapture": False,
            "requestReferenceNumber": self.request_reference_number,
            "receiptNumber": self.id[:12] if paid else None,
            "fundSource": {"type": "paymaya" if self.method == "maya" else "card"},
            "metadata": self.metadata,
            "createdAt": self.created,
            "updatedAt": self.updated or self.created,
        }
