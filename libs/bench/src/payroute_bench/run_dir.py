"""Where a bench run keeps its logs and, when it starts one, its Postgres data."""

import tempfile
from pathlib import Path


def new_run_dir() -> Path:
    run_dir = Path(tempfile.mkdtemp(prefix="payroute-bench-"))
    run_dir.chmod(0o755)  # as root, an embedded Postgres's own user must traverse it
    return run_dir
