from payroute_common.messages import PaymentSnapshot
from reconciliation.ledger import apply, ledger_entries_of

from .snapshots import T0, snapshot


def test_first_snapshot_creates_the_entry() -> None:
    entry = apply(None, snapshot(1, "processing", provider_reference=None))
    assert (entry.payment_id, entry.status, entry.version) == ("pay_1", "processing", 1)
    assert entry.captured_at is None
    assert entry.provider_reference is None


def test_newer_version_replaces_the_entry() -> None:
    entry = apply(apply(None, snapshot(1)), snapshot(2, "captured"))
    assert (entry.status, entry.version, entry.amount_captured) == ("captured", 2, 10_000)
    assert entry.provider_reference == "pi_1"


def test_older_or_same_version_changes_nothing() -> None:
    current = apply(None, snapshot(3, "captured"))
    assert apply(current, snapshot(2, "processing")) is current
    assert apply(current, snapshot(3, "failed")) is current


def test_captured_at_is_the_time_the_payment_first_showed_captured() -> None:
    captured = apply(None, snapshot(2, "captured"))
    assert captured.captured_at == snapshot(2).updated_at
    refunded = apply(captured, snapshot(3, "refunded", amount_refunded=10_000))
    assert refunded.status == "refunded"
    assert refunded.captured_at == captured.captured_at


def test_no_captured_at_for_failed_payments() -> None:
    assert apply(None, snapshot(2, "failed")).captured_at is None


def test_fold_keeps_one_entry_per_payment_whatever_the_batch_order() -> None:
    other = snapshot(1, payment_id="pay_2")
    batch: list[PaymentSnapshot] = [
        snapshot(3, "refunded", amount_refunded=10_000),
        snapshot(1),
        other,
        snapshot(2, "captured"),
    ]
    entries = {e.payment_id: e for e in ledger_entries_of(batch)}
    assert set(entries) == {"pay_1", "pay_2"}
    assert (entries["pay_1"].version, entries["pay_1"].status) == (3, "refunded")
    assert entries["pay_1"].captured_at == snapshot(2).updated_at
    assert entries["pay_1"].created_at == T0


def test_fold_of_nothing_is_nothing() -> None:
    assert ledger_entries_of([]) == []
