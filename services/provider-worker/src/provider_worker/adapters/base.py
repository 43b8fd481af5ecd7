"""The interface every provider adapter implements, and its outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    ProviderError,
    RefundCharge,
    VoidAuthorization,
)


@dataclass(frozen=True)
class Authorization:
    outcome: Literal["captured", "authorized", "requires_action"]
    provider_reference: str
    amount: int
    currency: str
    redirect_url: str | None = None


@dataclass(frozen=True)
class OperationResult:
    """A capture, void or refund the provider confirmed.

    `provider_reference` is the provider's object: the payment (capture, void) or
    the refund; `amount` is what was captured, released or refunded. `outcome`
    `pending`: the provider accepted a refund it settles later (its end comes by
    webhook or status query); a refund it answered failed is a ProviderFailure.
    """

    provider_reference: str
    amount: int
    currency: str
    outcome: Literal["succeeded", "pending"] = "succeeded"


StatusOutcome = Literal[
    "captured", "authorized", "requires_action", "pending", "failed", "canceled"
]


@dataclass(frozen=True)
class ProviderStatus:
    """What the provider says one attempt's payment is now: its truth after an
    unknown outcome (a timeout, a connection reset after sending).

    `outcome` is the payment's state at the provider, normalized: `pending` is
    still being processed there (ask again later); `failed` carries `error`.
    `amount` is what the provider took (captured) or holds (authorized), else
    what was asked; `amount_refunded` is what it has given back so far.
    """

    outcome: StatusOutcome
    provider_reference: str
    amount: int
    currency: str
    amount_refunded: int = 0
    error: ProviderError | None = None


class ProviderFailure(Exception):
    """The provider refused or could not be reached; `error` is already normalized."""

    def __init__(self, error: ProviderError, provider_reference: str | None = None) -> None:
        super().__init__(f"{error.category}: {error.code}")
        self.error = error
        self.provider_reference = provider_reference


class ProviderAdapter(Protocol):
    name: str

    async def authorize(self, command: AuthorizePayment) -> Authorization:
        """Authorize (and with automatic capture, capture); idempotent per attempt id."""
        ...

    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        """Capture `amount` of an authorization, releasing the rest; idempotent per
        operation id. Raises ProviderFailure when refused."""
        ...

    async def void(self, command: VoidAuthorization) -> OperationResult:
        """Release an authorization; idempotent per operation id."""
        ...

    async def refund(self, command: RefundCharge) -> OperationResult:
        """Refund `amount` of a captured payment; idempotent per operation id."""
        ...

    async def get_status(
        self, payment_id: str, attempt_id: str, provider_reference: str | None
    ) -> ProviderStatus | None:
        """The provider's truth about attempt `attempt_id` of `payment_id`.

        Without `provider_reference` (the call that would have returned it timed
        out), the adapter finds the provider's object by what it sent: the
        idempotency key, the reference id or the metadata. None: the provider
        has no such payment, so the attempt took no money. Raises ProviderFailure
        when the provider cannot be asked right now."""
        ...

    async def health_check(self) -> None:
        """One cheap read that shows whether the provider answers; no money moves.
        Raises ProviderFailure when it does not answer. A refusal (an unknown id
        not found) still shows the provider up, and the worker judges it so."""
        ...

    async def close(self) -> None: ...
