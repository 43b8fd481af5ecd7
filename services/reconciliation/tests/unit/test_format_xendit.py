"""Xendit's transactions report: Product ID is the reference, fee includes VAT, statuses
in Payroute's words, and every bad line is reported by its number."""

from datetime import UTC, datetime

import pytest

from reconciliation.reports.lines import HeaderError, ReportLine

from .report_files import errors_of, lines_of, parse, parse_sample


def test_transactions_become_lines_named_by_their_xendit_objects() -> None:
    payment, refund, idr, failed, payout = lines_of(
        parse_sample("xendit", "xendit_transactions.csv")
    )

    assert payment == ReportLine(
        line_no=2,
        provider="xendit",
        movement_id="txn_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f",
        reference="pr-5f1a9c2e-0d7b-4e11-9a3c-1b2d3e4f5a6b",
        kind="charge",
        amount=2_550,
        fee=1_574,
        currency="PHP",
        occurred_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        status="succeeded",
        payment_id="pay_0mh2k3j4l5m6n7o8p9q0r1s2t",
    )
    assert (refund.kind, refund.reference, refund.amount, refund.payment_id) == (
        "refund",
        "rfd-7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        2_000,
        None,
    )
    # IDR has two decimals in ISO 4217: 150000 → 15 000 000 minor units; fee + VAT.
    assert (idr.amount, idr.fee) == (15_000_000, 222_000)
    assert idr.occurred_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert (failed.kind, failed.status) == ("refund", "failed")
    assert (payout.kind, payout.status, payout.fee) == ("payout", "pending", 1_120)


def test_each_bad_line_is_an_error_with_its_number() -> None:
    errors = errors_of(parse_sample("xendit", "xendit_transactions.csv"))

    assert errors == {
        7: "Amount '1.2.3' is not a number",
        8: "unknown currency 'PESO'",
        9: "Created Date 'yesterday' is not a date",
        10: "too few columns",
        11: "Total Fee 'n/a' is not a number",
        12: "Transaction ID is empty",
    }


def test_a_header_without_a_required_column_is_refused() -> None:
    header = "Transaction ID,Type,Status,Currency,Amount,Total Fee,Created Date\n"
    with pytest.raises(HeaderError, match="Product ID"):
        parse("xendit", header)


def test_a_report_without_vat_column_still_reads_the_fee() -> None:
    text = (
        "Transaction ID,Product ID,Type,Status,Currency,Amount,Total Fee,Created Date\n"
        "txn_1,pr-1,PAYMENT,SUCCESS,PHP,10.00,0.50,2026-11-27T00:00:00Z\n"
    )
    (line,) = lines_of(parse("xendit", text))

    assert (line.amount, line.fee) == (1_000, 50)
