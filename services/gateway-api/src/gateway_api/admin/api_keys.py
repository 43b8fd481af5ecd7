"""Merchants and their API keys: creation and revocation, each announced on `access.keys`.

Every key created (CLI, seed, or any other path through here) stages
`ApiKeyIssued` and every revocation `ApiKeyRevoked` in the outbox, in the same
transaction as the key's row, keyed by key id. Services that authenticate keys
themselves (reconciliation) build their view from these. Only the SHA-256 of
the secret travels, exactly as stored here; the secret never leaves the caller.
"""

from __future__ import annotations

from datetime import datetime

from gateway_api.domain import (
    ApiKey,
    IssuedKey,
    Merchant,
    ResourceMissing,
    Role,
    Tier,
    issue_key,
    new_merchant,
)
from gateway_api.unit_of_work import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from payroute_common.topics import ACCESS_KEYS

PRODUCER = "gateway-api"


def _announce(message: Message, key: ApiKey, uow: HandlerUnitOfWork) -> None:
    envelope = Envelope.wrap(
        message, producer=PRODUCER, tenant_id=key.merchant_id, aggregate_id=key.id
    )
    uow.publish(ACCESS_KEYS, key.id, envelope)


async def _add_key(issued: IssuedKey, uow: HandlerUnitOfWork) -> None:
    key = issued.key
    await uow.api_keys.add(key)
    issued_event = ApiKeyIssued(
        key_id=key.id,
        merchant_id=key.merchant_id,
        role=key.role,
        key_hash=key.key_hash,
        created_at=key.created_at,
    )
    _announce(issued_event, key, uow)


async def create_merchant(
    name: str, tier: Tier, *, uow: HandlerUnitOfWork
) -> tuple[Merchant, IssuedKey]:
    """A merchant and its first (merchant-role) key."""
    now = utcnow()
    merchant = new_merchant(name, tier, now)
    issued = issue_key(merchant.id, "merchant", now)
    await uow.merchants.add(merchant)
    await _add_key(issued, uow)
    await uow.commit()
    return merchant, issued


async def create_api_key(merchant_id: str, role: Role, *, uow: HandlerUnitOfWork) -> IssuedKey:
    if await uow.merchants.get(merchant_id) is None:
        raise ResourceMissing("merchant", merchant_id)
    issued = issue_key(merchant_id, role, utcnow())
    await _add_key(issued, uow)
    await uow.commit()
    return issued


async def revoke_api_key(key_id: str, *, uow: HandlerUnitOfWork) -> ApiKey:
    """Revoke a key; revoking it again is harmless and announces nothing new."""
    now = utcnow()
    key = await uow.api_keys.revoke(key_id, now)
    if key is None:
        raise ResourceMissing("API key", key_id)
    if _revoked_just_now(key, now):
        revoked = ApiKeyRevoked(key_id=key.id, merchant_id=key.merchant_id, revoked_at=now)
        _announce(revoked, key, uow)
    await uow.commit()
    return key


def _revoked_just_now(key: ApiKey, now: datetime) -> bool:
    """The repository keeps the first revocation time: `now` only if this call revoked it."""
    return key.revoked_at == now
