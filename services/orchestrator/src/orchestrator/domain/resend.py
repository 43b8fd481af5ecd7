"""Which provider answers are definite, and when a command is sent again. Pure.

An undetermined answer (category `timeout`: no answer in time, a 5xx or 429
after sending, a lost connection, an unparseable body) means the provider may
have acted. Captures, voids, refunds and reversals are then sent again with the
same operation id (the provider's idempotency key) until a definite answer
comes; so are ones that got no answer at all by the deadline (a lost command or
result). A provider that accepted a refund for later (`accepted`) settles it by
webhook: sending it again would only repeat that answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from payroute_common.messages.values import ErrorCategory

# What the provider said so far about a command sent to it.
ProviderAnswer = Literal["none", "undetermined", "accepted"]

# Answers that leave an unknown attempt unknown: the provider may have acted
# (`timeout`), or was not asked this time (`provider_unavailable`: circuit open,
# connection refused; `authentication`: our credentials refused). Only a success
# or a refusal (`hard_decline`, `soft_decline`, `invalid_request`) settles it.
NOT_DEFINITE: frozenset[ErrorCategory] = frozenset(
    {"timeout", "provider_unavailable", "authentication"}
)


def resend_due(
    answer: ProviderAnswer, sent_at: datetime | None, now: datetime, deadline: timedelta
) -> bool:
    """Send the command again now: its answer was undetermined, or none came in time."""
    if answer == "accepted":
        return False
    if answer == "undetermined":
        return True
    return sent_at is None or now - sent_at >= deadline


def next_check(
    answer: ProviderAnswer,
    sent_at: datetime | None,
    now: datetime,
    delay: timedelta,
    deadline: timedelta,
) -> datetime:
    """When to look at the command again: after `delay`, or at its answer deadline if sooner."""
    due = now + delay
    if answer == "none" and sent_at is not None and sent_at + deadline > now:
        return min(due, sent_at + deadline)
    return due
