"""Issues over HTTP: a page (`GET /v1/reconciliation/issues`), the same filters as CSV
(`GET /v1/reconciliation/issues.csv`), and `POST .../issues/{id}/resolve`."""

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from reconciliation.access import KeyHolder
from reconciliation.api.deps import ApiContext
from reconciliation.api.errors import described, error_response
from reconciliation.issues.resolve import IssueError, resolve_issue
from reconciliation.issues.store import Issue, IssueFilters
from reconciliation.matching.classes import ISSUE_CLASSES

IssueStatus = Literal["open", "resolved", "auto_resolved"]
CSV_PAGE = 1_000
CSV_COLUMNS = (
    "id", "class", "provider", "kind", "reference", "payment_id", "expected", "actual",
    "note", "status", "run_id", "created_at", "resolved_at", "resolution_note",
)  # fmt: skip


class IssueOut(BaseModel):
    object: str = "reconciliation_issue"
    id: str
    issue_class: str = Field(serialization_alias="class")
    provider: str
    kind: str
    reference: str
    payment_id: str | None
    expected: dict[str, Any] | None
    actual: dict[str, Any] | None
    note: str | None
    status: str
    run_id: str
    resolution_note: str | None

    @classmethod
    def of(cls, issue: Issue) -> "IssueOut":
        return cls(
            id=issue.id,
            issue_class=issue.issue_class,
            provider=issue.provider,
            kind=issue.kind,
            reference=issue.reference,
            payment_id=issue.payment_id,
            expected=issue.expected,
            actual=issue.actual,
            note=issue.note,
            status=issue.status,
            run_id=issue.run_id,
            resolution_note=issue.resolution_note,
        )


class IssueList(BaseModel):
    object: str = "list"
    data: list[IssueOut]
    has_more: bool
    url: str


class ResolveIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


def filters(
    issue_class: Annotated[
        str | None, Query(alias="class", description=", ".join(ISSUE_CLASSES))
    ] = None,
    status: IssueStatus | None = None,
    run_id: str | None = None,
) -> IssueFilters:
    return IssueFilters(issue_class, status, run_id)


FiltersDep = Annotated[IssueFilters, Depends(filters)]


def issues_router(context: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"], **context.admin_only())
    AdminDep = Annotated[KeyHolder, Depends(context.admin)]

    @router.get("/issues", response_model=IssueList, response_model_by_alias=True)
    async def list_issues(
        request: Request,
        chosen: FiltersDep,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        starting_after: Annotated[
            str | None, Query(description="An issue id: the page starts after it (cursor).")
        ] = None,
    ) -> Any:
        """Issues, newest first; `has_more` says whether another page follows."""
        async with context.unit_of_work() as uow:
            found = await uow.issues.list(chosen, limit + 1, starting_after)
        page = [IssueOut.of(i) for i in found[:limit]]
        return IssueList(data=page, has_more=len(found) > limit, url=request.url.path)

    @router.get("/issues.csv", response_class=StreamingResponse)
    async def export_issues(chosen: FiltersDep) -> StreamingResponse:
        """Every issue matching the filters, newest first, as CSV with a header row."""
        return StreamingResponse(
            _csv_rows(context, chosen),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="issues.csv"'},
        )

    @router.post(
        "/issues/{issue_id}/resolve",
        response_model=IssueOut,
        response_model_by_alias=True,
        responses={404: described("No issue"), 409: described("The issue is not open")},
    )
    async def resolve(issue_id: str, body: ResolveIn, admin: AdminDep) -> Any:
        """Close an open issue with a note saying why; the resolving key is kept."""
        try:
            issue = await resolve_issue(
                issue_id, body.note, resolved_by=admin.key_id, uow=context.unit_of_work()
            )
        except IssueError as error:
            return error_response(error.status, error.code, str(error))
        return IssueOut.of(issue)

    return router


async def _csv_rows(context: ApiContext, chosen: IssueFilters) -> AsyncIterator[str]:
    """Page through the issues so the export never holds them all."""
    yield _csv_line(CSV_COLUMNS)
    after: str | None = None
    while True:
        async with context.unit_of_work() as uow:
            page = await uow.issues.list(chosen, CSV_PAGE, after)
        for issue in page:
            yield _csv_line(_csv_values(issue))
        if len(page) < CSV_PAGE:
            return
        after = page[-1].id


def _csv_values(issue: Issue) -> tuple[object, ...]:
    return (
        issue.id,
        issue.issue_class,
        issue.provider,
        issue.kind,
        issue.reference,
        issue.payment_id or "",
        json.dumps(issue.expected or {}, sort_keys=True),
        json.dumps(issue.actual or {}, sort_keys=True),
        issue.note or "",
        issue.status,
        issue.run_id,
        issue.created_at.isoformat(),
        issue.resolved_at.isoformat() if issue.resolved_at else "",
        issue.resolution_note or "",
    )


def _csv_line(values: tuple[object, ...]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()
