from payroute_common.runtime import ServiceRuntime
from reconciliation import auth, consumers
from reconciliation.api import ledger_router
from reconciliation.config import Settings
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import metadata

runtime = ServiceRuntime(Settings(), metadata)
consumers.register(runtime)


def unit_of_work() -> ReconciliationUnitOfWork:
    return runtime.unit_of_work(ReconciliationUnitOfWork)


app = runtime.create_app(title="Payroute reconciliation")
auth.install(app)
app.include_router(ledger_router(unit_of_work))
