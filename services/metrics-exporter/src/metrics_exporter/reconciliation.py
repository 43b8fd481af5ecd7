"""What reconciliation's events add to the metrics. Pure: no I/O.

A completed run adds one run and its lines per class, once per run id whatever
event carries it. Issues are kept one row each (store.py): opened, then closed by
`resolved` or `auto_resolved`, so the open gauge is opened minus closed whatever
order the events arrive in (an issue's events may travel under different runs'
keys) and however often each is delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from metrics_exporter.metrics import (
    RECONCILIATION_LINES,
    RECONCILIATION_RUNS,
    Counted,
    bounded,
    increment,
)
from payroute_common.envelope import Message
from payroute_common.messages import (
    ReconciliationIssueOpened,
    ReconciliationIssueResolved,
    ReconciliationRunCompleted,
)

RUN_COMPLETED = "completed"


def run_completed(event: ReconciliationRunCompleted) -> Counted:
    provider = bounded(event.provider)
    increments = [increment(RECONCILIATION_RUNS, 1, provider=provider, status=RUN_COMPLETED)]
    for line_class, lines in sorted(event.counts.items()):
        if lines > 0:
            labels = {"provider": provider, "class": bounded(line_class)}
            increments.append(increment(RECONCILIATION_LINES, lines, **labels))
    return Counted(tuple(increments), once_key=f"reconciliation_run:{event.run_id}")


@dataclass(frozen=True)
class IssueState:
    issue_id: str
    issue_class: str
    open: bool


def issue_states(messages: Iterable[Message]) -> list[IssueState]:
    """One state per issue from a batch; an issue closed anywhere in it is closed."""
    states: dict[str, IssueState] = {}
    for message in messages:
        if isinstance(message, ReconciliationIssueOpened | ReconciliationIssueResolved):
            is_open = message.status == "open"
            seen = states.get(message.issue_id)
            if seen is None or (seen.open and not is_open):
                states[message.issue_id] = IssueState(
                    message.issue_id, message.issue_class, is_open
                )
    return list(states.values())
