"""Uploading settlement reports: stored once per content, lines loaded, bad input
refused with a clear error and nothing stored."""

import httpx
import pytest
from sqlalchemy import func, select

from reconciliation.tables import report_lines, reports

from .conftest import HEADER, MERCHANT_KEY, Service, client_for, stripe_line, tag

pytestmark = pytest.mark.integration

URL = "/v1/reconciliation/reports"
CSV = {"Content-Type": "text/csv"}


async def count(service: Service, table: object, **where: str) -> int:
    query = select(func.count()).select_from(table)  # type: ignore[arg-type]
    for name, value in where.items():
        query = query.where(table.c[name] == value)  # type: ignore[attr-defined]
    async with service.runtime.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_same_bytes_are_the_same_report(client: httpx.AsyncClient, recon: Service) -> None:
    t = tag()
    body = HEADER + "".join(stripe_line(f"txn_{t}{i}", f"pi_{t}{i}", "10.00") for i in range(5))

    first = await client.post(URL, params={"provider": "stripe"}, content=body, headers=CSV)
    again = await client.post(URL, params={"provider": "stripe"}, content=body, headers=CSV)

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["lines"] == 5
    assert first.json()["errors"] == []
    assert await count(recon, report_lines, report_id=first.json()["id"]) == 5


async def test_unreadable_lines_are_reported_and_the_rest_loaded(
    client: httpx.AsyncClient, recon: Service
) -> None:
    t = tag()
    body = (
        HEADER
        + stripe_line(f"txn_{t}1", f"pi_{t}1", "10.00")
        + f"txn_{t}2,2026-12-01 10:00:00,usd,10.00\n"  # wrong column count
        + stripe_line(f"txn_{t}3", f"pi_{t}3", "ten")  # not a number
        + stripe_line(f"txn_{t}4", f"pi_{t}4", "10.00", currency="xyz")  # unknown currency
        + stripe_line(f"txn_{t}5", f"pi_{t}5", "10.00", at="yesterday")  # not a date
        + stripe_line(f"txn_{t}6", f"pi_{t}6", "12.34")
    )

    answer = await client.post(URL, params={"provider": "stripe"}, content=body, headers=CSV)

    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["lines"] == 2
    assert [e["line"] for e in report["errors"]] == [3, 4, 5, 6]
    messages = " | ".join(e["message"] for e in report["errors"])
    for problem in ("columns", "not a number", "unknown currency", "not a date"):
        assert problem in messages
    assert await count(recon, report_lines, report_id=report["id"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "code", "named"),
    [
        ("", 400, "invalid_report_header", "empty"),
        ("balance_transaction_id,currency,gross\ntxn_1,usd,1.00\n", 400,
         "invalid_report_header", "reporting_category"),
        (HEADER + stripe_line("txn_big", "pi_big", "1.00") * 2000, 413, "report_too_large",
         "bytes"),
    ],
    ids=["empty body", "missing columns", "too large"],
)  # fmt: skip
async def test_a_refused_report_stores_nothing(
    client: httpx.AsyncClient, recon: Service, body: str, status: int, code: str, named: str
) -> None:
    before = await count(recon, reports)

    answer = await client.post(URL, params={"provider": "stripe"}, content=body, headers=CSV)

    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert named in error["message"]
    assert await count(recon, reports) == before


async def test_an_unknown_provider_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post(URL, params={"provider": "nope"}, content=HEADER, headers=CSV)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_provider"


async def test_only_admin_keys_may_upload(recon: Service) -> None:
    body = HEADER + stripe_line("txn_x", "pi_x", "1.00")
    async with client_for(recon.app, None) as anonymous:
        assert (
            await anonymous.post(URL, params={"provider": "stripe"}, content=body)
        ).status_code == 401
    async with client_for(recon.app, MERCHANT_KEY) as merchant:
        assert (
            await merchant.post(URL, params={"provider": "stripe"}, content=body)
        ).status_code == 403
        assert (await merchant.get("/v1/reconciliation/issues")).status_code == 403
