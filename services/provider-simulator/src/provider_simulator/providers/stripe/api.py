"""Stripe's v1 HTTP routes; each one hands its operation to the request pipeline."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from provider_simulator.providers.stripe import hosted, refunds, search
from provider_simulator.providers.stripe import operations as ops
from provider_simulator.providers.stripe.pipeline import serve
from provider_simulator.simulator import SimulatorDep

router = APIRouter(prefix="/v1", tags=["stripe"])
hosted_router = APIRouter(prefix="/_sim/stripe", tags=["stripe"])


@hosted_router.get("/authenticate/{intent}")
async def authenticate_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    """The page `next_action.redirect_to_url.url` points at (not part of Stripe's API)."""
    return hosted.authenticate(request, sim, intent)


@router.post("/payment_intents")
async def create_payment_intent(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.create_payment_intent)


@router.get("/payment_intents/search")
async def search_payment_intents(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, search.search_payment_intents)


@router.get("/payment_intents/{intent}")
async def retrieve_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.retrieve_payment_intent, intent)


@router.post("/payment_intents/{intent}/capture")
async def capture_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.capture_payment_intent, intent)


@router.post("/payment_intents/{intent}/cancel")
async def cancel_payment_intent(intent: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.cancel_payment_intent, intent)


@router.post("/refunds")
async def create_refund(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, refunds.create_refund)


@router.get("/refunds/{refund}")
async def retrieve_refund(refund: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, refunds.retrieve_refund, refund)


@router.get("/charges/{charge}")
async def retrieve_charge(charge: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.retrieve_charge, charge)


@router.get("/balance")
async def retrieve_balance(request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.retrieve_balance)


@router.get("/balance_transactions/{txn}")
async def retrieve_balance_transaction(txn: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.retrieve_balance_transaction, txn)


@router.api_route("/{path:path}", methods=["GET", "POST", "DELETE"], include_in_schema=False)
async def unrecognized(path: str, request: Request, sim: SimulatorDep) -> Response:
    return await serve(request, sim, ops.unrecognized, f"{request.method}: /v1/{path}")
