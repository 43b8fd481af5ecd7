"""Every metric metrics-exporter serves, and which event increments what. Pure: no I/O.

To add a metric (SPEC section 8 lists more): declare a `CounterDef`, add it to
`COUNTERS`, and make a rule in `RULES` return increments for it. A rule may
give a `once_key`: whatever events carry the same key, it counts once (a
payment reaches a terminal status once, however often that is announced).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from payroute_common.envelope import Message
from payroute_common.messages import (
    PaymentCaptured,
    PaymentEvent,
    PaymentFailed,
    ProviderWebhookReceived,
)

NO_VALUE = "none"  # label value when the event has none (e.g. failed before any provider)


@dataclass(frozen=True)
class CounterDef:
    name: str
    help: str
    labels: tuple[str, ...]


PAYMENTS = CounterDef(
    "payroute_payments_total",
    "Payments that reached a terminal status, counted once per payment and status.",
    ("status", "provider", "currency"),
)
PAYMENT_AMOUNT_MINOR = CounterDef(
    "payroute_payment_amount_minor_total",
    "Amounts of payments by terminal status, in minor units of the currency (captured only).",
    ("status", "provider", "currency"),
)
WEBHOOKS_RECEIVED = CounterDef(
    "payroute_webhooks_received_total",
    "Verified provider webhooks accepted by webhook-ingest, by normalized outcome.",
    ("provider", "outcome"),
)

COUNTERS: tuple[CounterDef, ...] = (PAYMENTS, PAYMENT_AMOUNT_MINOR, WEBHOOKS_RECEIVED)
BY_NAME: dict[str, CounterDef] = {c.name: c for c in COUNTERS}

CounterKey = tuple[str, str]  # (metric name, canonical labels JSON)


def labels_key(labels: dict[str, str]) -> str:
    """The canonical text of a label set: JSON with sorted keys, no spaces."""
    return json.dumps(labels, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Increment:
    key: CounterKey
    value: int


def increment(counter: CounterDef, value: int, **labels: str) -> Increment:
    if set(labels) != set(counter.labels):
        raise ValueError(f"{counter.name} takes labels {counter.labels}, got {sorted(labels)}")
    return Increment((counter.name, labels_key(labels)), value)


@dataclass(frozen=True)
class Counted:
    increments: tuple[Increment, ...]
    once_key: str | None = None


def _terminal_payment(event: PaymentEvent, status: str) -> Counted:
    payment = event.payment
    labels = {
        "status": status,
        "provider": payment.provider or NO_VALUE,
        "currency": payment.currency,
    }
    increments = [increment(PAYMENTS, 1, **labels)]
    if status == "captured":
        increments.append(increment(PAYMENT_AMOUNT_MINOR, payment.amount_captured, **labels))
    return Counted(tuple(increments), once_key=f"payment:{payment.payment_id}:{status}")


def _payment_captured(event: PaymentCaptured) -> Counted:
    return _terminal_payment(event, "captured")


def _payment_failed(event: PaymentFailed) -> Counted:
    return _terminal_payment(event, "failed")


def _webhook_received(event: ProviderWebhookReceived) -> Counted:
    return Counted(
        (increment(WEBHOOKS_RECEIVED, 1, provider=event.provider, outcome=event.outcome),)
    )


RULES: dict[type[Message], Callable[[Any], Counted]] = {
    PaymentCaptured: _payment_captured,
    PaymentFailed: _payment_failed,
    ProviderWebhookReceived: _webhook_received,
}


def count(message: Message) -> Counted | None:
    """What `message` adds to the counters; None when it counts for nothing."""
    rule = RULES.get(type(message))
    return rule(message) if rule is not None else None
