from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from metrics_exporter import consumers
from metrics_exporter.api import metrics_router
from metrics_exporter.cache import CounterCache
from metrics_exporter.handlers import refresh_cache
from metrics_exporter.store import MetricsUnitOfWork
from payroute_common.consumer import Received
from payroute_common.envelope import Message
from payroute_common.messages import (
    Fees,
    PaymentAwaitingVerification,
    PaymentCaptured,
    PaymentEvent,
    PaymentFailed,
    PaymentSnapshot,
    RefundCreated,
    RefundSnapshot,
    RefundSucceeded,
)
from payroute_devstack.batches import received

from .conftest import Exporter

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, tzinfo=UTC)
CARD = 'currency="PHP",method="card",provider="stripe"'
CAPTURED = f'payroute_payments_total{{{CARD},status="captured"}}'
AMOUNT = f'payroute_payment_amount_minor_total{{{CARD},status="captured"}}'
FAILED = f'payroute_payments_total{{{CARD},status="failed"}}'


def snapshot(payment_id: str, status: str, **changes: Any) -> PaymentSnapshot:
    fields: dict[str, Any] = {
        "payment_id": payment_id,
        "merchant_id": "mch_1",
        "version": 2,
        "status": status,
        "amount": 2_500,
        "amount_capturable": 0,
        "amount_captured": 2_500 if status == "captured" else 0,
        "amount_refunded": 0,
        "currency": "PHP",
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": "pi_1",
        "failure": None,
        "created_at": T0,
        "updated_at": T0,
    }
    return PaymentSnapshot.model_validate({**fields, **changes})


def captured(payment_id: str) -> PaymentCaptured:
    return PaymentCaptured(payment=snapshot(payment_id, "captured"))


def failed(payment_id: str) -> PaymentFailed:
    return PaymentFailed(payment=snapshot(payment_id, "failed"))


def with_ids(*messages: Message) -> list[Received]:
    """`messages` as one batch, each under a new event id."""
    return received(*messages)


async def handle_batch(
    batch: list[Received], *, uow: MetricsUnitOfWork, cache: CounterCache
) -> None:
    """`batch` through the service's consumer, over `uow`."""
    await consumers.counter(cache, lambda: uow)(batch)


async def scrape(exporter: Exporter, cache: CounterCache) -> dict[str, float]:
    app = FastAPI()
    app.include_router(metrics_router(cache, exporter.unit_of_work))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://metrics") as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, float] = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


async def test_counters_persist_and_a_new_process_reloads_them(exporter: Exporter) -> None:
    first = CounterCache()
    await handle_batch(
        with_ids(captured("pay_1"), captured("pay_2"), failed("pay_3")),
        uow=exporter.unit_of_work(),
        cache=first,
    )
    restarted = CounterCache()  # a new process: nothing in memory
    samples = await scrape(exporter, restarted)
    assert samples[CAPTURED] == 2
    assert samples[AMOUNT] == 5_000
    assert samples[FAILED] == 1
    assert restarted.snapshot() == first.snapshot()


async def test_redelivery_and_repeated_outcomes_do_not_double_count(exporter: Exporter) -> None:
    cache = CounterCache()
    events = with_ids(captured("pay_1"), failed("pay_2"))
    await handle_batch(events, uow=exporter.unit_of_work(), cache=cache)
    await handle_batch(events, uow=exporter.unit_of_work(), cache=cache)  # redelivered batch
    await handle_batch(with_ids(captured("pay_1")), uow=exporter.unit_of_work(), cache=cache)
    samples = await scrape(exporter, CounterCache())
    assert (samples[CAPTURED], samples[AMOUNT], samples[FAILED]) == (1, 2_500, 1)
    assert cache.snapshot() == (await _reloaded(exporter)).snapshot()


async def test_large_batch_sums_into_few_rows(exporter: Exporter) -> None:
    cache = CounterCache()
    await handle_batch(
        with_ids(*(captured(f"pay_{i}") for i in range(500))),
        uow=exporter.unit_of_work(),
        cache=cache,
    )
    async with exporter.runtime.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT name, value FROM counters"))).all()
    assert sorted(rows) == [
        ("payroute_payment_amount_minor_total", 500 * 2_500),
        ("payroute_payment_processing_seconds_bucket", 500),  # all in one bucket (0 s)
        ("payroute_payment_processing_seconds_sum_ms", 0),
        ("payroute_payments_total", 500),
    ]


async def test_refresh_picks_up_another_replicas_counts(exporter: Exporter) -> None:
    mine, theirs = CounterCache(), CounterCache()
    await handle_batch(with_ids(captured("pay_a")), uow=exporter.unit_of_work(), cache=mine)
    await handle_batch(with_ids(captured("pay_b")), uow=exporter.unit_of_work(), cache=theirs)
    await refresh_cache(mine, uow=exporter.unit_of_work())
    samples = await scrape(exporter, mine)
    assert samples[CAPTURED] == 2


async def _reloaded(exporter: Exporter) -> CounterCache:
    cache = CounterCache()
    await refresh_cache(cache, uow=exporter.unit_of_work())
    return cache


FEES = Fees(provider_fee=204, platform_fee=180, net=5_616)
PENDING = "payroute_pending_verifications"


def cash(payment_id: str, status: str, version: int) -> PaymentEvent:
    payment = snapshot(
        payment_id, status, version=version, payment_method_type="cash", provider="manual"
    )
    if status == "pending_verification":
        return PaymentAwaitingVerification(payment=payment)
    return PaymentCaptured(payment=payment)


def refund(
    refund_id: str, amount: int, status: str, refunded: int, version: int
) -> RefundCreated | RefundSucceeded:
    payment = snapshot(
        "pay_p",
        "partially_refunded" if refunded else "captured",
        version=version,
        amount_captured=6_000,
        amount_refunded=refunded,
        fees=FEES,
    )
    snap = RefundSnapshot(
        refund_id=refund_id,
        payment_id="pay_p",
        merchant_id="mch_1",
        amount=amount,
        currency="PHP",
        reason=None,
        status="succeeded" if status == "succeeded" else "pending",
        provider="stripe",
        provider_reference=None,
        failure=None,
        created_at=T0,
        updated_at=T0,
    )
    kind = RefundSucceeded if status == "succeeded" else RefundCreated
    return kind(payment=payment, refund=snap)


async def test_partial_capture_then_two_partial_refunds(exporter: Exporter) -> None:
    cache = CounterCache()
    capture = PaymentCaptured(
        payment=snapshot("pay_p", "captured", version=3, amount_captured=6_000, fees=FEES)
    )
    batches: list[list[Message]] = [
        [capture],
        [refund("re_1", 2_500, "pending", 0, 4), refund("re_1", 2_500, "succeeded", 2_500, 5)],
        [refund("re_2", 2_000, "pending", 2_500, 6), refund("re_2", 2_000, "succeeded", 4_500, 7)],
        [capture, refund("re_1", 2_500, "succeeded", 2_500, 5)],  # again, late, new ids
    ]
    for batch in batches:
        await handle_batch(with_ids(*batch), uow=exporter.unit_of_work(), cache=cache)
    samples = await scrape(exporter, CounterCache())
    refunds = 'payroute_refunds_total{currency="PHP",provider="stripe",status="%s"}'
    assert samples[AMOUNT] == 6_000
    assert samples['payroute_refund_amount_minor_total{currency="PHP"}'] == 4_500
    assert (samples[refunds % "pending"], samples[refunds % "succeeded"]) == (2, 2)
    assert samples['payroute_fee_amount_minor_total{currency="PHP",kind="provider"}'] == 204
    assert samples['payroute_fee_amount_minor_total{currency="PHP",kind="platform"}'] == 180
    assert samples[CAPTURED] == 1
    assert cache.snapshot() == (await _reloaded(exporter)).snapshot()


async def test_failure_reasons_are_exported_by_code(exporter: Exporter) -> None:
    failure = {"code": "insufficient_funds", "message": "no money"}
    event = PaymentFailed(payment=snapshot("pay_f", "failed", failure=failure))
    await handle_batch(with_ids(event, event), uow=exporter.unit_of_work(), cache=CounterCache())
    samples = await scrape(exporter, CounterCache())
    key = 'payroute_payment_failures_total{code="insufficient_funds",provider="stripe"}'
    assert samples[key] == 1


async def test_pending_verifications_survive_a_restart_and_ignore_late_snapshots(
    exporter: Exporter,
) -> None:
    cache = CounterCache()
    waiting = [cash(f"pay_c{i}", "pending_verification", 2) for i in range(3)]
    await handle_batch(with_ids(*waiting), uow=exporter.unit_of_work(), cache=cache)
    await handle_batch(
        with_ids(cash("pay_c0", "captured", 3), cash("pay_x", "captured", 3)),
        uow=exporter.unit_of_work(),
        cache=cache,
    )
    # Older snapshots after newer ones: a redelivered wait, and one first seen after approval.
    await handle_batch(
        with_ids(
            cash("pay_c0", "pending_verification", 2), cash("pay_x", "pending_verification", 2)
        ),
        uow=exporter.unit_of_work(),
        cache=cache,
    )
    assert cache.gauges()[(PENDING, "{}")] == 2
    samples = await scrape(exporter, CounterCache())  # a new process
    assert samples[PENDING] == 2
    assert samples["payroute_pending_verification_oldest_seconds"] > 0  # waiting since T0
    waited = (
        'payroute_payments_total{currency="PHP",method="cash",provider="manual",'
        'status="pending_verification"}'
    )
    assert samples[waited] == 4  # every payment that did wait, counted once
