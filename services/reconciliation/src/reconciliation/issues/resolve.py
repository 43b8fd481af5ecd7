"""An admin closes an issue with a note; only an open issue can be resolved."""

from __future__ import annotations

from typing import Protocol

from payroute_common.messages import ReconciliationIssueResolved
from payroute_common.uow import UnitOfWorkInterface
from reconciliation.events import publish
from reconciliation.issues.store import Issue


class IssueError(ValueError):
    status = 400
    code = "invalid_request"


class IssueNotFound(IssueError):
    status = 404
    code = "resource_missing"

    def __init__(self, issue_id: str) -> None:
        super().__init__(f"No issue {issue_id}.")


class IssueNotOpen(IssueError):
    status = 409
    code = "issue_not_open"

    def __init__(self, issue: Issue) -> None:
        super().__init__(f"Issue {issue.id} is already {issue.status}.")


class IssueRepository(Protocol):
    async def get(self, issue_id: str, *, for_update: bool = False) -> Issue | None: ...
    async def resolve(self, issue_id: str, note: str, resolved_by: str) -> None: ...


class IssueUnitOfWork(UnitOfWorkInterface, Protocol):
    @property
    def issues(self) -> IssueRepository: ...


async def resolve_issue(
    issue_id: str, note: str, *, resolved_by: str, uow: IssueUnitOfWork
) -> Issue:
    """Mark the issue resolved (who and why kept) and announce it, in one commit."""
    async with uow:
        issue = await uow.issues.get(issue_id, for_update=True)
        if issue is None:
            raise IssueNotFound(issue_id)
        if issue.status != "open":
            raise IssueNotOpen(issue)
        await uow.issues.resolve(issue_id, note, resolved_by)
        resolved = ReconciliationIssueResolved(
            issue_id=issue.id,
            run_id=issue.run_id,
            issue_class=issue.issue_class,
            provider=issue.provider,
            status="resolved",
        )
        publish(uow, resolved, run_id=issue.run_id, subject=issue.id)
        await uow.commit()
        resolved_issue = await uow.issues.get(issue_id)
    assert resolved_issue is not None
    return resolved_issue
