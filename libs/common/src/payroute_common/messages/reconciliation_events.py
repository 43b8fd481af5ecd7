"""Events on topic `reconciliation.events` (reconciliation → metrics-exporter and
anyone watching the books), keyed by run id.

Counts are per issue class: `matched`, `missing_in_provider`, `missing_in_payroute`,
`amount_mismatch`, `fee_mismatch`, `status_mismatch`, `currency_mismatch`,
`duplicate`. `open_issues` in a completed run is the whole open count per class
after that run, so a gauge can be set from one event without replaying history.
"""

from datetime import date
from typing import Literal

from pydantic import Field

from payroute_common.envelope import Message

IssueClass = Literal[
    "missing_in_provider",
    "missing_in_payroute",
    "amount_mismatch",
    "fee_mismatch",
    "status_mismatch",
    "currency_mismatch",
    "duplicate",
]
IssueStatus = Literal["open", "resolved", "auto_resolved"]


class ReconciliationRunCompleted(Message):
    """A run matched a provider's report for a settlement date."""

    event_type = "ReconciliationRunCompleted"

    run_id: str
    provider: str
    settlement_date: date
    report_id: str | None
    counts: dict[str, int]
    lines: int = Field(ge=0)
    line_errors: int = Field(ge=0)
    duration_ms: int = Field(ge=0)
    open_issues: dict[str, int]


class ReconciliationIssueOpened(Message):
    event_type = "ReconciliationIssueOpened"

    issue_id: str
    run_id: str
    issue_class: IssueClass
    provider: str
    status: IssueStatus = "open"


class ReconciliationIssueResolved(Message):
    """An issue closed: `resolved` by an admin with a note, or `auto_resolved` when a
    later run agreed with Payroute."""

    event_type = "ReconciliationIssueResolved"

    issue_id: str
    run_id: str
    issue_class: IssueClass
    provider: str
    status: IssueStatus
