"""Local runner for Payroute: broker, Postgres and the seven services, no Docker.

`python -m payroute_devstack run|stop` for people; `payroute_devstack.testing`
for pytest.
"""

from payroute_devstack.broker import start_broker
from payroute_devstack.databases import create_database, drop_database
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN, sqlalchemy_url
from payroute_devstack.errors import DevstackError, InfraError, PortInUseError, ProcessStartError
from payroute_devstack.infra import Infra, start_infra
from payroute_devstack.plan import StackPlan, run_plan, session_plan
from payroute_devstack.postgres import ensure_postgres
from payroute_devstack.process import ManagedProcess, ProcessSpec
from payroute_devstack.services import SERVICES, ServiceSpec
from payroute_devstack.stack import Stack, start_stack

__all__ = [
    "DEFAULT_POSTGRES_DSN",
    "SERVICES",
    "DevstackError",
    "Infra",
    "InfraError",
    "ManagedProcess",
    "PortInUseError",
    "ProcessSpec",
    "ProcessStartError",
    "ServiceSpec",
    "Stack",
    "StackPlan",
    "create_database",
    "drop_database",
    "ensure_postgres",
    "run_plan",
    "session_plan",
    "sqlalchemy_url",
    "start_broker",
    "start_infra",
    "start_stack",
]
