"""Which request headers may be written to the audit log, and how. Pure.

A credential never reaches the database: Xendit's `x-callback-token` is the
account's shared secret itself, `authorization` and `cookie` are whatever the
caller authenticates with, and any header whose name suggests a token, secret,
key or signature is treated the same way. Their values become `[redacted]`, so
the log still shows that they were sent.

A signature header (`Stripe-Signature`, `Paymongo-Signature`) keeps its
timestamp (`t=...`): that is what tells a stale or future-dated delivery apart
when reading the log. Its digests are redacted: with the stored body, a valid
digest is a replayable request for as long as the tolerance lasts.

Per request this is a dictionary pass over a dozen headers; the verdict per
header name is cached (bounded), so the hot path pays one lookup per header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

REDACTED = "[redacted]"

_CREDENTIAL_NAME = re.compile(
    r"token|secret|key|auth|cookie|password|passwd|session|credential|signature"
)
# Timestamps that signature schemes put beside their digests.
_KEPT_SIGNATURE_PARTS = frozenset({"t"})

Treatment = Literal["keep", "redact", "signature"]


@lru_cache(maxsize=1024)
def treatment(name: str) -> Treatment:
    """What becomes of a header's value, by its lower-case name."""
    if "signature" in name:
        return "signature"
    return "redact" if _CREDENTIAL_NAME.search(name) else "keep"


def redacted_signature(value: str) -> str:
    """`t=1700000000,v1=5257a8…` → `t=1700000000,v1=[redacted]`; anything else in full."""
    parts = []
    for part in value.split(","):
        name, equals, _ = part.strip().partition("=")
        if not equals:
            return REDACTED
        parts.append(part.strip() if name in _KEPT_SIGNATURE_PARTS else f"{name}={REDACTED}")
    return ",".join(parts)


def audit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers as stored: credentials redacted, everything else as received."""
    stored = {}
    for name, value in headers.items():
        kind = treatment(name)
        if kind == "keep":
            stored[name] = value
        elif kind == "signature":
            stored[name] = redacted_signature(value)
        else:
            stored[name] = REDACTED
    return stored
