"""Money actually moved for a payment, one line per fact. Pure: no I/O.

A line is keyed by `(kind, source_id)`, so however often and in whatever order
the events that reveal a fact arrive, it is recorded once:

- `capture`: keyed by the payment id; `amount` is `amount_captured` (a partial
  capture moves less than the payment's amount), with the provider fee and the
  platform fee of that capture. Any snapshot with `amount_captured > 0` reveals
  it (a payment is captured once: automatically, by a manual capture, or by an
  operator approving a manual method); the earliest snapshot gives the time.
- `refund`: keyed by the refund id, one line per succeeded refund.

Amounts are positive minor units; `kind` gives the direction (a capture brings
money in, a refund sends it back). Refunds do not return fees, so a refund line
has no fees. Authorizations, cancellations and failed refunds move no money and
have no line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from payroute_common.envelope import Message
from payroute_common.messages import PaymentEvent, PaymentSnapshot, RefundEvent

MovementKind = Literal["capture", "refund"]


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    source_id: str  # the payment id for a capture, the refund id for a refund
    payment_id: str
    merchant_id: str
    provider: str | None
    provider_reference: str | None
    amount: int
    currency: str
    provider_fee: int | None
    platform_fee: int | None
    occurred_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.source_id)


def capture_of(snapshot: PaymentSnapshot) -> Movement | None:
    """The capture this snapshot shows, if the payment has been captured."""
    if snapshot.amount_captured <= 0:
        return None
    fees = snapshot.fees
    return Movement(
        kind="capture",
        source_id=snapshot.payment_id,
        payment_id=snapshot.payment_id,
        merchant_id=snapshot.merchant_id,
        provider=snapshot.provider,
        provider_reference=snapshot.provider_reference,
        amount=snapshot.amount_captured,
        currency=snapshot.currency,
        provider_fee=fees.provider_fee if fees is not None else None,
        platform_fee=fees.platform_fee if fees is not None else None,
        occurred_at=snapshot.updated_at,
    )


def refund_of(event: RefundEvent) -> Movement | None:
    """The money a refund sent back, once it has succeeded."""
    refund = event.refund
    if refund.status != "succeeded":
        return None
    return Movement(
        kind="refund",
        source_id=refund.refund_id,
        payment_id=refund.payment_id,
        merchant_id=refund.merchant_id,
        provider=refund.provider or event.payment.provider,
        provider_reference=refund.provider_reference,
        amount=refund.amount,
        currency=refund.currency,
        provider_fee=None,
        platform_fee=None,
        occurred_at=refund.updated_at,
    )


def merge(first: Movement, other: Movement) -> Movement:
    """The same fact seen twice: the earliest time, and fees once any snapshot has them."""
    return replace(
        first,
        occurred_at=min(first.occurred_at, other.occurred_at),
        provider_fee=first.provider_fee if first.provider_fee is not None else other.provider_fee,
        platform_fee=first.platform_fee if first.platform_fee is not None else other.platform_fee,
    )


def movements_in(messages: Iterable[Message]) -> list[Movement]:
    """One line per fact that a batch of events reveals."""
    found: dict[tuple[str, str], Movement] = {}
    for message in messages:
        if not isinstance(message, PaymentEvent):
            continue
        lines = [capture_of(message.payment)]
        if isinstance(message, RefundEvent):
            lines.append(refund_of(message))
        for line in lines:
            if line is not None:
                seen = found.get(line.key)
                found[line.key] = merge(seen, line) if seen is not None else line
    return list(found.values())
