"""Run the simulator on a free local port inside a test's event loop."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import uvicorn

from provider_simulator.app import create_app
from provider_simulator.config import Settings

START_TIMEOUT_S = 5.0


@contextlib.asynccontextmanager
async def running_simulator(
    settings: Settings, webhook_transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[str]:
    """The simulator served over real HTTP; yields its base URL."""
    transport = webhook_transport or httpx.MockTransport(lambda _: httpx.Response(200))
    app = create_app(settings, webhook_transport=transport)
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
