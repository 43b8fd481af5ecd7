"""The path of every Xendit API request: Basic auth with the secret key, scenario faults,
the `idempotency-key` header, execution with its ledger entries and callbacks.

Callbacks carry `x-callback-token` (the account's callback token, which the
receiver compares) and a `webhook-id` header, with the JSON body
`{"event", "business_id", "created", "data"}`
(https://docs.xendit.co/apidocs/payment-webhook-notification).
"""

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from provider_simulator.basic_auth import basic_user_is
from provider_simulator.faults import after_hang, at_the_edge, meet
from provider_simulator.idempotency import ClaimState, StoredResponse, fingerprint
from provider_simulator.outcome import Later, Outcome
from provider_simulator.providers.xendit import PROVIDER
from provider_simulator.providers.xendit import errors as e
from provider_simulator.providers.xendit.model import BUSINESS_ID
from provider_simulator.providers.xendit.operations import Call, Operation
from provider_simulator.scenarios import Fault
from provider_simulator.simulator import Simulator
from provider_simulator.webhooks import Delivery

_UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="Xendit"'}


async def serve(
    request: Request, sim: Simulator, operation: Operation, target: str = ""
) -> Response:
    state = sim.xendit
    if not basic_user_is(request.headers.get("authorization"), state.secret_key.get_secret_value()):
        return _error(e.invalid_key(), _UNAUTHORIZED)
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
            return _error(e.validation("the body is not valid JSON"))
    key = request.headers.get("idempotency-key") if request.method == "POST" else None
    if key:
        canonical = json.dumps(body, sort_keys=True)
        claim = state.idempotency.claim(
            key, fingerprint("POST", request.url.path, [("body", canonical)])
        )
        if claim.state is ClaimState.REPLAY and claim.stored is not None:
            return Response(claim.stored.body, claim.stored.status, media_type="application/json")
        if claim.state is ClaimState.MISMATCH:
            return _error(e.duplicate("idempotency-key was used with a different request"))
        if claim.state is ClaimState.IN_FLIGHT:
            return _error(e.duplicate("a request with this idempotency-key is in progress"))

    call = Call(
        target,
        str(request.base_url).rstrip("/"),
        dict(request.query_params),
        refunds=scenario.refunds,
        refund_settle_s=scenario.refund_settle_s,
    )
    if scenario.mode == "timeout":
        return await after_hang(
            sim, scenario.hang_s, lambda: _run_later(sim, operation, body, call, key)
        )
    truth = run(sim, operation, body, call, key)
    return at_the_edge(scenario, request.method, truth, lambda: _error(e.server_error()))


def run(
    sim: Simulator, operation: Operation, body: Any, call: Call, key: str | None = None
) -> Response:
    """Apply the operation and its effects atomically (no await), then store the answer."""
    state = sim.xendit
    try:
        outcome = operation(state, body, call)
    except e.XenditError as err:
        return _respond(sim, key, err.status, err.body(), store=err.replayable)
    except BaseException:
        if key:
            state.idempotency.release(key)
        raise
    _apply(sim, outcome)
    for later in outcome.later:
        sim.later(later.delay_s, _applying(sim, later))
    return _respond(sim, key, outcome.status, outcome.body, store=True)


def _apply(sim: Simulator, outcome: Outcome) -> None:
    """Money moved goes to the ledger; announcements go out as callbacks."""
    state = sim.xendit
    sim.ledger.extend(outcome.movements)
    deliveries = [
        _delivery(state.webhook_url, state.callback_token.get_secret_value(), a.type, a.object)
        for a in outcome.announcements
    ]
    sim.webhooks.announce(deliveries, sim.scenarios.get(PROVIDER))


def _applying(sim: Simulator, later: Later) -> Callable[[], None]:
    return lambda: _apply(sim, later.settle())


def _delivery(url: str, token: str, event: str, data: Mapping[str, object]) -> Delivery:
    created = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    payload = {"event": event, "business_id": BUSINESS_ID, "created": created, "data": data}
    webhook_id = str(uuid.uuid4())

    def headers(_: bytes) -> dict[str, str]:
        return {
            "content-type": "application/json",
            "x-callback-token": token,
            "webhook-id": webhook_id,
        }

    return Delivery(url, json.dumps(payload).encode(), headers, label=webhook_id)


async def _run_later(
    sim: Simulator, operation: Operation, body: Any, call: Call, key: str | None
) -> Response:
    return run(sim, operation, body, call, key)


def _respond(
    sim: Simulator, key: str | None, status: int, body: object, *, store: bool
) -> Response:
    content = json.dumps(body).encode()
    if key:
        if store:
            sim.xendit.idempotency.complete(key, StoredResponse(status, content, key))
        else:
            sim.xendit.idempotency.release(key)
    return Response(content, status, media_type="application/json")


def _error(error: e.XenditError, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(error.body()), error.status, headers, media_type="application/json")
