"""An incremental rebuild (duplicates reused from the previous warehouse) equals a clean one."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb

from tests.warehouse.wh_factory import P, build, land, query, spy_on_grouping
from warehouse import build as build_module
from warehouse.sqlfiles import models

BASE = " ".join(f"word{i}" for i in range(60))  # long enough for 5-word shingles to matter


def _batch_one() -> list[P]:
    return [
        # a block with a verbatim repost and a near-duplicate (one word changed)
        P("a1", "2024-01-05", ["python"], company="Acme", text=BASE),
        P("a2", "2024-02-01", ["python"], company="Acme", text=BASE),
        P("a3", "2024-02-20", ["python"], company="Acme", text=BASE.replace("word30", "changed")),
        # a block whose texts differ entirely
        P("b1", "2024-01-10", ["sql"], company="Beta", text="alpha " * 30),
        P("b2", "2024-01-11", ["sql"], company="Beta", text="gamma " * 30),
        # single-copy blocks
        P("c1", "2024-03-01", ["python"], company="Gamma"),
        P("d1", "2024-03-02", ["sql"], company="Delta"),
    ]


def _batch_two() -> list[P]:
    return [
        # Beta gains a near-duplicate of b1; Delta's only copy changes its text (same key);
        # Epsilon is new. Acme and Gamma are untouched and must be reused as they were.
        P("b3", "2024-01-20", ["sql"], company="Beta", text="alpha " * 29 + "delta"),
        P("d1", "2024-03-02", ["sql"], company="Delta", text="a rewritten posting for delta"),
        P("e1", "2024-04-01", ["python"], company="Epsilon"),
    ]


def _tables(db: Path) -> dict[str, list[tuple]]:
    names = ["raw_posting_duplicates", *(m.name for m in models())]
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {n: con.execute(f"select * from {n} order by all").fetchall() for n in names}
    finally:
        con.close()


def test_incremental_rebuild_equals_clean_build(
    tmp_path: Path, small_taxonomy, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "inc" / "warehouse.duckdb"
    land(db, _batch_one(), small_taxonomy)
    build(db, small_taxonomy)
    land(db, _batch_two(), small_taxonomy, run_id="run-2")

    recomputed = spy_on_grouping(monkeypatch)
    build(db, small_taxonomy, run_id="run-2")
    monkeypatch.undo()

    clean = tmp_path / "clean" / "warehouse.duckdb"
    clean.parent.mkdir()
    shutil.copy(db.with_name("warehouse.raw.duckdb"), clean.with_name("warehouse.raw.duckdb"))
    build(clean, small_taxonomy, run_id="run-2")

    assert _tables(db) == _tables(clean)
    assert recomputed == [{"beta|mlengineer", "delta|mlengineer", "epsilon|mlengineer"}]
    # the near-duplicates really were grouped, so the reuse is not trivially empty
    groups = dict(query(db, "select posting_key, duplicate_group_key from raw_posting_duplicates"))
    assert len(set(groups.values())) < len(groups)


def test_a_changed_rule_recomputes_everything(tmp_path: Path, small_taxonomy, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "wh" / "warehouse.duckdb"
    land(db, _batch_one(), small_taxonomy)
    build(db, small_taxonomy)
    calls: list[int] = []
    real = build_module.duplicate_groups

    def spy(postings, texts):  # type: ignore[no-untyped-def]
        calls.append(len(postings))
        return real(postings, texts)

    monkeypatch.setattr(build_module, "duplicate_groups", spy)
    # a copy re-dated by a day: only its block is recomputed
    land(db, [replace(_batch_one()[3], posted="2024-01-09")], small_taxonomy, run_id="redated")
    build(db, small_taxonomy, run_id="redated")
    assert calls == [2]
    monkeypatch.setattr(build_module, "duplicates_fingerprint", lambda: "duplicates rule edited")
    build(db, small_taxonomy, run_id="edited-rule")
    assert calls == [2, len(_batch_one())]


def test_blocks_streamed_in_small_batches_give_the_same_groups(
    tmp_path: Path, small_taxonomy, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Three copies a fetch: blocks straddle fetches and must still be grouped whole.
    postings = _batch_one() + _batch_two()[:1] + _batch_two()[2:]
    db = tmp_path / "small" / "warehouse.duckdb"
    land(db, postings, small_taxonomy)
    monkeypatch.setattr(build_module, "STREAM_ROWS", 3)
    batches = spy_on_grouping(monkeypatch)
    build(db, small_taxonomy)
    monkeypatch.undo()

    whole = tmp_path / "whole" / "warehouse.duckdb"
    land(whole, postings, small_taxonomy)
    build(whole, small_taxonomy)

    assert _tables(db) == _tables(whole)
    assert len(batches) > 1
    seen = [block for batch in batches for block in batch]
    assert len(seen) == len(set(seen))  # no block split across batches
