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
    the refund; `amount` is what was captured, released or refunded.
    """

    provider_reference: str
    amount: int
    currency: str


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

    async def close(self) -> None: ...
