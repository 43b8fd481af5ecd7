"""Payment events for the analytics tests: a mix of outcomes on a day of their own, fed
through the consumer or straight to the projection, and the rows they should give."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from gateway_api.analytics.projection import project_payment_events
from gateway_api.analytics.store import SqlAnalyticsStore
from payroute_common.consumer import Received
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import (
    Fees,
    PaymentCaptured,
    PaymentCreated,
    PaymentEvent,
    PaymentFailed,
    PaymentFailure,
    PaymentSnapshot,
)

from .conftest import Gateway, MerchantKey
from .orchestrated import consume

_days = itertools.count()


def fresh_day() -> datetime:
    """A day no other test in this session uses (each run's database is fresh)."""
    return datetime(2001, 1, 1, tzinfo=UTC) + timedelta(days=next(_days))


def snapshot(
    merchant: MerchantKey,
    payment_id: str,
    created_at: datetime,
    version: int,
    status: str,
    **kw: Any,
) -> PaymentSnapshot:
    captured = kw.pop("captured", 0)
    values: dict[str, Any] = {
        "payment_id": payment_id,
        "merchant_id": merchant.id,
        "version": version,
        "status": status,
        "amount": 10_000,
        "amount_capturable": 0,
        "amount_captured": captured,
        "amount_refunded": 0,
        "currency": "PHP",
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": None,
        "failure": None,
        "created_at": created_at,
        "updated_at": created_at + timedelta(seconds=version),
    }
    values.update(kw)
    return PaymentSnapshot.model_validate(values)


def received(event: PaymentEvent) -> Received:
    envelope = Envelope.wrap(
        event,
        producer="orchestrator",
        tenant_id=event.payment.merchant_id,
        aggregate_id=event.payment.payment_id,
    )
    return Received(envelope=envelope, message=event, record=None)  # type: ignore[arg-type]


FEES = Fees(provider_fee=350, platform_fee=50, net=9_600)
DECLINED = PaymentFailure(code="card_declined", message="Your card was declined.")


def mix(merchant: MerchantKey, day: datetime) -> list[PaymentEvent]:
    """Captured, failed and open payments in PHP, one captured in USD (each with history)."""
    at = day.replace(hour=10)
    ok, bad, waiting, usd = (new_id("pay") for _ in range(4))
    return [
        PaymentCreated(reason="routed", payment=snapshot(merchant, ok, at, 1, "processing")),
        PaymentCaptured(
            payment=snapshot(merchant, ok, at, 3, "captured", captured=10_000, fees=FEES)
        ),
        PaymentCreated(reason="routed", payment=snapshot(merchant, bad, at, 1, "processing")),
        PaymentFailed(payment=snapshot(merchant, bad, at, 2, "failed", failure=DECLINED)),
        PaymentCreated(
            reason="routed",
            payment=snapshot(
                merchant,
                waiting,
                at,
                1,
                "processing",
                provider="paymongo",
                payment_method_type="gcash",
            ),
        ),
        PaymentCaptured(
            payment=snapshot(
                merchant, usd, at, 5, "captured", currency="USD", captured=10_000, fees=FEES
            )
        ),
    ]


STRIPE_PHP = {
    "group": "stripe",
    "currency": "PHP",
    "count": 2,
    "succeeded": 1,
    "failed": 1,
    "success_rate": 0.5,
    "volume": 10_000,
    "provider_fees": 350,
    "platform_fees": 50,
    "net": 9_600,
    "avg_processing_ms": 2_500,
    "p95_processing_ms": 4_750,
}


async def feed(gateway: Gateway, events: list[PaymentEvent]) -> None:
    """Through the consumer, one batch per payment (in the order given)."""
    batches: dict[str, list[PaymentEvent]] = {}
    for event in events:
        batches.setdefault(event.payment.payment_id, []).append(event)
    for batch in batches.values():
        await consume(gateway.runtime, [received(e) for e in batch])


async def project(gateway: Gateway, events: list[PaymentEvent]) -> None:
    """Straight to the projection, every payment in one batch."""
    async with gateway.unit_of_work() as uow:
        await project_payment_events(events, store=SqlAnalyticsStore(uow.session))
        await uow.commit()


async def analytics(
    client: httpx.AsyncClient, key: MerchantKey, day: datetime, path: str = "payments", **query: str
) -> Any:
    query = {"from": f"{day:%Y-%m-%d}", "to": f"{day:%Y-%m-%d}", **query}
    response = await client.get(f"/v1/analytics/{path}", params=query, headers=key.headers)
    assert response.status_code == 200, response.text
    return response.json()
