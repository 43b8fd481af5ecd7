"""Who may use reconciliation's HTTP API: platform admins only. Pure: no I/O.

Keys are issued by gateway-api; reconciliation learns them from topic
`access.keys` (only the SHA-256 of each secret travels) and keeps its own copy
(key_store.py). A request presents its secret as `Authorization: Bearer <key>`;
it is hashed the way gateway-api hashes it and looked up. Missing, unknown and
revoked keys are refused alike (401); a key of another role is refused with 403
(`insufficient_role`). Errors use the gateway's shape and codes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

ADMIN = "admin"
# Longer than any key gateway-api issues: nothing longer is hashed or looked up.
MAX_SECRET_LENGTH = 256


@dataclass(frozen=True)
class KeyHolder:
    """An unrevoked key, as reconciliation knows it."""

    key_id: str
    merchant_id: str
    role: str


class AccessDenied(Exception):
    """A request refused before it touches anything; carries its error object."""

    status = 401
    error_type = "authentication_error"
    code = "api_key_invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class AuthenticationFailed(AccessDenied):
    pass


class PermissionDenied(AccessDenied):
    status = 403
    error_type = "invalid_request_error"
    code = "insufficient_role"


def hash_secret(secret: str) -> str:
    """SHA-256 hex of the secret: how gateway-api stores keys and `ApiKeyIssued` carries them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def lookup_hash(secret: str | None) -> str | None:
    """The hash to look up for a presented secret; None when there is nothing to look up."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    return hash_secret(secret)


def masked(secret: str) -> str:
    return f"{secret[:3]}{'*' * 8}{secret[-4:]}" if len(secret) > 8 else "*" * len(secret)


def require_admin(secret: str | None, holder: KeyHolder | None) -> KeyHolder:
    """The caller, if `secret` is an unrevoked admin key (`holder` is what it names)."""
    if not secret:
        raise AuthenticationFailed(
            "You did not provide an API key. Send it as 'Authorization: Bearer sk_...'.",
            code="api_key_missing",
        )
    if holder is None:
        raise AuthenticationFailed(f"Invalid API key provided: {masked(secret[:64])}")
    if holder.role != ADMIN:
        raise PermissionDenied(
            f"This API key's role ({holder.role}) may not use the reconciliation API; "
            "use an admin key."
        )
    return holder
