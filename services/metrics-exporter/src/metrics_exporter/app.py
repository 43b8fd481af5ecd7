"""metrics-exporter assembled: `bootstrap()` builds the runtime, the counter cache, its
consumer and its `/metrics`. Nothing is built at import time."""

from fastapi import FastAPI

from metrics_exporter import consumers
from metrics_exporter.api import metrics_router
from metrics_exporter.cache import CounterCache
from metrics_exporter.config import Settings
from metrics_exporter.handlers import refresh_forever
from metrics_exporter.store import MetricsUnitOfWork
from metrics_exporter.tables import metadata
from payroute_common.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> FastAPI:
    """The service as `python -m metrics_exporter` runs it (uvicorn's factory)."""
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, metadata)
    cache = CounterCache()

    def unit_of_work() -> MetricsUnitOfWork:
        return runtime.unit_of_work(MetricsUnitOfWork)

    consumers.register(runtime, cache, unit_of_work)
    runtime.run_in_background(
        lambda: refresh_forever(cache, unit_of_work, settings.cache_refresh_s)
    )
    # Its /metrics is its own: the durable counters, then the process's shared metrics.
    app = runtime.create_app(title="Payroute metrics-exporter", serve_metrics=False)
    app.include_router(metrics_router(cache, unit_of_work))
    return app
