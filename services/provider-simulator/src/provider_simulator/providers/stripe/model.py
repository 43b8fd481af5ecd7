"""The objects the simulated Stripe account holds."""

from dataclasses import dataclass, field

from provider_simulator.providers.stripe.payment_methods import Card, Decline


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: str
    card: Card
    created: int


@dataclass(slots=True)
class PaymentIntent:
    id: str
    amount: int
    currency: str
    capture_method: str
    created: int
    client_secret: str
    payment_method: PaymentMethod | None
    metadata: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    status: str = "requires_payment_method"
    amount_capturable: int = 0
    amount_received: int = 0
    amount_refunded: int = 0
    latest_charge: str | None = None
    charge_created: int | None = None
    decline: Decline | None = None
    canceled_at: int | None = None
    cancellation_reason: str | None = None
    return_url: str | None = None
    authentication_url: str | None = None

    @property
    def payment_id(self) -> str | None:
        """Payroute's payment id, sent as `metadata[payment_id]`."""
        return self.metadata.get("payment_id")

    @property
    def manual_capture(self) -> bool:
        return self.capture_method == "manual"


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    amount: int
    currency: str
    charge: str
    payment_intent: str
    created: int
    metadata: dict[str, str]
    reason: str | None
    status: str = "succeeded"


@dataclass(slots=True)
class Dispute:
    """A cardholder's dispute of a charge (https://docs.stripe.com/api/disputes/object)."""

    id: str
    amount: int
    currency: str
    charge: str
    payment_intent: str
    created: int
    reason: str = "fraudulent"
    status: str = "needs_response"
