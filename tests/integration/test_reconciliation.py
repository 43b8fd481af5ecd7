"""Reconciliation on the whole running system, over HTTP only.

Card payments, partial captures and refunds go through Stripe and PayMongo; the
simulator's settlement reports for the day (each in its provider's format) are
altered in known ways, uploaded and run. Each alteration must come out as exactly
one issue of its class, every untouched line of these payments matched; the issues
CSV carries the same rows; resolving one moves it to `resolved`; metrics-exporter
shows the open count per class. A bank statement built from Payroute's own manual
payment (the simulator has no bank) matches it. Bad uploads get a 4xx and store
nothing.
"""

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from payroute_devstack.testing import whole_system_environ

from .helpers import api, metric, wait_for

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=10"}
CARD = {"type": "card", "token": "pm_card_visa"}
TODAY = datetime.now(UTC).date().isoformat()
MIB = 1 << 20


async def paid(client: httpx.AsyncClient, provider: str, amount: int, **extra: Any) -> dict:
    body = {"amount": amount, "currency": "PHP", "payment_method": CARD, "provider": provider}
    answer = await client.post("/v1/payments", json=body | extra, headers=WAIT)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def captured_in_part(client: httpx.AsyncClient, provider: str, capture: int) -> dict:
    payment = await paid(client, provider, 10_000, capture_method="manual")
    path = f"/v1/payments/{payment['id']}/capture"
    answer = await client.post(path, json={"amount": capture}, headers=WAIT)
    assert answer.json()["status"] == "captured", answer.text
    return payment


async def refunded(client: httpx.AsyncClient, payment: dict, amount: int) -> None:
    body = {"payment_id": payment["id"], "amount": amount}
    answer = await client.post("/v1/refunds", json=body, headers=WAIT)
    assert answer.json()["status"] == "succeeded", answer.text


async def in_ledger(recon: httpx.AsyncClient, payment_id: str, refunded: int = 0) -> None:
    """Reconciliation's ledger has seen the payment's money move (events are async)."""

    async def seen() -> bool:
        answer = await recon.get(f"/v1/ledger/{payment_id}")
        if answer.status_code != 200:
            return False
        entry = answer.json()
        captured = any(m["kind"] == "capture" for m in entry["movements"])
        return captured and entry["amount_refunded"] == refunded

    await wait_for(seen, timeout=20, interval=0.2, what=f"{payment_id} in the ledger")


async def report(stack: Any, provider: str) -> list[dict[str, str]]:
    async with httpx.AsyncClient(base_url=stack.url("provider-simulator"), timeout=10) as sim:
        answer = await sim.get(
            "/_sim/settlements.csv", params={"provider": provider, "date": TODAY}
        )
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.text)))


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def paymongo_payment_id(row: dict[str, str]) -> str | None:
    return json.loads(row["Metadata"] or "{}").get("payment_id")


def one(rows: list[dict[str, str]], **wanted: str) -> dict[str, str]:
    (found,) = [r for r in rows if all(r[k] == v for k, v in wanted.items())]
    return found


async def upload(recon: httpx.AsyncClient, provider: str, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "text/csv"}
    return await recon.post(
        "/v1/reconciliation/reports", params={"provider": provider}, content=body, headers=headers
    )


async def reconcile(recon: httpx.AsyncClient, provider: str, text: str) -> dict:
    uploaded = await upload(recon, provider, text.encode())
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["errors"] == []
    again = await upload(recon, provider, text.encode())
    assert (again.status_code, again.json()["id"]) == (200, uploaded.json()["id"])
    body = {"report_id": uploaded.json()["id"]}
    started = await recon.post("/v1/reconciliation/runs", json=body, headers=WAIT)
    assert started.status_code == 201, started.text
    run = (await recon.get(f"/v1/reconciliation/runs/{started.json()['id']}")).json()
    assert run["status"] == "completed", run
    return dict(run)


async def issues_of(recon: httpx.AsyncClient, **filters: str) -> list[dict]:
    found: list[dict] = []
    params: dict[str, str] = {"limit": "100", **filters}
    while True:
        page = (await recon.get("/v1/reconciliation/issues", params=params)).json()
        items = page["data"] if isinstance(page, dict) else page
        found += items
        if not (isinstance(page, dict) and page.get("has_more")) or not items:
            return found
        params["starting_after"] = items[-1]["id"]


EXPECTED = {
    "dropped": "missing_in_provider",
    "repriced": "amount_mismatch",
    "overcharged": "fee_mismatch",
    "doubled": "duplicate",
    "contradicted": "status_mismatch",
    "converted": "currency_mismatch",
}


async def pay_the_day(client: httpx.AsyncClient, recon: httpx.AsyncClient) -> dict[str, dict]:
    """Card payments, partial captures and refunds through Stripe and PayMongo, each
    named for what the test will do to its line; back once reconciliation has seen them."""
    payments = {
        "dropped": await paid(client, "stripe", 10_000),
        "repriced": await captured_in_part(client, "stripe", 6_000),
        "overcharged": await paid(client, "stripe", 5_000),
        "doubled": await paid(client, "stripe", 7_000),
        "contradicted": await captured_in_part(client, "paymongo", 6_000),
        "converted": await paid(client, "paymongo", 8_000),
    }
    for name in ("doubled", "contradicted"):
        await refunded(client, payments[name], 2_500)
    for name, payment in payments.items():
        await in_ledger(recon, payment["id"], 2_500 if name in ("doubled", "contradicted") else 0)
    return payments


def alter_stripe(rows: list[dict[str, str]], payments: dict[str, dict]) -> None:
    """A line dropped, an amount changed, a fee changed, a line doubled."""
    rows.remove(one(rows, payment_id=payments["dropped"]["id"]))
    one(rows, payment_id=payments["repriced"]["id"])["gross"] = "59.00"
    one(rows, payment_id=payments["overcharged"]["id"])["fee"] = "99.99"
    charge = one(rows, payment_id=payments["doubled"]["id"], reporting_category="charge")
    rows.append(dict(charge))


def alter_paymongo(rows: list[dict[str, str]], payments: dict[str, dict]) -> str:
    """A refund's status contradicted, a currency changed, a foreign line added (its
    reference returned)."""
    contradicted, converted = payments["contradicted"]["id"], payments["converted"]["id"]
    (refund,) = [
        r for r in rows if r["Type"] == "refund" and paymongo_payment_id(r) == contradicted
    ]
    refund["Status"] = "failed"
    (charge,) = [r for r in rows if paymongo_payment_id(r) == converted]
    charge["Currency"] = "USD"
    foreign = dict(charge) | {
        "ID": f"pay_foreign{uuid.uuid4().hex[:13]}",
        "Payment ID": "",
        "Payment Intent ID": f"pi_foreign{uuid.uuid4().hex[:14]}",
        "Currency": "PHP",
        "Metadata": "",
    }
    rows.append(foreign)
    return foreign["Payment Intent ID"]


async def test_every_alteration_is_one_issue_of_its_class(stack: Any) -> None:
    admin = {"Authorization": f"Bearer {stack.admin_key}"}
    async with (
        api(stack) as client,
        httpx.AsyncClient(base_url=stack.url("reconciliation"), headers=admin, timeout=30) as recon,
    ):
        payments = await pay_the_day(client, recon)
        ours = {p["id"] for p in payments.values()}
        stripe = await report(stack, "stripe")
        stripe_lines = sum(1 for r in stripe if r["payment_id"] in ours)  # 5
        alone = len(stripe) == stripe_lines  # no other test's payments today
        alter_stripe(stripe, payments)
        paymongo = await report(stack, "paymongo")
        alone = alone and len(paymongo) == 3
        stranger = alter_paymongo(paymongo, payments)

        stripe_run = await reconcile(recon, "stripe", to_csv(stripe))
        paymongo_run = await reconcile(recon, "paymongo", to_csv(paymongo))

        found = [
            issue
            for run in (stripe_run, paymongo_run)
            for issue in await issues_of(recon, run_id=run["id"])
            if issue["payment_id"] in ours or issue["reference"] == stranger
        ]
        names = {p["id"]: name for name, p in payments.items()}
        by_payment = sorted((names[i["payment_id"]], i["class"]) for i in found if i["payment_id"])
        assert by_payment == sorted(EXPECTED.items()), [
            (names.get(i["payment_id"]), i["class"], i["kind"], i["expected"], i["actual"])
            for i in found
        ]
        assert [i["class"] for i in found if i["reference"] == stranger] == ["missing_in_payroute"]
        assert all(i["status"] == "open" for i in found)
        if alone:  # every other line matched: the doubled payment's charge and refund,
            # the contradicted payment's capture
            assert stripe_run["counts"].get("matched") == 2, stripe_run
            assert paymongo_run["counts"].get("matched") == 1, paymongo_run

        await issues_csv_has_the_same_rows(recon, stripe_run["id"])
        await resolving_one_moves_it_to_resolved(recon, found[0])
        await the_metric_shows_the_open_count_per_class(stack, recon)


async def issues_csv_has_the_same_rows(recon: httpx.AsyncClient, run_id: str) -> None:
    listed = await issues_of(recon, run_id=run_id)
    answer = await recon.get("/v1/reconciliation/issues.csv", params={"run_id": run_id})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert sorted((r["id"], r["class"], r["status"]) for r in rows) == sorted(
        (i["id"], i["class"], i["status"]) for i in listed
    )


async def resolving_one_moves_it_to_resolved(recon: httpx.AsyncClient, issue: dict) -> None:
    path = f"/v1/reconciliation/issues/{issue['id']}/resolve"
    answer = await recon.post(path, json={"note": "checked with the provider's support"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "resolved"
    resolved = await issues_of(recon, status="resolved", run_id=issue["run_id"])
    assert issue["id"] in {i["id"] for i in resolved}
    still_open = await issues_of(recon, status="open", run_id=issue["run_id"])
    assert issue["id"] not in {i["id"] for i in still_open}


async def the_metric_shows_the_open_count_per_class(stack: Any, recon: httpx.AsyncClient) -> None:
    open_now = await issues_of(recon, status="open")
    for issue_class in {i["class"] for i in open_now}:
        count = sum(1 for i in open_now if i["class"] == issue_class)

        async def shown(issue_class: str = issue_class, count: int = count) -> bool:
            name = "payroute_reconciliation_issues_open"
            return await metric(stack, name, **{"class": issue_class}) == count

        await wait_for(shown, timeout=20, interval=0.2, what=f"{issue_class} open = {count}")


async def test_a_bank_statement_built_from_payroute_matches_a_manual_payment(stack: Any) -> None:
    admin = {"Authorization": f"Bearer {stack.admin_key}"}
    cash = {"amount": 150_000, "currency": "PHP", "payment_method": {"type": "bank_transfer"}}
    async with (
        api(stack) as client,
        api(stack, stack.operator_key) as operator,
        httpx.AsyncClient(base_url=stack.url("reconciliation"), headers=admin, timeout=30) as recon,
    ):
        payment = (await client.post("/v1/payments", json=cash, headers=WAIT)).json()
        path = f"/v1/payments/{payment['id']}/verify"
        verified = await operator.post(path, json={"decision": "approve"}, headers=WAIT)
        assert verified.json()["status"] == "captured", verified.text
        await in_ledger(recon, payment["id"])

        statement = bank_statement([(TODAY, 150_000, "PHP", payment["id"], "Transfer J. Cruz")])
        run = await reconcile(recon, "bank", statement)

        issues = await issues_of(recon, run_id=run["id"])
        assert [i for i in issues if i["payment_id"] == payment["id"]] == []
        assert run["counts"].get("matched", 0) >= 1


def bank_statement(entries: list[tuple[str, int, str, str, str]]) -> str:
    """A generic bank statement (date, amount, currency, reference, description) from
    Payroute-side figures: amounts in minor units, signed (money in positive)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "amount", "currency", "reference", "description"])
    for day, minor, currency, reference, description in entries:
        writer.writerow([day, f"{minor / 100:.2f}", currency, reference, description])
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "code_part"),
    [
        (b"ID,Type,Amount\npay_1,payment,1.00\n", "Payment Intent ID"),
        (b"", "empty"),
    ],
)
async def test_a_bad_upload_is_refused_and_stores_nothing(
    stack: Any, body: bytes, code_part: str
) -> None:
    admin = {"Authorization": f"Bearer {stack.admin_key}"}
    async with httpx.AsyncClient(
        base_url=stack.url("reconciliation"), headers=admin, timeout=30
    ) as recon:
        answer = await upload(recon, "paymongo", body)
        assert 400 <= answer.status_code < 500, answer.text
        assert code_part in answer.json()["error"]["message"]
        # Nothing stored: the same bytes are refused again, not answered as a known report.
        again = await upload(recon, "paymongo", body)
        assert again.status_code == answer.status_code


async def test_a_report_over_the_size_limit_is_refused(stack: Any) -> None:
    """The stack's limit (RECONCILIATION_MAX_REPORT_BYTES, else the service's default),
    passed by one MiB, streamed: the body is never whole in memory on either side."""
    limit = int(whole_system_environ().get("RECONCILIATION_MAX_REPORT_BYTES", 512 * MIB))
    header = b"ID,Type,Payment Intent ID,Amount,Fee,Currency,Status,Created at\n"
    line = b"pay_x,payment,pi_x,1.00,0.00,PHP,paid,2026-11-27T00:00:00Z\n"
    chunk = line * (MIB // len(line))

    async def body() -> AsyncIterator[bytes]:
        yield header
        for _ in range(limit // len(chunk) + 2):
            yield chunk

    admin = {"Authorization": f"Bearer {stack.admin_key}"}
    async with httpx.AsyncClient(
        base_url=stack.url("reconciliation"), headers=admin, timeout=120
    ) as recon:
        try:
            answer = await recon.post(
                "/v1/reconciliation/reports",
                params={"provider": "paymongo"},
                content=body(),
                headers={"Content-Type": "text/csv"},
            )
        except (httpx.WriteError, httpx.RemoteProtocolError):
            return  # the service stopped reading and hung up before the whole body
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["code"] == "report_too_large"
