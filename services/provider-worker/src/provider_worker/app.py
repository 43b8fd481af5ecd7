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


def create_app(settings: Settings) -> FastAPI:
    runtime = ServiceRuntime(settings, metadata)
    reporter = HealthReporter(lambda: runtime.unit_of_work(UnitOfWork))
    providers = Providers.build(
        build_adapters(settings), settings.policy, on_change=reporter.changed
    )
    checker = HealthChecker(providers, reporter, settings.health_check_interval_s)
    consumers.register(runtime, providers)
    runtime.run_in_background(reporter.run)
    runtime.run_in_background(checker.run)
    app = runtime.create_app(title="Payroute provider-worker")
    add_provider_health(app, runtime, providers)
    return app


app = create_app(Settings())
