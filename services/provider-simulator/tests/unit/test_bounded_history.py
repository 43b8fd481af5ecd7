"""A simulator driven through many payments keeps a bounded amount in memory, while the
oldest payment's ledger rows, objects, idempotent replays and report lines are still
served."""

import csv
import gc
import io
import tracemalloc
from datetime import UTC, datetime

import httpx
import pytest

from provider_simulator.config import Settings

HOT = 8
PAYMENTS = 150
THIRD = PAYMENTS // 3
PER_PAYMENT_BYTES = 2_500
"""Far less than what one payment's intent, charge, refund, balance transactions,
movements and idempotent answers took when all of them stayed in memory (about 7 kB)."""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"hot_objects": HOT})


async def pay(sim, n: int) -> httpx.Response:
    """A card authorization for payment `pay_<n>`, captured, then partly refunded."""
    created = await sim.create_intent(
        idempotency_key=f"create-{n}",
        capture_method="manual",
        **{"metadata[payment_id]": f"pay_{n}"},
    )
    intent = created.json()["id"]
    captured = await sim.post(f"/v1/payment_intents/{intent}/capture", idempotency_key=f"cap-{n}")
    refunded = await sim.post(
        "/v1/refunds", {"payment_intent": intent, "amount": "500"}, idempotency_key=f"ref-{n}"
    )
    assert (created.status_code, captured.status_code, refunded.status_code) == (200, 200, 200)
    return created


def live_entries(sim) -> dict[str, int]:
    stripe = sim.simulator.stripe
    return {
        "intents": stripe.intents.live,
        "charges": stripe.intent_by_charge.live,
        "refunds": stripe.refunds.live,
        "balance_transactions": stripe.balance_transactions.live,
        "idempotency_keys": stripe.idempotency.live,
    }


async def traced_bytes(sim) -> int:
    """Python memory allocated since tracing began and still held, with the ledger's
    batch of movements written (as any read of the ledger does)."""
    await sim.ledger(payment_id="pay_0")
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def test_memory_stays_bounded_while_the_oldest_payment_is_still_served(sim):
    await sim.configure(webhooks=False)
    first = await pay(sim, 0)
    for n in range(1, THIRD):
        await pay(sim, n)
    tracemalloc.start()
    try:
        for n in range(THIRD, 2 * THIRD):
            await pay(sim, n)
        middle = await traced_bytes(sim)
        for n in range(2 * THIRD, PAYMENTS):
            await pay(sim, n)
        grown = await traced_bytes(sim) - middle
    finally:
        tracemalloc.stop()

    assert all(count <= HOT for count in live_entries(sim).values()), live_entries(sim)
    assert grown < THIRD * PER_PAYMENT_BYTES, grown

    oldest = first.json()
    assert [(m["kind"], m["amount"]) for m in await sim.ledger(payment_id="pay_0")] == [
        ("authorization", 2500),
        ("capture", 2500),
        ("refund", 500),
    ]
    whole = await sim.ledger()
    assert len(whole) == 3 * PAYMENTS
    assert whole[0]["payment_id"] == "pay_0"

    intent = (await sim.client.get(f"/v1/payment_intents/{oldest['id']}")).json()
    charge = await sim.client.get(f"/v1/charges/{intent['latest_charge']}")
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 2500)
    assert charge.json()["amount_refunded"] == 500

    replay = await sim.create_intent(
        idempotency_key="create-0", capture_method="manual", **{"metadata[payment_id]": "pay_0"}
    )
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content

    found = await sim.client.get(
        "/v1/payment_intents/search", params={"query": "metadata['payment_id']:'pay_0'"}
    )
    assert [i["id"] for i in found.json()["data"]] == [oldest["id"]]

    today = datetime.now(UTC).date().isoformat()
    report = await sim.client.get(
        "/_sim/settlements.csv", params={"provider": "stripe", "date": today}
    )
    lines = list(csv.DictReader(io.StringIO(report.text)))
    assert len(lines) == 2 * PAYMENTS
    assert lines[0]["source_id"] == oldest["id"]
