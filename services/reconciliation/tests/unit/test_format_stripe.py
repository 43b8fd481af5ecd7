"""Stripe's balance report as the simulator writes it (and Stripe documents it)."""

from datetime import UTC, datetime

import pytest

from reconciliation.reports.formats.base import CellError, minor_units, utc_timestamp
from reconciliation.reports.lines import LineError, ReportLine

from .report_files import parse

HEADER = (
    "balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
    "reporting_category,source_id,payment_id,provider\n"
)


def test_charges_and_refunds_become_lines_in_minor_units() -> None:
    text = (
        HEADER
        + "txn_1,2026-12-01 10:00:00,,usd,12.50,0.66,11.84,charge,pi_1,pay_1,stripe\n"
        + "txn_2,2026-12-01 11:00:00,,jpy,-500,0,-500,refund,re_1,pay_1,stripe\n"
        + "txn_3,2026-12-01 12:00:00,,kwd,1.234,0.000,1.234,payout,po_1,,stripe\n"
    )

    charge, refund, payout = parse("stripe", text)

    assert charge == ReportLine(
        line_no=2, provider="stripe", movement_id="txn_1", reference="pi_1", kind="charge",
        amount=1250, fee=66, currency="USD",
        occurred_at=datetime(2026, 12, 1, 10, tzinfo=UTC), payment_id="pay_1",
    )  # fmt: skip
    assert (refund.kind, refund.amount, refund.currency, refund.reference) == (  # type: ignore[union-attr]
        "refund", 500, "JPY", "re_1",
    )  # fmt: skip
    assert (payout.kind, payout.amount, payout.payment_id) == ("payout", 1234, None)  # type: ignore[union-attr]


def test_a_refund_failure_reports_the_refund_failed() -> None:
    text = HEADER + "txn_9,2026-12-01 10:00:00,,usd,4.00,0,4.00,refund_failure,re_1,,stripe\n"
    (line,) = parse("stripe", text)
    assert isinstance(line, ReportLine)
    assert (line.kind, line.status, line.amount) == ("refund", "failed", 400)


def test_bad_lines_are_errors_with_their_line_numbers() -> None:
    text = (
        HEADER
        + "txn_1,2026-12-01 10:00:00,,usd,1.00,0,1.00,charge,pi_1,,stripe,extra\n"
        + "txn_2,2026-12-01 10:00:00,,usd\n"
        + "txn_3,2026-12-01 10:00:00,,usd,1.001,0,1,charge,pi_3,,stripe\n"
        + "txn_4,2026-12-01 10:00:00,,usd,1.00,0,1,charge,,,stripe\n"
        + "txn_5,2026-12-01 10:00:00,,usd,1.00,0,1,charge,pi_5,,stripe\n"
    )

    parsed = parse("stripe", text)

    errors = {e.line_no: e.message for e in parsed if isinstance(e, LineError)}
    assert sorted(errors) == [2, 3, 4, 5]
    assert "too many columns" in errors[2]
    assert "too few columns" in errors[3]
    assert "more decimals" in errors[4]
    assert "source_id is empty" in errors[5]
    assert [line.line_no for line in parsed if isinstance(line, ReportLine)] == [6]


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.5", "USD", 1250), ("-0.07", "USD", -7), ("1e2", "USD", 10000), ("7", "JPY", 7),
     ("1.234", "BHD", 1234), ("+3.10", "EUR", 310)],
)  # fmt: skip
def test_money_is_exact(text: str, currency: str, minor: int) -> None:
    assert minor_units(text, currency, column="gross") == minor


@pytest.mark.parametrize("text", ["", "-", "abc", "1.5.5", "NaN", "Infinity", "²"])
def test_non_numbers_are_refused(text: str) -> None:
    with pytest.raises(CellError, match="gross"):
        minor_units(text, "USD", column="gross")


def test_timestamps_are_utc_whatever_the_spelling() -> None:
    expected = datetime(2026, 12, 1, 10, tzinfo=UTC)
    for text in ("2026-12-01 10:00:00", "2026-12-01T10:00:00Z", "2026-12-01T12:00:00+02:00",
                 "1796119200"):  # fmt: skip
        assert utc_timestamp(text, column="created_utc") == expected
    with pytest.raises(CellError, match="not a date"):
        utc_timestamp("01/12/2026", column="created_utc")
