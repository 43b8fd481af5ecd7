"""When to ask a provider again about an undetermined outcome, and when to try the next one.

Attempts and operations whose outcome is unknown are asked about on one fixed
schedule (soon, then less and less often, capped, like Kill Bill's payment
janitor). Providers that honour idempotency keys (`RESENDABLE`) are asked by
sending the very same request again: they answer with the first request's
result, or, if it never arrived, perform it now; either way the answer is
definite. Others get a status query. Retries at the next provider use
exponential backoff with full jitter and a cap
(https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/); the
jitter is drawn from the payment id, so a replayed decision waits the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from orchestrator.config import Settings

# Providers whose API takes an idempotency key on payment creation: Stripe
# (`Idempotency-Key`, kept 24 h), PayMongo and Xendit (`idempotency-key`).
RESENDABLE: frozenset[str] = frozenset({"stripe", "paymongo", "xendit"})


@dataclass(frozen=True)
class RecoveryPolicy:
    query_delays_s: tuple[float, ...] = (2.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0)
    not_found_grace_s: float = 90.0
    retry_base_s: float = 0.5
    retry_cap_s: float = 30.0
    # How long a sent attempt or operation may go without any answer before it
    # counts as undetermined (a lost command or result).
    answer_deadline_s: float = 60.0
    # How long a customer has to finish a payment in `requires_action`.
    action_ttl_s: float = 3600.0
    resendable: frozenset[str] = RESENDABLE

    @classmethod
    def of(cls, settings: Settings) -> RecoveryPolicy:
        return cls(
            query_delays_s=settings.status_query_delays_s,
            not_found_grace_s=settings.status_not_found_grace_s,
            retry_base_s=settings.retry_base_s,
            retry_cap_s=settings.retry_cap_s,
            answer_deadline_s=settings.answer_deadline_s,
            action_ttl_s=settings.action_ttl_s,
        )

    @property
    def not_found_grace(self) -> timedelta:
        return timedelta(seconds=self.not_found_grace_s)

    @property
    def answer_deadline(self) -> timedelta:
        return timedelta(seconds=self.answer_deadline_s)

    @property
    def action_ttl(self) -> timedelta:
        return timedelta(seconds=self.action_ttl_s)

    def resends(self, provider: str) -> bool:
        """Whether an unknown attempt at `provider` is resolved by sending it again."""
        return provider in self.resendable

    def query_delay(self, sent: int) -> timedelta:
        """How long to wait before the query that follows `sent` earlier ones."""
        return timedelta(seconds=self.query_delays_s[min(sent, len(self.query_delays_s) - 1)])

    def retry_delay(self, payment_id: str, retry: int) -> timedelta:
        """Full jitter: uniform in (0, min(cap, base * 2**retry)] for the `retry`-th retry."""
        ceiling = min(self.retry_cap_s, self.retry_base_s * 2 ** min(retry, 32))
        digest = hashlib.sha256(f"{payment_id}:{retry}".encode()).digest()
        share = (int.from_bytes(digest[:8], "big") + 1) / float(1 << 64)
        return timedelta(seconds=ceiling * share)


DEFAULT_POLICY = RecoveryPolicy()
