"""reconciliation's copy of API keys, in memory, with the store's rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from reconciliation.access import KeyHolder


@dataclass(frozen=True)
class StoredKey:
    key_id: str
    merchant_id: str
    role: str | None = None
    key_hash: str | None = None
    revoked_at: datetime | None = None


class FakeApiKeys:
    def __init__(self) -> None:
        self.keys: dict[str, StoredKey] = {}
        self.applied: list[str] = []  # key ids, one per announcement applied

    async def issued(self, key: ApiKeyIssued) -> None:
        self.applied.append(key.key_id)
        known = self.keys.get(key.key_id, StoredKey(key.key_id, key.merchant_id))
        self.keys[key.key_id] = replace(known, role=key.role, key_hash=key.key_hash)

    async def revoked(self, key: ApiKeyRevoked) -> None:
        self.applied.append(key.key_id)
        known = self.keys.get(key.key_id, StoredKey(key.key_id, key.merchant_id))
        self.keys[key.key_id] = replace(known, revoked_at=known.revoked_at or key.revoked_at)

    async def holder(self, key_hash: str) -> KeyHolder | None:
        for key in self.keys.values():
            if key.key_hash == key_hash and key.revoked_at is None and key.role is not None:
                return KeyHolder(key.key_id, key.merchant_id, key.role)
        return None
