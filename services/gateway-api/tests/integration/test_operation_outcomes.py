"""The read model follows operations to their outcome (real app, real database).

The orchestrator is simulated by feeding events to `read_model.apply_payment_events`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from gateway_api.payments.rules import METADATA_MAX_KEYS
from payroute_common.messages import (
    LateSuccess,
    LateSuccessFound,
    LateSuccessReversed,
    PaymentAttemptUpdated,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailure,
    PaymentSnapshot,
)
from payroute_common.messages.payment_events import RefundCreated, RefundFailed
from payroute_common.messages.values import RefundSnapshot

from . import orchestrated
from .orchestrated import create, orchestrator_says

pytestmark = pytest.mark.integration


def snapshot(payment: dict[str, Any], version: int, status: str, **changes: Any) -> PaymentSnapshot:
    """These payments went to PayMongo."""
    at_paymongo = {"provider": "paymongo", "provider_reference": "pi_2", **changes}
    return orchestrated.snapshot(payment, version, status, **at_paymongo)


LATE = LateSuccess(
    attempt_id="att_1",
    provider="stripe",
    provider_reference="pi_1",
    amount=10_000,
    currency="PHP",
    kind="void",
    operation_id="op_late",
)


async def test_a_capture_answered_late_ends_captured_and_a_cancel_then_gets_409(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await create(client, merchant, body, amount=10_000, capture_method="manual")
    url = f"/v1/payments/{payment['id']}"
    await orchestrator_says(
        gateway,
        PaymentAuthorized(payment=snapshot(payment, 2, "authorized", amount_capturable=10_000)),
    )
    assert (await client.post(f"{url}/capture", headers=merchant.headers)).status_code == 200

    # News that answers nothing (a late success reversed elsewhere) keeps the guard.
    late = snapshot(payment, 3, "authorized", amount_capturable=10_000)
    await orchestrator_says(
        gateway,
        LateSuccessFound(payment=late, late_success=LATE, reason="late_success_reversed: void"),
        PaymentAttemptUpdated(payment=late),
    )
    in_flight = await client.post(f"{url}/cancel", headers=merchant.headers)
    assert in_flight.json()["error"]["code"] == "payment_operation_in_progress"

    await orchestrator_says(
        gateway, PaymentCaptured(payment=snapshot(payment, 4, "captured", amount_captured=10_000))
    )
    cancel = await client.post(f"{url}/cancel", headers=merchant.headers)

    assert (cancel.status_code, cancel.json()["error"]["code"]) == (409, "payment_not_cancelable")
    shown = (await client.get(url, headers=merchant.headers)).json()
    assert (shown["status"], shown["amount_captured"]) == ("captured", 10_000)


async def test_an_outcome_clears_the_guard_even_when_its_snapshot_is_not_newer(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await create(client, merchant, body, amount=10_000, capture_method="manual")
    authorized = snapshot(payment, 2, "authorized", amount_capturable=10_000)
    await orchestrator_says(gateway, PaymentAuthorized(payment=authorized))
    url = f"/v1/payments/{payment['id']}"
    assert (await client.post(f"{url}/capture", headers=merchant.headers)).status_code == 200

    await orchestrator_says(gateway, PaymentCaptured(payment=authorized))  # version 2 again
    (row,) = await gateway.rows(
        "SELECT pending_operation FROM payments WHERE id = :id", id=payment["id"]
    )

    assert row.pending_operation is None


async def test_late_successes_are_on_the_timeline_and_move_nothing_backwards(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await create(client, merchant, body, amount=10_000)
    captured = snapshot(payment, 3, "captured", amount_captured=10_000)
    await orchestrator_says(gateway, PaymentCaptured(payment=captured))
    refund = LATE.model_copy(update={"kind": "refund"})
    await orchestrator_says(
        gateway,
        LateSuccessFound(
            payment=snapshot(payment, 4, "captured", amount_captured=10_000),
            late_success=refund,
            reason="late_success_reversed: stripe took 10000 after paymongo captured",
        ),
        LateSuccessReversed(
            payment=snapshot(payment, 5, "captured", amount_captured=10_000),
            late_success=refund,
        ),
    )
    # An older snapshot arriving late changes nothing.
    await orchestrator_says(
        gateway,
        PaymentAttemptUpdated(payment=snapshot(payment, 2, "processing")),
    )

    events = (
        await client.get(f"/v1/payments/{payment['id']}/events", headers=merchant.headers)
    ).json()["data"]
    shown = (await client.get(f"/v1/payments/{payment['id']}", headers=merchant.headers)).json()

    late = [e for e in events if e["type"].startswith("LateSuccess")]
    assert [e["type"] for e in late] == ["LateSuccessFound", "LateSuccessReversed"]
    assert all(e["reason"].startswith("late_success_reversed:") for e in late)
    assert "after paymongo captured" in late[0]["reason"]
    assert late[1]["late_success"]["provider_reference"] == "pi_1"
    assert late[1]["late_success"]["kind"] == "refund"
    assert (shown["status"], shown["amount_captured"]) == ("captured", 10_000)
    assert shown["provider"] == "paymongo"


def refund_snapshot(payment: dict[str, Any], refund: dict[str, Any], status: str) -> Any:
    return RefundSnapshot(
        refund_id=refund["id"],
        payment_id=payment["id"],
        merchant_id=payment["merchant_id"],
        amount=refund["amount"],
        currency="PHP",
        reason=None,
        status=status,
        provider="paymongo",
        provider_reference="ref_1",
        failure=(
            PaymentFailure(code="refund_failed", message="the provider gave up")
            if status == "failed"
            else None
        ),
        created_at=datetime.fromisoformat(refund["created_at"]),
        updated_at=datetime.fromisoformat(refund["created_at"]) + timedelta(seconds=2),
    )


async def test_a_failed_refund_says_why_and_its_amount_is_refundable_again(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await create(client, merchant, body, amount=10_000)
    captured = snapshot(payment, 2, "captured", amount_captured=10_000)
    await orchestrator_says(gateway, PaymentCaptured(payment=captured))
    asked = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"]}, headers=merchant.headers
    )
    refund = asked.json()
    held = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"], "amount": 1}, headers=merchant.headers
    )
    assert (asked.status_code, held.status_code) == (201, 409)  # pending holds its amount

    await orchestrator_says(
        gateway,
        RefundCreated(
            payment=snapshot(payment, 3, "captured", amount_captured=10_000),
            refund=refund_snapshot(payment, refund, "pending"),
        ),
        RefundFailed(
            payment=snapshot(payment, 4, "captured", amount_captured=10_000),
            refund=refund_snapshot(payment, refund, "failed"),
        ),
    )
    failed = (await client.get(f"/v1/refunds/{refund['id']}", headers=merchant.headers)).json()
    again = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"]}, headers=merchant.headers
    )
    timeline = (
        await client.get(f"/v1/payments/{payment['id']}/events", headers=merchant.headers)
    ).json()["data"]

    assert failed["status"] == "failed"
    assert failed["failure"]["code"] == "refund_failed"
    assert (again.status_code, again.json()["amount"]) == (201, 10_000)
    (entry,) = [e for e in timeline if e["type"] == "RefundFailed"]
    assert entry["failure"]["code"] == "refund_failed"


@pytest.mark.parametrize(
    ("changes", "param", "code"),
    [
        ({"payment_method": {"type": "gcash"}}, "return_url", "parameter_missing"),
        ({"payment_method": {"type": "paymongo"}}, "return_url", "parameter_missing"),
        (
            {"metadata": {f"k{i}": "v" for i in range(METADATA_MAX_KEYS + 1)}},
            "metadata",
            "metadata_too_many_keys",
        ),
        ({"metadata": {"k" * 41: "v"}}, "metadata", "metadata_key_too_long"),
        ({"metadata": {"note": "v" * 501}}, "metadata", "metadata_value_too_long"),
        ({"metadata": {"payment_id": "pay_x"}}, "metadata", "metadata_key_reserved"),
    ],
)
async def test_what_a_provider_would_refuse_is_a_400_at_the_door(
    client: httpx.AsyncClient,
    gateway: Any,
    merchant: Any,
    body: Any,
    changes: dict[str, Any],
    param: str,
    code: str,
) -> None:
    before = await gateway.count("payments")

    response = await client.post("/v1/payments", json=body(**changes), headers=merchant.headers)

    assert response.status_code == 400
    assert (response.json()["error"]["param"], response.json()["error"]["code"]) == (param, code)
    assert await gateway.count("payments") == before


async def test_the_documented_maximum_of_metadata_is_accepted(
    client: httpx.AsyncClient, merchant: Any, body: Any
) -> None:
    metadata = {f"key_{i:02d}".ljust(40, "k"): "v" * 500 for i in range(METADATA_MAX_KEYS)}
    wallet = body(
        payment_method={"type": "maya"}, return_url="https://shop.example/back", metadata=metadata
    )

    response = await client.post("/v1/payments", json=wallet, headers=merchant.headers)

    assert response.status_code == 201, response.text
    assert len(response.json()["metadata"]) == 47
