"""`run_foreground` with stand-in services and seeder: `python run_fake_stack.py RUN_DIR`.

Ports come from ALPHA_PORT / BETA_PORT, the database name from FAKE_DB_NAME.
"""

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from payroute_devstack.foreground import run_foreground
from payroute_devstack.seed import DemoKeys
from payroute_devstack.services import ServiceSpec

SERVICES = (
    ServiceSpec("provider-simulator", "fakesvc.alpha", "ALPHA_", 0, None),
    ServiceSpec(
        "webhook-ingest", "fakesvc.beta", "BETA_", 0, os.environ["FAKE_DB_NAME"], "/webhooks"
    ),
)


async def seeder(env: Mapping[str, str]) -> DemoKeys:
    assert env["BETA_DATABASE_URL"].startswith("postgresql+asyncpg://")
    return DemoKeys("m_fake", "pk_fake_merchant", "pk_fake_operator", "pk_fake_admin")


if __name__ == "__main__":
    run_dir = Path(sys.argv[1])
    code = asyncio.run(run_foreground(run_dir, dict(os.environ), services=SERVICES, seeder=seeder))
    sys.exit(code)
