"""A build over unchanged input takes the shortcut and still equals a clean full build.

The shortcut copies the published warehouse and rebuilds only the run-log models; it must be
taken only when the input fingerprint matches, and what it publishes must be what a full build
of the same raw store would publish, table for table.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from extractors.skills.taxonomy import Taxonomy
from tests.warehouse.wh_factory import P, build, land, query
from warehouse import build as build_module
from warehouse import raw_store
from warehouse.paths import WarehousePaths
from warehouse.sqlfiles import models

POSTINGS = [
    P("a1", "2024-01-05", ["python"], company="Acme", text="alpha beta gamma delta epsilon zeta"),
    P("a2", "2024-01-20", ["python"], company="Acme", text="alpha beta gamma delta epsilon zeta"),
    P("b1", "2024-02-01", ["sql"], company="Beta"),
    P("g1", "2024-03-01", ["python", "sql"], company="Gamma", source="greenhouse", board="gamma"),
]


def _log_run(db: Path, run_id: str, source: str = "jsonl", board: str = "test") -> None:
    """What a run writes besides postings: its run_logs row, a source run and a reject."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    con = raw_store.open_raw(WarehousePaths.for_db(db).raw)
    try:
        raw_store.record_run(
            con,
            {
                "run_id": run_id,
                "command": "ingest",
                "started_at": at,
                "finished_at": at,
                "status": "running",
                "taxonomy_version": None,
                "postings_landed": 0,
                "postings_extracted": 0,
                "sources_failed": 0,
                "message": None,
            },
        )
        rejects = raw_store.as_rows(
            [
                {
                    "run_id": run_id,
                    "source": source,
                    "board": board,
                    "record_ref": "line 7",
                    "reason": "no text",
                    "raw": "{}",
                }
            ],
            raw_store.REJECT_COLUMNS,
        )
        raw_store.land_source_result(
            con,
            run_id,
            {
                "source": source,
                "board": board,
                "status": "ok",
                "postings": 0,
                "rejects": 1,
                "error": None,
                "started_at": at,
                "finished_at": at,
            },
            [],
            [],
            rejects,
        )
    finally:
        con.close()


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            row[0]
            for row in con.execute("select table_name from duckdb_tables() order by 1").fetchall()
        ]
        out = {}
        for name in names:
            # built_at is the build's own clock, the one column two builds never share
            columns = "* exclude (built_at)" if name == "raw_build_info" else "*"
            out[name] = con.execute(f"select {columns} from {name} order by all").fetchall()
        return out
    finally:
        con.close()


def _clean_build(db: Path, taxonomy: Taxonomy, run_id: str, tmp_path: Path) -> Path:
    clean = tmp_path / f"clean-{run_id}" / "warehouse.duckdb"
    clean.parent.mkdir()
    shutil.copy(db.with_name("warehouse.raw.duckdb"), clean.with_name("warehouse.raw.duckdb"))
    result = build(clean, taxonomy, run_id=run_id)
    assert "duplicates (Python)" in result.steps
    return clean


def _first_build(tmp_path: Path, taxonomy: Taxonomy) -> Path:
    db = tmp_path / "wh" / "warehouse.duckdb"
    land(db, POSTINGS, taxonomy)
    _log_run(db, "run-1")
    result = build(db, taxonomy)
    assert "duplicates (Python)" in result.steps  # nothing published yet: a full build
    return db


def test_unchanged_input_rebuilds_only_the_run_log(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = _first_build(tmp_path, small_taxonomy)
    # The same postings seen again by a second run: lineage columns change, nothing else.
    land(db, POSTINGS, small_taxonomy, run_id="run-2")
    _log_run(db, "run-2")

    result = build(db, small_taxonomy, run_id="run-2")

    assert "copy published warehouse" in result.steps
    assert "duplicates (Python)" not in result.steps
    assert "fct_postings" not in result.steps
    assert {"pipeline_runs", "source_runs", "fct_rejects"} <= set(result.steps)
    assert _tables(db) == _tables(_clean_build(db, small_taxonomy, "run-2", tmp_path))
    assert query(db, "select run_id from pipeline_runs order by 1") == [("run-1",), ("run-2",)]
    assert query(db, "select count(*) from source_runs where run_id = 'run-2'") == [(1,)]
    assert query(db, "select count(*) from fct_rejects where run_id = 'run-2'") == [(1,)]
    assert query(db, "select distinct last_seen_run_id from raw_postings") == [("run-2",)]
    assert result.tables["pipeline_runs"] == 2


def test_repeated_noop_builds_stay_equal(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = _first_build(tmp_path, small_taxonomy)
    for run in ("run-2", "run-3"):
        _log_run(db, run)
        assert "copy published warehouse" in build(db, small_taxonomy, run_id=run).steps
    assert _tables(db) == _tables(_clean_build(db, small_taxonomy, "run-3", tmp_path))


def test_a_changed_text_builds_everything(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = _first_build(tmp_path, small_taxonomy)
    land(db, [replace(POSTINGS[2], text="a rewritten posting for beta")], small_taxonomy, "run-2")
    _log_run(db, "run-2")

    result = build(db, small_taxonomy, run_id="run-2")

    assert "duplicates (Python)" in result.steps
    assert _tables(db) == _tables(_clean_build(db, small_taxonomy, "run-2", tmp_path))


def test_a_changed_attribute_builds_everything(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = _first_build(tmp_path, small_taxonomy)
    land(db, [replace(POSTINGS[2], seniority="senior")], small_taxonomy, "run-2")
    assert "duplicates (Python)" in build(db, small_taxonomy, run_id="run-2").steps


def test_a_changed_taxonomy_version_builds_everything(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = _first_build(tmp_path, small_taxonomy)
    bumped = replace(small_taxonomy, declared_version=small_taxonomy.declared_version + ".1")
    assert bumped.version != small_taxonomy.version
    assert "duplicates (Python)" in build(db, bumped, run_id="run-2").steps


def test_a_listing_source_fetch_builds_everything(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    # A later successful fetch of a greenhouse board closes the postings it no longer lists:
    # that source run changes stg_postings, so it must not take the shortcut.
    db = _first_build(tmp_path, small_taxonomy)
    _log_run(db, "run-2", source="greenhouse", board="gamma")

    result = build(db, small_taxonomy, run_id="run-2")

    assert "duplicates (Python)" in result.steps
    assert query(db, "select closed_at is not null from fct_postings where source = 'greenhouse'")
    assert _tables(db) == _tables(_clean_build(db, small_taxonomy, "run-2", tmp_path))


def test_an_edited_build_is_a_full_build(tmp_path: Path, small_taxonomy, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = _first_build(tmp_path, small_taxonomy)
    monkeypatch.setattr(build_module, "_code_digest", lambda: "edited")
    assert "duplicates (Python)" in build(db, small_taxonomy, run_id="run-2").steps


def test_no_model_reads_the_lineage_columns() -> None:
    # The shortcut refreshes these in place without rebuilding anything that reads them.
    for model in models():
        assert not model.reads(build_module.LINEAGE_COLUMNS), model.name


def test_the_shortcut_stays_available() -> None:
    # None would mean a model reads run-scoped input the fingerprint does not cover, which
    # silently makes every build a full one again.
    rebuilt = build_module.run_log_models()
    assert rebuilt is not None
    assert {"pipeline_runs", "source_runs", "fct_rejects"} <= {m.name for m in rebuilt}
    assert build_module._CLOSING_SOURCES.search(build_module._stg_postings_sql())


def test_a_resighting_rebuilds_only_what_carries_last_seen_at(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    # An ingest of the same file again: every posting is seen again now, nothing else moves.
    db = _first_build(tmp_path, small_taxonomy)
    seen = datetime(2026, 2, 1, tzinfo=UTC)
    rows = raw_store.as_rows(
        [{**p.row("run-2"), "last_seen_at": seen} for p in POSTINGS], raw_store.POSTING_COLUMNS
    )
    con = raw_store.open_raw(WarehousePaths.for_db(db).raw)
    try:
        raw_store.land_source_result(con, "run-2", None, [], rows, [])
    finally:
        con.close()
    _log_run(db, "run-2")

    result = build(db, small_taxonomy, run_id="run-2")

    assert "copy published warehouse" in result.steps
    assert {"stg_postings", "int_postings__deduplicated", "fct_postings"} <= set(result.steps)
    assert "fct_posting_skills" not in result.steps
    assert "duplicates (Python)" not in result.steps
    assert query(db, "select distinct last_seen_at from fct_postings") == [(seen,)]
    assert _tables(db) == _tables(_clean_build(db, small_taxonomy, "run-2", tmp_path))


def test_a_posting_key_landed_twice_stops_the_build_before_anything_is_published(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    # raw_postings has no primary key; a second writer slipping past the run lock could
    # insert a key again, and every mart would then count that posting twice.
    db = _first_build(tmp_path, small_taxonomy)
    published = _tables(db)
    raw = duckdb.connect(str(db.with_name("warehouse.raw.duckdb")))
    try:
        first = "from raw_postings order by source, board, source_posting_id limit 1"
        raw.execute(f"insert into raw_postings select * {first}")
        (key,) = raw.execute(
            f"select source || '/' || board || '/' || source_posting_id {first}"
        ).fetchone()
    finally:
        raw.close()

    with pytest.raises(build_module.BuildError, match=f"1 posting key.*{re.escape(key)} ×2"):
        build(db, small_taxonomy, run_id="run-2")
    assert _tables(db) == published
