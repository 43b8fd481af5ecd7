from alembic import context

from payroute_common.migrations import run_env
from provider_worker.tables import metadata

run_env(context, metadata)
