"""`GET /metrics`: the process's own Prometheus registry, which `ServiceRuntime.create_app`
serves for every service: the shared metrics (service_metrics.py) and the service's
own. metrics-exporter serves its durable counters its own way and appends
`process_metrics()` to them."""

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest


def process_metrics() -> bytes:
    """The process's registry in Prometheus text format."""
    return generate_latest(REGISTRY)


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(process_metrics(), media_type=CONTENT_TYPE_LATEST)

    return router
