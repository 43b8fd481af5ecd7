"""Merchants, API keys and the payment read model. Pure: no I/O.

Secret keys are `sk_` + 43 URL-safe characters (32 random bytes). Only their
SHA-256 is stored; the secret is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from payroute_common.ids import new_id
from payroute_common.lifecycle import CANCELABLE, CAPTURABLE, REFUNDABLE, VERIFIABLE
from payroute_common.messages import KeyRole, LateSuccess, PaymentFailure, PaymentMethod
from payroute_common.messages.values import (
    AttemptSummary,
    CaptureMethod,
    DisputeSummary,
    Fees,
    NextAction,
    PaymentStatus,
    RefundStatus,
)

Tier = Literal["starter", "professional", "enterprise"]
Role = KeyRole  # merchant | operator | admin: see `roles.py`
Operation = Literal["capture", "cancel", "verify"]
RefundReason = Literal["duplicate", "fraudulent", "requested_by_customer"]
Decision = Literal["approve", "reject"]

SECRET_KEY_PREFIX = "sk_"  # noqa: S105 - a prefix, not a secret
SECRET_KEY_LENGTH = len(SECRET_KEY_PREFIX) + 43


class GatewayError(Exception):
    """A request the gateway refuses; `errors.py` maps each kind to its HTTP answer."""

    code = "request_refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class AuthenticationFailed(GatewayError):
    code = "api_key_invalid"


class ResourceMissing(GatewayError):
    code = "resource_missing"

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(f"No such {resource}: '{resource_id}'")
        self.resource = resource
        self.resource_id = resource_id


class InvalidRequest(GatewayError):
    """A well-formed request that a rule refuses (`param` names the culprit)."""

    code = "parameter_invalid"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.param = param


class PermissionDenied(GatewayError):
    """The key is valid but its role may not do this (403); nothing was changed."""

    code = "insufficient_role"


class Conflict(GatewayError):
    """The request is well formed but clashes with the object's state (409)."""

    code = "state_conflict"


@dataclass(frozen=True)
class Merchant:
    id: str
    name: str
    tier: Tier
    created_at: datetime


@dataclass(frozen=True)
class ApiKey:
    id: str
    merchant_id: str
    role: Role
    key_hash: str
    last4: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: the only moment its secret exists outside the caller's hands."""

    key: ApiKey
    secret: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its merchant (tenant) and its role."""

    key_id: str
    merchant_id: str
    role: Role


def new_secret() -> str:
    return SECRET_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_secret(secret: str) -> bool:
    """A cheap shape check, so garbage never costs a database round trip."""
    return len(secret) == SECRET_KEY_LENGTH and secret.startswith(SECRET_KEY_PREFIX)


def masked(secret: str) -> str:
    return f"{secret[:3]}{'*' * 8}{secret[-4:]}" if len(secret) > 8 else "*" * len(secret)


def issue_key(merchant_id: str, role: Role, now: datetime) -> IssuedKey:
    secret = new_secret()
    key = ApiKey(
        id=new_id("key"),
        merchant_id=merchant_id,
        role=role,
        key_hash=hash_secret(secret),
        last4=secret[-4:],
        created_at=now,
    )
    return IssuedKey(key=key, secret=secret)


def new_merchant(name: str, tier: Tier, now: datetime) -> Merchant:
    return Merchant(id=new_id("mch"), name=name, tier=tier, created_at=now)


@dataclass
class Payment:
    """One row of the payments read model, as the API shows it."""

    id: str
    merchant_id: str
    amount: int
    currency: str
    capture_method: CaptureMethod
    payment_method: PaymentMethod
    created_at: datetime
    updated_at: datetime
    status: PaymentStatus = "processing"
    amount_capturable: int = 0
    amount_captured: int = 0
    amount_refunded: int = 0
    provider: str | None = None
    provider_reference: str | None = None
    failure: PaymentFailure | None = None
    order_id: str | None = None
    customer_id: str | None = None
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    return_url: str | None = None
    version: int = 0
    fees: Fees | None = None
    attempts: list[AttemptSummary] = field(default_factory=list)
    next_action: NextAction | None = None
    verification_expires_at: datetime | None = None
    pending_operation: Operation | None = None
    dispute: DisputeSummary | None = None


@dataclass
class Refund:
    """One row of the refunds read model."""

    id: str
    payment_id: str
    merchant_id: str
    amount: int
    currency: str
    reason: RefundReason | None
    created_at: datetime
    updated_at: datetime
    status: RefundStatus = "pending"
    provider: str | None = None
    provider_reference: str | None = None
    failure: PaymentFailure | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One payment event as the payment's timeline shows it."""

    event_id: str
    payment_id: str
    type: str
    status: PaymentStatus
    reason: str | None
    version: int
    occurred_at: datetime
    refund_id: str | None = None
    refund_amount: int | None = None
    operation: str | None = None
    failure: PaymentFailure | None = None
    late_success: LateSuccess | None = None


def _no_operation_in_flight(payment: Payment) -> None:
    if payment.pending_operation is not None:
        raise Conflict(
            f"A {payment.pending_operation} of payment {payment.id} is already in progress; "
            "retry once it is answered (Prefer: wait helps).",
            code="payment_operation_in_progress",
        )


def check_capture(payment: Payment, amount: int | None) -> int:
    """The amount to capture (all that is capturable when `amount` is None)."""
    _no_operation_in_flight(payment)
    if payment.status not in CAPTURABLE:
        raise Conflict(
            f"This payment is {payment.status}; only an authorized payment can be captured.",
            code="payment_not_capturable",
        )
    if payment.amount_capturable <= 0:
        raise Conflict("Nothing is left to capture on this payment.", code="payment_not_capturable")
    if amount is not None and amount > payment.amount_capturable:
        raise Conflict(
            f"The amount to capture ({amount}) exceeds the amount capturable "
            f"({payment.amount_capturable}).",
            code="amount_exceeds_capturable",
        )
    return payment.amount_capturable if amount is None else amount


def check_cancel(payment: Payment) -> None:
    _no_operation_in_flight(payment)
    if payment.status not in CANCELABLE:
        raise Conflict(
            f"This payment is {payment.status}; only an authorized payment can be canceled "
            "(a payment waiting for its customer or an operator ends by their action or expiry).",
            code="payment_not_cancelable",
        )


def check_verify(payment: Payment) -> None:
    _no_operation_in_flight(payment)
    if payment.status not in VERIFIABLE:
        raise Conflict(
            f"This payment is {payment.status}, not pending_verification.",
            code="payment_not_awaiting_verification",
        )


def refundable(payment: Payment, refunded: int) -> int:
    """What may still be refunded, given the sum of the non-failed refunds."""
    return max(payment.amount_captured - refunded, 0)


def check_refund(payment: Payment, amount: int | None, refunded: int) -> int:
    """The amount to refund (everything still refundable when `amount` is None)."""
    if payment.status not in REFUNDABLE:
        raise Conflict(
            f"This payment is {payment.status}; only a captured payment can be refunded.",
            code="payment_not_refundable",
        )
    left = refundable(payment, refunded)
    if left <= 0:
        raise Conflict("This payment has been refunded in full.", code="payment_not_refundable")
    if amount is not None and amount > left:
        raise Conflict(
            f"The refund amount ({amount}) exceeds what is still refundable ({left}).",
            code="amount_exceeds_refundable",
        )
    return left if amount is None else amount
