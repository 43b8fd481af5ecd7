"""Dev/test-only admin API: scenarios per provider, the ledger, reset."""

import json

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from provider_simulator.scenarios import Scenario, ScenarioUpdate
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
    movements = sim.ledger.movements(payment_id=payment_id, provider=provider)
    content = json.dumps([m.to_json() for m in movements])
    return Response(content, media_type="application/json")


@router.post("/reset")
async def reset(sim: SimulatorDep) -> dict[str, str]:
    sim.reset()
    return {"status": "ok"}


def _unknown_provider(provider: str) -> JSONResponse:
    return JSONResponse({"detail": f"unknown provider: {provider}"}, status_code=404)
