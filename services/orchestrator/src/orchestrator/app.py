"""The orchestrator assembled: `bootstrap()` builds the runtime, the provider conditions
cache its units of work share, its consumer and its timers. Nothing is built at
import time."""

from fastapi import FastAPI

from orchestrator import consumers
from orchestrator.conditions import ConditionsCache
from orchestrator.config import Settings
from orchestrator.store import OrchestratorUnitOfWork
from orchestrator.tables import metadata
from payroute_common.runtime import ServiceRuntime


def bootstrap(settings: Settings | None = None) -> FastAPI:
    """The service as `python -m orchestrator` runs it (uvicorn's factory)."""
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, metadata)
    conditions = ConditionsCache(settings.conditions_ttl_s)

    def new_unit_of_work() -> OrchestratorUnitOfWork:
        return runtime.unit_of_work(OrchestratorUnitOfWork, conditions=conditions)

    consumers.register(runtime, settings, new_unit_of_work)
    return runtime.create_app(title="Payroute orchestrator")
