"""Database files on disk: putting a finished file in place, so that a reader (or the next run)
finds it whole or not at all, even after a kill -9 or a power loss; removing one with its
write-ahead log; setting aside a log that no longer belongs to the file beside it; and telling
a path a run may write its database at from one holding something else."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

# Bytes 8-11 of every DuckDB database file.
_DUCKDB_MAGIC = b"DUCK"


class OutputNotWritten(OSError):
    """An export or report folder could not be written; the message names it and why. An
    OSError, so whatever handled a failed write before still handles it."""


def may_hold_database(path: Path) -> bool:
    """Whether a run may create or replace a DuckDB database at `path`: nothing is there, an
    empty file, or a DuckDB database. A folder or a file of anything else would be lost when
    the build renames the new warehouse over it (an input file given as --db, say)."""
    if not path.exists():
        return True
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(12)
    return not head or head[8:12] == _DUCKDB_MAGIC


def wal_of(database: Path) -> Path:
    """Where DuckDB keeps a database file's write-ahead log."""
    return database.with_name(database.name + ".wal")


def remove_database(database: Path) -> None:
    """Delete a DuckDB database file and its write-ahead log, whichever of them exist."""
    for path in (database, wal_of(database)):
        path.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
    """Make a folder's entries (a file created or renamed in it) durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def replace_durably(finished: Path, target: Path) -> None:
    """Rename a closed, finished file over `target` once its bytes are on disk, and make the
    rename itself durable: a crash leaves the old target or the new one, never half of one."""
    with finished.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(finished, target)
    fsync_folder(target.parent)


def set_aside_wal(database: Path) -> Path | None:
    """Rename `database`'s write-ahead log, if it has one, to `<name>.wal.orphaned-<UTC time>`,
    and return where it went.

    For a log whose database file is gone or about to be replaced: DuckDB would try to replay
    it into the file then at that path, refuse it as another file's or an older one's, and
    every later open would fail the same way. It is kept, not deleted: it holds the last
    writes made to the file it belonged to."""
    wal = wal_of(database)
    if not wal.exists():
        return None
    aside = wal.with_name(f"{wal.name}.orphaned-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
    os.replace(wal, aside)
    fsync_folder(wal.parent)
    return aside
