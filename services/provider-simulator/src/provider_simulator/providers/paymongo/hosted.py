"""The page `next_action.redirect.url` points at: where the customer confirms the
e-wallet payment (or 3-D Secure) and is sent back to the `return_url`.

Real PayMongo hosts it at the wallet's authorization page; here `GET` confirms at
once (`?result=failed` refuses), sends `payment.paid` or `payment.failed` by
webhook, and redirects to the `return_url` when there is one.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from provider_simulator.providers.paymongo import operations as ops
from provider_simulator.providers.paymongo.operations import Call
from provider_simulator.providers.paymongo.pipeline import run
from provider_simulator.simulator import Simulator


async def confirm(request: Request, sim: Simulator, intent_id: str) -> Response:
    call = Call(intent_id, str(request.base_url).rstrip("/"), dict(request.query_params))
    response = await run(sim, ops.confirm_redirect, None, call)
    intent = sim.paymongo.intents.get(intent_id)
    if response.status_code != 200 or intent is None or intent.return_url is None:
        return response
    return RedirectResponse(intent.return_url, status_code=302)
