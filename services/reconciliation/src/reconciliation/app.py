"""reconciliation assembled: `bootstrap()` builds the runtime, its consumer, the daily
schedule and the API. Nothing is built at import time."""

from fastapi import FastAPI

from payroute_common.runtime import ServiceRuntime
from reconciliation import auth, consumers
from reconciliation.api import issues_router, ledger_router, reports_router, runs_router
from reconciliation.api.deps import ApiContext
from reconciliation.background import keep_schedule
from reconciliation.config import Settings
from reconciliation.runs.executor import RunExecutor
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import metadata


def bootstrap(settings: Settings | None = None) -> FastAPI:
    """The service as `python -m reconciliation` runs it (uvicorn's factory)."""
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, metadata)

    def unit_of_work() -> ReconciliationUnitOfWork:
        return runtime.unit_of_work(ReconciliationUnitOfWork)

    consumers.register(runtime, unit_of_work)
    runtime.run_in_background(lambda: keep_schedule(settings, unit_of_work))
    app = runtime.create_app(title="Payroute reconciliation")
    auth.install(app)
    app.include_router(ledger_router(unit_of_work))
    context = ApiContext(unit_of_work, settings, RunExecutor(unit_of_work))
    for router in (reports_router, runs_router, issues_router):
        app.include_router(router(context))
    return app
