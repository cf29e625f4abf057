"""An analyst reads all through a run, and a second run starts while the first one works.

Readers are separate processes (DuckDB caches one database instance per path and process, so
only a fresh process sees a newly published file): a holder keeps one read-only connection for
the whole run, a poller opens a fresh one every few milliseconds. Neither may ever see a
half-built warehouse; the holder keeps seeing the old one until it reconnects.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import record_figure
from killing import REPO, ingest_command, run, start, synthetic_postings

from warehouse.build import REQUIRED_OBJECTS

pytestmark = pytest.mark.slow

STATE_SQL = (
    "select (select count(*) from fct_postings), "
    "(select coalesce(sum(postings), 0) from fct_skill_demand_monthly "
    " where role_family = 'all' and skill_id = 'python')"
)
READER = textwrap.dedent(
    f"""
    import json, sys, time, duckdb
    db, mode = sys.argv[1], sys.argv[2]
    required = {list(REQUIRED_OBJECTS)!r}
    def state(con):
        names = {{r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()}}
        missing = sorted(set(required) - names)
        return list(con.execute({STATE_SQL!r}).fetchone()) + [missing]
    if mode == "hold":
        con = duckdb.connect(db, read_only=True)
        print(json.dumps(state(con)), flush=True)
        sys.stdin.readline()
        print(json.dumps(state(con)), flush=True)
    else:
        seen, errors = [], []
        print("polling", flush=True)
        while not sys.stdin.closed:
            try:
                con = duckdb.connect(db, read_only=True)
                try:
                    seen.append(state(con))
                finally:
                    con.close()
            except duckdb.Error as exc:
                errors.append(str(exc))
            import select
            if select.select([sys.stdin], [], [], 0.02)[0]:
                break
        print(json.dumps({{"seen": seen, "errors": errors}}), flush=True)
    """
)


def _state(db: Path) -> list[object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [*con.execute(STATE_SQL).fetchone(), []]  # type: ignore[misc]
    finally:
        con.close()


def _reader(db: Path, mode: str):  # type: ignore[no-untyped-def]
    import subprocess

    return subprocess.Popen(
        [sys.executable, "-c", READER, str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("concurrency-corpus")
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    synthetic_postings(first, 300, seed=1)
    synthetic_postings(second, 3000, seed=2)
    # the second file's ids must not collide with the first's
    second.write_text(second.read_text().replace('"id": "p', '"id": "q'), encoding="utf-8")
    return first, second


def test_analyst_never_sees_half_a_build_and_of_two_runs_at_once_one_is_refused(
    tmp_path: Path, corpora: tuple[Path, Path], small_taxonomy_path: Path
) -> None:
    first, second = corpora
    db = tmp_path / "warehouse.duckdb"
    done = run(ingest_command(first, db, small_taxonomy_path))
    assert done.returncode == 0, done.stderr
    old = _state(db)

    holder, poller = _reader(db, "hold"), _reader(db, "poll")
    try:
        assert holder.stdout is not None and poller.stdout is not None
        assert json.loads(holder.stdout.readline()) == old
        assert poller.stdout.readline().strip() == "polling"

        # two runs start at once on the same warehouse
        runs = [start(ingest_command(second, db, small_taxonomy_path)) for _ in range(2)]
        outputs = [child.communicate(timeout=300) for child in runs]

        poller.stdin.write("stop\n")  # type: ignore[union-attr]
        poller.stdin.flush()  # type: ignore[union-attr]
        polled = json.loads(poller.stdout.readline())
        holder.stdin.write("\n")  # type: ignore[union-attr]
        holder.stdin.flush()  # type: ignore[union-attr]
        held = json.loads(holder.stdout.readline())
    finally:
        holder.kill()
        poller.kill()

    new = _state(db)
    assert new != old
    # one run completed; the other refused at once, clearly, naming the run holding the lock
    codes = [child.returncode for child in runs]
    assert sorted(codes) == [0, 3], [err[-2000:] for _, err in outputs]
    winner, loser = (0, 1) if codes[0] == 0 else (1, 0)
    refusal = outputs[loser][1]
    assert f"another skillpulse run (pid {runs[winner].pid}) is using {db.parent}" in refusal
    assert "Traceback" not in refusal
    # the analyst's held connection read the old warehouse whole, before and after the publish
    assert held == old
    # every fresh look saw the old or the new warehouse, whole, and no look failed
    assert polled["errors"] == []
    assert len(polled["seen"]) > 20
    assert {json.dumps(s) for s in polled["seen"]} <= {json.dumps(old), json.dumps(new)}
    # the refused run left no trace: two runs in the log, both ok, the first run's data intact
    con = duckdb.connect(str(db), read_only=True)
    try:
        runs = con.execute("select status from pipeline_runs order by started_at").fetchall()
    finally:
        con.close()
    assert runs == [("ok",), ("ok",)]
    record_figure("concurrency", "two runs started at once", 1, "one ran, one refused with exit 3")
    record_figure(
        "concurrency",
        "analyst fresh read-only connections during a run",
        len(polled["seen"]),
        "old or new warehouse, never half",
    )
    record_figure("concurrency", "analyst connection held through a run", 1, "old warehouse whole")
