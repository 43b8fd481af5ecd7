"""Payment events fill the analytics buckets; /v1/analytics answers from them.

Each test's payments are created on a day of their own, and asks for that day
only, so tests sharing the database never see each other's figures.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest

from payroute_common.ids import new_id
from payroute_common.messages import PaymentCaptured, PaymentCreated, RefundSucceeded
from payroute_common.messages.values import RefundSnapshot

from .analytics_events import (
    FEES,
    STRIPE_PHP,
    analytics,
    feed,
    fresh_day,
    mix,
    project,
    snapshot,
)
from .conftest import Gateway, MerchantKey, key_of

pytestmark = pytest.mark.integration


async def test_events_become_rows_per_group_and_currency(
    client: httpx.AsyncClient, gateway: Gateway, merchant: MerchantKey
) -> None:
    day = fresh_day()
    await feed(gateway, mix(merchant, day))

    answer = await analytics(client, merchant, day, group_by="provider")

    assert answer["merchant_id"] == merchant.id
    assert answer["from"].startswith(f"{day:%Y-%m-%d}T00:00:00")
    by_key = {(r["group"], r["currency"]): r for r in answer["data"]}
    assert set(by_key) == {("paymongo", "PHP"), ("stripe", "PHP"), ("stripe", "USD")}
    assert by_key["stripe", "PHP"] == STRIPE_PHP
    assert by_key["paymongo", "PHP"]["count"] == 1
    assert by_key["paymongo", "PHP"]["success_rate"] is None
    assert by_key["stripe", "USD"]["volume"] == 10_000
    methods = await analytics(client, merchant, day, group_by="method")
    assert [(r["group"], r["currency"], r["count"]) for r in methods["data"]] == [
        ("card", "PHP", 2),
        ("card", "USD", 1),
        ("gcash", "PHP", 1),
    ]
    failures = await analytics(client, merchant, day, path="failures")
    assert failures["data"] == [{"provider": "stripe", "reason": "card_declined", "count": 1}]


async def test_each_payment_counts_once_whatever_the_order_and_repeats(
    client: httpx.AsyncClient, gateway: Gateway, merchant: MerchantKey
) -> None:
    day = fresh_day()
    at = day.replace(hour=3)
    payment_id = new_id("pay")
    created = PaymentCreated(
        reason="routed", payment=snapshot(merchant, payment_id, at, 1, "processing")
    )
    captured = PaymentCaptured(
        payment=snapshot(merchant, payment_id, at, 2, "captured", captured=10_000, fees=FEES)
    )
    refund = RefundSnapshot(
        refund_id=new_id("re"),
        payment_id=payment_id,
        merchant_id=merchant.id,
        amount=4_000,
        currency="PHP",
        reason=None,
        status="succeeded",
        provider="stripe",
        provider_reference=None,
        failure=None,
        created_at=at,
        updated_at=at,
    )
    refunded = RefundSucceeded(
        payment=snapshot(
            merchant, payment_id, at, 3, "partially_refunded", captured=10_000, fees=FEES
        ),
        refund=refund,
    )

    await feed(gateway, [refunded])  # newest first, alone
    await feed(gateway, [captured, created])  # older news, out of order
    await feed(gateway, [captured, refunded])  # the same news again, under new event ids

    (row,) = (await analytics(client, merchant, day))["data"]
    assert (row["count"], row["succeeded"], row["volume"], row["net"]) == (1, 1, 10_000, 9_600)
    # The capture (2 s after creation) is when it succeeded, though the refund came first.
    assert row["avg_processing_ms"] == 2_000


async def test_a_payment_that_changes_provider_moves_between_rows(
    client: httpx.AsyncClient, gateway: Gateway, merchant: MerchantKey
) -> None:
    day = fresh_day()
    at = day.replace(hour=7)
    payment_id = new_id("pay")
    await feed(
        gateway,
        [
            PaymentCreated(
                reason="routed", payment=snapshot(merchant, payment_id, at, 1, "processing")
            )
        ],
    )
    moved = snapshot(merchant, payment_id, at, 2, "captured", provider="xendit", captured=10_000)
    await feed(gateway, [PaymentCaptured(payment=moved)])

    rows = (await analytics(client, merchant, day))["data"]

    assert [(r["group"], r["count"], r["succeeded"]) for r in rows] == [("xendit", 1, 1)]


async def test_merchants_see_their_own_and_admin_keys_see_all(
    client: httpx.AsyncClient,
    gateway: Gateway,
    merchant: MerchantKey,
    other_merchant: MerchantKey,
    office: MerchantKey,
) -> None:
    day = fresh_day()
    await project(gateway, mix(merchant, day) + mix(other_merchant, day))
    admin = await key_of(gateway, other_merchant, "admin")

    own = await analytics(client, office, day, group_by="currency")
    platform = await analytics(client, admin, day, group_by="currency")
    one = await analytics(client, admin, day, group_by="currency", merchant_id=merchant.id)

    assert [(r["group"], r["count"]) for r in own["data"]] == [("PHP", 3), ("USD", 1)]
    assert [(r["group"], r["count"]) for r in platform["data"]] == [("PHP", 6), ("USD", 2)]
    assert platform["merchant_id"] is None
    assert one["data"] == own["data"]
    response = await client.get(
        "/v1/analytics/payments",
        params={"merchant_id": other_merchant.id},
        headers=merchant.headers,
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_role"


async def test_csv_holds_the_json_rows(
    client: httpx.AsyncClient, gateway: Gateway, merchant: MerchantKey
) -> None:
    day = fresh_day()
    await feed(gateway, mix(merchant, day))
    for path in ("payments", "failures"):
        answer = await analytics(client, merchant, day, path=path)
        query = {"from": f"{day:%Y-%m-%d}", "to": f"{day:%Y-%m-%d}"}
        by_param = await client.get(
            f"/v1/analytics/{path}", params={**query, "format": "csv"}, headers=merchant.headers
        )
        by_accept = await client.get(
            f"/v1/analytics/{path}",
            params=query,
            headers={**merchant.headers, "Accept": "text/csv"},
        )

        assert by_param.headers["content-type"].startswith("text/csv")
        assert by_accept.text == by_param.text
        lines = list(csv.DictReader(io.StringIO(by_param.text)))
        expected = [
            {name: "" if value is None else str(value) for name, value in row.items()}
            for row in answer["data"]
        ]
        assert lines == expected
        assert by_param.text.splitlines()[0] == ",".join(answer["data"][0])


async def test_day_groups_and_hour_edges(
    client: httpx.AsyncClient, gateway: Gateway, merchant: MerchantKey
) -> None:
    day = fresh_day()
    fresh_day()  # the next day is this test's too
    times = [day.replace(hour=21), day.replace(hour=23), day + timedelta(hours=25)]
    await feed(
        gateway,
        [
            PaymentCreated(
                reason="routed", payment=snapshot(merchant, new_id("pay"), at, 1, "processing")
            )
            for at in times
        ],
    )
    query = {
        "from": f"{day:%Y-%m-%d}T22:00:00Z",
        "to": f"{day + timedelta(days=1):%Y-%m-%d}T02:00:00Z",
    }

    response = await client.get(
        "/v1/analytics/payments", params={**query, "group_by": "day"}, headers=merchant.headers
    )

    assert response.status_code == 200
    assert [(r["group"], r["count"]) for r in response.json()["data"]] == [
        (f"{day:%Y-%m-%d}", 1),
        (f"{day + timedelta(days=1):%Y-%m-%d}", 1),
    ]
    two_days = await analytics(
        client, merchant, day, group_by="day", to=f"{day + timedelta(days=1):%Y-%m-%d}"
    )
    assert [r["count"] for r in two_days["data"]] == [2, 1]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "from"),
        ({"from": "2025-03-01T10:30:00Z", "to": "2025-03-02"}, "from"),
        ({"from": "2023-01-01", "to": "2025-01-01"}, "to"),
        ({"group_by": "merchant"}, "group_by"),
        ({"format": "xml"}, "format"),
    ],
)
async def test_invalid_parameters_answer_400_naming_them(
    client: httpx.AsyncClient, merchant: MerchantKey, query: dict[str, str], param: str
) -> None:
    response = await client.get("/v1/analytics/payments", params=query, headers=merchant.headers)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "parameter_invalid",
        param,
    )
