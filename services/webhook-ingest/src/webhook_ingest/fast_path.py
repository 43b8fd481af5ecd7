"""A shortcut for the hot route: `POST /webhooks/{provider}` goes straight to its
endpoint, past FastAPI's middleware stack and router, which cost about as much
CPU as the webhook's own work (docs/decisions/0003). Every other request, and the
lifespan, goes to the FastAPI app, which also keeps documenting the route.

What the edge must keep, the shortcut keeps: `X-Request-ID` and the request's
trace (RequestIdMiddleware), and an error object, never a bare 500, when
something unexpected breaks.
"""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from payroute_common.http import RequestIdMiddleware
from payroute_common.http_metrics import ROUTE_TEMPLATE
from webhook_ingest.api import Endpoint, error_response

log = structlog.get_logger(__name__)

PREFIX = "/webhooks/"
TEMPLATE = "/webhooks/{provider}"


def provider_in(path: str) -> str | None:
    """`stripe` for `/webhooks/stripe`; None for any other path."""
    if not path.startswith(PREFIX):
        return None
    provider = path[len(PREFIX) :]
    return provider if provider and "/" not in provider else None


class WebhookFastPath:
    def __init__(self, app: ASGIApp, endpoint: Endpoint) -> None:
        self.app = app
        self._endpoint = endpoint
        self._serve_with_id = RequestIdMiddleware(self._serve, open_trace=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        provider = provider_in(scope["path"]) if scope["type"] == "http" else None
        if provider is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        scope["path_params"] = {"provider": provider}
        scope[ROUTE_TEMPLATE] = TEMPLATE
        await self._serve_with_id(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self._endpoint(Request(scope, receive))
        except Exception:
            log.exception("webhook_endpoint_failed")
            response = error_response(
                500, "internal_error", "The webhook could not be taken.", kind="api_error"
            )
        await response(scope, receive, send)
