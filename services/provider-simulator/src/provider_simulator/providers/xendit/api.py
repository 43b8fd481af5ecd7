"""Xendit's HTTP routes, and the page where the customer approves a payment."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from provider_simulator.providers.xendit import operations as ops
from provider_simulator.providers.xendit.pipeline import run, serve
from provider_simulator.simulator import SimulatorDep

router = APIRouter(tags=["xendit"])
hosted_router = APIRouter(prefix="/_sim/xendit", tags=["xendit"])


@router.post("/payment_requests")
async def create_payment_request(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_payment_request)


@router.get("/payment_requests")
async def list_payment_requests(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.list_payment_requests)


@router.get("/payment_requests/{request_id}")
async def get_payment_request(request_id: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.get_payment_request, request_id)


@router.post("/refunds")
async def create_refund(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_refund)


@router.get("/refunds")
async def list_refunds(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.list_refunds)


@hosted_router.get("/authorize/{request_id}")
async def authorize(request_id: str, request: Request, sim: SimulatorDep) -> Response:
    """Where `actions[].url` points (not Xendit's API): GET approves the payment,
    `?result=failed&failure_code=…` declines it; then back to the merchant's return URL."""
    call = ops.Call(request_id, str(request.base_url).rstrip("/"), dict(request.query_params))
    response = run(sim, ops.authorize, None, call)
    payment = sim.xendit.requests.get(request_id)
    if response.status_code != 200 or payment is None:
        return response
    key = "success_return_url" if payment.status == "SUCCEEDED" else "failure_return_url"
    back = payment.return_urls.get(key)
    return RedirectResponse(str(back), status_code=302) if back else response
