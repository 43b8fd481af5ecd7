"""`GET /metrics`: the durable counters in Prometheus text format, followed by the
process's own registry (its consumer lag, dead letters and outbox backlog)."""

from collections.abc import Callable

import structlog
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from metrics_exporter.cache import CounterCache
from metrics_exporter.collector import registry_for
from metrics_exporter.handlers import refresh_cache
from metrics_exporter.store import HandlerUnitOfWork
from payroute_common.metrics_route import process_metrics

log = structlog.get_logger(__name__)


def metrics_router(cache: CounterCache, unit_of_work: Callable[[], HandlerUnitOfWork]) -> APIRouter:
    router = APIRouter(tags=["metrics"])
    registry = registry_for(cache)

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        if not cache.loaded:
            try:
                await refresh_cache(cache, uow=unit_of_work())
            except Exception:
                # Serving zeros would look like a counter reset; better no scrape.
                log.exception("metrics_cache_load_failed")
                return Response("counters not loaded yet\n", status_code=503)
        body = generate_latest(registry) + process_metrics()
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
