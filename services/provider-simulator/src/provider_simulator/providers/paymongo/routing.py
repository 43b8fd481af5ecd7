"""PayMongo and Stripe share paths on the one simulator host (`/v1/payment_intents`,
`/v1/refunds`), as both API bases point at it. What tells them apart is what each
client sends: PayMongo's, HTTP Basic auth and JSON bodies; Stripe's SDK, a Bearer
token and form-encoded bodies. PayMongo's routes match only requests with Basic
credentials and, for a POST, a JSON body; every other one is left to Stripe's."""

from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).lower()
    return b""


def _paymongo_request(scope: Scope) -> bool:
    if not _header(scope, b"authorization").startswith(b"basic "):
        return False
    return scope.get("method") != "POST" or b"json" in _header(scope, b"content-type")


class PaymongoRoute(APIRoute):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE and not _paymongo_request(scope):
            return Match.NONE, {}
        return match, child_scope
