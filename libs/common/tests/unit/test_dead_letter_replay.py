"""Reading dead letters back, choosing which to replay, and where the replay mark moves."""

from collections.abc import Mapping, Sequence

import pytest
from aiokafka.structs import ConsumerRecord

from payroute_common.clock import utcnow
from payroute_common.dead_letter_records import Letter, read_letter
from payroute_common.dead_letter_replay import (
    DeadLetterError,
    DeadLetterQueue,
    check_routable,
    dlq_groups,
)
from payroute_common.envelope import Envelope
from payroute_common.messages import CreatePayment, PaymentMethod

DLQ = "orchestrator.dlq"


def letter_headers(offset: int = 7) -> list[tuple[str, bytes]]:
    return [
        ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("dlq-error", b"UnknownPaymentError: pay_1\nsecond line"),
        ("dlq-consumer-group", b"orchestrator"),
        ("dlq-original-topic", b"payment.commands"),
        ("dlq-original-partition", b"2"),
        ("dlq-original-offset", str(offset).encode()),
    ]


def record(
    offset: int,
    *,
    partition: int = 0,
    value: bytes = b"not json",
    headers: Sequence[tuple[str, bytes]] | None = None,
) -> ConsumerRecord:
    return ConsumerRecord(
        topic=DLQ,
        partition=partition,
        offset=offset,
        timestamp=1_700_000_000_000,
        timestamp_type=0,
        key=b"pay_1",
        value=value,
        checksum=None,
        serialized_key_size=5,
        serialized_value_size=len(value),
        headers=tuple(letter_headers() if headers is None else headers),
    )


def queue(
    offsets: Sequence[int], marks: Mapping[int, int] | None = None, partitions: int = 1
) -> DeadLetterQueue:
    letters = tuple(read_letter(record(o, partition=p)) for p in range(partitions) for o in offsets)
    return DeadLetterQueue("orchestrator", DLQ, tuple(range(partitions)), letters, marks or {})


def positions(letters: Sequence[Letter]) -> list[tuple[int, int]]:
    return [(letter.partition, letter.offset) for letter in letters]


def test_a_letter_reads_its_origin_error_and_event() -> None:
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

    letter = read_letter(record(3, value=envelope.model_dump_json().encode()))

    assert (letter.partition, letter.offset) == (0, 3)
    assert (letter.original_topic, letter.original_partition, letter.original_offset) == (
        "payment.commands",
        2,
        7,
    )
    assert letter.error == "UnknownPaymentError: pay_1\nsecond line"
    assert (letter.event_id, letter.event_type) == (str(envelope.event_id), "CreatePayment")
    assert letter.key == "pay_1"
    assert letter.dead_lettered_at.isoformat() == "2023-11-14T22:13:20+00:00"


def test_a_letter_without_envelope_or_headers_reads_as_unknown() -> None:
    letter = read_letter(record(0, headers=[("dlq-original-partition", b"x")]))

    assert (letter.event_id, letter.event_type) == (None, None)
    assert (letter.original_topic, letter.original_partition, letter.original_offset) == (
        None,
        None,
        None,
    )
    assert letter.error == ""


def test_replay_headers_drop_the_dead_letter_ones_and_say_where_from() -> None:
    headers = [*letter_headers(), ("dlq-replayed-from", b"orchestrator.dlq:0:1")]

    letter = read_letter(record(5, headers=headers))

    assert letter.replay_headers() == [
        ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("dlq-replayed-from", b"orchestrator.dlq:0:5"),
    ]


def test_pending_letters_are_those_at_or_above_the_mark() -> None:
    dlq = queue([0, 1, 2, 3], marks={0: 2})

    assert positions(dlq.pending()) == [(0, 2), (0, 3)]
    assert [dlq.is_replayed(letter) for letter in dlq.letters] == [True, True, False, False]
    assert positions(queue([0, 1]).pending()) == [(0, 0), (0, 1)]


def test_select_takes_plain_offsets_on_a_single_partition_in_queue_order() -> None:
    dlq = queue([0, 1, 2])

    assert positions(dlq.select([(None, 2), (0, 0), (None, 2)])) == [(0, 0), (0, 2)]


@pytest.mark.parametrize(
    ("choices", "partitions", "message"),
    [
        ([(None, 9)], 1, "no letter at 0:9 in orchestrator.dlq (letters 0:0..0:2)"),
        ([(1, 0)], 1, "no letter at 1:0 in orchestrator.dlq (letters 0:0..0:2)"),
        ([(None, 1)], 2, "orchestrator.dlq has 2 partitions: give PARTITION:OFFSET"),
    ],
)
def test_select_refuses_a_letter_that_is_not_there(
    choices: list[tuple[int | None, int]], partitions: int, message: str
) -> None:
    with pytest.raises(DeadLetterError) as raised:
        queue([0, 1, 2], partitions=partitions).select(choices)

    assert str(raised.value) == message


def test_the_mark_moves_over_everything_replayed_by_all() -> None:
    dlq = queue([0, 1, 2, 3], marks={0: 1}, partitions=2)

    assert dlq.marks_after(dlq.pending()) == {0: 4, 1: 4}


def test_the_mark_moves_only_over_an_unbroken_run_from_the_mark() -> None:
    dlq = queue([0, 1, 2, 3], marks={0: 1})

    assert dlq.marks_after(dlq.select([(0, 1), (0, 3)])) == {0: 2}
    assert dlq.marks_after(dlq.select([(0, 2)])) == {}
    assert dlq.marks_after(dlq.select([(0, 0)])) == {}  # replayed again: already below


def test_dead_letter_groups_are_read_from_this_environments_topic_names() -> None:
    topics = {"stg.orchestrator.dlq", "stg.payment.events", "prod.orchestrator.dlq", "stg..dlq"}

    assert dlq_groups(topics, "stg.") == ["orchestrator"]
    assert dlq_groups({"a.dlq", "payment.events"}, "") == ["a"]


def test_a_replay_with_any_letter_that_has_nowhere_to_go_is_refused() -> None:
    routed = read_letter(record(0))
    lost = read_letter(record(1, headers=[("dlq-error", b"x")]))

    check_routable([routed], {"payment.commands"})
    with pytest.raises(DeadLetterError, match="1 has no dlq-original-topic header"):
        check_routable([routed, lost], {"payment.commands"})
    with pytest.raises(DeadLetterError, match=r"topic 'payment\.commands' does not exist"):
        check_routable([routed], {"payment.events"})
