"""One HTTP call to a provider over httpx, and what its failure means, the same for
every adapter that speaks HTTP itself (PayMongo, Xendit, Maya).

- Not connecting (or no free connection) means the provider never saw the request:
  `provider_unavailable`, safe to try elsewhere.
- Anything later (a read timeout, a reset after sending) leaves the outcome unknown
  until the provider is asked: `timeout`.
- An error status carries the provider's own code; a code the provider's table does
  not know takes its category from the status (401/403 authentication, 429 and 5xx
  unavailable, other 4xx invalid request).
"""

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory
from provider_worker.adapters.base import ProviderFailure

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    refusal: Callable[[httpx.Response], ProviderError],
    **kwargs: Any,
) -> httpx.Response:
    """The provider's successful answer; otherwise a ProviderFailure, its error
    normalized (an error status by `refusal`, the provider's own error format)."""
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.TransportError as error:
        raise ProviderFailure(transport_error(error)) from error
    if response.is_error:
        raise ProviderFailure(refusal(response))
    return response


def transport_error(error: httpx.TransportError) -> ProviderError:
    message = str(error) or type(error).__name__
    if isinstance(error, NOT_SENT):
        return ProviderError(
            category="provider_unavailable", code="connection_error", message=message
        )
    return no_answer(timed_out=isinstance(error, httpx.TimeoutException), message=message)


def no_answer(*, timed_out: bool, message: str) -> ProviderError:
    """Sent, but no final answer: the provider may have acted; ask it before retrying."""
    return ProviderError(
        category="timeout", code="timeout" if timed_out else "no_answer", message=message
    )


def status_category(status: int) -> ErrorCategory:
    if status in (401, 403):
        return "authentication"
    if status == 429 or status >= 500:
        return "provider_unavailable"
    return "invalid_request"


def coded_error(
    response: httpx.Response, *, code_key: str, categories: Mapping[str, ErrorCategory]
) -> ProviderError:
    """An error answer `{<code_key>: ..., "message": ...}`: the category from the
    provider's table for its code, else from the status."""
    body = json_object(response)
    code = str(body.get(code_key) or f"http_{response.status_code}")
    category = categories.get(code) or status_category(response.status_code)
    message = body.get("message") or response.reason_phrase
    return ProviderError(category=category, code=code, message=str(message))


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
