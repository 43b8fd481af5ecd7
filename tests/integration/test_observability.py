"""What an SRE and a merchant's finance team read agrees with what was sent.

A known mix of payments from a merchant of its own: card successes, hard declines,
manual payments approved, rejected and left waiting, and card payments made while
Stripe is down (they go to PayMongo). Then metrics-exporter's `/metrics` (as deltas:
the session's stack is shared) and the analytics rows, JSON and CSV, must show those
numbers exactly; provider-worker's `/health` must say DEGRADED with Stripe down, and
the `ProviderDown` alert's expression must hold on its scraped metrics.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .helpers import CARD, api, wait_for
from .test_cascade_and_polling import seen_down, settled
from .test_payment_lifecycle import WAIT, payroute

pytestmark = pytest.mark.integration

CARD_OK = (10_100, 10_200, 10_300)
DECLINED = (4_400, 4_500)
CASH_APPROVED, CASH_REJECTED, CASH_WAITING = 50_000, 51_000, 52_000
DURING_OUTAGE = (20_100, 20_200)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(stack: Any, service: str) -> Samples:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{stack.url(service)}/metrics")).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, shown), v in samples.items() if n == name and wanted <= shown)


async def card(client: httpx.AsyncClient, amount: int, token: str = "pm_card_visa") -> dict:
    body = {"amount": amount, "currency": "PHP", "payment_method": {**CARD, "token": token}}
    answer = await client.post("/v1/payments", json=body, headers=WAIT)
    assert answer.status_code == 201, answer.text
    return await settled(client, answer.json()["id"])


async def cash(client: httpx.AsyncClient, amount: int) -> dict:
    body = {"amount": amount, "currency": "PHP", "payment_method": {"type": "cash"}}
    answer = await client.post("/v1/payments", json=body, headers=WAIT)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "pending_verification", answer.text
    return dict(answer.json())


async def verify(operator: httpx.AsyncClient, payment: dict, decision: str) -> dict:
    path = f"/v1/payments/{payment['id']}/verify"
    answer = await operator.post(path, json={"decision": decision}, headers=WAIT)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def stripe_down_on_provider_worker(stack: Any) -> None:
    """DEGRADED (200) with Stripe down, and ProviderDown's expression true on a scrape."""

    async def health_says_down() -> tuple[int, dict] | None:
        async with httpx.AsyncClient(timeout=5) as client:
            answer = await client.get(f"{stack.url('provider-worker')}/health")
        body = answer.json()
        # The checks run before the providers section is read, and the circuit
        # half-opens every few seconds to probe: wait for an answer where both say down.
        check_fails = not body["checks"]["provider:stripe"]["ok"]
        down = body["providers"]["stripe"]["state"] == "down" and check_fails
        return (answer.status_code, body) if down else None

    status_code, body = await wait_for(health_says_down, timeout=30, interval=0.2, what="down")
    assert (status_code, body["status"]) == (200, "DEGRADED"), body
    assert body["checks"]["provider:stripe"]["critical"] is False
    assert all(check["ok"] for check in body["checks"].values() if check["critical"]), body

    # Mirrors deploy/prometheus/alerts.yml ProviderDown:
    #   max by (provider) (payroute_provider_up) == 0
    # (one replica here: the max is its value), for provider="stripe".
    async def provider_down_alert_true() -> bool:
        samples = await scrape(stack, "provider-worker")
        up = [v for (n, labels), v in samples.items() if n == "payroute_provider_up"
              and ("provider", "stripe") in labels]  # fmt: skip
        return bool(up) and max(up) == 0

    await wait_for(provider_down_alert_true, timeout=30, interval=0.2, what="ProviderDown true")


def fees_of(payments: list[dict], kind: str) -> int:
    return sum(p["fees"][kind] for p in payments if p["status"] == "captured")


async def metrics_settle(stack: Any, before: Samples, expected: dict[str, float]) -> Samples:
    """Wait until metrics-exporter's counters moved by `expected`, then say they did."""
    deltas: dict[str, float] = {}

    async def reached() -> Samples | None:
        nonlocal deltas
        after = await scrape(stack, "metrics-exporter")
        deltas = {key: delta(key, before, after) for key in expected}
        return after if deltas == expected else None

    try:
        return await wait_for(reached, timeout=30, interval=0.3, what="the metrics")
    except AssertionError:
        assert deltas == expected
        raise


def delta(key: str, before: Samples, after: Samples) -> float:
    """`name{a=b,...}` (labels a subset of the series') moved by how much."""
    name, _, rest = key.partition("{")
    labels = dict(pair.split("=") for pair in rest.rstrip("}").split(",") if pair)
    return total(after, name, **labels) - total(before, name, **labels)


async def test_metrics_and_analytics_match_a_known_mix_and_an_outage_shows(
    stack, simulator
) -> None:
    merchant = await payroute(stack, "merchants", "create", "Observed Merchant")
    operator_key = await payroute(stack, "keys", "create", merchant["id"], "--role", "operator")
    before = await scrape(stack, "metrics-exporter")
    started = time.monotonic()
    async with (
        api(stack, merchant["api_key"]) as client,
        api(stack, operator_key["api_key"]) as operator,
    ):
        ok = [await card(client, amount) for amount in CARD_OK]
        declined = [await card(client, a, "pm_card_chargeDeclined") for a in DECLINED]
        manual = [await cash(client, a) for a in (CASH_APPROVED, CASH_REJECTED, CASH_WAITING)]
        approved = await verify(operator, manual[0], "approve")
        rejected = await verify(operator, manual[1], "reject")
        waiting_since = time.time()  # the last one has waited at least since now

        await simulator.put("/_sim/providers/stripe", json={"mode": "outage"})
        await stripe_down_on_provider_worker(stack)
        await seen_down(stack, "stripe")
        rerouted = [await card(client, amount) for amount in DURING_OUTAGE]
    elapsed = time.monotonic() - started

    assert [(p["status"], p["provider"]) for p in ok] == [("captured", "stripe")] * 3
    assert [(p["status"], p["failure"]["code"]) for p in declined] == [
        ("failed", "card_declined")
    ] * 2
    assert [(p["status"], p["provider"]) for p in rerouted] == [("captured", "paymongo")] * 2
    assert (approved["status"], rejected["status"]) == ("captured", "failed")
    captured = [*ok, *rerouted, approved]

    expected = {
        "payroute_payments_total{provider=stripe,method=card,status=captured}": 3,
        "payroute_payments_total{provider=stripe,method=card,status=failed}": 2,
        "payroute_payments_total{provider=paymongo,method=card,status=captured}": 2,
        "payroute_payments_total{provider=paymongo,method=card,status=failed}": 0,
        "payroute_payments_total{provider=manual,method=cash,status=pending_verification}": 3,
        "payroute_payments_total{provider=manual,method=cash,status=captured}": 1,
        "payroute_payments_total{provider=manual,method=cash,status=failed}": 1,
        "payroute_payment_amount_minor_total{provider=stripe,method=card,status=captured}": sum(
            CARD_OK
        ),
        "payroute_payment_amount_minor_total{provider=paymongo,method=card}": sum(DURING_OUTAGE),
        "payroute_payment_amount_minor_total{provider=manual,method=cash}": CASH_APPROVED,
        "payroute_fee_amount_minor_total{kind=provider,currency=PHP}": fees_of(
            captured, "provider_fee"
        ),
        "payroute_fee_amount_minor_total{kind=platform,currency=PHP}": fees_of(
            captured, "platform_fee"
        ),
        "payroute_payment_failures_total{code=card_declined,provider=stripe}": 2,
        "payroute_payment_failures_total{code=verification_rejected,provider=manual}": 1,
        # Timed once per payment, at its first final or waiting status.
        "payroute_payment_processing_seconds_count{provider=stripe,method=card}": 5,
        "payroute_payment_processing_seconds_bucket{provider=stripe,method=card,le=+Inf}": 5,
        "payroute_payment_processing_seconds_count{provider=paymongo,method=card}": 2,
        "payroute_payment_processing_seconds_count{provider=manual,method=cash}": 3,
        "payroute_pending_verifications": 1,
    }
    after = await metrics_settle(stack, before, expected)
    processing_sum = delta("payroute_payment_processing_seconds_sum{method=card}", before, after)
    assert 0 < processing_sum < elapsed
    oldest = total(after, "payroute_pending_verification_oldest_seconds")
    assert oldest >= time.time() - waiting_since - 1.0  # ours, or an older one still waiting

    rows = {
        "stripe": (5, 3, 2, sum(CARD_OK), ok),
        "paymongo": (2, 2, 0, sum(DURING_OUTAGE), rerouted),
        "manual": (3, 1, 1, CASH_APPROVED, [approved]),
    }
    await analytics_agree(stack, merchant, rows)


async def analytics_agree(stack: Any, merchant: dict, rows: dict[str, tuple]) -> None:
    """JSON for the merchant's key, CSV for an admin's: the same rows, as sent."""
    expected = []
    for provider, (count, succeeded, failed, volume, paid) in sorted(rows.items()):
        provider_fees, platform_fees = fees_of(paid, "provider_fee"), fees_of(paid, "platform_fee")
        expected.append(
            {
                "group": provider,
                "currency": "PHP",
                "count": count,
                "succeeded": succeeded,
                "failed": failed,
                "success_rate": round(succeeded / (succeeded + failed), 4),
                "volume": volume,
                "provider_fees": provider_fees,
                "platform_fees": platform_fees,
                "net": volume - provider_fees - platform_fees,
            }
        )
    shown: list[dict] = []

    async def projected() -> list[dict] | None:
        nonlocal shown
        async with api(stack, merchant["api_key"]) as client:
            answer = await client.get("/v1/analytics/payments", params={"group_by": "provider"})
        assert answer.status_code == 200, answer.text
        shown = sorted(answer.json()["data"], key=lambda row: row["group"])
        return shown if [_figures(row) for row in shown] == expected else None

    try:
        rows_json = await wait_for(projected, timeout=30, interval=0.3, what="analytics rows")
    except AssertionError:
        assert [_figures(row) for row in shown] == expected
        raise
    assert all(row["avg_processing_ms"] is not None for row in rows_json)

    params = {"group_by": "provider", "merchant_id": merchant["id"], "format": "csv"}
    async with api(stack, stack.admin_key) as admin:
        answer = await admin.get("/v1/analytics/payments", params=params)
        failures = await admin.get("/v1/analytics/failures", params={"merchant_id": merchant["id"]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    assert sorted(lines, key=lambda row: row["group"]) == [
        {key: _cell(value) for key, value in row.items()} for row in rows_json
    ]
    reasons = Counter({(r["provider"], r["reason"]): r["count"] for r in failures.json()["data"]})
    assert reasons == Counter(
        {("stripe", "card_declined"): 2, ("manual", "verification_rejected"): 1}
    )


def _figures(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.endswith("processing_ms")}


def _cell(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, int | float) else str(value)
