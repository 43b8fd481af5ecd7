"""Run the simulator on a free local port inside a test's event loop."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from provider_simulator.app import create_app
from provider_simulator.config import Settings

START_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class SeenRequest:
    """One request as it reached the simulator, for wire-format assertions."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, list[str]]:
        """The form-encoded body, decoded: `{"metadata[payment_id]": ["pay_1"]}`."""
        return parse_qs(self.body.decode(), keep_blank_values=True)


@contextlib.asynccontextmanager
async def running_simulator(
    settings: Settings,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    *,
    seen: list[SeenRequest] | None = None,
) -> AsyncIterator[str]:
    """The simulator served over real HTTP; yields its base URL. With `seen`, every
    request it receives is appended to that list."""
    transport = webhook_transport or httpx.MockTransport(lambda _: httpx.Response(200))
    app: ASGIApp = create_app(settings, webhook_transport=transport)
    if seen is not None:
        app = _recording(app, seen)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT_S
    while not server.started:
        if loop.time() > deadline:
            raise RuntimeError("the simulator did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def _recording(app: ASGIApp, seen: list[SeenRequest]) -> ASGIApp:
    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        seen.append(SeenRequest(scope["method"], scope["path"], query, headers, body))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return recording
