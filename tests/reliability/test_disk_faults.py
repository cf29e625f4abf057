"""A full disk or an unreadable database file: a clear error, and the last good warehouse stays.

A full disk is simulated with RLIMIT_FSIZE in the child process (writes past the limit fail
with EFBIG, as they would with ENOSPC); running as root here, permission bits cannot make a
directory unwritable, and mounting a tiny filesystem is not available.
"""

from __future__ import annotations

import hashlib
import resource
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import record_figure
from killing import ingest_command, run, synthetic_postings

pytestmark = pytest.mark.slow


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _limit(size: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory, small_taxonomy_path: Path):  # type: ignore[no-untyped-def]
    """A published warehouse from 300 postings, and a second file of 300 new ones."""
    folder = tmp_path_factory.mktemp("disk")
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    synthetic_postings(first, 300, seed=1)
    synthetic_postings(second, 300, seed=2)
    second.write_text(second.read_text().replace('"id": "p', '"id": "q'), encoding="utf-8")
    db = folder / "good" / "warehouse.duckdb"
    done = run(ingest_command(first, db, small_taxonomy_path))
    assert done.returncode == 0, done.stderr
    return db, second


def _copy(good_db: Path, tmp_path: Path) -> Path:
    shutil.copytree(good_db.parent, tmp_path / "wh")
    return tmp_path / "wh" / good_db.name


def _count(db: Path, sql: str) -> int:
    return _row(db, sql)[0]


@pytest.mark.parametrize(
    ("limit", "stage", "expected"),
    [
        (64 * 1024, "landing in the raw store", "File too large"),
        (3 * 1024 * 1024, "building the warehouse", "File too large"),
    ],
    ids=["raw-store-write", "build-write"],
)
def test_disk_full_fails_clearly_keeps_the_warehouse_and_the_next_run_recovers(
    tmp_path: Path, good, small_taxonomy_path: Path, limit: int, stage: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    db = _copy(good[0], tmp_path)
    before = _sha(db)

    full = run(ingest_command(good[1], db, small_taxonomy_path), preexec_fn=_limit(limit))

    assert full.returncode == 1
    assert "ingest failed:" in full.stderr and expected in full.stderr, full.stderr
    assert f"{db} still holds the last good warehouse" in full.stderr
    assert "Traceback" not in full.stderr
    assert _sha(db) == before
    assert list((db.parent / ".build").iterdir()) == []

    record_figure("disk", f"disk full (EFBIG) while {stage}", 1, "clear error, warehouse kept")
    if stage != "landing in the raw store":
        # the raw store could still be written: the run is logged failed, naming the cause
        raw = db.with_name(f"{db.stem}.raw.duckdb")
        status, message = _row(raw, "select status, message from raw_runs order by started_at desc")
        assert status == "failed" and "File too large" in message, (status, message)
        return
    # With space again the next run replays what the raw store logged, lands everything once and
    # publishes, even over a published file that was lost to garbage meanwhile.
    db.write_bytes(b"\x00garbage" * 4096)
    again = run(ingest_command(good[1], db, small_taxonomy_path))
    assert again.returncode == 0, again.stderr
    assert _count(db, "select count(*) from raw_postings") == 600 - 2 * (300 // 400)
    assert _count(db, "select status from pipeline_runs order by started_at desc limit 1") == "ok"
    assert _count(db, "select count(*) from pipeline_runs where status = 'running'") == 0
    record_figure("disk", "garbage published warehouse", 1, "rebuilt from the raw store")


def test_a_first_run_that_cannot_create_the_raw_store_leaves_nothing_the_next_run_refuses(
    tmp_path: Path, good, small_taxonomy_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A full disk while the very first run creates the raw store: a clear error, no store file
    and no working file left, and the next run (with space) lands everything."""
    db = tmp_path / "fresh" / "warehouse.duckdb"
    full = run(ingest_command(good[1], db, small_taxonomy_path), preexec_fn=_limit(1000))
    assert full.returncode == 1
    assert "ingest failed:" in full.stderr and "Traceback" not in full.stderr, full.stderr
    assert sorted(p.name for p in db.parent.iterdir() if p.is_file()) == [".warehouse.lock"]

    again = run(ingest_command(good[1], db, small_taxonomy_path))
    assert again.returncode == 0, again.stderr
    assert _count(db, "select count(*) from raw_postings") == 300
    record_figure("disk", "disk full while the first run creates the raw store", 1, "recovered")


def _row(db: Path, sql: str) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()  # type: ignore[return-value]
    finally:
        con.close()


def _garbage(raw: Path) -> None:
    raw.write_bytes(b"this is not a database\n" * 1000)


def _truncated(raw: Path) -> None:
    with raw.open("r+b") as handle:
        handle.truncate(raw.stat().st_size // 3)


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_unreadable_raw_store_fails_clearly_and_keeps_the_warehouse(
    tmp_path: Path, good, small_taxonomy_path: Path, damage
) -> None:  # type: ignore[no-untyped-def]
    db = _copy(good[0], tmp_path)
    raw = db.with_name(f"{db.stem}.raw.duckdb")
    damage(raw)
    damaged, before = _sha(raw), _sha(db)

    done = run(ingest_command(good[1], db, small_taxonomy_path))

    assert done.returncode == 1
    assert "ingest failed: " in done.stderr
    assert f"{db} still holds the last good warehouse" in done.stderr
    assert "Traceback" not in done.stderr
    assert _sha(db) == before
    assert _sha(raw) == damaged  # the evidence is left as it was, for a human to look at
    record_figure(
        "disk", f"{damage.__name__.strip('_')} raw store file", 1, "clear error, warehouse kept"
    )
