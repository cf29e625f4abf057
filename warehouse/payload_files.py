"""Raw payload bodies as files beside the raw store, one per body, named by its sha256.

`warehouse.raw.duckdb` keeps each payload's row in raw_payloads; since the seventh session the
body itself goes to `warehouse.raw.payloads/<first two characters>/<sha256>.zlib`
(body_encoding 'zlib-file'). In the table, DuckDB rewrites a table's last, open row group at
every checkpoint, and a table gets a second row group only at 122,880 rows: the few hundred
multi-MB bodies of a large ingest all sat in one row group, so every checkpoint rewrote every
body stored so far (558 MB at a million postings). Landing 100k postings into a copy of the
1M raw store, a checkpoint took 5-7 s with the bodies in the table and 1.1-2 s without them,
and checkpoints come every eight 5,000-line chunks, during extraction as well.

A body is written (to a temporary name, flushed to disk, then renamed) before the transaction
that records its row commits, so a row never points to a missing or half-written file. A run
killed between the two leaves a complete file no row names; landing the payload again reuses
it, and nothing reads it otherwise. A run killed while writing leaves a `*.partial` file. Both
are swept (sweep) when the next run starts, under the run lock.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.files import fsync_folder, replace_durably

if TYPE_CHECKING:
    # A parsing worker compresses bodies with this module and never opens a database.
    import duckdb

ENCODING = "zlib-file"
# Level 1: four times faster than the default and within a few percent of its size on JSON.
COMPRESSION_LEVEL = 1
_SAFE_NAME = re.compile(r"[0-9A-Za-z_-]+")
_BODY_SUFFIX = ".zlib"
_PARTIAL_SUFFIX = ".partial"
# What write_body names a body and its temporary copy: <sha256>.zlib, <sha256>.zlib.<pid>.partial
_BODY_FILE = re.compile(rf"(?P<name>{_SAFE_NAME.pattern}){re.escape(_BODY_SUFFIX)}")
_PARTIAL_FILE = re.compile(rf"{_BODY_FILE.pattern}\.[0-9]+{re.escape(_PARTIAL_SUFFIX)}")


def directory_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Where the bodies of this raw store live: beside its file, `<name>.payloads`; None for
    an in-memory database, which keeps them in raw_payloads."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    if row is None or not row[0] or row[0] == ":memory:":
        return None
    return Path(row[0]).with_suffix(".payloads")


def body_path(directory: Path, payload_sha256: str) -> Path:
    if not _SAFE_NAME.fullmatch(payload_sha256):
        raise ValueError(f"not a payload name: {payload_sha256!r}")
    return directory / payload_sha256[:2] / f"{payload_sha256}{_BODY_SUFFIX}"


def compress(body: bytes) -> bytes:
    """A body as its file holds it (what write_body writes and read_body undoes)."""
    return zlib.compress(body, COMPRESSION_LEVEL)


def write_body(
    directory: Path, payload_sha256: str, body: bytes, compressed: bytes | None = None
) -> None:
    """Store `body` compressed under its name, durably; a body already stored is left as it is.

    `compressed`, when given, is compress(body) done ahead (by a parsing worker,
    skillpulse.parsing), so this process does not compress it again.
    """
    path = body_path(directory, payload_sha256)
    if path.exists():
        return
    _make_durable_folder(path.parent)
    partial = path.with_name(f"{path.name}.{os.getpid()}{_PARTIAL_SUFFIX}")
    try:
        partial.write_bytes(compress(body) if compressed is None else compressed)
        # The bytes and the rename must reach the disk before the row naming the file commits.
        replace_durably(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _make_durable_folder(folder: Path) -> None:
    """Create `folder` (and its parents) so that its entry survives a power loss."""
    if folder.is_dir():
        return
    _make_durable_folder(folder.parent)
    folder.mkdir(exist_ok=True)
    fsync_folder(folder.parent)


def read_body(directory: Path, payload_sha256: str) -> bytes:
    return zlib.decompress(body_path(directory, payload_sha256).read_bytes())


@dataclass(frozen=True)
class Swept:
    """What sweep deleted, and what it could not."""

    partial: int  # half-written bodies: a run killed while writing one
    unreferenced: int  # whole bodies no stored payload names: a run stopped before its commit
    failed: int = 0  # files it should have deleted and could not (permissions, say)


def sweep(directory: Path, stored: Collection[str]) -> Swept:
    """Delete the body files a stopped run left in `directory`: `*.partial` files and bodies
    whose name is not in `stored` (the payload_sha256 of every row keeping its body in a file).

    Only for a caller holding the run lock (warehouse.lock): then no other process is writing a
    body, so a partial file is abandoned and a body no committed row names has no row coming.
    Deleting such a body loses nothing: landing its payload again writes it again. Only regular
    files named as write_body names them are touched. Best effort: a file that cannot be
    deleted is counted, never raised, so tidying up cannot stop a run.
    """
    partial = unreferenced = failed = 0
    try:
        folders = [folder for folder in directory.iterdir() if len(folder.name) == 2]
    except OSError:  # no folder yet (nothing stored), or not one
        return Swept(0, 0)
    for folder in folders:
        try:
            paths = list(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            failed += 1
            continue
        for path in paths:
            if _PARTIAL_FILE.fullmatch(path.name):
                kind = "partial"
            elif (body := _BODY_FILE.fullmatch(path.name)) and (
                body["name"][:2] == folder.name and body["name"] not in stored
            ):
                kind = "unreferenced"
            else:
                continue
            if path.is_symlink() or not path.is_file():
                continue  # write_body makes regular files only
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError:
                failed += 1
                continue
            if kind == "partial":
                partial += 1
            else:
                unreferenced += 1
    return Swept(partial, unreferenced, failed)
