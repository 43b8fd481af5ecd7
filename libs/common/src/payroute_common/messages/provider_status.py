"""Asking a provider for the truth about one attempt whose outcome is unknown.

`QueryProviderStatus` travels on `provider.commands` (orchestrator →
provider-worker) and `ProviderStatusReported` answers it on `provider.results`,
both keyed by payment id like the other commands and results of those topics.
"""

from typing import Literal, Self

from pydantic import Field, model_validator

from payroute_common.envelope import Message
from payroute_common.messages.values import ProviderError
from payroute_common.money import CurrencyCode, MinorUnits

# The payment's state at the provider, normalized (`pending`: still being
# processed there), or `not_found` (the provider has no such payment: the attempt
# took no money), or `unknown` (the provider could not be asked; ask again later).
StatusOutcome = Literal[
    "captured",
    "authorized",
    "requires_action",
    "pending",
    "failed",
    "canceled",
    "not_found",
    "unknown",
]
_FOUND = frozenset({"captured", "authorized", "requires_action", "pending", "failed", "canceled"})


class QueryProviderStatus(Message):
    """Ask the provider what became of attempt `attempt_id` of `payment_id`.

    Without `provider_reference` (the call that would have returned it went
    unanswered) the provider's object is found by what the attempt sent.
    """

    event_type = "QueryProviderStatus"

    payment_id: str
    attempt_id: str
    provider: str
    provider_reference: str | None = None


class ProviderStatusReported(Message):
    """The provider's answer to a `QueryProviderStatus`.

    For a payment the provider has (every outcome but `not_found` and `unknown`):
    `provider_reference`, `amount` (what it took when captured, holds when
    authorized, else what was asked), `currency` and `amount_refunded`; with
    `failed`, `error` is why the payment failed there. With `unknown`, `error` is
    why the provider could not be asked (its category: `provider_unavailable`,
    `timeout`, `authentication`...; code `circuit_open` when the worker did not
    call a provider whose circuit is open).
    """

    event_type = "ProviderStatusReported"

    payment_id: str
    attempt_id: str
    provider: str
    outcome: StatusOutcome
    provider_reference: str | None = None
    amount: MinorUnits | None = None
    currency: CurrencyCode | None = None
    amount_refunded: MinorUnits = 0
    error: ProviderError | None = None
    latency_ms: int = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        found = self.outcome in _FOUND
        described = None not in (self.provider_reference, self.amount, self.currency)
        if found and not described:
            raise ValueError(f"outcome {self.outcome} needs provider_reference, amount, currency")
        if self.outcome in ("failed", "unknown") and self.error is None:
            raise ValueError(f"outcome {self.outcome} needs the error")
        return self
