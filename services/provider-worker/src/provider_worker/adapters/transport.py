"""One HTTP call to a provider over httpx, and what its failure means, the same for
every adapter that speaks HTTP itself (PayMongo, Xendit, Maya).

- Not connecting (or no free connection) means the provider never saw the request:
  `provider_unavailable`, safe to try elsewhere.
- Anything later (a read timeout, a reset after sending) leaves the outcome unknown
  until the provider is asked: `timeout` (code `timeout` or `no_answer`).
- The HTTP status decides before the provider's own code: 401/403 are
  `authentication` (nothing happened); 429 and every 5xx are `timeout`
  (undetermined: the provider may have acted before failing), code `rate_limited`
  or `http_<status>`, the provider's raw code kept in the message. Other error
  statuses take their category from the provider's table for its code, else
  `invalid_request`.
- A success whose body is not JSON is `timeout` / `malformed_answer`.
"""

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.failures import malformed

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
    """What an error status says when the provider's code does not override it."""
    if status in (401, 403):
        return "authentication"
    if undetermined_status(status):
        return "timeout"
    return "invalid_request"


def undetermined_status(status: int) -> bool:
    """429 and 5xx: the provider may have acted before it failed or refused."""
    return status == 429 or status >= 500


def refusal_error(
    status: int, raw_code: str | None, message: str, categories: Mapping[str, ErrorCategory]
) -> ProviderError:
    """An error answer normalized: the status decides for 401/403, 429 and 5xx;
    otherwise the provider's table for `raw_code`, else `invalid_request`."""
    if undetermined_status(status):
        code = "rate_limited" if status == 429 else f"http_{status}"
        return ProviderError(
            category="timeout", code=code, message=f"{raw_code or 'no code'}: {message}"
        )
    code = raw_code or f"http_{status}"
    if status in (401, 403):
        return ProviderError(category="authentication", code=code, message=message)
    category = categories.get(code) or status_category(status)
    return ProviderError(category=category, code=code, message=message)


def coded_error(
    response: httpx.Response, *, code_key: str, categories: Mapping[str, ErrorCategory]
) -> ProviderError:
    """An error answer `{<code_key>: ..., "message": ...}`, normalized by `refusal_error`."""
    body = json_object(response)
    code = body.get(code_key)
    message = body.get("message") or response.reason_phrase
    return refusal_error(
        response.status_code, None if code is None else str(code), str(message), categories
    )


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def json_answer(response: httpx.Response, provider: str) -> Any:
    """A successful answer's JSON; one that is not JSON is a malformed answer."""
    try:
        return response.json()
    except ValueError:
        raise malformed(
            f"{provider} answered HTTP {response.status_code} with a body that is not JSON"
        ) from None
