"""Reading the end of a log file for error messages."""

from pathlib import Path

_TAIL_BYTES = 64 * 1024


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a file, or a note when it does not exist."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - _TAIL_BYTES))
            data = handle.read()
    except FileNotFoundError:
        return f"(no log at {path})"
    text = data.decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:]).strip("\n")
