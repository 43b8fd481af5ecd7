"""Command-line checkers from Debian's packages (.ci/run installs them).

A developer without them gets a skip; CI (`CI=true`) gets a failure, so a missing
install step cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}


def require(tool: str) -> str:
    """The path of `tool`; skips the test without it, except in CI where that fails."""
    path = shutil.which(tool)
    if path is not None:
        return path
    message = f"{tool} not found (apt-get install {PACKAGES[tool]})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def run(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`tool args...`, asserting it succeeds; its output is in the assertion message."""
    result = subprocess.run(
        [require(tool), *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, (
        f"{tool} {' '.join(map(str, args))}:\n{result.stdout}{result.stderr}"
    )
    return result
