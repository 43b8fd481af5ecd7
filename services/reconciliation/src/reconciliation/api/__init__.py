"""reconciliation's HTTP API, one router per resource; every `/v1` route needs an
admin key (auth.py)."""

from reconciliation.api.issues import issues_router
from reconciliation.api.ledger import ledger_router
from reconciliation.api.reports import reports_router
from reconciliation.api.runs import runs_router

__all__ = ["issues_router", "ledger_router", "reports_router", "runs_router"]
