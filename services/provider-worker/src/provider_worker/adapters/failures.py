"""Failures an adapter raises on its own account, the same for every provider: a
request it will not send, and an answer it cannot read."""

from payroute_common.messages import ProviderError
from provider_worker.adapters.base import ProviderFailure


def unsupported(code: str, message: str) -> ProviderFailure:
    """Refused without calling the provider: it does not offer what was asked."""
    return ProviderFailure(ProviderError(category="invalid_request", code=code, message=message))


def unexpected(message: str, reference: str | None = None) -> ProviderFailure:
    """The provider answered, but not in a shape or state the adapter knows."""
    error = ProviderError(
        category="provider_unavailable", code="unexpected_answer", message=message
    )
    return ProviderFailure(error, reference)
