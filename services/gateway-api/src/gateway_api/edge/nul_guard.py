"""Requests carrying a NUL character anywhere are refused with 400 before any handler runs.

Postgres text cannot hold U+0000, so a NUL that reached a query would fail
there as a 500; no legitimate payment field contains one. Checked: the path,
the query string (raw and %00-encoded), header values and the body (a raw
0x00 byte or an unescaped `\\u0000` JSON escape).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway_api.edge.errors import INVALID_REQUEST, error_response

# `\u0000` preceded by an even number of backslashes is a JSON escape for NUL.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _has_nul(scope: Scope, body: bytes) -> bool:
    query: bytes = scope.get("query_string", b"")
    path: str = scope.get("path", "")
    return (
        "\x00" in path
        or b"\x00" in query
        or b"%00" in query
        or any(b"\x00" in value for _name, value in scope.get("headers", []))
        or b"\x00" in body
        or _JSON_NUL.search(body) is not None
    )


class NulGuardMiddleware:
    """Runs inside the body limit, so the body it reads is bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _has_nul(scope, body):
            message_text = "Text may not contain the NUL character (U+0000)."
            response = error_response(400, INVALID_REQUEST, "parameter_invalid", message_text)
            await response(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


def replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for an app downstream of a middleware that already read the body."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
