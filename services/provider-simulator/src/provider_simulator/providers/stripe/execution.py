"""Running one admitted Stripe request: the operation, its ledger entries and its webhooks."""

import json
from dataclasses import dataclass

from starlette.responses import Response

from provider_simulator.formdata import FormDict
from provider_simulator.idempotency import StoredResponse
from provider_simulator.outcome import Announcement
from provider_simulator.providers.stripe import PROVIDER
from provider_simulator.providers.stripe.errors import StripeError
from provider_simulator.providers.stripe.operations import Call, Operation
from provider_simulator.providers.stripe.serialize import event_json
from provider_simulator.providers.stripe.signing import StripeSigner
from provider_simulator.simulator import Simulator
from provider_simulator.webhooks import Delivery


@dataclass(frozen=True, slots=True)
class Execution:
    sim: Simulator
    operation: Operation
    params: FormDict
    call: Call
    idempotency_key: str | None
    headers: dict[str, str]


def run(execution: Execution) -> Response:
    """Apply the operation and its effects atomically (no await), then store the answer."""
    state = execution.sim.stripe
    try:
        outcome = execution.operation(state, execution.params, execution.call)
    except StripeError as err:
        return respond(
            execution, err.status, err.body(execution.call.request_id), store=err.replayable
        )
    except BaseException:
        if execution.idempotency_key:
            state.idempotency.release(execution.idempotency_key)
        raise
    execution.sim.ledger.extend(outcome.movements)
    _announce(execution, outcome.announcements)
    return respond(execution, outcome.status, outcome.body, store=True)


def respond(execution: Execution, status: int, body: object, *, store: bool) -> Response:
    content = json.dumps(body).encode()
    key = execution.idempotency_key
    if key:
        idempotency = execution.sim.stripe.idempotency
        if store:
            stored = StoredResponse(status, content, execution.call.request_id)
            idempotency.complete(key, stored)
        else:
            idempotency.release(key)
    return Response(content, status, execution.headers, media_type="application/json")


def _announce(execution: Execution, announcements: tuple[Announcement, ...]) -> None:
    state = execution.sim.stripe
    signer = StripeSigner(state.webhook_secret.get_secret_value())
    deliveries = []
    for announcement in announcements:
        event = event_json(
            announcement.type,
            dict(announcement.object),
            request_id=execution.call.request_id,
            idempotency_key=execution.idempotency_key,
        )
        body = json.dumps(event).encode()
        deliveries.append(Delivery(state.webhook_url, body, signer, label=str(event["id"])))
    execution.sim.webhooks.announce(deliveries, execution.sim.scenarios.get(PROVIDER))
