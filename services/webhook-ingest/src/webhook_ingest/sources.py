"""Where a request comes from, and the optional per-provider IP allowlist.

Behind a reverse proxy or load balancer the TCP peer is the proxy. uvicorn
(which `serve` runs with its default proxy-header handling) then takes the
client from `X-Forwarded-For` only when the peer is listed in
`FORWARDED_ALLOW_IPS` (default 127.0.0.1): set it to the proxy's address(es),
never to `*` on an exposed port, or any caller can claim an allowed address.

An allowlist suits providers whose webhooks carry no signature (Maya Checkout):
for them the source address is the only proof of origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

from fastapi import Request
from pydantic import IPvAnyNetwork

UNKNOWN_ADDRESS = "unknown"


def client_address(request: Request) -> str:
    """The client's address as the ASGI server reports it (after trusted proxy headers)."""
    return request.client.host if request.client else UNKNOWN_ADDRESS


class Allowlist:
    """Per provider, the networks its webhooks may come from; a provider not listed is open."""

    def __init__(self, networks: Mapping[str, Sequence[IPvAnyNetwork]]) -> None:
        self._networks = {provider: tuple(nets) for provider, nets in networks.items()}

    def allows(self, provider: str, address: str) -> bool:
        networks = self._networks.get(provider)
        if networks is None:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)
