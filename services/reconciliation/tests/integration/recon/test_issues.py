"""Issues: pages with a cursor, the CSV export, resolving by an admin, and a later run
that agrees closing them on its own; each change announced through the outbox."""

import csv
import io
import json

import httpx
import pytest
from sqlalchemy import select

from payroute_common.envelope import Envelope
from payroute_common.messages import decode_payload
from payroute_common.topics import RECONCILIATION_EVENTS
from reconciliation.tables import outbox

from .conftest import HEADER, Service, a_day, capture, ledger_movements, stripe_line, tag
from .test_matching import run, upload

pytestmark = pytest.mark.integration

ISSUES = "/v1/reconciliation/issues"


async def five_strangers(client: httpx.AsyncClient) -> str:
    """A run with five lines Payroute never saw: five `missing_in_payroute` issues."""
    t, day = tag(), a_day()
    at = day.strftime("%Y-%m-%d %H:%M:%S")
    body = HEADER + "".join(stripe_line(f"t_{t}{i}", f"pi_{t}{i}", "1.00", at=at) for i in range(5))
    return str((await run(client, report_id=(await upload(client, body))["id"]))["id"])


async def events(service: Service, event_type: str) -> list[dict[str, object]]:
    """Payloads staged in the outbox, each checked against its message model (issue
    events are enveloped in SQL)."""
    async with service.runtime.engine.connect() as connection:
        rows = (await connection.execute(select(outbox.c.topic, outbox.c.value))).all()
    found = []
    for topic, value in rows:
        envelope = Envelope.model_validate_json(value)
        decode_payload(envelope)
        assert topic == RECONCILIATION_EVENTS.name
        if envelope.event_type == event_type:
            found.append(json.loads(value)["payload"])
    return found


async def test_pages_follow_the_cursor_without_repeats(client: httpx.AsyncClient) -> None:
    run_id = await five_strangers(client)
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, str | int] = {"run_id": run_id, "limit": 2}
        if after:
            params["starting_after"] = after
        page = (await client.get(ISSUES, params=params)).json()
        seen += [issue["id"] for issue in page["data"]]
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]
    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)
    first = (
        await client.get(ISSUES, params={"run_id": run_id, "class": "missing_in_payroute"})
    ).json()
    assert {i["class"] for i in first["data"]} == {"missing_in_payroute"}
    assert set(first["data"][0]) >= {
        "id", "class", "provider", "reference", "payment_id", "expected", "actual", "status",
        "run_id",
    }  # fmt: skip


async def test_the_csv_has_the_same_rows(client: httpx.AsyncClient) -> None:
    run_id = await five_strangers(client)
    page = (await client.get(ISSUES, params={"run_id": run_id, "limit": 100})).json()

    exported = await client.get(f"{ISSUES}.csv", params={"run_id": run_id})

    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["id"] for r in rows] == [i["id"] for i in page["data"]]
    assert {r["class"] for r in rows} == {"missing_in_payroute"}


async def test_an_admin_resolves_an_open_issue_once(
    client: httpx.AsyncClient, recon: Service
) -> None:
    run_id = await five_strangers(client)
    issue = (await client.get(ISSUES, params={"run_id": run_id, "limit": 1})).json()["data"][0]

    resolved = await client.post(f"{ISSUES}/{issue['id']}/resolve", json={"note": "test charge"})
    again = await client.post(f"{ISSUES}/{issue['id']}/resolve", json={"note": "again"})

    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution_note"] == "test charge"
    assert again.status_code == 409
    closed = await events(recon, "ReconciliationIssueResolved")
    assert {"issue_id": issue["id"], "status": "resolved"}.items() <= next(
        e for e in closed if e["issue_id"] == issue["id"]
    ).items()
    missing = await client.post(f"{ISSUES}/iss_nope/resolve", json={"note": "x"})
    assert missing.status_code == 404


async def test_a_later_run_that_agrees_closes_the_issue(
    client: httpx.AsyncClient, recon: Service
) -> None:
    t, day = tag(), a_day()
    at = day.strftime("%Y-%m-%d %H:%M:%S")
    await recon.seed(ledger_movements, [capture(f"pay_{t}", f"pi_{t}", 1000, 59, day)])
    wrong = await upload(client, HEADER + stripe_line(f"t_{t}", f"pi_{t}", "10.00", "0.99", at=at))
    first = await run(client, report_id=wrong["id"])
    right = await upload(client, HEADER + stripe_line(f"t_{t}", f"pi_{t}", "10.00", "0.59", at=at))

    second = await run(client, report_id=right["id"])

    assert first["counts"] == {"fee_mismatch": 1}
    assert second["counts"] == {"matched": 1}
    issues = (await client.get(ISSUES, params={"run_id": first["id"]})).json()["data"]
    assert [i["status"] for i in issues] == ["auto_resolved"]
    opened = await events(recon, "ReconciliationIssueOpened")
    assert any(e["issue_id"] == issues[0]["id"] for e in opened)
    completed = [
        e for e in await events(recon, "ReconciliationRunCompleted") if e["run_id"] == second["id"]
    ]
    assert completed[0]["counts"] == {"matched": 1}
