"""Maya's HTTP routes, and the hosted checkout page the customer pays on."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from provider_simulator.providers.maya import operations as ops
from provider_simulator.providers.maya.pipeline import run, serve
from provider_simulator.simulator import SimulatorDep

router = APIRouter(tags=["maya"])
hosted_router = APIRouter(prefix="/_sim/maya", tags=["maya"])


@router.post("/checkout/v1/checkouts")
async def create_checkout(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_checkout, "", "public")


@router.get("/payments/v1/payments/{payment_id}")
async def get_payment(payment_id: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.get_payment, payment_id, "secret")


@router.get("/payments/v1/payment-rrns/{rrn}")
async def payments_by_rrn(rrn: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.payments_by_rrn, rrn, "secret")


@router.post("/payments/v1/payments/{payment_id}/voids")
async def void_payment(payment_id: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.void_payment, payment_id, "secret")


@router.post("/payments/v1/payments/{payment_id}/refunds")
async def refund_payment(payment_id: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.refund_payment, payment_id, "secret")


@router.get("/payments/v1/payments/{payment_id}/refunds")
async def list_refunds(payment_id: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.list_refunds, payment_id, "secret")


@hosted_router.get("/checkout/{payment_id}")
async def checkout_page(payment_id: str, request: Request, sim: SimulatorDep) -> Response:
    """Where `redirectUrl` points (not Maya's API): GET pays; `result=failed|expired|cancel`
    ends otherwise, `method=card` pays by card; then back to the merchant's redirect URL."""
    call = ops.Call(payment_id, str(request.base_url).rstrip("/"), dict(request.query_params))
    response = run(sim, ops.complete_checkout, None, call)
    payment = sim.maya.payments.get(payment_id)
    back = ops.redirect_for(payment) if payment and response.status_code == 200 else None
    return RedirectResponse(back, status_code=302) if back else response
