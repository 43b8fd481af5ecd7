import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from payroute_common.envelope import Message
from payroute_common.messages import (
    Fees,
    PaymentCaptured,
    PaymentCreated,
    PaymentSnapshot,
    RefundFailed,
    RefundSnapshot,
    RefundSucceeded,
)
from payroute_devstack.batches import received
from reconciliation.ledger import LedgerEntry
from reconciliation.movements import Movement

from .conftest import Reconciliation

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def snapshot(payment_id: str, version: int, status: str, **changes: Any) -> PaymentSnapshot:
    fields: dict[str, Any] = {
        "payment_id": payment_id,
        "merchant_id": "mch_1",
        "version": version,
        "status": status,
        "amount": 10_000,
        "amount_capturable": 0,
        "amount_captured": 10_000 if status in {"captured", "refunded"} else 0,
        "amount_refunded": 10_000 if status == "refunded" else 0,
        "currency": "PHP",
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": f"pi_{payment_id}",
        "failure": None,
        "created_at": T0,
        "updated_at": T0 + timedelta(minutes=version),
    }
    fields.update(changes)
    return PaymentSnapshot.model_validate(fields)


def created(payment_id: str) -> PaymentCreated:
    return PaymentCreated(payment=snapshot(payment_id, 1, "processing"), reason="test")


def captured(payment_id: str, version: int = 2, status: str = "captured") -> PaymentCaptured:
    return PaymentCaptured(payment=snapshot(payment_id, version, status))


async def consume(service: Reconciliation, *messages: Message) -> list[uuid.UUID]:
    batch = received(*messages)
    await service.consume(batch)
    return [item.envelope.event_id for item in batch]


async def entry(service: Reconciliation, payment_id: str) -> LedgerEntry | None:
    async with service.unit_of_work() as uow:
        return await uow.ledger.get(payment_id)


def new_payment_id() -> str:
    return f"pay_{uuid.uuid4().hex[:12]}"


async def test_events_build_the_entry_and_set_captured_at(reconciliation: Reconciliation) -> None:
    pid = new_payment_id()
    await consume(reconciliation, created(pid))
    first = await entry(reconciliation, pid)
    assert first is not None
    assert (first.status, first.version, first.captured_at) == ("processing", 1, None)
    await consume(reconciliation, captured(pid))
    after = await entry(reconciliation, pid)
    assert after is not None
    assert (after.status, after.version, after.amount_captured) == ("captured", 2, 10_000)
    assert after.captured_at == T0 + timedelta(minutes=2)
    assert after.provider_reference == f"pi_{pid}"


async def test_older_versions_are_ignored(reconciliation: Reconciliation) -> None:
    pid = new_payment_id()
    await consume(reconciliation, captured(pid, version=3))
    await consume(reconciliation, created(pid))  # late, older: no effect
    stored = await entry(reconciliation, pid)
    assert stored is not None
    assert (stored.status, stored.version) == ("captured", 3)


async def test_captured_at_survives_later_versions(reconciliation: Reconciliation) -> None:
    pid = new_payment_id()
    await consume(reconciliation, created(pid), captured(pid))
    await consume(reconciliation, captured(pid, version=3, status="refunded"))
    stored = await entry(reconciliation, pid)
    assert stored is not None
    assert (stored.status, stored.amount_refunded) == ("refunded", 10_000)
    assert stored.captured_at == T0 + timedelta(minutes=2)


async def test_redelivered_events_are_claimed_once(reconciliation: Reconciliation) -> None:
    pid = new_payment_id()
    batch = received(created(pid))
    event_id = batch[0].envelope.event_id
    for _ in range(2):
        await reconciliation.consume(batch)
    async with reconciliation.runtime.engine.connect() as connection:
        count = await connection.scalar(
            text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id}
        )
    assert count == 1


async def test_large_mixed_batch_is_one_transaction(reconciliation: Reconciliation) -> None:
    pids = [new_payment_id() for _ in range(250)]
    messages: list[Message] = [created(p) for p in pids] + [captured(p) for p in pids]
    await consume(reconciliation, *messages)
    for pid in (pids[0], pids[-1]):
        stored = await entry(reconciliation, pid)
        assert stored is not None
        assert stored.status == "captured"


async def test_get_ledger_entry_over_http(
    client: httpx.AsyncClient, reconciliation: Reconciliation
) -> None:
    pid = new_payment_id()
    await consume(reconciliation, created(pid), captured(pid))
    response = await client.get(f"/v1/ledger/{pid}")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "ledger_entry"
    assert (body["payment_id"], body["status"], body["amount_captured"]) == (
        pid,
        "captured",
        10_000,
    )
    assert body["captured_at"] is not None


async def test_unknown_payment_is_a_404_error_object(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/ledger/pay_missing")
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "resource_missing")


FEES = Fees(provider_fee=204, platform_fee=180, net=5_616)


def partially_captured(payment_id: str, version: int = 3) -> PaymentCaptured:
    payment = snapshot(payment_id, version, "captured", amount_captured=6_000, fees=FEES)
    return PaymentCaptured(payment=payment)


def refund_event(
    payment_id: str, refund_id: str, amount: int, refunded: int, version: int, status: str
) -> RefundSucceeded | RefundFailed:
    payment = snapshot(
        payment_id,
        version,
        "partially_refunded" if refunded else "captured",
        amount_captured=6_000,
        amount_refunded=refunded,
        fees=FEES,
    )
    refund = RefundSnapshot(
        refund_id=refund_id,
        payment_id=payment_id,
        merchant_id="mch_1",
        amount=amount,
        currency="PHP",
        reason=None,
        status="succeeded" if status == "succeeded" else "failed",
        provider="stripe",
        provider_reference=f"pyr_{refund_id}",
        failure=None,
        created_at=T0,
        updated_at=T0 + timedelta(minutes=version),
    )
    event = RefundSucceeded if status == "succeeded" else RefundFailed
    return event(payment=payment, refund=refund)


async def moved(service: Reconciliation, payment_id: str) -> list[Movement]:
    async with service.unit_of_work() as uow:
        return await uow.ledger.movements(payment_id)


async def test_partial_capture_then_two_partial_refunds(reconciliation: Reconciliation) -> None:
    pid = new_payment_id()
    refund_1 = refund_event(pid, f"re_{pid}_1", 2_500, 2_500, 4, "succeeded")
    refused = refund_event(pid, f"re_{pid}_x", 9_000, 2_500, 5, "failed")
    refund_2 = refund_event(pid, f"re_{pid}_2", 2_000, 4_500, 6, "succeeded")
    await consume(reconciliation, created(pid), partially_captured(pid))
    await consume(reconciliation, refund_1, refused)
    await consume(reconciliation, refund_2)
    lines = await moved(reconciliation, pid)
    assert [(m.kind, m.source_id, m.amount) for m in lines] == [
        ("capture", pid, 6_000),
        ("refund", f"re_{pid}_1", 2_500),
        ("refund", f"re_{pid}_2", 2_000),
    ]
    assert (lines[0].provider_fee, lines[0].platform_fee) == (204, 180)
    assert lines[0].occurred_at == T0 + timedelta(minutes=3)
    assert lines[1].provider_reference == f"pyr_re_{pid}_1"
    stored = await entry(reconciliation, pid)
    assert stored is not None
    assert (stored.status, stored.amount_captured, stored.amount_refunded, stored.version) == (
        "partially_refunded",
        6_000,
        4_500,
        6,
    )


async def test_duplicate_and_out_of_order_events_record_each_fact_once(
    reconciliation: Reconciliation,
) -> None:
    pid = new_payment_id()
    refund_1 = refund_event(pid, f"re_{pid}_1", 2_500, 2_500, 4, "succeeded")
    capture = partially_captured(pid)
    # The refund arrives before the capture, then everything again under new event ids.
    await consume(reconciliation, refund_1)
    await consume(reconciliation, capture, created(pid))
    await consume(reconciliation, refund_1, capture, refund_1)
    lines = await moved(reconciliation, pid)
    assert [(m.kind, m.amount) for m in lines] == [("capture", 6_000), ("refund", 2_500)]
    # The capture's time is the capture's, not the refund snapshot's that showed it first.
    assert lines[0].occurred_at == T0 + timedelta(minutes=3)
    stored = await entry(reconciliation, pid)
    assert stored is not None
    assert (stored.status, stored.version, stored.amount_refunded) == (
        "partially_refunded",
        4,
        2_500,
    )


async def test_no_money_moves_for_an_uncaptured_payment(reconciliation: Reconciliation) -> None:
    pid = new_payment_id()
    await consume(reconciliation, created(pid))
    assert await moved(reconciliation, pid) == []


async def test_http_entry_lists_the_money_moved(
    client: httpx.AsyncClient, reconciliation: Reconciliation
) -> None:
    pid = new_payment_id()
    refund_1 = refund_event(pid, f"re_{pid}_1", 2_500, 2_500, 4, "succeeded")
    await consume(reconciliation, created(pid), partially_captured(pid), refund_1)
    body = (await client.get(f"/v1/ledger/{pid}")).json()
    assert [(m["kind"], m["source_id"], m["amount"]) for m in body["movements"]] == [
        ("capture", pid, 6_000),
        ("refund", f"re_{pid}_1", 2_500),
    ]
    capture = body["movements"][0]
    assert (capture["provider_fee"], capture["platform_fee"]) == (204, 180)
    assert body["movements"][1]["provider_fee"] is None


async def test_fees_missing_from_the_first_capture_snapshot_are_filled_in_once(
    reconciliation: Reconciliation,
) -> None:
    pid = new_payment_id()
    bare = snapshot(pid, 3, "captured", amount_captured=6_000)
    await consume(reconciliation, PaymentCaptured(payment=bare))
    await consume(reconciliation, partially_captured(pid, version=4))
    [capture] = await moved(reconciliation, pid)
    assert (capture.amount, capture.provider_fee, capture.platform_fee) == (6_000, 204, 180)
    assert capture.occurred_at == T0 + timedelta(minutes=3)
