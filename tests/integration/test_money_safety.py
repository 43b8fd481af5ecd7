"""Undetermined provider answers on the whole running system: the customer pays once.

A provider that answers late, answers 500 after acting, or answers a body that is
not JSON leaves the operation's outcome unknown; Payroute finds the provider's
truth before anything else may take money. The simulator's ledger is the witness:
per payment, the net money moved at the providers equals what Payroute shows.
"""

from typing import Any

import httpx
import pytest

from payroute_bench.books import kept_per_provider, net_charged

from .helpers import CARD, api, ledger, wait_for

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=10"}
AMOUNT = 31_500
UNDETERMINED = ("error_after_effect", "malformed")


async def shown(client: httpx.AsyncClient, payment_id: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/payments/{payment_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def becomes(
    client: httpx.AsyncClient, payment_id: str, *statuses: str, timeout: float = 60
) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        payment = await shown(client, payment_id)
        return payment if payment["status"] in statuses else None

    return await wait_for(reached, timeout=timeout, interval=0.2, what=f"{payment_id} {statuses}")


async def moved(stack: Any, payment_id: str, kind: str) -> list[dict[str, Any]]:
    async def found() -> list[dict[str, Any]]:
        return [m for m in await ledger(stack, payment_id) if m["kind"] == kind]

    return await wait_for(found, timeout=30, interval=0.1, what=f"a {kind} of {payment_id}")


async def timeline(client: httpx.AsyncClient, payment_id: str) -> list[str]:
    events = (await client.get(f"/v1/payments/{payment_id}/events")).json()["data"]
    return [f"{e['type']}: {e['reason']}" for e in events]


async def settle(sim: httpx.AsyncClient, provider: str, knobs: dict[str, Any]) -> None:
    answer = await sim.put(f"/_sim/providers/{provider}", json=knobs)
    assert answer.status_code == 200, answer.text


async def card_payment(client: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    body = {"amount": AMOUNT, "currency": "PHP", "payment_method": CARD, **extra}
    answer = await client.post("/v1/payments", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def books_agree(stack: Any, client: httpx.AsyncClient, payment: dict[str, Any]) -> None:
    moves = await ledger(stack, payment["id"])
    said = payment["amount_captured"] - payment["amount_refunded"]
    story = f"{payment}\n{await timeline(client, payment['id'])}\n{moves}"
    assert net_charged(moves) == said, story
    assert len(kept_per_provider(moves)) <= 1, story


@pytest.mark.timeout(420)
async def test_a_charge_held_150_s_is_taken_once(stack, simulator) -> None:
    """Stripe holds the charge 150 s and then applies it; PHP fallbacks exist meanwhile."""
    await settle(simulator, "stripe", {"mode": "timeout", "hang_s": 150})
    async with api(stack) as client:
        payment = await card_payment(client)
        await wait_for(
            lambda: _attempt_unknown(client, payment["id"]),
            timeout=30,
            interval=0.2,
            what="the first attempt unknown",
        )
        final = await becomes(client, payment["id"], "captured", "failed", timeout=300)
        await settle(simulator, "stripe", {"mode": "normal"})
        story = await timeline(client, payment["id"])
        moves = await ledger(stack, payment["id"])
        assert final["status"] == "captured", story
        assert final["amount_captured"] == AMOUNT
        if len([m for m in moves if m["kind"] in ("charge", "capture")]) > 1:
            assert any("late_success_reversed" in line for line in story), story
            final = await wait_for(
                lambda: _reversed(stack, payment["id"]), timeout=60, what="the reversal"
            )
        await books_agree(stack, client, await shown(client, payment["id"]))


async def _attempt_unknown(client: httpx.AsyncClient, payment_id: str) -> bool:
    payment = await shown(client, payment_id)
    return any(a["outcome"] == "unknown" for a in payment["attempts"])


async def _reversed(stack: Any, payment_id: str) -> bool:
    return len(kept_per_provider(await ledger(stack, payment_id))) <= 1


@pytest.mark.parametrize("mode", UNDETERMINED)
async def test_a_charge_answered_badly_after_it_was_taken_is_found(
    stack, simulator, mode: str
) -> None:
    await settle(simulator, "stripe", {"mode": mode})
    async with api(stack) as client:
        payment = await card_payment(client)
        await moved(stack, payment["id"], "charge")
        await settle(simulator, "stripe", {"mode": "normal"})
        final = await becomes(client, payment["id"], "captured", "failed")
        assert final["status"] == "captured", await timeline(client, payment["id"])
        assert {a["provider"] for a in final["attempts"]} == {"stripe"}
        await books_agree(stack, client, final)


@pytest.mark.parametrize("mode", UNDETERMINED)
async def test_a_capture_whose_answer_was_lost_ends_captured(stack, simulator, mode: str) -> None:
    async with api(stack) as client:
        payment = await card_payment(client, capture_method="manual")
        await becomes(client, payment["id"], "authorized")
        await settle(simulator, "stripe", {"mode": mode})
        answer = await client.post(f"/v1/payments/{payment['id']}/capture", json={})
        assert answer.status_code in (200, 202), answer.text
        await moved(stack, payment["id"], "capture")
        await settle(simulator, "stripe", {"mode": "normal"})
        final = await becomes(client, payment["id"], "captured", "canceled")
        assert final["status"] == "captured", await timeline(client, payment["id"])
        assert final["amount_captured"] == AMOUNT
        cancel = await client.post(f"/v1/payments/{payment['id']}/cancel", json={})
        assert cancel.status_code == 409, cancel.text
        assert cancel.json()["error"]["code"] == "payment_not_cancelable", cancel.text
        await books_agree(stack, client, final)


@pytest.mark.parametrize("mode", UNDETERMINED)
async def test_a_refund_answered_badly_after_it_was_made_succeeds_once(
    stack, simulator, mode: str
) -> None:
    async with api(stack) as client:
        payment = await card_payment(client)
        await becomes(client, payment["id"], "captured")
        await settle(simulator, "stripe", {"mode": mode})
        answer = await client.post(
            "/v1/refunds", json={"payment_id": payment["id"], "amount": AMOUNT // 3}
        )
        assert answer.status_code in (200, 201, 202), answer.text
        refund_id = answer.json()["id"]
        await moved(stack, payment["id"], "refund")
        await settle(simulator, "stripe", {"mode": "normal"})
        refund = await _refund_ends(client, refund_id)
        assert refund["status"] == "succeeded", refund
        final = await becomes(client, payment["id"], "partially_refunded")
        assert final["amount_refunded"] == AMOUNT // 3
        await books_agree(stack, client, final)


async def _refund_ends(client: httpx.AsyncClient, refund_id: str) -> dict[str, Any]:
    async def ended() -> dict[str, Any] | None:
        refund = dict((await client.get(f"/v1/refunds/{refund_id}")).json())
        return refund if refund["status"] in ("succeeded", "failed") else None

    return await wait_for(ended, timeout=60, interval=0.2, what=f"refund {refund_id} to end")


async def test_a_refund_that_fails_later_gives_the_amount_back(stack, simulator) -> None:
    await settle(simulator, "stripe", {"refunds": "pending_then_failed", "refund_settle_s": 1})
    async with api(stack) as client:
        payment = await card_payment(client)
        await becomes(client, payment["id"], "captured")
        answer = await client.post("/v1/refunds", json={"payment_id": payment["id"]})
        assert answer.status_code in (200, 201, 202), answer.text
        assert answer.json()["status"] == "pending", answer.text
        failed = await _refund_ends(client, answer.json()["id"])
        assert failed["status"] == "failed", failed
        assert failed["failure"], failed
        after = await shown(client, payment["id"])
        assert (after["status"], after["amount_refunded"]) == ("captured", 0)

        await settle(simulator, "stripe", {"refunds": "immediate"})
        again = await client.post("/v1/refunds", json={"payment_id": payment["id"]})
        assert again.status_code in (200, 201, 202), again.text
        assert (await _refund_ends(client, again.json()["id"]))["status"] == "succeeded"
        final = await becomes(client, payment["id"], "refunded")
        assert final["amount_refunded"] == AMOUNT
        await books_agree(stack, client, final)
        assert [m["kind"] for m in await ledger(stack, payment["id"])].count("refund") == 1


async def test_the_documented_maximum_of_metadata_keys_reaches_stripe(stack, simulator) -> None:
    most = {f"key_{i:02d}": f"value {i}" for i in range(47)}
    async with api(stack) as client:
        payment = await card_payment(client, metadata=most, provider="stripe")
        final = await becomes(client, payment["id"], "captured", "failed")
        assert (final["status"], final["provider"]) == ("captured", "stripe"), final
        body = {"amount": AMOUNT, "currency": "PHP", "payment_method": CARD}
        refused = await client.post(
            "/v1/payments", json={**body, "metadata": {**most, "one_more": "x"}}
        )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == "metadata", refused.text
