"""provider-worker assembled: `bootstrap()` builds the runtime, the providers' guards and
adapters, the consumer, the health checks and reports. Nothing is built at import time."""

from fastapi import FastAPI

from payroute_common.runtime import ServiceRuntime
from payroute_common.uow import UnitOfWork
from provider_worker import consumers
from provider_worker.adapters.registry import build_adapters
from provider_worker.config import Settings
from provider_worker.guard import Providers
from provider_worker.health import HealthChecker, HealthReporter
from provider_worker.health_route import add_provider_health
from provider_worker.tables import metadata


def bootstrap(settings: Settings | None = None) -> FastAPI:
    """The service as `python -m provider_worker` runs it (uvicorn's factory)."""
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, metadata)

    def new_unit_of_work() -> UnitOfWork:
        return runtime.unit_of_work(UnitOfWork)

    reporter = HealthReporter(new_unit_of_work)
    providers = Providers.build(
        build_adapters(settings), settings.policy, on_change=reporter.changed
    )
    checker = HealthChecker(providers, reporter, settings.health_check_interval_s)
    consumers.register(runtime, new_unit_of_work, providers)
    runtime.run_in_background(reporter.run)
    runtime.run_in_background(checker.run)
    app = runtime.create_app(title="Payroute provider-worker")
    add_provider_health(app, runtime, providers)
    return app
