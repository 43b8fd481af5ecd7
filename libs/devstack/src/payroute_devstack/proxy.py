"""A round-robin TCP proxy: one public port in front of a service's replicas.

    python -m payroute_devstack.proxy --listen 127.0.0.1:8000 \\
        --to 127.0.0.1:41001 --to 127.0.0.1:41002

Each accepted connection goes to the next replica that accepts one; a replica
that refuses (killed, restarting) is skipped until it listens again. It works
per connection, like a Kubernetes Service: a client's keep-alive connection
stays on one replica, and a killed replica breaks the connections it held, so
clients see what they would see in production and retry. Bytes are relayed as
they come (no HTTP parsing), with back-pressure in both directions.
"""

import argparse
import asyncio
import itertools
from collections.abc import Sequence
from typing import cast

CONNECT_TIMEOUT_S = 1.0
Address = tuple[str, int]


class Relay(asyncio.Protocol):
    """One side of a proxied connection; what it receives is written to its peer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.peer: Relay | None = None
        self.early: list[bytes] = []  # received before the peer was connected
        self.early_eof = False

    def itself(self) -> "Relay":
        """As a protocol factory: a connection for this very relay."""
        return self

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports quack like asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.set_write_buffer_limits(high=256 * 1024)

    def attach(self, peer: "Relay") -> None:
        """Join the two sides and hand the peer what arrived before it existed."""
        self.peer, peer.peer = peer, self
        assert peer.transport is not None
        for chunk in self.early:
            peer.transport.write(chunk)
        self.early.clear()
        if self.early_eof and peer.transport.can_write_eof():
            peer.transport.write_eof()

    def data_received(self, data: bytes) -> None:
        if self.peer is None or self.peer.transport is None:
            self.early.append(data)
        else:
            self.peer.transport.write(data)

    def eof_received(self) -> bool:
        if self.peer is None or self.peer.transport is None:
            self.early_eof = True
        elif self.peer.transport.can_write_eof():
            self.peer.transport.write_eof()
        return True  # keep our writing side open: the answer may still be coming

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()

    def pause_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()


class RoundRobin:
    """Picks upstreams in turn, skipping those that do not accept a connection."""

    def __init__(self, upstreams: Sequence[Address]) -> None:
        self.upstreams = tuple(upstreams)
        self._turn = itertools.count()
        self._joining: set[asyncio.Task[None]] = set()

    async def connect(self, client: Relay) -> bool:
        loop = asyncio.get_running_loop()
        start = next(self._turn)
        for step in range(len(self.upstreams)):
            host, port = self.upstreams[(start + step) % len(self.upstreams)]
            upstream = Relay()
            try:
                await asyncio.wait_for(
                    loop.create_connection(upstream.itself, host, port),
                    CONNECT_TIMEOUT_S,
                )
            except (OSError, TimeoutError):
                continue
            if client.transport is None or client.transport.is_closing():
                assert upstream.transport is not None
                upstream.transport.close()
                return True
            client.attach(upstream)
            return True
        return False

    def accept(self) -> Relay:
        """A protocol for a new client connection; its upstream is connected in a task."""
        client = Relay()

        async def join() -> None:
            if not await self.connect(client) and client.transport is not None:
                client.transport.close()  # no replica up: the client sees a reset

        task = asyncio.get_running_loop().create_task(join())
        self._joining.add(task)
        task.add_done_callback(self._joining.discard)
        return client


def address(text: str) -> Address:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def serve(listen: Address, upstreams: Sequence[Address]) -> None:
    balancer = RoundRobin(upstreams)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(balancer.accept, *listen, backlog=1024, reuse_address=True)
    async with server:
        await server.serve_forever()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="payroute_devstack.proxy", description=__doc__)
    parser.add_argument("--listen", type=address, required=True)
    parser.add_argument("--to", type=address, action="append", required=True)
    args = parser.parse_args(argv)
    try:
        import uvloop  # noqa: PLC0415 - optional: installed with uvicorn[standard]
    except ImportError:
        asyncio.run(serve(args.listen, args.to))
    else:
        uvloop.run(serve(args.listen, args.to))


if __name__ == "__main__":
    main()
