"""A lean HTTP/1.1 client for load generation: keep-alive connections, one request each.

A load generator on the machine it measures takes CPU from the system under
test; per request this costs a fraction of a general-purpose client (aiohttp,
httpx). It speaks only what the bench needs: requests with a body, answers
with `Content-Length` (not chunked), no redirects, no TLS.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import cast
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"


class ProtocolError(Exception):
    """The server answered something this client does not read."""


def parse_response(buffer: bytes | bytearray) -> tuple[int, int] | None:
    """(status, bytes taken) of the first complete response in `buffer`; None if incomplete."""
    end = buffer.find(_HEAD_END)
    if end < 0:
        return None
    lines = bytes(buffer[:end]).split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        raise ProtocolError(f"bad status line {lines[0][:80]!r}") from None
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value)
        elif key == b"transfer-encoding":
            raise ProtocolError("chunked answers are not supported")
    taken = end + len(_HEAD_END) + length
    return (status, taken) if len(buffer) >= taken else None


def request_bytes(
    method: str, target: str, host: str, headers: Mapping[str, str], body: bytes
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._answer: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            parsed = parse_response(self._buffer)
        except ProtocolError as error:
            self._fail(error)
            return
        if parsed is None:
            return
        status, taken = parsed
        del self._buffer[:taken]
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    def _fail(self, error: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    async def exchange(self, request: bytes) -> int:
        assert self._transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return await self._answer


class Http1Pool:
    """Up to `size` keep-alive connections to one origin; a request waits for a free one."""

    def __init__(self, url: str, size: int, timeout_s: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"only http:// URLs are supported, got {url!r}")
        self.host = parts.netloc
        self._address = (parts.hostname, parts.port or 80)
        self._timeout_s = timeout_s
        self._idle: asyncio.Queue[_Connection | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)  # a slot; its connection is opened on first use
        self._open: set[_Connection] = set()

    async def request(self, request: bytes) -> int:
        """Send one request (see `request_bytes`); the answer's status code."""
        connection = await self._idle.get()
        try:
            if connection is None or connection.closed:
                connection = await self._connect()
            async with asyncio.timeout(self._timeout_s):
                return await connection.exchange(request)
        except BaseException:
            if connection is not None:
                connection.close()
                self._open.discard(connection)
                connection = None
            raise
        finally:
            self._idle.put_nowait(connection)

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, *self._address)
        self._open.add(connection)
        return connection

    def close(self) -> None:
        for connection in self._open:
            connection.close()
        self._open.clear()
