from alembic import context

from metrics_exporter.tables import metadata
from payroute_common.migrations import run_env

run_env(context, metadata)
