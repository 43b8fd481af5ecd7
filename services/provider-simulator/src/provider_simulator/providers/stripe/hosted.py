"""Stripe's hosted 3-D Secure page, as the customer's browser meets it.

Real Stripe sends the customer to `next_action.redirect_to_url.url` (on
hooks.stripe.com) and, once authenticated, back to the `return_url` with
`payment_intent`, `payment_intent_client_secret` and `redirect_status` added
(https://docs.stripe.com/payments/3d-secure/authentication-flow#handle-redirect).
Here `GET` on that URL completes the challenge at once; `result=failed` fails it.
"""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from provider_simulator.formdata import FormDecodeError, decode_form, parse_pairs
from provider_simulator.providers.stripe import operations as ops
from provider_simulator.providers.stripe.execution import Execution, run
from provider_simulator.providers.stripe.ids import new_request_id
from provider_simulator.providers.stripe.operations import Call
from provider_simulator.simulator import Simulator

AUTHORIZED = ("succeeded", "requires_capture")


def authenticate(request: Request, sim: Simulator, intent_id: str) -> Response:
    request_id = new_request_id()
    try:
        params = decode_form(parse_pairs(request.url.query))
    except FormDecodeError:
        params = {}
    call = Call(request_id, intent_id, str(request.base_url).rstrip("/"))
    execution = Execution(
        sim, ops.authenticate_payment_intent, params, call, None, {"Request-Id": request_id}
    )
    response = run(execution)
    intent = sim.stripe.intents.get(intent_id)
    if response.status_code != 200 or intent is None or intent.return_url is None:
        return response
    query = urlencode(
        {
            "payment_intent": intent.id,
            "payment_intent_client_secret": intent.client_secret,
            "redirect_status": "succeeded" if intent.status in AUTHORIZED else "failed",
        }
    )
    separator = "&" if "?" in intent.return_url else "?"
    return RedirectResponse(f"{intent.return_url}{separator}{query}", status_code=302)
