from alembic import context

from gateway_api.tables import metadata
from payroute_common.migrations import run_env

run_env(context, metadata)
