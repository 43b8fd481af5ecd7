"""Idempotency keys: the newest in memory, the rest of their lifetime in the history file."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from provider_simulator.idempotency import (
    PRUNE_EVERY,
    ClaimState,
    IdempotencyStore,
    StoredResponse,
)
from provider_simulator.storage.database import HistoryDb

DAY_S = 24 * 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[HistoryDb]:
    history = HistoryDb(tmp_path)
    yield history
    history.close()


def answered(store: IdempotencyStore, key: str, body: bytes = b"{}") -> None:
    assert store.claim(key, f"fp-{key}").state is ClaimState.NEW
    store.complete(key, StoredResponse(200, body, f"req-{key}"))


def test_an_old_key_replays_from_disk_while_memory_holds_only_the_newest(db):
    store = IdempotencyStore(db, "keys", hot=4, max_keys=10_000)
    answered(store, "first", b'{"id": "pi_1"}')
    for n in range(500):
        answered(store, f"k{n}")

    replay = store.claim("first", "fp-first")
    mismatch = store.claim("first", "fp-other")

    assert store.live <= 4
    assert replay.state is ClaimState.REPLAY
    assert replay.stored == StoredResponse(200, b'{"id": "pi_1"}', "req-first")
    assert mismatch.state is ClaimState.MISMATCH
    assert "first" in store


def test_a_claim_in_flight_when_it_leaves_memory_is_completed_on_disk(db):
    store = IdempotencyStore(db, "keys", hot=2, max_keys=10_000)
    store.claim("slow", "fp")
    for n in range(10):
        answered(store, f"k{n}")

    in_flight = store.claim("slow", "fp").state
    store.complete("slow", StoredResponse(201, b"done", "req-slow"))

    assert in_flight is ClaimState.IN_FLIGHT
    assert store.claim("slow", "fp").stored == StoredResponse(201, b"done", "req-slow")


def test_a_released_claim_is_forgotten_wherever_it_is(db):
    store = IdempotencyStore(db, "keys", hot=2, max_keys=10_000)
    store.claim("gone", "fp")
    for n in range(10):
        answered(store, f"k{n}")

    store.release("gone")

    assert "gone" not in store
    assert store.claim("gone", "fp").state is ClaimState.NEW


def test_keys_expire_after_their_lifetime_in_memory_and_on_disk(db):
    clock = Clock()
    store = IdempotencyStore(db, "keys", hot=2, max_keys=10_000, ttl_s=DAY_S, clock=clock)
    answered(store, "old")
    for n in range(10):
        answered(store, f"k{n}")
    clock.now += DAY_S - 1
    assert store.claim("old", "fp-old").state is ClaimState.REPLAY

    clock.now += 2

    assert store.claim("old", "fp-new").state is ClaimState.NEW
    assert store.claim("k9", "fp-k9").state is ClaimState.NEW


def test_at_most_max_keys_are_kept_on_disk_the_oldest_forgotten_first(db):
    store = IdempotencyStore(db, "keys", hot=2, max_keys=100)
    claimed = PRUNE_EVERY + 2  # two in memory, PRUNE_EVERY spilled: pruned just now

    for n in range(claimed):
        answered(store, f"k{n}")

    remembered = [n for n in range(claimed) if f"k{n}" in store]
    assert remembered == list(range(claimed - 102, claimed))
