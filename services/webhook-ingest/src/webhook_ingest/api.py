"""`POST /webhooks/{provider}`: the edge checks (rate, size, source), then the handler.

Order matters: the rate limit comes first and stores nothing (see rate_limit);
an oversized body or a source outside the provider's allowlist is stored as
rejected (the audit log shows who tried) and has no effect.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from payroute_common.clock import utcnow
from webhook_ingest import handlers
from webhook_ingest.domain import IncomingWebhook, Outcome
from webhook_ingest.group_commit import StoreUnavailableError
from webhook_ingest.metrics import count, observe_processing
from webhook_ingest.providers import WebhookProvider
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import Allowlist, client_address


class BodyTooLargeError(Exception):
    pass


@dataclass(frozen=True)
class EdgePolicy:
    """What the edge enforces before a request reaches its provider's scheme."""

    max_body_bytes: int
    limiter: TokenBuckets
    allowlist: Allowlist


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


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body; BodyTooLargeError as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


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


async def take(
    request: Request,
    name: str,
    provider: WebhookProvider,
    source: str,
    *,
    policy: EdgePolicy,
    journal: handlers.Journal,
) -> tuple[str, JSONResponse]:
    """Read, check and hand over one request; (status for the metrics, response)."""
    # ASGI header names arrive lower-cased; decoding the raw pairs once is cheaper
    # than Starlette's Headers view.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.scope["headers"]}
    received_at = utcnow()
    limit = policy.max_body_bytes
    try:
        body = await read_body(request, limit)
    except BodyTooLargeError:
        webhook = IncomingWebhook(name, b"", headers, received_at)
        error = f"body larger than {limit} bytes"
        await handlers.reject(webhook, error, journal=journal, keep_body=False)
        message = f"The body exceeds the limit of {limit} bytes."
        return "too_large", error_response(413, "payload_too_large", message)
    webhook = IncomingWebhook(name, body, headers, received_at)
    if not policy.allowlist.allows(name, source):
        await handlers.reject(webhook, f"source {source} not allowed", journal=journal)
        message = "This address may not send webhooks for this provider."
        return "forbidden", error_response(403, "source_not_allowed", message)
    outcome = await handlers.receive(webhook, provider=provider, journal=journal)
    return outcome.status, answer(outcome)


Endpoint = Callable[[Request], Awaitable[JSONResponse]]


def webhook_endpoint(
    providers: Mapping[str, WebhookProvider], journal: handlers.Journal, *, policy: EdgePolicy
) -> Endpoint:
    """The handler of `POST /webhooks/{provider}`, on a plain Starlette request."""

    async def receive_webhook(request: Request) -> JSONResponse:
        provider: str = request.path_params["provider"]
        chosen = providers.get(provider)
        if chosen is None:
            return error_response(404, "unknown_provider", "No webhook endpoint for this provider.")
        source = client_address(request)
        wait_s = policy.limiter.take((provider, source))
        if wait_s > 0:
            count(provider, "rate_limited")
            return rate_limited(wait_s)
        started = time.perf_counter()
        try:
            status, response = await take(
                request, provider, chosen, source, policy=policy, journal=journal
            )
        except StoreUnavailableError:
            status = "error"
            message = "The webhook could not be stored; retry later."
            response = error_response(503, "store_unavailable", message, kind="api_error")
        observe_processing(provider, time.perf_counter() - started)
        count(provider, status)
        return response

    return receive_webhook


def webhook_router(endpoint: Endpoint) -> APIRouter:
    """The route as FastAPI serves and documents it (fast_path.py serves it quicker)."""
    router = APIRouter(tags=["webhooks"])
    # A plain route: it takes the raw request (the signature covers the raw bytes),
    # so FastAPI's parameter resolution is skipped.
    router.add_route("/webhooks/{provider}", endpoint, methods=["POST"])
    return router
