"""What the routers are built with: a unit-of-work factory, the settings and the run
executor (wired in app.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fastapi import Depends

from reconciliation.api.errors import NOT_ADMIN, UNAUTHENTICATED
from reconciliation.auth import AdminDependency, admin_key
from reconciliation.config import Settings
from reconciliation.runs.executor import RunExecutor
from reconciliation.store import ReconciliationUnitOfWork


@dataclass
class ApiContext:
    unit_of_work: Callable[[], ReconciliationUnitOfWork]
    settings: Settings
    executor: RunExecutor

    @cached_property
    def admin(self) -> AdminDependency:
        """One dependency instance, so a route that also wants the caller checks once."""
        return admin_key(self.unit_of_work)

    def admin_only(self) -> dict[str, Any]:
        """Router arguments: every route needs an admin key."""
        return {
            "dependencies": [Depends(self.admin)],
            "responses": {401: UNAUTHENTICATED, 403: NOT_ADMIN},
        }
