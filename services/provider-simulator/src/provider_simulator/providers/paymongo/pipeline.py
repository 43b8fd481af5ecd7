"""The path of every PayMongo API request: Basic auth, scenario faults, idempotency,
execution with its ledger entries and signed webhooks.

PayMongo's reference does not document an `Idempotency-Key` header (a developer
asked for one: https://developers.paymongo.com/discuss/624aca9e4cc4fa0027f87ba0);
the simulator honours it as Stripe does, so that Payroute's retries of one
command stay harmless here, and the adapter does not rely on it to find an
attempt after a timeout.
"""

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from provider_simulator.basic_auth import basic_user_is
from provider_simulator.faults import after_hang, at_the_edge, meet
from provider_simulator.idempotency import ClaimState, StoredResponse, fingerprint
from provider_simulator.outcome import Later, Outcome
from provider_simulator.providers.paymongo import PROVIDER, errors
from provider_simulator.providers.paymongo import serialize as s
from provider_simulator.providers.paymongo.errors import PaymongoError
from provider_simulator.providers.paymongo.ids import now
from provider_simulator.providers.paymongo.operations import Answer, Call, Operation
from provider_simulator.providers.paymongo.signing import PaymongoSigner
from provider_simulator.scenarios import Fault
from provider_simulator.simulator import Simulator
from provider_simulator.webhooks import Delivery

_UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="PayMongo"'}
_AFTER_EFFECT = errors.unavailable(500, "Something went wrong (simulated).")


async def serve(
    request: Request, sim: Simulator, operation: Operation, target: str = ""
) -> Response:
    state = sim.paymongo
    if not basic_user_is(request.headers.get("authorization"), state.secret_key.get_secret_value()):
        return _error(errors.authentication(), _UNAUTHORIZED)
    scenario = sim.scenarios.get(PROVIDER)
    fault = await meet(scenario)
    if fault is Fault.OUTAGE:
        return _error(errors.unavailable(503, "PayMongo is unavailable (simulated outage)."))
    if fault is Fault.ERROR:
        return _error(errors.unavailable(500, "Something went wrong (simulated)."))

    body: Any = None
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error(errors.invalid("data", "The request body is not valid JSON."))
    key = request.headers.get("idempotency-key") if request.method == "POST" else None
    if key:
        canonical = json.dumps(body, sort_keys=True)
        claim = state.idempotency.claim(
            key, fingerprint("POST", request.url.path, [("body", canonical)])
        )
        if claim.state is ClaimState.REPLAY and claim.stored is not None:
            return _replay(claim.stored)
        if claim.state is ClaimState.MISMATCH:
            return _error(errors.idempotency_mismatch())
        if claim.state is ClaimState.IN_FLIGHT:
            return _error(errors.idempotency_in_flight())

    call = Call(
        target,
        str(request.base_url).rstrip("/"),
        dict(request.query_params),
        refunds=scenario.refunds,
        refund_settle_s=scenario.refund_settle_s,
    )
    if scenario.mode == "timeout":
        return await after_hang(sim, scenario.hang_s, lambda: run(sim, operation, body, call, key))
    truth = await run(sim, operation, body, call, key)
    return at_the_edge(scenario, request.method, truth, lambda: _error(_AFTER_EFFECT))


async def run(
    sim: Simulator, operation: Operation, body: Any, call: Call, key: str | None = None
) -> Response:
    """Apply the operation and its effects atomically (no await), store the answer under
    the idempotency key, then hold it back if the operation says so."""
    state = sim.paymongo
    try:
        answer: Answer = operation(state, body, call)
    except PaymongoError as err:
        return _respond(sim, key, err.status, err.body(), store=err.replayable)
    except BaseException:
        if key:
            state.idempotency.release(key)
        raise
    outcome = answer.outcome
    _apply(sim, outcome)
    for later in outcome.later:
        sim.later(later.delay_s, _applying(sim, later))
    response = _respond(sim, key, outcome.status, outcome.body, store=True)
    if answer.hold_s:
        await asyncio.sleep(answer.hold_s)
    return response


def _apply(sim: Simulator, outcome: Outcome) -> None:
    """Money moved goes to the ledger; announcements go out as signed webhooks."""
    state = sim.paymongo
    sim.ledger.extend(outcome.movements)
    signer = PaymongoSigner(state.webhook_secret.get_secret_value())
    deliveries = []
    for announcement in outcome.announcements:
        event = s.event(announcement.type, dict(announcement.object), now())
        payload = json.dumps(event).encode()
        deliveries.append(Delivery(state.webhook_url, payload, signer, event["data"]["id"]))
    sim.webhooks.announce(deliveries, sim.scenarios.get(PROVIDER))


def _applying(sim: Simulator, later: Later) -> Callable[[], None]:
    return lambda: _apply(sim, later.settle())


def _respond(
    sim: Simulator, key: str | None, status: int, body: object, *, store: bool
) -> Response:
    content = json.dumps(body).encode()
    if key:
        if store:
            sim.paymongo.idempotency.complete(key, StoredResponse(status, content, key))
        else:
            sim.paymongo.idempotency.release(key)
    return Response(content, status, media_type="application/json")


def _error(error: PaymongoError, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(error.body()), error.status, headers, media_type="application/json")


def _replay(stored: StoredResponse) -> Response:
    return Response(stored.body, stored.status, media_type="application/json")
