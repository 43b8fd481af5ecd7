"""The path of every Maya API request: Basic auth with the key the endpoint wants
(public for creating checkouts, secret for the rest), scenario faults, execution
with its ledger entries and webhooks.

Maya documents no idempotency key, so none is honoured here. Webhooks are the
payment object as JSON with no signature header
(https://developers.maya.ph/docs/webhooks); webhook-ingest must protect the
Maya route with its per-provider IP allowlist.
"""

import json
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from provider_simulator.basic_auth import basic_user_is
from provider_simulator.faults import after_hang, at_the_edge, meet
from provider_simulator.providers.maya import PROVIDER
from provider_simulator.providers.maya import errors as e
from provider_simulator.providers.maya.operations import Call, Operation
from provider_simulator.scenarios import Fault
from provider_simulator.simulator import Simulator
from provider_simulator.webhooks import Delivery

KeyKind = Literal["public", "secret"]


async def serve(
    request: Request, sim: Simulator, operation: Operation, target: str, key: KeyKind
) -> Response:
    state = sim.maya
    expected = state.public_key if key == "public" else state.secret_key
    if not basic_user_is(request.headers.get("authorization"), expected.get_secret_value()):
        return _error(e.unauthenticated())
    scenario = sim.scenarios.get(PROVIDER)
    fault = await meet(scenario)
    if fault is Fault.OUTAGE:
        return _error(e.outage())
    if fault is Fault.ERROR:
        return _error(e.server_error())
    body: Any = None
    if request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error(e.invalid("body", "the body is not valid JSON"))
    call = Call(target, str(request.base_url).rstrip("/"), dict(request.query_params))
    if scenario.mode == "timeout":
        return await after_hang(
            sim, scenario.hang_s, lambda: _run_later(sim, operation, body, call)
        )
    truth = run(sim, operation, body, call)
    return at_the_edge(scenario, request.method, truth, lambda: _error(e.server_error()))


def run(sim: Simulator, operation: Operation, body: Any, call: Call) -> Response:
    """Apply the operation and its effects atomically (no await)."""
    try:
        outcome = operation(sim.maya, body, call)
    except e.MayaError as err:
        return _error(err)
    sim.ledger.extend(outcome.movements)
    deliveries = [
        Delivery(sim.maya.webhook_url, json.dumps(dict(a.object)).encode(), _headers, a.type)
        for a in outcome.announcements
    ]
    sim.webhooks.announce(deliveries, sim.scenarios.get(PROVIDER))
    return Response(json.dumps(outcome.body), outcome.status, media_type="application/json")


def _headers(_: bytes) -> dict[str, str]:
    return {"content-type": "application/json"}


async def _run_later(sim: Simulator, operation: Operation, body: Any, call: Call) -> Response:
    return run(sim, operation, body, call)


def _error(error: e.MayaError) -> Response:
    return Response(json.dumps(error.body()), error.status, media_type="application/json")
