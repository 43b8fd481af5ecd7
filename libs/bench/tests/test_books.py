"""The simulator's ledger against Payroute's books."""

from payroute_bench.books import disagreements, kept_per_provider, moves_per_payment, net_charged


def move(payment_id: str, kind: str, amount: int, provider: str = "stripe") -> dict[str, object]:
    return {"payment_id": payment_id, "kind": kind, "amount": amount, "provider": provider}


def payment(payment_id: str, captured: int, refunded: int = 0) -> dict[str, object]:
    return {
        "id": payment_id,
        "status": "captured",
        "amount_captured": captured,
        "amount_refunded": refunded,
    }


def test_net_money_counts_charges_and_captures_less_refunds_not_authorizations() -> None:
    moves = [
        move("pay_1", "authorization", 500),
        move("pay_1", "capture", 500),
        move("pay_1", "refund", 200),
        move("pay_1", "void", 300),
    ]
    assert net_charged(moves) == 300
    assert kept_per_provider([*moves, move("pay_1", "charge", 100, "paymongo")]) == {
        "stripe": 300,
        "paymongo": 100,
    }


def test_books_that_agree_payment_by_payment_have_no_disagreement() -> None:
    moves = [
        move("pay_1", "charge", 1000),
        move("pay_2", "charge", 500),
        move("pay_2", "refund", 500),
    ]
    assert moves_per_payment([*moves, move("", "charge", 1)]).keys() == {"pay_1", "pay_2"}
    assert disagreements([payment("pay_1", 1000), payment("pay_2", 500, 500)], moves) == {}


def test_every_kind_of_difference_is_found() -> None:
    moves = [
        move("pay_short", "charge", 900),
        move("pay_twice", "charge", 1000, "stripe"),
        move("pay_twice", "charge", 1000, "paymongo"),
        move("pay_twice", "refund", 1000, "paymongo"),
        move("pay_double", "charge", 600, "stripe"),
        move("pay_double", "charge", 400, "xendit"),
        move("pay_stranger", "charge", 700),
    ]
    payments = [
        payment("pay_short", 1000),
        payment("pay_twice", 1000),  # taken twice, given back once: agrees
        payment("pay_double", 1000),  # the right sum, kept at two providers
        payment("pay_missing", 1000),
    ]
    wrong = disagreements(payments, moves)
    assert wrong.keys() == {"pay_short", "pay_double", "pay_missing", "pay_stranger"}
    shown_and_kept = "Payroute shows 1000 (captured), the providers kept {'stripe': 900}"
    assert wrong["pay_short"] == shown_and_kept
    assert wrong["pay_stranger"].startswith("unknown to Payroute")
