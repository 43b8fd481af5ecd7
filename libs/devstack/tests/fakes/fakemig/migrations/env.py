from alembic import context
from sqlalchemy import MetaData

from payroute_common.migrations import run_env

run_env(context, MetaData())
