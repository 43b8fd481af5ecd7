"""Where the stack keeps its files and finds its executables."""

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The repository root (holding pyproject.toml), or the working directory."""
    candidate = _PACKAGE_DIR.parents[3]
    if (candidate / "pyproject.toml").is_file():
        return candidate
    return Path.cwd()


def default_run_dir() -> Path:
    """`.run/` at the repository root: logs, pid files, embedded Postgres data."""
    return repo_root() / ".run"


def venv_bin() -> Path:
    """The bin directory of the running interpreter's virtualenv (not resolved)."""
    return Path(sys.executable).parent


def logs_dir(run_dir: Path) -> Path:
    return run_dir / "logs"


def pids_dir(run_dir: Path) -> Path:
    return run_dir / "pids"
