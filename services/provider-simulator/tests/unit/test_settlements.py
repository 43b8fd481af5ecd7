"""The settlement report CSV: settling movements only, Stripe-like columns, list-price fees."""

import csv
import io
from datetime import UTC, date, datetime

from provider_simulator.ledger import Ledger, Movement
from provider_simulator.settlements import COLUMNS, SettlementLine, settlement_lines, to_csv
from provider_simulator.storage.database import HistoryDb

DAY = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def movement(kind, amount, reference="pi_1", *, at=DAY, provider="stripe", currency="php"):
    return Movement(provider, reference, kind, amount, currency, "pay_1", method="card", at=at)


def settled_lines(movements: list[Movement], **filters) -> list[SettlementLine]:
    """The settlement lines of a ledger holding `movements`, kept as `filters` say."""
    db = HistoryDb()
    try:
        ledger = Ledger(db)
        ledger.extend(movements)
        return settlement_lines(ledger.settling(**filters))
    finally:
        db.close()


def test_charges_and_refunds_settle_authorizations_and_voids_do_not():
    ledger = [
        movement("authorization", 10_000, "pi_a"),
        movement("capture", 10_000, "pi_a"),
        movement("authorization", 500, "pi_v"),
        movement("void", 500, "pi_v"),
        movement("charge", 2_500, "pi_c"),
        movement("refund", 1_000, "re_1"),
    ]

    (capture, charge, refund) = rows(to_csv(settled_lines(ledger)))

    # Stripe PHP list price 3.5 % + ₱15: 10 000.00 → 350 + 15; 25.00 → 0.875 → 0.88 + 15.
    assert capture | {"balance_transaction_id": ""} == {
        "balance_transaction_id": "",
        "created_utc": "2026-11-27 09:30:00",
        "available_on_utc": "2026-11-29 09:30:00",
        "currency": "php",
        "gross": "100.00",
        "fee": "18.50",
        "net": "81.50",
        "reporting_category": "charge",
        "source_id": "pi_a",
        "payment_id": "pay_1",
        "provider": "stripe",
    }
    assert (charge["gross"], charge["fee"], charge["net"]) == ("25.00", "15.88", "9.12")
    assert (refund["gross"], refund["fee"], refund["net"]) == ("-10.00", "0.00", "-10.00")
    assert refund["reporting_category"] == "refund"
    assert refund["source_id"] == "re_1"


def test_header_and_stable_unique_transaction_ids():
    ledger = [movement("charge", 100, "pi_1"), movement("charge", 100, "pi_2")]

    first = to_csv(settled_lines(ledger))
    again = to_csv(settled_lines(ledger))

    assert first.splitlines()[0] == ",".join(COLUMNS)
    ids = [r["balance_transaction_id"] for r in rows(first)]
    assert first == again
    assert len(set(ids)) == 2
    assert all(i.startswith("txn_") and len(i) == 28 for i in ids)


def test_zero_decimal_and_three_decimal_currencies_use_their_exponent():
    ledger = [
        movement("charge", 2_500, "pi_j", currency="jpy"),
        movement("refund", 1_234, "re_k", currency="kwd"),
    ]

    jpy, kwd = rows(to_csv(settled_lines(ledger)))

    assert jpy["gross"] == "2500"
    assert kwd["gross"] == "-1.234"


def test_filters_by_provider_and_utc_day():
    ledger = [
        movement("charge", 100, "pi_1"),
        movement("charge", 200, "pi_2", at=NEXT_DAY),
        movement("charge", 300, "pay_x", provider="paymongo"),
    ]

    by_day = settled_lines(ledger, on=date(2026, 11, 28))
    by_provider = settled_lines(ledger, provider="stripe")

    assert [line.source_id for line in by_day] == ["pi_2"]
    assert [line.source_id for line in by_provider] == ["pi_1", "pi_2"]


def test_a_currency_without_a_fee_schedule_costs_nothing():
    (line,) = settled_lines([movement("charge", 1_000, provider="xendit", currency="usd")])

    assert line.fee == 0


async def test_report_over_http_for_one_provider_and_day(sim):
    await sim.create_intent(amount="10000")
    intent = (await sim.create_intent(capture_method="manual")).json()
    await sim.post(f"/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": "2000"})
    await sim.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "500"})
    today = datetime.now(UTC).date().isoformat()

    response = await sim.client.get(
        "/_sim/settlements.csv", params={"provider": "stripe", "date": today}
    )
    other_day = await sim.client.get("/_sim/settlements.csv", params={"date": "2001-01-01"})
    unknown = await sim.client.get("/_sim/settlements.csv", params={"provider": "nope"})
    malformed = await sim.client.get("/_sim/settlements.csv", params={"date": "yesterday"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = rows(response.text)
    assert [(r["reporting_category"], r["gross"]) for r in lines] == [
        ("charge", "100.00"),
        ("charge", "20.00"),
        ("refund", "-5.00"),
    ]
    assert lines[1]["source_id"] == intent["id"]
    assert all(r["payment_id"] == "pay_123" for r in lines)
    assert rows(other_day.text) == []
    assert unknown.status_code == 404
    assert malformed.status_code == 422


async def test_ledger_json_keeps_its_fields_and_adds_the_time(sim):
    await sim.create_intent()

    (entry,) = await sim.ledger()

    assert {"provider", "reference", "kind", "amount", "currency", "payment_id"} <= set(entry)
    assert datetime.fromisoformat(entry["at"]).tzinfo is not None
