"""PayMongo's payments export: references are what Payroute stores, money is exact, and
every bad line is reported by its number while the others are read."""

from datetime import UTC, datetime

import pytest

from reconciliation.reports.lines import HeaderError, ReportLine

from .report_files import errors_of, lines_of, parse, parse_sample

PAYROUTE_PAYMENT = "pay_0mh2k3j4l5m6n7o8p9q0r1s2t"


def test_payments_and_refunds_become_lines_named_as_payroute_knows_them() -> None:
    paid, refunded, wallet, failed = lines_of(parse_sample("paymongo", "paymongo_payments.csv"))

    assert paid == ReportLine(
        line_no=2,
        provider="paymongo",
        movement_id="pay_GoodCard0000000000000001",
        reference="pi_Intent00000000000000001",
        kind="charge",
        amount=8_000,
        fee=1_780,
        currency="PHP",
        occurred_at=datetime(2026, 11, 27, 9, 31, tzinfo=UTC),
        status="succeeded",
        payment_id=PAYROUTE_PAYMENT,
    )
    assert (refunded.kind, refunded.reference, refunded.movement_id) == (
        "refund",
        "ref_Refund000000000000000001",
        "ref_Refund000000000000000001",
    )
    assert (refunded.amount, refunded.fee, refunded.status) == (3_000, 0, "succeeded")
    assert refunded.occurred_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert (wallet.currency, wallet.amount, wallet.fee, wallet.payment_id) == (
        "PHP",
        25_050,
        626,
        None,
    )
    assert (failed.status, failed.fee) == ("failed", 0)
    assert failed.occurred_at == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def test_each_bad_line_is_an_error_with_its_number() -> None:
    errors = errors_of(parse_sample("paymongo", "paymongo_payments.csv"))

    assert errors == {
        6: "too few columns",
        7: "Amount 'eighty' is not a number",
        8: "unknown currency 'XXX'",
        9: "Created at '27/11/2026' is not a date",
        10: "too many columns",
        11: "Payment Intent ID is empty",
        12: "Amount '80.001' has more decimals than PHP allows",
    }


def test_a_header_without_a_required_column_is_refused() -> None:
    with pytest.raises(HeaderError, match="Payment Intent ID"):
        parse("paymongo", "ID,Type,Amount,Fee,Currency,Status,Created at\n")


def test_an_empty_body_is_refused() -> None:
    with pytest.raises(HeaderError):
        parse("paymongo", "")
