"""What a broker rotation decides: drained or not, what to keep, whether to run at all."""

from types import SimpleNamespace

import pytest
from aiokafka import TopicPartition

from payroute_devstack.broker_rotation import rotate_records, start_rotating
from payroute_devstack.broker_state import BrokerState, Group
from payroute_devstack.errors import DevstackError

COMMANDS = [TopicPartition("t.commands", p) for p in range(2)]
DLQ = TopicPartition("t.worker.dlq", 0)
ENDS = {COMMANDS[0]: 5, COMMANDS[1]: 3, DLQ: 2}


def state(
    committed: dict[str, dict[TopicPartition, int]],
    groups: dict[str, Group] | None = None,
) -> BrokerState:
    return BrokerState(
        partitions={"t.commands": 2, "t.worker.dlq": 1},
        ends=ENDS,
        groups=groups or {"t.worker": Group("Stable", 1)},
        committed=committed,
    )


def test_a_group_at_every_end_has_drained_and_only_unconsumed_topics_are_kept() -> None:
    drained = state({"t.worker": {COMMANDS[0]: 5, COMMANDS[1]: 3}})
    assert drained.undrained() == []
    assert drained.consumed_topics() == {"t.commands"}
    assert drained.kept_topics() == ["t.worker.dlq"]
    assert drained.records(["t.commands"]) == 8


def test_a_partition_without_a_commit_counts_from_its_start() -> None:
    waiting = state({"t.worker": {COMMANDS[0]: 5}})
    assert waiting.undrained() == ["t.worker at 0 of 3 on t.commands[1]"]


def test_a_stopped_services_group_must_have_drained_too() -> None:
    groups = {"t.worker": Group("Stable", 1), "t.audit": Group("Empty", 0)}
    waiting = state(
        {"t.worker": {COMMANDS[0]: 5, COMMANDS[1]: 3}, "t.audit": {COMMANDS[0]: 4}}, groups
    )
    assert waiting.undrained() == [
        "t.audit at 4 of 5 on t.commands[0]",
        "t.audit at 0 of 3 on t.commands[1]",
    ]


def test_a_topic_only_a_stopped_group_consumes_is_kept_with_its_commits() -> None:
    groups = {"t.worker": Group("Empty", 0)}
    kept = state({"t.worker": {COMMANDS[0]: 2}}, groups)
    assert kept.undrained() == []
    assert kept.kept_topics() == ["t.commands", "t.worker.dlq"]


def test_a_group_that_committed_nothing_or_is_rebalancing_is_waited_for() -> None:
    silent = state({})
    assert silent.silent_groups() == ["t.worker"]
    assert silent.undrained() == ["t.worker has consumed nothing yet"]
    moving = state(
        {"t.worker": {COMMANDS[0]: 5, COMMANDS[1]: 3}}, {"t.worker": Group("PreparingRebalance", 2)}
    )
    assert moving.undrained() == ["t.worker is PreparingRebalance"]


def test_a_commit_past_an_end_is_reported() -> None:
    assert state({"t.worker": {COMMANDS[0]: 9}}).beyond_end() == [
        "t.worker committed 9 on t.commands[0], whose end is 5"
    ]


def test_the_rotation_threshold_comes_from_the_environment() -> None:
    assert rotate_records({}) == 2_000
    assert rotate_records({"PAYROUTE_BROKER_ROTATE_RECORDS": "0"}) == 0
    for wrong in ("many", "-1"):
        with pytest.raises(DevstackError, match="PAYROUTE_BROKER_ROTATE_RECORDS"):
            rotate_records({"PAYROUTE_BROKER_ROTATE_RECORDS": wrong})


def test_no_rotation_for_a_broker_started_elsewhere_or_a_threshold_of_zero() -> None:
    theirs = SimpleNamespace(infra=SimpleNamespace(broker=None))
    ours = SimpleNamespace(infra=SimpleNamespace(broker=object()))
    said: list[str] = []
    assert start_rotating(theirs, {}, said.append) is None  # type: ignore[arg-type]
    never = {"PAYROUTE_BROKER_ROTATE_RECORDS": "0"}
    assert start_rotating(ours, never, said.append) is None  # type: ignore[arg-type]
    assert said == []
