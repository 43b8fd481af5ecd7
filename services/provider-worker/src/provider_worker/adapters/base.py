"""The interface every provider adapter implements, and its outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from payroute_common.messages import AuthorizePayment, ProviderError


@dataclass(frozen=True)
class Authorization:
    outcome: Literal["captured", "authorized", "requires_action"]
    provider_reference: str
    amount: int
    currency: str
    redirect_url: str | None = None


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

    async def close(self) -> None: ...
