"""The path of every Stripe API request: auth, scenario faults, idempotency, execution."""

import asyncio
import hmac
import json

from starlette.requests import Request
from starlette.responses import Response

from provider_simulator.faults import after_hang, at_the_edge
from provider_simulator.formdata import FormDecodeError, decode_form, parse_pairs
from provider_simulator.idempotency import ClaimState, StoredResponse, fingerprint
from provider_simulator.providers.stripe import API_VERSION, PROVIDER, errors
from provider_simulator.providers.stripe.errors import StripeError
from provider_simulator.providers.stripe.execution import Execution, run
from provider_simulator.providers.stripe.ids import new_request_id
from provider_simulator.providers.stripe.operations import Call, Operation
from provider_simulator.scenarios import Fault, pick_fault, soft_declines
from provider_simulator.simulator import Simulator

_UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="Stripe"'}


async def serve(
    request: Request, sim: Simulator, operation: Operation, target: str = ""
) -> Response:
    request_id = new_request_id()
    headers = {
        "Request-Id": request_id,
        "Stripe-Version": request.headers.get("stripe-version") or API_VERSION,
    }
    presented = _bearer_token(request.headers.get("authorization"))
    expected = sim.stripe.api_key.get_secret_value()
    if presented is None or not hmac.compare_digest(presented.encode(), expected.encode()):
        return _error(errors.authentication(presented), request_id, headers | _UNAUTHORIZED)
    scenario = sim.scenarios.get(PROVIDER)
    fault = pick_fault(scenario)
    if fault is Fault.OUTAGE:
        return _error(errors.api_error(503, _OUTAGE), request_id, headers)
    if fault is Fault.ERROR:
        return _error(errors.api_error(500, _INTERNAL), request_id, headers)
    latency_s = scenario.latency_s  # a fresh draw on every read
    if latency_s:
        await asyncio.sleep(latency_s)

    post = request.method == "POST"
    raw = (await request.body()).decode("utf-8", "replace") if post else request.url.query
    pairs = parse_pairs(raw)
    try:
        params = decode_form(pairs)
    except FormDecodeError as exc:
        return _error(errors.invalid_param(str(exc), param=exc.key), request_id, headers)

    key = request.headers.get("idempotency-key") if post else None
    if key:
        headers["Idempotency-Key"] = key
        claim = sim.stripe.idempotency.claim(
            key, fingerprint(request.method, request.url.path, pairs)
        )
        if claim.state is ClaimState.REPLAY and claim.stored is not None:
            return _replay(claim.stored, headers)
        if claim.state is ClaimState.MISMATCH:
            return _error(errors.idempotency_mismatch(key), request_id, headers)
        if claim.state is ClaimState.IN_FLIGHT:
            return _error(errors.idempotency_in_use(), request_id, headers)

    call = Call(
        request_id,
        target,
        str(request.base_url).rstrip("/"),
        soft_declines(scenario),
        refunds=scenario.refunds,
        refund_settle_s=scenario.refund_settle_s,
    )
    execution = Execution(sim, operation, params, call, key, headers)
    if scenario.mode == "timeout":
        return await after_hang(sim, scenario.hang_s, lambda: _run_later(execution))
    truth = run(execution)
    return at_the_edge(
        scenario,
        request.method,
        truth,
        lambda: _error(errors.api_error(500, _INTERNAL), request_id, headers),
        headers,
    )


async def _run_later(execution: Execution) -> Response:
    return run(execution)


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _error(error: StripeError, request_id: str, headers: dict[str, str]) -> Response:
    content = json.dumps(error.body(request_id))
    return Response(content, error.status, headers, media_type="application/json")


def _replay(stored: StoredResponse, headers: dict[str, str]) -> Response:
    replay_headers = headers | {
        "Idempotent-Replayed": "true",
        "Original-Request": stored.request_id,
    }
    return Response(stored.body, stored.status, replay_headers, media_type="application/json")


_OUTAGE = "Stripe is temporarily unavailable (simulated outage). Please try again later."
_INTERNAL = (
    "An unknown error occurred while processing this request (simulated). Please try again later."
)
