"""HTTP edge helpers shared by the services' FastAPI apps."""

import secrets

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payroute_common.tracing import serve_trace

REQUEST_ID_HEADER = b"x-request-id"
MAX_REQUEST_ID_LENGTH = 128


class RequestIdMiddleware:
    """Every response carries `X-Request-ID` (the caller's, or a new one); logs carry it too.

    With `open_trace`, the request also runs inside the caller's trace (W3C
    `traceparent`) or a new one: used when no OpenTelemetry instrumentation
    (which would do it, at more cost) is installed because spans go nowhere.
    """

    def __init__(self, app: ASGIApp, open_trace: bool = False) -> None:
        self.app = app
        self.open_trace = open_trace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        request_id = (
            incoming
            if incoming and len(incoming) <= MAX_REQUEST_ID_LENGTH and incoming.isprintable()
            else f"req_{secrets.token_hex(16)}"
        )
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            if not self.open_trace:
                await self.app(scope, receive, send_with_id)
                return
            with serve_trace(scope["headers"], f"{scope['method']} {scope['path']}"):
                await self.app(scope, receive, send_with_id)
