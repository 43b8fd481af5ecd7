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
    """Refunded by refunds (pending or succeeded): what can no longer be refunded."""
    amount_released: int = 0
    """Authorized but never captured (a partial capture's rest, a canceled authorization):
    Stripe counts it in the Charge's `amount_refunded`."""
    balance_transaction: str | None = None
    """The Charge's balance transaction, once money moved."""
    disputed: bool = False
    """The Charge was disputed (stays true once a dispute opened)."""
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


@dataclass(slots=True)
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
    """pending → succeeded | failed (the `refunds` scenario knob), or succeeded at once."""
    failure_reason: str | None = None
    balance_transaction: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceTransaction:
    """Money in or out of the account (https://docs.stripe.com/api/balance_transactions)."""

    id: str
    amount: int
    fee: int
    currency: str
    type: str
    reporting_category: str
    source: str
    created: int
    description: str | None = None
    payment_id: str | None = None
    """Payroute's payment id, for the settlement report (not part of Stripe's object)."""

    @property
    def net(self) -> int:
        return self.amount - self.fee


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
    balance_transactions: list[str] = field(default_factory=list)
