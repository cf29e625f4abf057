"""An incremental rebuild (duplicates reused from the previous warehouse) equals a clean one."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.wh_factory import (
    P,
    build,
    land,
    query,
    spy_on_extending,
    spy_on_grouping,
)
from warehouse import build as build_module
from warehouse.duplicates import EXACT_BLOCK
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
        # Beta gains a copy dated after its others (its groups are extended); Delta's only copy
        # changes its text (same key); Epsilon is new. Acme and Gamma are untouched and must be
        # reused as they were.
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
    extended = spy_on_extending(monkeypatch)
    build(db, small_taxonomy, run_id="run-2")
    monkeypatch.undo()

    assert _tables(db) == _tables(_clean_build(db, tmp_path, small_taxonomy, "run-2"))
    assert recomputed == [{"delta|mlengineer", "epsilon|mlengineer"}]
    assert extended == [{"beta|mlengineer"}]
    # the near-duplicates really were grouped, so the reuse is not trivially empty
    groups = dict(query(db, "select posting_key, duplicate_group_key from raw_posting_duplicates"))
    assert len(set(groups.values())) < len(groups)


def _clean_build(db: Path, tmp_path: Path, taxonomy, run_id: str) -> Path:  # type: ignore[no-untyped-def]
    """A build of a copy of db's raw store with no previous warehouse to reuse."""
    clean = tmp_path / "clean" / "warehouse.duckdb"
    clean.parent.mkdir()
    shutil.copy(db.with_name("warehouse.raw.duckdb"), clean.with_name("warehouse.raw.duckdb"))
    build(clean, taxonomy, run_id=run_id)
    return clean


def test_blocks_that_only_gained_later_copies_extend_their_groups(
    tmp_path: Path, small_taxonomy, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # 120 words: one word changed leaves a shingle Jaccard of 0.917, the same ad
    ad = " ".join(f"word{i}" for i in range(120))
    near = ad.replace("word30", "changed")
    other = " ".join(f"term{i}" for i in range(120))
    big = [" ".join(f"big{i}x{j}" for j in range(20)) for i in range(EXACT_BLOCK + 1)]
    first = [
        P("a1", "2024-01-05", ["python"], company="Acme", text=ad),
        P("a2", "2024-02-01", ["python"], company="Acme", text=ad),
        P("a3", "2024-02-20", ["python"], company="Acme", text=near),
        # 117 days after a1: a posting of its own, now the latest holding the ad's text
        P("a6", "2024-05-01", ["python"], company="Acme", text=ad),
        P("b1", "2024-01-10", ["sql"], company="Beta", text=other),
        P("b2", "2024-03-01", ["sql"], company="Beta", text="gamma " * 30),
        P("t1", "2024-03-10", ["sql"], company="Tie", text=other),
        P("l1", "2024-01-01", ["sql"], company="Lost", text=ad),
        P("l2", "2024-01-02", ["sql"], company="Lost", text=near),
        *(P(f"g{i}", "2024-01-01", ["sql"], company="Big", text=t) for i, t in enumerate(big[:-1])),
    ]
    second = [
        # Acme: a near copy and a verbatim one join a6, the open posting holding the text (a1,
        # which holds it too, closed on April 4); one after a6's 90 days begins its own
        P("a4", "2024-05-10", ["python"], company="Acme", text=ad.replace("word40", "x")),
        P("a5", "2024-06-01", ["python"], company="Acme", text=ad),
        P("a7", "2024-09-01", ["python"], company="Acme", text=ad),
        # Beta: a near copy of b1, 55 days on, dated after every stored copy
        P("b3", "2024-03-05", ["sql"], company="Beta", text=other.replace("term50", "x")),
        # Tie: dated the same day as the stored copy, so the block is recomputed
        P("t2", "2024-03-10", ["sql"], company="Tie", text=other),
        # Lost: a stored copy changes its text, so the block is recomputed
        P("l2", "2024-01-02", ["sql"], company="Lost", text="rewritten " * 10),
        # Big: a 65th distinct text crosses EXACT_BLOCK, so the block is recomputed
        P("g-new", "2024-02-01", ["sql"], company="Big", text=big[-1]),
    ]
    db = tmp_path / "inc" / "warehouse.duckdb"
    land(db, first, small_taxonomy)
    build(db, small_taxonomy)
    land(db, second, small_taxonomy, run_id="run-2")

    recomputed = spy_on_grouping(monkeypatch)
    extended = spy_on_extending(monkeypatch)
    build(db, small_taxonomy, run_id="run-2")
    monkeypatch.undo()

    assert _tables(db) == _tables(_clean_build(db, tmp_path, small_taxonomy, "run-2"))
    assert recomputed == [{"tie|mlengineer", "lost|mlengineer", "big|mlengineer"}]
    assert extended == [{"acme|mlengineer", "beta|mlengineer"}]
    groups = dict(
        query(
            db,
            """
            with keys as (
                select posting_key_of(source, board, source_posting_id) as posting_key,
                    source_posting_id as id
                from raw_postings
            )
            select p.id, g.id
            from raw_posting_duplicates as d
            inner join keys as p on p.posting_key = d.posting_key
            inner join keys as g on g.posting_key = d.duplicate_group_key
            """,
        )
    )
    keys = ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "b1", "b2", "b3")
    assert {k: groups[k] for k in keys} == {
        "a1": "a1",
        "a2": "a1",
        "a3": "a1",
        "a4": "a6",
        "a5": "a6",
        "a6": "a6",
        "a7": "a7",
        "b1": "b1",
        "b2": "b2",
        "b3": "b1",
    }
    assert (groups["t1"], groups["t2"]) == ("t1", "t1")


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


def test_the_rule_fingerprint_names_the_code_that_keeps_and_extends_groups(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Groups a build leaves are kept or extended by the next, so the code combining them is
    # part of the rule: the same behaviour written differently is another fingerprint.
    before = build_module.duplicates_fingerprint()
    assert build_module.duplicates_fingerprint() == before
    extended_groups = build_module._extended_groups

    def rewritten(reader, rows):  # type: ignore[no-untyped-def]
        yield from extended_groups(reader, rows)

    monkeypatch.setattr(build_module, "_extended_groups", rewritten)
    assert build_module.duplicates_fingerprint() != before
    monkeypatch.undo()
    assert build_module.duplicates_fingerprint() == before


@pytest.mark.parametrize(
    ("macro_name", "edit"),
    [("posting_key_of.sql", ("md5(", "sha256(")), ("folded_name.sql", ("lower(", "upper("))],
)
def test_the_rule_fingerprint_names_the_key_and_the_fold(  # type: ignore[no-untyped-def]
    monkeypatch, tmp_path: Path, macro_name: str, edit: tuple[str, str]
) -> None:
    # Stored groups are keyed by posting keys and blocked by folded names: a new key or fold
    # must not meet groups made under the old one.
    before = build_module.duplicates_fingerprint()
    macros = list(build_module._DUPLICATE_MACROS)
    (index,) = [i for i, path in enumerate(macros) if path.name == macro_name]
    original = macros[index].read_text(encoding="utf-8")
    assert edit[0] in original
    macros[index] = tmp_path / macro_name
    macros[index].write_text(original.replace(*edit), encoding="utf-8")
    monkeypatch.setattr(build_module, "_DUPLICATE_MACROS", tuple(macros))
    assert build_module.duplicates_fingerprint() != before
