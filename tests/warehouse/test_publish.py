"""Analysts are never blocked and never see half a build; a killed build changes nothing.

The reader is a separate process (DuckDB's locks are per process): it opens the published
warehouse read-only and keeps the connection open while this process rebuilds.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
from wh_factory import P, build, land, query

from skillpulse.pipeline import taxonomy_seeds
from warehouse.paths import WarehousePaths
from warehouse.sqlfiles import models

REPO = Path(__file__).resolve().parents[2]

READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    def state():
        postings = con.execute("select count(*) from fct_postings").fetchone()[0]
        monthly = con.execute(
            "select sum(postings) from fct_skill_demand_monthly"
            " where role_family = 'all' and skill_id = 'python'"
        ).fetchone()[0]
        return f"{postings} {monthly}"
    print(state(), flush=True)
    sys.stdin.readline()          # hold the connection open until told to look again
    print(state(), flush=True)
    con.close()
    """
)

# The seeds arrive pickled so the child imports only the warehouse package (not spaCy) and
# reaches the build quickly.
BUILDER = textwrap.dedent(
    """
    import pickle, sys
    from warehouse.build import build_warehouse
    from warehouse.paths import WarehousePaths
    seeds = pickle.loads(open(sys.argv[2], "rb").read())
    print("go", flush=True)
    build_warehouse(WarehousePaths.for_db(sys.argv[1]), "run-1", seeds)
    print("done", flush=True)
    """
)


def _batch(prefix: str, n: int) -> list[P]:
    return [
        P(f"{prefix}{i}", "2024-01-0" + str(1 + i), ["python"], company=prefix) for i in range(n)
    ]


def test_reader_in_another_process_keeps_old_data_and_build_succeeds(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    land(db, _batch("old", 3), small_taxonomy)
    build(db, small_taxonomy)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().split() == ["3", "3"]
        land(db, _batch("new", 2), small_taxonomy)
        result = build(db, small_taxonomy)  # must not fail while the reader holds the file
        assert result.tables["fct_postings"] == 5
        reader.stdin.write("\n")
        reader.stdin.flush()
        # the open connection still reads the old, whole warehouse
        assert reader.stdout.readline().split() == ["3", "3"]
        assert reader.wait(timeout=30) == 0
    finally:
        reader.kill()
    # a new connection sees the new data
    assert query(db, "select count(*) from fct_postings") == [(5,)]


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            m.name: con.execute(f"select * from {m.name} order by all").fetchall() for m in models()
        }
    finally:
        con.close()


def test_killed_builds_then_one_rerun_equal_one_clean_build(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "killed" / "warehouse.duckdb"
    land(db, _batch("old", 3), small_taxonomy)
    build(db, small_taxonomy)
    land(db, _batch("new", 2), small_taxonomy)
    clean = tmp_path / "clean" / "warehouse.duckdb"
    clean.parent.mkdir()
    shutil.copy(db.with_name("warehouse.raw.duckdb"), clean.with_name("warehouse.raw.duckdb"))

    seeds = tmp_path / "seeds.pickle"
    seeds.write_bytes(pickle.dumps(taxonomy_seeds(small_taxonomy, "run-1")))
    # kill at several moments: copying the raw store, mid-models, around the publish
    for delay in (0.0, 0.1, 0.25, 0.5, 1.0):
        child = subprocess.Popen(
            [sys.executable, "-c", BUILDER, str(db), str(seeds)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "go"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        # whatever moment it died, the published file is a whole warehouse: old or new
        (postings,) = query(db, "select count(*) from fct_postings")[0]
        (monthly,) = query(
            db,
            "select sum(postings) from fct_skill_demand_monthly "
            "where role_family = 'all' and skill_id = 'python'",
        )[0]
        assert (postings, monthly) in {(3, 3), (5, 5)}

    build(db, small_taxonomy)
    build(clean, small_taxonomy)
    assert _tables(db) == _tables(clean)
    assert [p.name for p in db.parent.joinpath(".build").iterdir()] == []


def test_a_build_sees_what_a_crash_left_in_the_raw_stores_write_ahead_log(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    from warehouse import raw_store
    from warehouse.paths import WarehousePaths

    db = tmp_path / "warehouse.duckdb"
    land(db, _batch("acme", 2), small_taxonomy)
    raw = WarehousePaths.for_db(db).raw
    con = raw_store.open_raw(raw)
    # As a killed process leaves it: the change committed to the log, never checkpointed.
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute(
        "update raw_postings set title = 'Staff ML Engineer' where source_posting_id = 'acme1'"
    )
    con.close()
    assert raw.with_name(raw.name + ".wal").exists()
    build(db, small_taxonomy)
    assert query(db, "select title from fct_postings order by title") == [
        ("ML Engineer",),
        ("Staff ML Engineer",),
    ]


def test_a_log_left_beside_the_published_warehouse_is_kept_aside_not_replayed_into_the_new(
    tmp_path: Path, small_taxonomy, caplog
) -> None:  # type: ignore[no-untyped-def]
    """An ad-hoc writer that died before checkpointing leaves a WAL beside the published file.
    Published over, DuckDB refused it as a log of an older file: every reader failed, the
    ingest's own closing summary included."""
    db = tmp_path / "warehouse.duckdb"
    land(db, _batch("acme", 2), small_taxonomy)
    build(db, small_taxonomy)
    writer = duckdb.connect(str(db))
    writer.execute("pragma disable_checkpoint_on_shutdown")
    writer.execute("create table analyst_scratch as select 1 as x")
    writer.close()
    stale = db.with_name(db.name + ".wal")
    log = stale.read_bytes()
    land(db, _batch("initech", 1), small_taxonomy)

    with caplog.at_level("WARNING", logger="skillpulse"):
        build(db, small_taxonomy)

    assert query(db, "select count(*) from fct_postings") == [(3,)]
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("warehouse.duckdb.wal.orphaned-")]
    assert len(aside) == 1 and aside[0].read_bytes() == log
    assert not stale.exists()
    assert [r.getMessage() for r in caplog.records] == [
        f"{stale} belonged to the warehouse this build replaces; kept as {aside[0]}"
    ]


def test_the_warehouse_keeps_the_raw_tables_models_read_and_not_the_payload_index(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    land(db, _batch("acme", 2), small_taxonomy)
    build(db, small_taxonomy)
    tables = {row[0] for row in query(db, "select table_name from duckdb_tables()")}
    assert {"raw_postings", "raw_mentions", "raw_extractions", "raw_runs"} <= tables
    assert "raw_payloads" not in tables
    assert query(db, "select count(*) from raw_postings") == [(2,)]


def test_a_killed_builds_scratch_file_and_spill_folder_are_cleared(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    """What a build killed mid-way leaves under .build/ (its scratch file, WAL, and DuckDB's
    spill folder beside them) does not stop the next build, and is gone after it."""
    db = tmp_path / "warehouse.duckdb"
    land(db, [P("a1", "2024-01-02", ["python"])], small_taxonomy)
    build_dir = WarehousePaths.for_db(db).build_dir
    build_dir.mkdir()
    (build_dir / "warehouse-killed.duckdb").write_bytes(b"half a database")
    (build_dir / "warehouse-killed.duckdb.wal").write_bytes(b"half a log")
    spill = build_dir / "warehouse-killed.duckdb.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"\0" * 4096)
    build(db, small_taxonomy)
    assert query(db, "select count(*) from fct_postings") == [(1,)]
    assert list(build_dir.iterdir()) == []
