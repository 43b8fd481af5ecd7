import pytest

from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import CreatePayment, PaymentMethod, decode_payload
from payroute_common.messages.registry import (
    UnknownMessageTypeError,
    UnsupportedSchemaVersionError,
)


def command() -> CreatePayment:
    return CreatePayment(
        payment_id="pay_1",
        merchant_id="mch_1",
        amount=1000,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card", token="pm_card_visa"),
        created_at=utcnow(),
    )


def test_a_wrapped_message_decodes_back_to_itself() -> None:
    original = command()
    envelope = Envelope.wrap(original, producer="test", tenant_id="mch_1", aggregate_id="pay_1")
    decoded = Envelope.model_validate_json(envelope.model_dump_json())
    assert decode_payload(decoded) == original
    assert decoded.event_type == "CreatePayment"
    assert decoded.correlation_id == "pay_1"


def test_a_caused_message_inherits_correlation_and_names_its_cause() -> None:
    first = Envelope.wrap(
        command(), producer="a", tenant_id="mch_1", aggregate_id="pay_1", correlation_id="req_9"
    )
    second = Envelope.wrap(
        command(), producer="b", tenant_id="mch_1", aggregate_id="pay_1", causation=first
    )
    assert second.correlation_id == "req_9"
    assert second.causation_id == str(first.event_id)
    assert second.event_id != first.event_id


def test_unknown_event_types_are_refused() -> None:
    envelope = Envelope.wrap(command(), producer="a", tenant_id="t", aggregate_id="p")
    with pytest.raises(UnknownMessageTypeError):
        decode_payload(envelope.model_copy(update={"event_type": "Nope"}))


def test_newer_schema_versions_than_known_are_refused() -> None:
    envelope = Envelope.wrap(command(), producer="a", tenant_id="t", aggregate_id="p")
    with pytest.raises(UnsupportedSchemaVersionError):
        decode_payload(envelope.model_copy(update={"schema_version": 99}))


def test_ids_carry_their_prefix_and_are_unique() -> None:
    ids = [new_id("pay") for _ in range(50)]
    assert all(i.startswith("pay_") and len(i) == 4 + 25 for i in ids)
    assert len(set(ids)) == 50
