"""`POST /v1/reconciliation/reports?provider=NAME`: a settlement report as the raw CSV
body. 201 with the new report, 200 with the same one when these bytes came before."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from reconciliation.api.deps import ApiContext
from reconciliation.api.errors import described, error_response
from reconciliation.reports.errors import ReportRefused, refusal_code
from reconciliation.reports.ingest import ingest
from reconciliation.reports.lines import HeaderError
from reconciliation.reports.spool import scratch_file, spool_upload
from reconciliation.reports.store import StoredReport

CSV_TYPES = {"text/csv", "text/plain", "application/csv", "application/octet-stream"}


class LineErrorOut(BaseModel):
    line: int | None
    message: str


class ReportOut(BaseModel):
    object: str = "reconciliation_report"
    id: str
    provider: str
    lines: int
    errors: list[LineErrorOut]
    error_count: int
    period_start: date | None
    period_end: date | None

    @classmethod
    def of(cls, report: StoredReport) -> ReportOut:
        return cls(
            id=report.id,
            provider=report.provider,
            lines=report.lines,
            errors=[LineErrorOut(line=e.line_no, message=e.message) for e in report.errors],
            error_count=report.error_count,
            period_start=report.period_start,
            period_end=report.period_end,
        )


def reports_router(context: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"], **context.admin_only())

    @router.post(
        "/reports",
        status_code=201,
        response_model=ReportOut,
        responses={
            200: {"model": ReportOut, "description": "The same bytes were already this report"},
            400: described("Unknown provider, empty body or a required column missing"),
            413: described("The body is over the configured size"),
            415: described("The body is not CSV"),
        },
    )
    async def upload_report(
        request: Request,
        response: Response,
        provider: Annotated[str, Query(min_length=1, description="stripe, paymongo, ...")],
        settlement_date: Annotated[
            date | None,
            Query(alias="date", description="The settlement date the report is for."),
        ] = None,
    ) -> Any:
        """Ingest a provider's settlement report (`Content-Type: text/csv`, raw body).

        Lines that cannot be read come back in `errors` with their line number; all
        other lines are stored. Nothing is stored for a refused report.
        """
        media_type = request.headers.get("content-type", "text/csv").split(";")[0].strip()
        if media_type.lower() not in CSV_TYPES:
            return error_response(
                415, "unsupported_media_type", f"send the report as text/csv, not {media_type}"
            )
        try:
            with scratch_file() as path:
                spooled = await spool_upload(
                    request.stream(), limit=context.settings.max_report_bytes, into=path
                )
                async with context.unit_of_work() as uow:
                    result = await ingest(
                        spooled,
                        provider,
                        uow=uow,
                        source="upload",
                        settlement_date=settlement_date,
                    )
        except (HeaderError, ReportRefused) as error:
            status, code = refusal_code(error)
            return error_response(status, code, str(error))
        if not result.created:
            response.status_code = 200
        return ReportOut.of(result.report)

    return router
