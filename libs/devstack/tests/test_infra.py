"""Integration: start_infra cleans up when one half fails."""

import shutil
from pathlib import Path

import pytest

from payroute_devstack.errors import InfraError
from payroute_devstack.infra import start_infra
from payroute_devstack.ports import free_port, port_is_open

pytestmark = pytest.mark.integration


async def test_a_missing_broker_stops_the_embedded_postgres_it_started(
    devstack_run_dir: Path,
) -> None:
    run_dir = devstack_run_dir / "infra-failure"
    run_dir.mkdir()
    pg_port = free_port()
    with pytest.raises(InfraError, match="no Kafka broker answered"):
        await start_infra(
            run_dir,
            postgres_dsn=f"postgresql://postgres@127.0.0.1:{pg_port}",
            bootstrap_servers=f"127.0.0.1:{free_port()}",
            within=5,
        )
    assert "ready to accept connections" in (run_dir / "logs" / "postgres.log").read_text()
    assert not port_is_open("127.0.0.1", pg_port)
    assert list((run_dir / "pids").glob("*.pid")) == []
    shutil.rmtree(run_dir / "postgres")
