"""`POST /v1/reconciliation/runs` and `GET /v1/reconciliation/runs/{id}`."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Self

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field, model_validator

from reconciliation.api.deps import ApiContext
from reconciliation.api.errors import described, error_response
from reconciliation.runs.create import RunError, RunRequest, create_run
from reconciliation.runs.store import Run

MAX_WAIT_S = 60.0


class RunIn(BaseModel):
    """Either a report, or a provider and settlement date (its newest report)."""

    report_id: str | None = None
    provider: str | None = None
    settlement_date: date | None = Field(default=None, alias="date")

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        by_report = self.report_id is not None
        by_date = self.provider is not None or self.settlement_date is not None
        complete = self.provider is not None and self.settlement_date is not None
        if by_report == by_date or (by_date and not complete):
            raise ValueError('give "report_id", or "provider" and "date"')
        return self


class RunErrorOut(BaseModel):
    line: int | None
    message: str


class RunOut(BaseModel):
    object: str = "reconciliation_run"
    id: str
    status: str
    provider: str
    report_id: str | None
    period_start: date
    period_end: date
    counts: dict[str, int]
    explained: dict[str, int]
    lines: int
    errors: list[RunErrorOut]
    duration_ms: int | None

    @classmethod
    def of(cls, run: Run) -> RunOut:
        return cls(
            id=run.id,
            status=run.status,
            provider=run.provider,
            report_id=run.report_id,
            period_start=run.period_start,
            period_end=run.period_end,
            counts=run.counts,
            explained=run.explained,
            lines=run.lines,
            errors=[RunErrorOut.model_validate(e) for e in run.errors],
            duration_ms=run.duration_ms,
        )


def requested_wait(header: str | None) -> float:
    """Seconds asked for by `Prefer: wait=N` (RFC 7240), capped at 60."""
    for preference in (header or "").split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip().lower() == "wait":
            try:
                seconds = float(value.strip().strip('"'))
            except ValueError:
                return 0.0
            return min(max(seconds, 0.0), MAX_WAIT_S) if math.isfinite(seconds) else 0.0
    return 0.0


def runs_router(context: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"], **context.admin_only())

    @router.post(
        "/runs",
        status_code=201,
        response_model=RunOut,
        responses={404: described("No such report, or none covers the date")},
    )
    async def start_run(body: RunIn, prefer: Annotated[str | None, Header()] = None) -> Any:
        """Reconcile a report, or a provider's settlement date. `Prefer: wait=N` holds
        the answer until the run completes (at most N seconds, N ≤ 60)."""
        request = RunRequest(body.report_id, body.provider, body.settlement_date)
        try:
            async with context.unit_of_work() as uow:
                run_id = await create_run(request, uow=uow)
        except RunError as error:
            return error_response(error.status, error.code, str(error))
        context.executor.start(run_id)
        await context.executor.wait(run_id, requested_wait(prefer))
        return RunOut.of(await _get(context, run_id))

    @router.get("/runs/{run_id}", response_model=RunOut, responses={404: described("No run")})
    async def get_run(run_id: str) -> Any:
        async with context.unit_of_work() as uow:
            run = await uow.runs.get(run_id)
        if run is None:
            return error_response(404, "resource_missing", f"No run {run_id}.")
        return RunOut.of(run)

    return router


async def _get(context: ApiContext, run_id: str) -> Run:
    async with context.unit_of_work() as uow:
        run = await uow.runs.get(run_id)
    assert run is not None  # just made
    return run
