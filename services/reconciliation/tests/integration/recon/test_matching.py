"""A report against the ledger: each kind of discrepancy is exactly one issue of its
class, everything else matches, and a late success with its reversal is an
explained pair."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from .conftest import (
    HEADER,
    Service,
    a_day,
    capture,
    entry,
    late_success,
    late_successes,
    ledger_entries,
    ledger_movements,
    ledger_refunds,
    refund,
    stripe_line,
    tag,
)

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=30"}


async def upload(client: httpx.AsyncClient, body: str) -> dict[str, Any]:
    answer = await client.post(
        "/v1/reconciliation/reports",
        params={"provider": "stripe"},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def run(client: httpx.AsyncClient, **body: str) -> dict[str, Any]:
    answer = await client.post("/v1/reconciliation/runs", json=body, headers=WAIT)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "completed", answer.json()
    return dict(answer.json())


async def issues_of(client: httpx.AsyncClient, run_id: str) -> dict[str, dict[str, Any]]:
    page = (
        await client.get("/v1/reconciliation/issues", params={"run_id": run_id, "limit": 100})
    ).json()
    return {issue["reference"]: issue for issue in page["data"]}


async def test_every_class_once_and_the_rest_matched(
    client: httpx.AsyncClient, recon: Service
) -> None:
    t, day = tag(), a_day()
    at = day.strftime("%Y-%m-%d %H:%M:%S")
    await recon.seed(
        ledger_movements,
        [
            capture(f"pay_{t}ok", f"pi_{t}ok", 1000, 59, day),
            capture(f"pay_{t}amt", f"pi_{t}amt", 1000, 59, day),
            capture(f"pay_{t}fee", f"pi_{t}fee", 1000, 59, day),
            capture(f"pay_{t}cur", f"pi_{t}cur", 1000, 59, day),
            capture(f"pay_{t}dup", f"pi_{t}dup", 1000, 59, day),
            capture(f"pay_{t}gone", f"pi_{t}gone", 1000, 59, day),
            capture(f"pay_{t}late", f"pi_{t}late", 1000, 59, day + timedelta(days=1)),
        ],
    )
    await recon.seed(ledger_entries, [entry(f"pay_{t}void", f"pi_{t}void", "canceled", day)])
    await recon.seed(
        ledger_refunds,
        [
            refund(f"ref_{t}ok", f"pay_{t}ok", f"re_{t}ok", 400, "succeeded", day),
            refund(f"ref_{t}bad", f"pay_{t}ok", f"re_{t}bad", 100, "failed", day),
            refund(f"ref_{t}wait", f"pay_{t}ok", f"re_{t}wait", 100, "pending", day),
        ],
    )
    await recon.seed(
        late_successes, [late_success(f"att_{t}", f"pay_{t}ok", f"pi_{t}ls", 1000, "reversed")]
    )
    lines = [
        stripe_line(f"txn_{t}1", f"pi_{t}ok", "10.00", "0.59", at=at),
        stripe_line(f"txn_{t}2", f"pi_{t}amt", "9.99", "0.59", at=at),
        stripe_line(f"txn_{t}3", f"pi_{t}fee", "10.00", "0.60", at=at),
        stripe_line(f"txn_{t}4", f"pi_{t}cur", "10.00", "0.59", currency="eur", at=at),
        stripe_line(f"txn_{t}5", f"pi_{t}dup", "10.00", "0.59", at=at),
        stripe_line(f"txn_{t}5", f"pi_{t}dup", "10.00", "0.59", at=at),
        stripe_line(f"txn_{t}6", f"pi_{t}stranger", "5.00", "0.30", at=at),
        stripe_line(f"txn_{t}7", f"pi_{t}void", "10.00", "0.59", at=at),
        stripe_line(f"txn_{t}8", f"re_{t}ok", "-4.00", category="refund", at=at),
        stripe_line(f"txn_{t}9", f"re_{t}bad", "-1.00", category="refund", at=at),
        stripe_line(f"txn_{t}10", f"pi_{t}ls", "10.00", "0.59", at=at),
        stripe_line(
            f"txn_{t}11", f"re_{t}lsback", "-10.00", category="refund", at=at,
            payment_id=f"pay_{t}ok",
        ),
        stripe_line(f"txn_{t}12", f"po_{t}", "-100.00", category="payout", at=at),
    ]  # fmt: skip
    report = await upload(client, HEADER + "".join(lines))

    done = await run(client, report_id=report["id"])

    assert done["counts"] == {
        "matched": 5,  # capture, refund, first of the doubled line, late success + reversal
        "not_reconciled": 1,  # the payout
        "amount_mismatch": 1,
        "fee_mismatch": 1,
        "currency_mismatch": 1,
        "duplicate": 1,
        "missing_in_payroute": 1,
        "missing_in_provider": 1,  # not the one captured the next day, not the pending refund
        "status_mismatch": 2,  # a canceled payment settled; a failed refund settled
    }
    assert done["lines"] == 13
    assert done["explained"] == {"late_success": 1, "late_success_reversed": 1}
    found = await issues_of(client, done["id"])
    assert {ref: issue["class"] for ref, issue in found.items()} == {
        f"pi_{t}amt": "amount_mismatch",
        f"pi_{t}fee": "fee_mismatch",
        f"pi_{t}cur": "currency_mismatch",
        f"pi_{t}dup": "duplicate",
        f"pi_{t}stranger": "missing_in_payroute",
        f"pi_{t}gone": "missing_in_provider",
        f"pi_{t}void": "status_mismatch",
        f"re_{t}bad": "status_mismatch",
    }
    fee = found[f"pi_{t}fee"]
    assert fee["payment_id"] == f"pay_{t}fee"
    assert (fee["expected"]["fee"], fee["actual"]["fee"]) == (59, 60)
    assert found[f"re_{t}bad"]["expected"]["status"] == "failed"
    assert found[f"pi_{t}gone"]["actual"] == {}


async def test_a_run_by_provider_and_date_takes_that_days_report(
    client: httpx.AsyncClient, recon: Service
) -> None:
    t, day = tag(), a_day()
    await recon.seed(ledger_movements, [capture(f"pay_{t}", f"pi_{t}", 1000, 59, day)])
    at = day.strftime("%Y-%m-%d %H:%M:%S")
    await upload(client, HEADER + stripe_line(f"txn_{t}", f"pi_{t}", "10.00", "0.59", at=at))

    done = await run(client, provider="stripe", date=day.date().isoformat())

    assert done["counts"] == {"matched": 1}
    assert (done["period_start"], done["period_end"]) == (day.date().isoformat(),) * 2


async def test_a_run_without_a_report_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/reconciliation/runs", json={"provider": "stripe", "date": "1999-01-01"}
    )
    assert answer.status_code == 404
    assert "upload one first" in answer.json()["error"]["message"]
