from metrics_exporter import consumers
from metrics_exporter.api import metrics_router
from metrics_exporter.cache import CounterCache
from metrics_exporter.config import Settings
from metrics_exporter.handlers import refresh_forever
from metrics_exporter.store import MetricsUnitOfWork
from metrics_exporter.tables import metadata
from payroute_common.runtime import ServiceRuntime

settings = Settings()
runtime = ServiceRuntime(settings, metadata)
cache = CounterCache()
consumers.register(runtime, cache)


def unit_of_work() -> MetricsUnitOfWork:
    return runtime.unit_of_work(MetricsUnitOfWork)


runtime.run_in_background(lambda: refresh_forever(cache, unit_of_work, settings.cache_refresh_s))
# Its /metrics is its own: the durable counters, then the process's shared metrics.
app = runtime.create_app(title="Payroute metrics-exporter", serve_metrics=False)
app.include_router(metrics_router(cache, unit_of_work))
