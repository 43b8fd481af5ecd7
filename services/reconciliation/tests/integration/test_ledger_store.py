import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from payroute_common.envelope import Message
from payroute_common.messages import PaymentCaptured, PaymentCreated, PaymentSnapshot
from reconciliation import handlers
from reconciliation.ledger import LedgerEntry

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
    events = [(uuid.uuid4(), m) for m in messages]
    await handlers.handle_batch(events, uow=service.unit_of_work())
    return [event_id for event_id, _ in events]


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
    event_id = uuid.uuid4()
    for _ in range(2):
        await handlers.handle_batch([(event_id, created(pid))], uow=reconciliation.unit_of_work())
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
