from aiokafka.structs import ConsumerRecord

from payroute_common.clock import utcnow
from payroute_common.consumer import decode
from payroute_common.envelope import Envelope
from payroute_common.messages import CreatePayment, PaymentMethod


def record(value: bytes | None, offset: int) -> ConsumerRecord:  # type: ignore[type-arg]
    return ConsumerRecord(
        topic="payment.commands",
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"pay_1",
        value=value,
        checksum=None,
        serialized_key_size=5,
        serialized_value_size=len(value or b""),
        headers=(),
    )


def valid() -> bytes:
    message = CreatePayment(
        payment_id="pay_1",
        merchant_id="mch_1",
        amount=1000,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card"),
        created_at=utcnow(),
    )
    envelope = Envelope.wrap(message, producer="t", tenant_id="mch_1", aggregate_id="pay_1")
    return envelope.model_dump_json().encode()


def test_poison_records_are_separated_from_good_ones_in_order() -> None:
    good = valid()
    bad_payload = good.replace(b'"amount":1000', b'"amount":-5')
    unknown_type = good.replace(b'"CreatePayment"', b'"Bogus"')
    records = [
        record(b"not json", 0),
        record(good, 1),
        record(None, 2),
        record(bad_payload, 3),
        record(unknown_type, 4),
    ]
    received, dead = decode(records)
    assert [r.record.offset for r in received] == [1]
    assert [d.record.offset for d in dead] == [0, 2, 3, 4]
    assert all(d.error.startswith("undecodable:") for d in dead)
    assert "unknown event_type" in dead[3].error
