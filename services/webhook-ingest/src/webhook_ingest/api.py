"""`POST /webhooks/{provider}`: read the raw body (bounded), hand it to the handler, answer."""

from collections.abc import Callable, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from payroute_common.clock import utcnow
from webhook_ingest import handlers
from webhook_ingest.domain import IncomingWebhook
from webhook_ingest.providers import WebhookProvider
from webhook_ingest.store import HandlerUnitOfWork


class BodyTooLargeError(Exception):
    pass


def error_response(status: int, code: str, message: str) -> JSONResponse:
    error = {"type": "invalid_request_error", "code": code, "message": message}
    return JSONResponse({"error": error}, status_code=status)


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


def webhook_router(
    providers: Mapping[str, WebhookProvider],
    unit_of_work: Callable[[], HandlerUnitOfWork],
    *,
    max_body_bytes: int,
) -> APIRouter:
    router = APIRouter(tags=["webhooks"])

    @router.post("/webhooks/{provider}")
    async def receive_webhook(provider: str, request: Request) -> JSONResponse:
        chosen = providers.get(provider)
        if chosen is None:
            return error_response(404, "unknown_provider", "No webhook endpoint for this provider.")
        headers = {k.lower(): v for k, v in request.headers.items()}
        received_at = utcnow()
        try:
            body = await read_body(request, max_body_bytes)
        except BodyTooLargeError:
            webhook = IncomingWebhook(provider, b"", headers, received_at)
            error = f"body larger than {max_body_bytes} bytes"
            await handlers.reject(webhook, error, uow=unit_of_work(), keep_body=False)
            message = f"The body exceeds the limit of {max_body_bytes} bytes."
            return error_response(413, "payload_too_large", message)
        webhook = IncomingWebhook(provider, body, headers, received_at)
        outcome = await handlers.receive(webhook, provider=chosen, uow=unit_of_work())
        if outcome.status == "rejected":
            return error_response(
                400, outcome.error_code or "invalid_request", outcome.error_message or "Rejected."
            )
        return JSONResponse({"received": True})

    return router
