from payroute_common.runtime import ServiceRuntime
from reconciliation import auth, consumers
from reconciliation.api import issues_router, ledger_router, reports_router, runs_router
from reconciliation.api.deps import ApiContext
from reconciliation.background import keep_schedule
from reconciliation.config import Settings
from reconciliation.runs.executor import RunExecutor
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import metadata

settings = Settings()
runtime = ServiceRuntime(settings, metadata)
consumers.register(runtime)


def unit_of_work() -> ReconciliationUnitOfWork:
    return runtime.unit_of_work(ReconciliationUnitOfWork)


context = ApiContext(unit_of_work, settings, RunExecutor(unit_of_work))
runtime.run_in_background(lambda: keep_schedule(settings, unit_of_work))

app = runtime.create_app(title="Payroute reconciliation")
auth.install(app)
app.include_router(ledger_router(unit_of_work))
for router in (reports_router, runs_router, issues_router):
    app.include_router(router(context))
