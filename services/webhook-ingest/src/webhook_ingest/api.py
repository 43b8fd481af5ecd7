"""`POST /webhooks/{provider}`: the edge checks (rate, size, source), then the handler.

Order matters: the client address is resolved (sources.py: forwarding headers
only from trusted proxies), then the rate limit comes first and stores nothing
(see rate_limit); an unknown provider, an oversized body or a source outside the
provider's allowlist is stored as rejected (the audit log shows who tried, with
at most the first `unverified_body_bytes` of the body) and has no effect.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from payroute_common.clock import utcnow
from webhook_ingest import handlers
from webhook_ingest.domain import UNVERIFIED_BODY_BYTES, IncomingWebhook, Outcome
from webhook_ingest.group_commit import StoreUnavailableError
from webhook_ingest.metrics import count, observe_handling
from webhook_ingest.providers import WebhookProvider
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import Allowlist, ClientAddresses

# Requests for a provider that is not configured share this name in the rate limit
# and the metrics (so callers cannot grow either); the audit log keeps the name asked.
UNKNOWN_PROVIDER = "unknown"
STORED_NAME_MAX = 64


class BodyTooLargeError(Exception):
    """The body exceeds the limit: `head` is its first bytes, `size` its declared size
    (or, sent without a length, the bytes seen before reading stopped)."""

    def __init__(self, head: bytes, size: int) -> None:
        super().__init__(f"body of {size} bytes")
        self.head = head
        self.size = size


@dataclass(frozen=True)
class EdgePolicy:
    """What the edge enforces before a request reaches its provider's scheme, and how
    much of a body that proves nothing it keeps (`unverified_body_bytes`)."""

    max_body_bytes: int
    limiter: TokenBuckets
    allowlist: Allowlist
    unverified_body_bytes: int = UNVERIFIED_BODY_BYTES
    clients: ClientAddresses = field(default_factory=ClientAddresses)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    kind: str = "invalid_request_error",
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error = {"type": kind, "code": code, "message": message}
    return JSONResponse({"error": error}, status_code=status, headers=headers)


async def read_body(request: Request, limit: int, keep: int = UNVERIFIED_BODY_BYTES) -> bytes:
    """The raw body; BodyTooLargeError (with the body's first `keep` bytes) as soon as
    it is known to exceed `limit` bytes. An oversized body is read no further than
    that: at most `keep` bytes when it declared its size, else just past `limit`."""
    declared = request.headers.get("content-length", "")
    declared_size = int(declared) if declared.isdigit() else None
    too_large = declared_size is not None and declared_size > limit
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        too_large = too_large or size > limit
        if too_large and size >= keep:
            break
    if not too_large:
        return b"".join(chunks)
    raise BodyTooLargeError(b"".join(chunks)[:keep], max(declared_size or 0, size))


def rate_limited(wait_s: float) -> JSONResponse:
    retry_after = max(1, math.ceil(wait_s))
    return error_response(
        429,
        "rate_limited",
        f"Too many webhook requests from this source; retry in {retry_after} s.",
        kind="rate_limit_error",
        headers={"Retry-After": str(retry_after)},
    )


# Rendered once and sent as is to every stored webhook: a response is only read when
# sent (the request-id header is added to a copy of its headers).
RECEIVED = JSONResponse({"received": True})


def answer(outcome: Outcome) -> JSONResponse:
    if outcome.status == "rejected":
        code = outcome.error_code or "invalid_request"
        return error_response(400, code, outcome.error_message or "Rejected.")
    return RECEIVED


async def handle_webhook_request(
    request: Request,
    name: str,
    provider: WebhookProvider,
    source: str,
    *,
    policy: EdgePolicy,
    journal: handlers.Journal,
) -> tuple[str, JSONResponse]:
    """Read, check and hand over one request; (outcome for the metrics, response)."""
    keep = policy.unverified_body_bytes
    webhook, too_large = await _read(request, name, policy)
    if too_large:
        limit = policy.max_body_bytes
        error = f"body larger than {limit} bytes"
        await handlers.reject(webhook, error, journal=journal, body_max=keep)
        message = f"The body exceeds the limit of {limit} bytes."
        return "too_large", error_response(413, "payload_too_large", message)
    if not policy.allowlist.allows(name, source):
        error = f"source {source} not allowed"
        await handlers.reject(webhook, error, journal=journal, body_max=keep)
        message = "This address may not send webhooks for this provider."
        return "not_allowed", error_response(403, "source_not_allowed", message)
    outcome = await handlers.receive(webhook, provider=provider, journal=journal, body_max=keep)
    return outcome.metric_outcome, answer(outcome)


async def refuse_unknown(
    request: Request, name: str, *, policy: EdgePolicy, journal: handlers.Journal
) -> tuple[str, JSONResponse]:
    """A provider that is not configured: stored as rejected (a misconfigured provider
    shows up in the audit log), answered 404."""
    webhook, _ = await _read(request, name[:STORED_NAME_MAX], policy)
    error = "unknown provider"
    await handlers.reject(webhook, error, journal=journal, body_max=policy.unverified_body_bytes)
    message = "No webhook endpoint for this provider."
    return "unknown_provider", error_response(404, "unknown_provider", message)


async def _read(request: Request, name: str, policy: EdgePolicy) -> tuple[IncomingWebhook, bool]:
    """The request as read, and whether its body was too large to read whole."""
    # ASGI header names arrive lower-cased; decoding the raw pairs once is cheaper
    # than Starlette's Headers view.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.scope["headers"]}
    received_at = utcnow()
    try:
        body = await read_body(request, policy.max_body_bytes, policy.unverified_body_bytes)
    except BodyTooLargeError as error:
        return IncomingWebhook(name, error.head, headers, received_at, size=error.size), True
    return IncomingWebhook(name, body, headers, received_at), False


Endpoint = Callable[[Request], Awaitable[JSONResponse]]


def webhook_endpoint(
    providers: Mapping[str, WebhookProvider], journal: handlers.Journal, *, policy: EdgePolicy
) -> Endpoint:
    """The handler of `POST /webhooks/{provider}`, on a plain Starlette request."""

    async def receive_webhook(request: Request) -> JSONResponse:
        name: str = request.path_params["provider"]
        chosen = providers.get(name)
        label = name if chosen is not None else UNKNOWN_PROVIDER
        source = policy.clients.of(request.scope)
        wait_s = policy.limiter.spend_token((label, source))
        if wait_s > 0:
            count(label, "rate_limited")
            return rate_limited(wait_s)
        started = time.perf_counter()
        try:
            if chosen is None:
                outcome, response = await refuse_unknown(
                    request, name, policy=policy, journal=journal
                )
            else:
                outcome, response = await handle_webhook_request(
                    request, name, chosen, source, policy=policy, journal=journal
                )
        except StoreUnavailableError:
            outcome = "store_unavailable"
            message = "The webhook could not be stored; retry later."
            response = error_response(503, "store_unavailable", message, kind="api_error")
        observe_handling(label, time.perf_counter() - started)
        count(label, outcome)
        return response

    return receive_webhook


def webhook_router(endpoint: Endpoint) -> APIRouter:
    """The route as FastAPI serves and documents it (fast_path.py serves it quicker)."""
    router = APIRouter(tags=["webhooks"])
    # A plain route: it takes the raw request (the signature covers the raw bytes),
    # so FastAPI's parameter resolution is skipped.
    router.add_route("/webhooks/{provider}", endpoint, methods=["POST"])
    return router
