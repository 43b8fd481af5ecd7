"""The payment state machine (SPEC.md section 3): the one table of legal moves."""

from typing import Literal

from payroute_common.messages.values import PaymentStatus

AttemptStatus = Literal["pending", "succeeded", "failed", "unknown"]
# Attempts that may still take money: no answer yet, or an answer lost in transit.
OPEN_ATTEMPTS: frozenset[AttemptStatus] = frozenset({"pending", "unknown"})

TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    "pending": frozenset({"processing", "failed"}),
    "processing": frozenset(
        {"requires_action", "pending_verification", "authorized", "captured", "failed"}
    ),
    "requires_action": frozenset({"authorized", "captured", "failed"}),
    "pending_verification": frozenset({"captured", "failed"}),
    "authorized": frozenset({"captured", "canceled"}),
    "captured": frozenset({"partially_refunded", "refunded", "disputed"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded", "disputed"}),
    "disputed": frozenset({"captured", "partially_refunded", "refunded"}),
    "refunded": frozenset(),
    "canceled": frozenset(),
    "failed": frozenset(),
}
TERMINAL: frozenset[PaymentStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

# Refunds give back captured money. A disputed payment is not refundable: the
# money is held by the dispute, and the provider refuses refunds of a disputed charge.
REFUNDABLE: frozenset[PaymentStatus] = frozenset({"captured", "partially_refunded"})
