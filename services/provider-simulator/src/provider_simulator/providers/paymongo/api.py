"""PayMongo's v1 HTTP routes; each one hands its operation to the request pipeline."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from provider_simulator.providers.paymongo import hosted
from provider_simulator.providers.paymongo import operations as ops
from provider_simulator.providers.paymongo.pipeline import serve
from provider_simulator.providers.paymongo.routing import PaymongoRoute
from provider_simulator.simulator import SimulatorDep

router = APIRouter(prefix="/v1", tags=["paymongo"], route_class=PaymongoRoute)
hosted_router = APIRouter(prefix="/_sim/paymongo", tags=["paymongo"])


@hosted_router.get("/redirect/{intent}")
async def confirm_redirect(intent: str, request: Request, sim: SimulatorDep) -> Response:
    """The customer's confirmation page (not part of PayMongo's API)."""
    return await hosted.confirm(request, sim, intent)


@router.post("/payment_intents")
async def create_payment_intent(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_payment_intent)


@router.get("/payment_intents/{intent}")
async def retrieve_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.retrieve_payment_intent, intent)


@router.post("/payment_intents/{intent}/attach")
async def attach_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.attach_payment_intent, intent)


@router.post("/payment_intents/{intent}/capture")
async def capture_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.capture_payment_intent, intent)


@router.post("/payment_intents/{intent}/cancel")
async def cancel_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.cancel_payment_intent, intent)


@router.post("/payment_methods")
async def create_payment_method(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_payment_method)


@router.post("/refunds")
async def create_refund(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_refund)


@router.get("/payments")
async def list_payments(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.list_payments)


@router.get("/payments/{payment}")
async def retrieve_payment(payment: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.retrieve_payment, payment)
