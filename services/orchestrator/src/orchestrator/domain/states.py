"""The payment state machine lives once, in libs/common; attempts' states are the orchestrator's."""

from typing import Literal

from payroute_common.lifecycle import (
    CANCELABLE,
    CAPTURABLE,
    REFUNDABLE,
    TERMINAL,
    TRANSITIONS,
    VERIFIABLE,
)

AttemptStatus = Literal["pending", "succeeded", "failed", "unknown"]
# Attempts that may still take money: no answer yet, or an answer lost in transit.
OPEN_ATTEMPTS: frozenset[AttemptStatus] = frozenset({"pending", "unknown"})

__all__ = [
    "CANCELABLE",
    "CAPTURABLE",
    "OPEN_ATTEMPTS",
    "REFUNDABLE",
    "TERMINAL",
    "TRANSITIONS",
    "VERIFIABLE",
    "AttemptStatus",
]
