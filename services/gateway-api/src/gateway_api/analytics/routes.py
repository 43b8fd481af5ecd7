"""`/v1/analytics`: payment figures and failure reasons, as JSON or CSV. Thin edge."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from pydantic import BaseModel

from gateway_api.analytics import handlers, params
from gateway_api.analytics.csv_writer import to_csv
from gateway_api.analytics.reader import AnalyticsReader
from gateway_api.analytics.schemas import (
    FailureRowObject,
    FailuresAnalytics,
    PaymentsAnalytics,
    PaymentsRowObject,
)
from gateway_api.dependencies import PrincipalDep
from gateway_api.edge.error_schemas import error_responses
from payroute_common.clock import utcnow

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])

RANGE = (
    "An ISO 8601 date (`2025-03-01`) or a date-time on the hour (`2025-03-01T08:00:00+08:00`; "
    "no offset = UTC). Figures are kept per hour of each payment's creation."
)
From = Annotated[
    str | None,
    Query(
        alias="from", description=f"Range start, inclusive. {RANGE} Default: 30 days before `to`."
    ),
]
To = Annotated[
    str | None,
    Query(
        description=f"Range end: a date includes that day, a date-time is exclusive. {RANGE} "
        "Default: the end of the current hour. The range may not exceed "
        "`GATEWAY_API_ANALYTICS_MAX_RANGE_DAYS` (366)."
    ),
]
MerchantId = Annotated[
    str | None,
    Query(
        description="Admin keys: one merchant's figures (default: every merchant). "
        "Other keys always get their own merchant's."
    ),
]
FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="`json` (default) or `csv` (a header row, then one line per row). "
        "Without it, `Accept: text/csv` asks for CSV.",
    ),
]
AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


def _csv_response(rows: list[dict[str, Any]], model: type[BaseModel], name: str) -> Response:
    body = to_csv(list(model.model_fields), rows)
    disposition = f'attachment; filename="{name}.csv"'
    return Response(
        body,
        media_type=f"{params.CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


def _csv_described(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    columns = ",".join(model.model_fields)
    return {
        200: {"content": {"text/csv": {"schema": {"type": "string"}, "example": columns + "\r\n"}}}
    }


def _reader(request: Request) -> AnalyticsReader:
    reader: AnalyticsReader = request.app.state.analytics_reader
    return reader


@router.get(
    "/payments",
    response_model=PaymentsAnalytics,
    responses={**_csv_described(PaymentsRowObject), **error_responses(400, 401, 403, 500)},
    summary="Payment counts, success rate, money and processing time, per group and currency",
    description="Rows per `group_by` value AND currency: money is in minor units of the "
    "row's currency and is never summed across currencies. Merchant and operator keys see "
    "their merchant's payments; admin keys the whole platform (or `merchant_id`'s).",
)
async def payments(
    request: Request,
    principal: PrincipalDep,
    from_: From = None,
    to: To = None,
    group_by: Annotated[
        str | None, Query(description="`provider` (default), `method`, `currency` or `day` (UTC).")
    ] = None,
    merchant_id: MerchantId = None,
    answer_format: FormatParam = None,
    accept: AcceptHeader = None,
) -> Any:
    chosen = params.answer_format(answer_format, accept)
    report = await handlers.payments_report(
        handlers.Question(from_, to, merchant_id, group_by),
        principal=principal,
        reader=_reader(request),
        now=utcnow(),
        max_range_days=request.app.state.analytics_max_range_days,
    )
    answer = PaymentsAnalytics.of(report)
    if chosen == "csv":
        rows = [row.model_dump() for row in answer.data]
        return _csv_response(rows, PaymentsRowObject, "payments")
    return answer


@router.get(
    "/failures",
    response_model=FailuresAnalytics,
    responses={**_csv_described(FailureRowObject), **error_responses(400, 401, 403, 500)},
    summary="Why payments failed: counts per provider and failure code",
)
async def failures(
    request: Request,
    principal: PrincipalDep,
    from_: From = None,
    to: To = None,
    merchant_id: MerchantId = None,
    answer_format: FormatParam = None,
    accept: AcceptHeader = None,
) -> Any:
    chosen = params.answer_format(answer_format, accept)
    report = await handlers.failures_report(
        handlers.Question(from_, to, merchant_id),
        principal=principal,
        reader=_reader(request),
        now=utcnow(),
        max_range_days=request.app.state.analytics_max_range_days,
    )
    answer = FailuresAnalytics.of(report)
    if chosen == "csv":
        rows = [row.model_dump() for row in answer.data]
        return _csv_response(rows, FailureRowObject, "failures")
    return answer


def install(app: FastAPI, reader: AnalyticsReader, max_range_days: int) -> None:
    app.state.analytics_reader = reader
    app.state.analytics_max_range_days = max_range_days
    app.include_router(router)
