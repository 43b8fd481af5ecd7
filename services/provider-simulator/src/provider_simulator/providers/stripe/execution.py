"""Running one admitted Stripe request: the operation, its ledger entries and its webhooks."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.responses import Response

from provider_simulator.formdata import FormDict
from provider_simulator.idempotency import StoredResponse
from provider_simulator.outcome import Announcement, Later
from provider_simulator.providers.stripe import PROVIDER, disputes
from provider_simulator.providers.stripe.errors import StripeError
from provider_simulator.providers.stripe.operations import Call, Operation
from provider_simulator.providers.stripe.serialize import event_json
from provider_simulator.providers.stripe.signing import StripeSigner
from provider_simulator.simulator import Simulator
from provider_simulator.webhooks import Delivery

# A cardholder disputes a charge after it was made: its news follows the charge's.
DISPUTE_DELAY_MS = 1_000


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
    for later in outcome.later:
        execution.sim.later(later.delay_s, _applying(execution.sim, later))
    return respond(execution, outcome.status, outcome.body, store=True)


def _applying(sim: Simulator, later: Later) -> Callable[[], None]:
    """What the account does on its own later: its money and its webhooks."""

    def apply() -> None:
        outcome = later.settle()
        sim.ledger.extend(outcome.movements)
        deliver(sim, outcome.announcements, request_id=None)

    return apply


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
    now = [a for a in announcements if a.type not in disputes.LATER]
    later = [a for a in announcements if a.type in disputes.LATER]
    call = execution.call
    deliver(execution.sim, now, request_id=call.request_id, key=execution.idempotency_key)
    deliver(
        execution.sim,
        later,
        request_id=call.request_id,
        key=execution.idempotency_key,
        delay_ms=DISPUTE_DELAY_MS,
    )


def deliver(
    sim: Simulator,
    announcements: Sequence[Announcement],
    *,
    request_id: str | None,
    key: str | None = None,
    delay_ms: int = 0,
) -> None:
    """Send signed Stripe events for `announcements`, as the scenario says, `delay_ms` later."""
    if not announcements:
        return
    state = sim.stripe
    signer = StripeSigner(state.webhook_secret.get_secret_value())
    deliveries = []
    for announcement in announcements:
        event = event_json(
            announcement.type, dict(announcement.object), request_id=request_id, idempotency_key=key
        )
        body = json.dumps(event).encode()
        deliveries.append(Delivery(state.webhook_url, body, signer, label=str(event["id"])))
    scenario = sim.scenarios.get(PROVIDER)
    if delay_ms:
        later = scenario.webhook_delay_ms + delay_ms
        scenario = scenario.model_copy(update={"webhook_delay_ms": later})
    sim.webhooks.announce(deliveries, scenario)
