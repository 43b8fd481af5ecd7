"""Dev/test-only admin API: scenarios per provider, the ledger, the settlement report,
closing Stripe disputes, reset."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.responses import JSONResponse, Response, StreamingResponse

from provider_simulator.ledger import Movement
from provider_simulator.providers.stripe import disputes
from provider_simulator.providers.stripe.execution import deliver
from provider_simulator.scenarios import Scenario, ScenarioUpdate
from provider_simulator.settlements.reports import report_csv
from provider_simulator.simulator import SimulatorDep

router = APIRouter(prefix="/_sim", tags=["simulator"])


@router.put("/providers/{provider}", response_model=None)
async def configure_provider(
    provider: str, update: ScenarioUpdate, sim: SimulatorDep
) -> Scenario | JSONResponse:
    if not sim.scenarios.knows(provider):
        return _unknown_provider(provider)
    return sim.scenarios.update(provider, update)


@router.get("/providers/{provider}", response_model=None)
async def show_provider(provider: str, sim: SimulatorDep) -> Scenario | JSONResponse:
    if not sim.scenarios.knows(provider):
        return _unknown_provider(provider)
    return sim.scenarios.get(provider)


@router.get("/ledger")
async def ledger(
    sim: SimulatorDep, payment_id: str | None = None, provider: str | None = None
) -> Response:
    """The movements, oldest first: one payment's at once; the whole ledger (or one
    provider's, perhaps hundreds of thousands) streamed a page at a time."""
    if payment_id is not None:
        movements = sim.ledger.movements(payment_id=payment_id, provider=provider)
        content = json.dumps([m.to_json() for m in movements])
        return Response(content, media_type="application/json")
    pages = sim.ledger.pages(provider=provider)
    return StreamingResponse(_json_array(pages), media_type="application/json")


@router.get("/settlements.csv")
async def settlements(
    sim: SimulatorDep, provider: str | None = None, date: date | None = None
) -> Response:
    """The settlement report of one provider and one UTC day if given, in that provider's
    own format (see the settlements package)."""
    if provider is not None and not sim.scenarios.knows(provider):
        return _unknown_provider(provider)
    filename = f"settlements-{provider or 'all'}-{date or 'all'}.csv"
    return Response(
        report_csv(sim, provider=provider, on=date),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class DisputeClosing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["won", "lost"]


@router.post("/stripe/disputes/{dispute_id}/close", response_model=None)
async def close_stripe_dispute(
    dispute_id: str, closing: DisputeClosing, sim: SimulatorDep
) -> JSONResponse:
    """Decide a dispute opened by `pm_card_createDispute`: Stripe sends charge.dispute.closed
    (after charge.dispute.funds_reinstated when won)."""
    try:
        announcements = disputes.close(sim.stripe, dispute_id, closing.outcome)
    except disputes.DisputeError as error:
        return JSONResponse({"detail": error.message}, status_code=error.status)
    deliver(sim, announcements, request_id=None)
    return JSONResponse(dict(announcements[-1].object))


@router.post("/reset")
async def reset(sim: SimulatorDep) -> dict[str, str]:
    sim.reset()
    return {"status": "ok"}


async def _json_array(pages: Iterator[list[Movement]]) -> AsyncIterator[str]:
    """The same text as `json.dumps` of the whole list, a page at a time."""
    yield "["
    separator = ""
    for page in pages:
        yield separator + ", ".join(json.dumps(m.to_json()) for m in page)
        separator = ", "
        await asyncio.sleep(0)  # other requests run between pages
    yield "]"


def _unknown_provider(provider: str) -> JSONResponse:
    return JSONResponse({"detail": f"unknown provider: {provider}"}, status_code=404)
