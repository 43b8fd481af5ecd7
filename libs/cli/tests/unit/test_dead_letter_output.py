"""`payroute dlq`: its arguments, and what it prints for lists and replays."""

import pytest
from aiokafka.structs import ConsumerRecord

from payroute_cli import dead_letter_output
from payroute_cli.main import parser
from payroute_common.dead_letter_records import read_letter
from payroute_common.dead_letter_replay import DeadLetterQueue


def letter_record(offset: int, error: str = "undecodable: bad") -> ConsumerRecord:
    return ConsumerRecord(
        topic="stg.orchestrator.dlq",
        partition=0,
        offset=offset,
        timestamp=1_700_000_000_000,
        timestamp_type=0,
        key=b"pay_1",
        value=b"{}",
        checksum=None,
        serialized_key_size=5,
        serialized_value_size=2,
        headers=(
            ("dlq-error", error.encode()),
            ("dlq-original-topic", b"stg.payment.commands"),
            ("dlq-original-partition", b"3"),
            ("dlq-original-offset", str(40 + offset).encode()),
        ),
    )


def queue(count: int, mark: int | None = None) -> DeadLetterQueue:
    letters = tuple(read_letter(letter_record(offset)) for offset in range(count))
    marks = {} if mark is None else {0: mark}
    return DeadLetterQueue("orchestrator", "stg.orchestrator.dlq", (0,), letters, marks)


def test_list_and_replay_arguments() -> None:
    parsed = parser().parse_args(["dlq", "list", "orchestrator", "--limit", "5", "--json"])
    assert (parsed.consumer_group, parsed.limit, parsed.json) == ("orchestrator", 5, True)
    assert parser().parse_args(["dlq", "list"]).consumer_group is None

    parsed = parser().parse_args(["dlq", "replay", "orchestrator", "--offset", "3", "1:4"])
    assert (parsed.offsets, parsed.all, parsed.dry_run) == ([(None, 3), (1, 4)], False, False)
    parsed = parser().parse_args(["dlq", "replay", "orchestrator", "--all", "--dry-run"])
    assert (parsed.offsets, parsed.all, parsed.dry_run) == (None, True, True)


@pytest.mark.parametrize(
    "args",
    [
        ["dlq", "replay", "orchestrator"],
        ["dlq", "replay", "orchestrator", "--all", "--offset", "1"],
        ["dlq", "replay", "orchestrator", "--offset", "x"],
        ["dlq", "replay", "orchestrator", "--offset", "-1"],
        ["dlq", "list", "orchestrator", "--limit", "0"],
        ["dlq", "replay", "--all"],
    ],
)
def test_bad_arguments_are_refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(args)

    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_the_topic_list_is_a_table_of_counts() -> None:
    result = {"topics": [dead_letter_output.queue_summary(queue(3, mark=1))]}

    assert dead_letter_output.render_list(result).splitlines() == [
        "GROUP         TOPIC                 LETTERS  PENDING",
        "orchestrator  stg.orchestrator.dlq  3        2",
    ]
    assert dead_letter_output.render_list({"topics": []}) == "no dead-letter topics"


def test_a_group_list_shows_the_newest_letters_with_origin_state_and_first_error_line() -> None:
    dlq = queue(4, mark=3)
    long_error = "HandlerError: " + "x" * 200 + "\ntraceback"
    dlq = DeadLetterQueue(
        dlq.group,
        dlq.topic,
        dlq.partitions,
        (*dlq.letters[:3], read_letter(letter_record(3, long_error))),
        dlq.marks,
    )

    result = dead_letter_output.queue_letters(dlq, limit=2)
    lines = dead_letter_output.render_list(result).splitlines()

    assert [item["offset"] for item in result["letters"]] == [2, 3]
    assert result["letters"][1]["error"] == long_error
    assert result["marks"] == {"0": 3}
    assert lines[0] == "stg.orchestrator.dlq: 4 letters, 1 not replayed (the newest 2 shown)"
    assert lines[1].split() == ["AT", "DEAD-LETTERED", "(UTC)", "FROM", "EVENT", "STATE", "ERROR"]
    assert lines[2].split() == [
        "0:2",
        "2023-11-14",
        "22:13:20",
        "stg.payment.commands/3@42",
        "-",
        "replayed",
        "undecodable:",
        "bad",
    ]
    assert lines[3].split()[5] == "pending"
    assert lines[3].endswith("HandlerError: " + "x" * 65 + "…")


def test_a_replay_report_says_what_was_sent_and_where_the_mark_went() -> None:
    dlq = queue(3, mark=1)
    chosen = dlq.select([(None, 0), (None, 1)])

    result = dead_letter_output.replay_report(dlq, chosen, {0: 2}, dry_run=False)

    assert [item["again"] for item in result["replayed"]] == [True, False]
    assert dead_letter_output.render_replay(result).splitlines() == [
        "replayed 2 letters from stg.orchestrator.dlq:",
        "  0:0 -> stg.payment.commands key=pay_1 (again)",
        "  0:1 -> stg.payment.commands key=pay_1",
        "marked replayed up to 0:2 (payroute-dlq-replay.orchestrator)",
    ]


def test_a_dry_run_report_says_nothing_was_sent() -> None:
    dlq = queue(2)
    result = dead_letter_output.replay_report(dlq, dlq.pending(), {0: 2}, dry_run=True)

    lines = dead_letter_output.render_replay(result).splitlines()

    assert lines[0] == "would replay 2 letters from stg.orchestrator.dlq:"
    assert lines[-2:] == [
        "would mark replayed up to 0:2 (payroute-dlq-replay.orchestrator)",
        "dry run: nothing sent",
    ]
    empty = dead_letter_output.replay_report(dlq, [], {}, dry_run=False)
    assert dead_letter_output.render_replay(empty) == "nothing to replay in stg.orchestrator.dlq"
