"""Failures an adapter raises on its own account, the same for every provider: a
request it will not send, and an answer it cannot read.

An answer the adapter cannot read (a 200 whose body is not JSON, an object without
the fields it needs, a status it does not know) came after the request was sent:
the provider may have acted on it. It is `timeout` (undetermined) with code
`malformed_answer`, so the orchestrator sends the same request again (same
idempotency key) or asks for the status, never tries elsewhere at once.
"""

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from payroute_common.messages import ProviderError
from provider_worker.adapters.base import ProviderFailure

P = ParamSpec("P")
T = TypeVar("T")

MALFORMED_ANSWER = "malformed_answer"
# What reading a provider's answer raises when a field is missing or of the wrong kind.
UNREADABLE = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def unsupported(code: str, message: str) -> ProviderFailure:
    """Refused without calling the provider: it does not offer what was asked."""
    return ProviderFailure(ProviderError(category="invalid_request", code=code, message=message))


def malformed(message: str, reference: str | None = None) -> ProviderFailure:
    """The provider answered, but not in a shape or state the adapter knows."""
    error = ProviderError(category="timeout", code=MALFORMED_ANSWER, message=message[:500])
    return ProviderFailure(error, reference)


def unreadable_answers_are_malformed(
    provider: str,
) -> Callable[[Callable[P, Coroutine[Any, Any, T]]], Callable[P, Coroutine[Any, Any, T]]]:
    """Decorates an adapter call: a field missing from the provider's answer (KeyError,
    TypeError, ...) fails it as `malformed_answer`, not as an exception the worker
    does not expect."""

    def decorate(
        call: Callable[P, Coroutine[Any, Any, T]],
    ) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(call)
        async def read(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await call(*args, **kwargs)
            except UNREADABLE as error:
                what = f"{type(error).__name__}: {error}"
                raise malformed(
                    f"{provider} answered in a shape not understood ({what})"
                ) from error

        return read

    return decorate


def refund_failed(
    provider: str, status: str, reason: str | None, reference: str | None
) -> ProviderFailure:
    """A refund the provider answered `failed` (or canceled) at once: definite, nothing
    was given back. `code` is the provider's failure reason, else `refund_failed`."""
    error = ProviderError(
        category="hard_decline",
        code=reason or "refund_failed",
        message=f"{provider} answered the refund with status {status}",
    )
    return ProviderFailure(error, reference)
