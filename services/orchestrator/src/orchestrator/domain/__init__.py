"""The payment and refund aggregates and their rules. Pure: no I/O."""

from orchestrator.domain.attempts import Attempt, Operation, OperationKind
from orchestrator.domain.errors import (
    AmountExceedsCapturable,
    AmountExceedsRefundable,
    AttemptStillOpen,
    CurrencyMismatch,
    IllegalTransition,
    NotAwaitingVerification,
    NotCancelable,
    NotCapturable,
    NotRefundable,
    OperationInProgress,
    PaymentError,
    UnknownAttempt,
)
from orchestrator.domain.payment import Payment
from orchestrator.domain.refunds import Refund
from orchestrator.domain.states import OPEN_ATTEMPTS, REFUNDABLE, TERMINAL, TRANSITIONS

__all__ = [
    "OPEN_ATTEMPTS",
    "REFUNDABLE",
    "TERMINAL",
    "TRANSITIONS",
    "AmountExceedsCapturable",
    "AmountExceedsRefundable",
    "Attempt",
    "AttemptStillOpen",
    "CurrencyMismatch",
    "IllegalTransition",
    "NotAwaitingVerification",
    "NotCancelable",
    "NotCapturable",
    "NotRefundable",
    "Operation",
    "OperationInProgress",
    "OperationKind",
    "Payment",
    "PaymentError",
    "Refund",
    "UnknownAttempt",
]
