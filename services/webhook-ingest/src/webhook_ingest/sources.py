"""Where a request comes from, and the optional per-provider IP allowlist.

The client address feeds the per-source rate limit and the allowlist, so it must
be one a caller cannot choose. It is the TCP peer, unless that peer is one of
the proxies listed in `WEBHOOK_INGEST_TRUSTED_PROXIES` (CIDRs; none by default).
Only then is the forwarding header read (`WEBHOOK_INGEST_FORWARDED_HEADER`: the
one the proxy writes, `x-forwarded-for` or RFC 7239 `forwarded`; the other one is
never read, since a proxy passes along whatever the caller put there). Its hops
are walked from the right, past every trusted proxy; the first hop that is not a
trusted proxy is the client. A hop that is not an address (`unknown`, an
obfuscated name, garbage) makes the client `unknown`: the allowlist refuses it
and all such requests share one rate-limit bucket.

uvicorn's own proxy-header handling is off for this service (`__main__`): it
trusts 127.0.0.1 by default, which a sidecar proxy would turn into "anyone".

An allowlist suits providers whose webhooks carry no signature (Maya Checkout):
for them the source address is the only proof of origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import IPvAnyNetwork
from starlette.types import Scope

UNKNOWN_ADDRESS = "unknown"

ForwardedHeader = Literal["x-forwarded-for", "forwarded"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> IPAddress | None:
    """`203.0.113.7`, `203.0.113.7:443`, `[2001:db8::1]:443`, `"[2001:db8::1]"` → the
    address; None for anything else (`unknown`, `_hidden`, garbage)."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def forwarded_for_hops(value: str) -> list[str]:
    """The `for=` values of an RFC 7239 `Forwarded` header, in order."""
    hops = []
    for element in value.split(","):
        for pair in element.split(";"):
            name, _, hop = pair.strip().partition("=")
            if name.lower() == "for":
                hops.append(hop)
    return hops


class ClientAddresses:
    """Resolves a request's client address from its peer and trusted proxies' headers."""

    def __init__(
        self,
        trusted_proxies: Sequence[IPvAnyNetwork] = (),
        header: ForwardedHeader = "x-forwarded-for",
    ) -> None:
        self._proxies = tuple(trusted_proxies)
        self._header = header.encode("latin-1")

    def _is_proxy(self, address: IPAddress) -> bool:
        return any(address in network for network in self._proxies)

    def of(self, scope: Scope) -> str:
        client = scope.get("client")
        peer: str = client[0] if client else UNKNOWN_ADDRESS
        if not self._proxies:  # the common case costs nothing more
            return peer
        peer_address = parse_address(peer)
        if peer_address is None or not self._is_proxy(peer_address):
            return peer
        values = [v.decode("latin-1") for k, v in scope["headers"] if k == self._header]
        if not values:
            return peer
        joined = ",".join(values)
        hops = forwarded_for_hops(joined) if self._header == b"forwarded" else joined.split(",")
        return self._client_among(hops, peer)

    def _client_among(self, hops: Sequence[str], peer: str) -> str:
        """The rightmost hop that is not a trusted proxy (the leftmost if all are)."""
        client = peer
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                return UNKNOWN_ADDRESS
            client = str(address)
            if not self._is_proxy(address):
                break
        return client


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
