"""Every key created or revoked is announced on `access.keys`, with its hash, never its
secret, in the transaction that writes the key."""

from __future__ import annotations

from typing import Any

import pytest

from gateway_api.admin import api_keys
from gateway_api.domain import ResourceMissing, hash_secret
from payroute_common.envelope import Envelope
from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from payroute_common.topics import ACCESS_KEYS


def announced(store: Any) -> list[tuple[str, Envelope]]:
    return [(m.key, m.envelope) for m in store.published if m.topic == ACCESS_KEYS]


async def test_a_new_merchant_and_each_new_key_are_announced_with_the_stored_hash(
    store: Any, uow: Any
) -> None:
    merchant, first = await api_keys.create_merchant("Shop", "starter", uow=uow)
    admin = await api_keys.create_api_key(merchant.id, "admin", uow=uow)

    events = announced(store)
    assert [key for key, _ in events] == [first.key.id, admin.key.id]
    for (_, envelope), issued in zip(events, (first, admin), strict=True):
        event = ApiKeyIssued.model_validate(envelope.payload)
        assert envelope.event_type == "ApiKeyIssued"
        assert (envelope.tenant_id, envelope.aggregate_id) == (merchant.id, issued.key.id)
        assert event.key_hash == hash_secret(issued.secret) == store.keys[issued.key.id].key_hash
        assert (event.merchant_id, event.role) == (merchant.id, issued.key.role)
        assert issued.secret not in envelope.model_dump_json()
    assert [ApiKeyIssued.model_validate(e.payload).role for _, e in events] == [
        "merchant",
        "admin",
    ]


async def test_a_revocation_is_announced_once(store: Any, uow: Any) -> None:
    merchant, issued = await api_keys.create_merchant("Shop", "starter", uow=uow)

    await api_keys.revoke_api_key(issued.key.id, uow=uow)
    await api_keys.revoke_api_key(issued.key.id, uow=uow)

    revoked = [e for _, e in announced(store) if e.event_type == "ApiKeyRevoked"]
    assert len(revoked) == 1
    event = ApiKeyRevoked.model_validate(revoked[0].payload)
    assert (event.key_id, event.merchant_id) == (issued.key.id, merchant.id)
    assert event.revoked_at == store.keys[issued.key.id].revoked_at


async def test_a_key_for_an_unknown_merchant_is_neither_made_nor_announced(
    store: Any, uow: Any
) -> None:
    with pytest.raises(ResourceMissing):
        await api_keys.create_api_key("mch_nope", "admin", uow=uow)

    assert announced(store) == []
