"""The payment state machine (SPEC.md section 3): the one table of legal moves,
and which merchant operation each status takes.

The orchestrator's aggregate enforces it; gateway-api checks the same sets
before it sends a command, so whatever the gateway accepts the orchestrator
accepts too (a contract test holds them together).
"""

from payroute_common.messages.values import PaymentStatus

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

# Capture and cancel (void) act on an authorization held at the provider. A
# payment waiting for its customer (`requires_action`) or for an operator
# (`pending_verification`) holds no authorization: it ends by the customer's
# action, the operator's decision, or its expiry.
CAPTURABLE: frozenset[PaymentStatus] = frozenset({"authorized"})
CANCELABLE: frozenset[PaymentStatus] = frozenset({"authorized"})
VERIFIABLE: frozenset[PaymentStatus] = frozenset({"pending_verification"})
# Refunds give back captured money. A disputed payment is not refundable: the
# money is held by the dispute, and the provider refuses refunds of a disputed charge.
REFUNDABLE: frozenset[PaymentStatus] = frozenset({"captured", "partially_refunded"})
