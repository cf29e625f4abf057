"""The duplicates step in worker processes: the same groups as one process, and clear failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from wh_factory import spy_on_grouping

from warehouse import build
from warehouse.build import BuildError
from warehouse.duplicates import Copies
from warehouse.sqlfiles import macros

REPO_ROOT = Path(__file__).resolve().parents[2]
AD = " ".join(f"word{i}" for i in range(120))  # one word changed: shingle Jaccard 0.917
OTHER_AD = " ".join(f"term{i}" for i in range(120))

# (source_posting_id, company, title, posted, text)
POSTINGS = [
    ("a1", "Acme", "ML Engineer", "2024-01-05", AD),
    ("a2", "Acme", "ML Engineer", "2024-02-01", AD),  # verbatim repost
    ("a3", "ACME", "ml engineer", "2024-02-20", AD.replace("word60", "changed")),  # near copy
    ("a4", "Acme", "ML Engineer", "2024-06-01", AD),  # 148 days after a1: a new posting
    ("b1", "Beta", "Data", "2024-01-10", OTHER_AD),
    ("b2", "Beta", "Data", "2024-01-11", "gamma " * 30),  # another ad
    ("b3", "Beta", "Data", "2024-01-20", OTHER_AD.replace("term60", "changed")),
    ("c1", "Gamma", "Data", "2024-03-01", "one of a kind"),
    ("d1", "Delta", None, "2024-03-02", "the same words"),
    ("d2", "Delta", None, "2024-03-03", "the same words"),
    ("e1", None, None, "2024-01-01", "first unrelated text about python"),
    ("e2", None, None, "2024-01-02", "second unrelated text about sql"),
    ("e3", None, None, "2024-01-03", "first unrelated text about python"),
]
EXPECTED = {
    "a1": "a1",
    "a2": "a1",
    "a3": "a1",
    "a4": "a4",
    "b1": "b1",
    "b2": "b2",
    "b3": "b1",
    "c1": "c1",
    "d1": "d1",
    "d2": "d1",
    "e1": "e1",
    "e2": "e2",
    "e3": "e1",
}

_CREATE = """
create table raw_postings (
    source varchar, board varchar, source_posting_id varchar, company varchar, title varchar,
    posted_at timestamptz, first_seen_at timestamptz, content_hash varchar, text varchar
)
"""
_INSERT = "insert into raw_postings values ('src', 'board', ?, ?, ?, ?, ?, md5(?), ?)"


def _groups(processes: int) -> dict[str, str]:
    """source_posting_id → the source_posting_id of its group, as _build_duplicates makes it."""
    con = duckdb.connect()
    try:
        con.execute(_CREATE)
        for macro in macros():  # as the build creates them before the step
            con.execute(macro.sql)
        con.executemany(_INSERT, [(i, c, t, at, at, text, text) for i, c, t, at, text in POSTINGS])
        build._build_duplicates(con, None, processes)
        rows = con.execute(
            """
            with keys as (
                select posting_key_of(source, board, source_posting_id) as posting_key,
                    source_posting_id
                from raw_postings
            )
            select p.source_posting_id, g.source_posting_id
            from raw_posting_duplicates as d
            inner join keys as p on p.posting_key = d.posting_key
            inner join keys as g on g.posting_key = d.duplicate_group_key
            """
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def test_two_processes_group_exactly_as_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(build, "PARALLEL_ROWS", 3)  # a few blocks a batch: several batches
    serial = _groups(processes=1)

    batches: list[set[str]] = []
    stream = build._changed_block_batches

    def counted(reader, rows):  # type: ignore[no-untyped-def]
        for copies, texts in stream(reader, rows):
            batches.append(set(copies.block))
            yield copies, texts

    monkeypatch.setattr(build, "_changed_block_batches", counted)
    here = spy_on_grouping(monkeypatch)
    parallel = _groups(processes=2)

    assert serial == parallel == EXPECTED
    assert len(batches) >= 3
    blocks = [block for batch in batches for block in batch]
    assert len(blocks) == len(set(blocks))  # no block split across batches
    # this process grouped some batches and the worker process the others
    assert 0 < len(here) < len(batches)


def test_a_worker_that_raises_fails_the_step_naming_its_blocks() -> None:
    mine = Copies(["k1"], ["acme|x"], [0], ["h1"])
    # two distinct texts in one block, and no texts to compare them by: a KeyError
    theirs = Copies(["k2", "k3"], ["beta|y", "beta|y"], [0, 1], ["h2", "h3"])
    # the first batch is grouped here, the next one handed to the worker
    batches = iter([(mine, {}), (theirs, {})])
    with pytest.raises(
        BuildError, match=r"in a worker process on 2 copies in block 'beta\|y'"
    ) as e:
        list(build._grouped_batches(batches, processes=2))
    assert isinstance(e.value.__cause__, KeyError)


class _EndsTheProcessUnpickling(dict):  # type: ignore[type-arg]
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os._exit, (3,))


def test_a_worker_that_dies_fails_the_step_instead_of_hanging() -> None:
    mine = Copies(["k1"], ["acme|x"], [0], ["h1"])
    theirs = Copies(["k2"], ["beta|y"], [0], ["h2"])
    batches = iter([(mine, {}), (theirs, _EndsTheProcessUnpickling())])
    with pytest.raises(BuildError, match=r"worker process died .* 1 copies in block 'beta\|y'"):
        list(build._grouped_batches(batches, processes=2))


def test_one_process_below_the_threshold(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert build.default_duplicate_processes(build.PARALLEL_MIN_COPIES - 1) == 1
    assert build.default_duplicate_processes(build.PARALLEL_MIN_COPIES) == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert build.default_duplicate_processes(10 * build.PARALLEL_MIN_COPIES) == 1


_NO_PANDAS = f"""
import sys

import duckdb

from warehouse import build
from warehouse.sqlfiles import macros

assert "pandas" not in sys.modules, "importing warehouse.build imported pandas"
con = duckdb.connect()
con.execute('''{_CREATE}''')
for macro in macros():
    con.execute(macro.sql)
rows = [("a1", "Acme", "MLE", "2024-01-05", {AD!r}), ("a2", "Acme", "MLE", "2024-01-06", {AD!r})]
rows.append(("a3", "Acme", "MLE", "2024-01-07", "another ad"))
con.executemany("{_INSERT}", [(i, c, t, at, at, text, text) for i, c, t, at, text in rows])
build._build_duplicates(con, None, 1)
assert con.execute("select count(distinct duplicate_group_key) from raw_posting_duplicates").fetchone() == (2,)
assert "pandas" not in sys.modules, "the duplicates step imported pandas"
"""


def test_neither_the_build_module_nor_the_duplicates_step_imports_pandas() -> None:
    # pandas costs 1.1-1.7 s to import; a pyarrow array built from a Python list imports it too.
    done = subprocess.run(
        [sys.executable, "-c", _NO_PANDAS], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
