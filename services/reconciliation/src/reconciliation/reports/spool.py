"""A report's bytes on local disk, with their SHA-256 and size, never whole in memory.

The upload is written to a temporary file as it arrives (and refused as soon as it
passes the size limit); a file from the watched directory is hashed where it lies.
The hash is the report's identity: the same bytes again are the same report.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reconciliation.reports.errors import ReportTooLarge

CHUNK = 1 << 20


@dataclass(frozen=True)
class Spooled:
    path: Path
    sha256: str
    size: int


async def spool_upload(chunks: AsyncIterable[bytes], *, limit: int, into: Path) -> Spooled:
    """Write `chunks` to the file `into`; raises ReportTooLarge past `limit` bytes."""
    digest = hashlib.sha256()
    size = 0
    with into.open("wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ReportTooLarge(limit)
            digest.update(chunk)
            out.write(chunk)
    return Spooled(into, digest.hexdigest(), size)


def spool_file(path: Path, *, limit: int) -> Spooled:
    size = path.stat().st_size
    if size > limit:
        raise ReportTooLarge(limit)
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return Spooled(path, digest.hexdigest(), size)


@contextmanager
def scratch_file(directory: Path | None = None) -> Iterator[Path]:
    """A temporary file path, removed afterwards."""
    handle, name = tempfile.mkstemp(prefix="report-", suffix=".csv", dir=directory)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
