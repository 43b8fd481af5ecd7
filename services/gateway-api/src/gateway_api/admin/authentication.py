"""Who is calling: the principal behind a secret API key."""

from __future__ import annotations

from gateway_api.domain import (
    AuthenticationFailed,
    Principal,
    hash_secret,
    looks_like_secret,
    masked,
)
from gateway_api.unit_of_work import HandlerUnitOfWork


async def authenticate(secret: str | None, *, uow: HandlerUnitOfWork) -> Principal:
    """The caller behind a secret key; unknown, revoked or malformed keys all fail alike."""
    if not secret:
        raise AuthenticationFailed(
            "You did not provide an API key. Send it as 'Authorization: Bearer sk_...'.",
            code="api_key_missing",
        )
    principal = (
        await uow.api_keys.principal(hash_secret(secret)) if looks_like_secret(secret) else None
    )
    if principal is None:
        raise AuthenticationFailed(f"Invalid API key provided: {masked(secret)}")
    return principal
