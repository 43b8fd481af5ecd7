"""The generic bank statement: signed amounts become payments and refunds, the quoted
payment id names the payment, lines without an id get a stable one, and every bad line
is reported by its number."""

from datetime import UTC, datetime

import pytest

from reconciliation.reports.lines import HeaderError

from .report_files import errors_of, lines_of, parse, parse_sample

PAYMENT = "pay_0mh2k3j4l5m6n7o8p9q0r1s2t"


def test_money_in_is_a_payment_money_out_a_refund() -> None:
    transfer, refund, cheque, again, cash, yen = lines_of(
        parse_sample("bank", "bank_statement.csv")
    )

    assert (transfer.kind, transfer.amount, transfer.fee, transfer.currency) == (
        "charge",
        150_000,
        0,
        "PHP",
    )
    assert (transfer.reference, transfer.payment_id, transfer.provider) == (
        PAYMENT,
        PAYMENT,
        "bank",
    )
    assert transfer.occurred_at == datetime(2026, 11, 27, tzinfo=UTC)
    assert transfer.status is None
    assert (refund.kind, refund.amount) == ("refund", 20_000)
    assert (cheque.reference, cheque.payment_id, cheque.currency) == ("INV-2044", None, "PHP")
    assert cheque.occurred_at == datetime(2026, 11, 27, 7, 45, tzinfo=UTC)
    assert (cash.reference, cash.amount) == ("", 0)
    assert (yen.amount, yen.currency) == (100, "JPY")
    # The same statement line twice is the same movement: matching calls it a duplicate.
    assert again.movement_id == transfer.movement_id
    assert (
        len({transfer.movement_id, refund.movement_id, cheque.movement_id, cash.movement_id}) == 4
    )
    assert transfer.movement_id.startswith("bank_")


def test_each_bad_line_is_an_error_with_its_number() -> None:
    errors = errors_of(parse_sample("bank", "bank_statement.csv"))

    assert errors == {
        7: "amount '1,500.00' is not a number",
        8: "amount 'abc' is not a number",
        9: "unknown currency 'ZZZ'",
        10: "date '27/11/2026' is not a date",
        11: "too few columns",
        12: "too many columns",
        14: "amount '100.5' has more decimals than JPY allows",
    }


def test_the_bank_s_own_line_id_is_the_movement_id_when_given() -> None:
    text = "id,date,amount,currency,reference,description\nBK-1,2026-11-27,5.00,PHP,x,y\n"

    (line,) = lines_of(parse("bank", text))

    assert line.movement_id == "BK-1"


def test_the_hashed_id_is_the_same_in_every_upload_of_the_line() -> None:
    text = "date,amount,currency,reference,description\n2026-11-27,5.00,PHP,x,y\n"

    (first,) = lines_of(parse("bank", text))
    (second,) = lines_of(
        parse("bank", "description,reference,currency,amount,date\ny,x,PHP,5.00,2026-11-27\n")
    )

    assert first.movement_id == second.movement_id


def test_a_header_without_a_required_column_is_refused() -> None:
    with pytest.raises(HeaderError, match="reference"):
        parse("bank", "date,amount,currency,description\n")
