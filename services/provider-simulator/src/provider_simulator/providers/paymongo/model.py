"""The objects the simulated PayMongo account holds."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a payment failed: PayMongo's `failed_code` and `failed_message`."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What charging a test payment method does."""

    failure: Failure | None = None
    redirect: bool = False
    """The customer must confirm on a redirect page (e-wallets, 3-D Secure)."""
    webhook_first: bool = False
    """The customer confirms at once: `payment.paid` goes out before attach answers."""


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: str
    type: str
    behaviour: Behaviour
    created_at: int
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Refund:
    id: str
    amount: int
    currency: str
    payment_id: str
    reason: str
    created_at: int
    metadata: dict[str, str] = field(default_factory=dict)
    status: str = "succeeded"
    """pending → succeeded | failed (the `refunds` scenario knob), or succeeded at once."""
    updated_at: int | None = None


@dataclass(slots=True)
class Payment:
    """One charge of a payment intent; `paid` or `failed`."""

    id: str
    amount: int
    currency: str
    payment_intent_id: str
    source: PaymentMethod
    status: str
    created_at: int
    metadata: dict[str, str]
    description: str | None = None
    failure: Failure | None = None
    refunds: list[Refund] = field(default_factory=list)

    @property
    def amount_refunded(self) -> int:
        return sum(r.amount for r in self.refunds if r.status != "failed")


@dataclass(slots=True)
class PaymentIntent:
    id: str
    amount: int
    currency: str
    capture_type: str
    payment_method_allowed: list[str]
    created_at: int
    client_key: str
    metadata: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    status: str = "awaiting_payment_method"
    payment_method: PaymentMethod | None = None
    return_url: str | None = None
    redirect_url: str | None = None
    last_payment_error: Failure | None = None
    amount_capturable: int = 0
    payments: list[Payment] = field(default_factory=list)

    @property
    def payment_id(self) -> str | None:
        """Payroute's payment id, sent as `metadata.payment_id`."""
        return self.metadata.get("payment_id")
