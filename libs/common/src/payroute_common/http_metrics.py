"""HTTP request counts and latency per route template, as a plain ASGI middleware.

The route is the template the request matched (`/v1/payments/{payment_id}`), read
from the scope after the app routed it, so a label never holds an id; a request no
route matched is `unmatched`. An edge that answers some routes itself, past the
router (webhook-ingest's fast path), names the template in `scope[ROUTE_TEMPLATE]`.
Labelled series are looked up once each and kept: the label sets are bounded, and
`labels()` costs more than the observation on a hot path.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payroute_common.service_metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

ROUTE_TEMPLATE = "payroute.route_template"
UNMATCHED = "unmatched"
# Any other method a client sends is counted as `OTHER`: the label stays bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# What an answer that never started counts as (the app raised before answering).
NO_ANSWER_STATUS = 500


def route_template(scope: Scope) -> str:
    template = scope.get(ROUTE_TEMPLATE)
    if isinstance(template, str):
        return template
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class HttpMetricsMiddleware:
    """Counts and times every HTTP request `app` answers, for `service`."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._timers: dict[tuple[str, str], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = NO_ANSWER_STATUS

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        counter = self._counters.get((route, method, status))
        if counter is None:
            counter = HTTP_REQUESTS.labels(
                service=self.service, route=route, method=method, status=str(status)
            )
            self._counters[route, method, status] = counter
        timer = self._timers.get((route, method))
        if timer is None:
            timer = HTTP_REQUEST_SECONDS.labels(service=self.service, route=route, method=method)
            self._timers[route, method] = timer
        counter.inc()
        timer.observe(seconds)
