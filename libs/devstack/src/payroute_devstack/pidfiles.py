"""Pid files under `<run dir>/pids/`, so another shell can stop the stack."""

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PidRecord:
    """A process the stack started: how to recognise it and how to stop it."""

    name: str
    pid: int
    argv: tuple[str, ...]
    stop_signal: int


def write_record(pid_dir: Path, record: PidRecord) -> None:
    pid_dir.mkdir(parents=True, exist_ok=True)
    payload = {"pid": record.pid, "argv": list(record.argv), "stop_signal": record.stop_signal}
    tmp = pid_dir / f".{record.name}.pid.tmp"
    tmp.write_text(json.dumps(payload))
    tmp.replace(pid_dir / f"{record.name}.pid")


def remove_record(pid_dir: Path, name: str) -> None:
    (pid_dir / f"{name}.pid").unlink(missing_ok=True)


def read_records(pid_dir: Path) -> list[PidRecord]:
    """Every readable record; unreadable files are removed as stale."""
    records = []
    for path in sorted(pid_dir.glob("*.pid")):
        try:
            data = json.loads(path.read_text())
            records.append(
                PidRecord(
                    name=path.stem,
                    pid=int(data["pid"]),
                    argv=tuple(str(a) for a in data["argv"]),
                    stop_signal=int(data["stop_signal"]),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
    return records


def is_alive(record: PidRecord) -> bool:
    """True while the pid runs the recorded program (zombies count as gone).

    Without /proc (not Linux) only the pid is checked.
    """
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    proc = Path(f"/proc/{record.pid}")
    if not Path("/proc/self").exists():
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        first = (proc / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
    except (FileNotFoundError, IndexError):
        return False
    if state in ("Z", "X"):
        return False
    # An exiting process has no cmdline any more but may still hold its sockets.
    return not first or not record.argv or first == record.argv[0]
