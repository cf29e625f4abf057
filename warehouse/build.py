"""Build the analyst warehouse from the raw store, then publish it with one atomic rename.

The build happens in a fresh file under `.build/`; the published `warehouse.duckdb` is never
opened for writing. Analysts holding read-only connections keep reading the old file (its inode
lives on until they close) and see the new one when they reconnect. A build killed at any point
leaves the published file untouched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import docs
from warehouse.duplicates import duplicate_groups
from warehouse.paths import WarehousePaths
from warehouse.sqlfiles import SqlModel, macros, models, raw_ddl

# Raw tables copied into the warehouse for lineage; payload bodies stay in the raw store.
_RAW_COPIES = {
    "raw_postings": "select * from raw_store.raw_postings",
    "raw_mentions": "select * from raw_store.raw_mentions",
    "raw_extractions": "select * from raw_store.raw_extractions",
    "raw_rejects": "select * from raw_store.raw_rejects",
    "raw_source_runs": "select * from raw_store.raw_source_runs",
    "raw_runs": "select * from raw_store.raw_runs",
    "raw_fetches": "select * from raw_store.raw_fetches",
}
REQUIRED_OBJECTS = (
    "fct_postings",
    "dim_skills",
    "fct_posting_skills",
    "fct_skill_demand_monthly",
    "fct_skill_demand_weekly",
    "fct_skill_demand_quarterly",
    "rpt_skill_trends",
    "rpt_roadmap",
    "rpt_roadmap_areas",
    "source_runs",
    "pipeline_runs",
)
DUPLICATES_SEED = "raw_posting_duplicates"

# The blocking key and posting key, as stg_postings and int_postings__deduplicated spell them:
# folded company | folded title, and md5(source|board|source_posting_id).
_COPIES_SQL = """
create temp table build_copies as
select
    md5(source || '|' || board || '|' || source_posting_id) as posting_key,
    coalesce(regexp_replace(lower(company), '[^a-z0-9]', '', 'g'), '') || '|'
        || coalesce(regexp_replace(lower(title), '[^a-z0-9]', '', 'g'), '') as block,
    coalesce(posted_at, first_seen_at) as posted_at,
    content_hash,
from raw_postings
"""
_TEXTS_SQL = """
with multi_text_blocks as (
    select block from build_copies group by block having count(distinct content_hash) > 1
)
select p.content_hash, any_value(p.text) as text
from raw_postings as p
where p.content_hash in (
    select c.content_hash from build_copies as c
    inner join multi_text_blocks as b using (block)
)
group by p.content_hash
"""


class BuildError(RuntimeError):
    """A model failed to build; the message names the SQL file."""


@dataclass(frozen=True)
class BuildResult:
    db: Path
    seconds: float
    tables: dict[str, int]


def build_warehouse(
    paths: WarehousePaths,
    run_id: str,
    seeds: dict[str, pd.DataFrame],
) -> BuildResult:
    """Build every model into a scratch file and atomically replace the published warehouse.

    `seeds` are reference tables from outside the raw store (the taxonomy, build info), loaded
    as-is under their names before staging runs.
    """
    started = time.perf_counter()
    paths.ensure_dirs()
    scratch = paths.build_dir / f"warehouse-{_safe(run_id)}.duckdb"
    for leftover in paths.build_dir.glob("warehouse-*.duckdb*"):
        leftover.unlink()
    con = duckdb.connect(str(scratch))
    try:
        con.execute(f"attach '{_sql_path(paths.raw)}' as raw_store (read_only)")
        for table, select in _RAW_COPIES.items():
            con.execute(f"create table {table} as {select}")
        con.execute("detach raw_store")
        seeds = {**seeds, DUPLICATES_SEED: _duplicates_seed(con)}
        for name, frame in seeds.items():
            con.register("incoming_seed", frame)
            con.execute(f"create table {name} as select * from incoming_seed")
            con.unregister("incoming_seed")
        for macro in macros():
            _run(con, macro, macro.sql)
        for model in models():
            _run(con, model, f"create table {model.name} as {model.body}")
        docs.apply_comments(con, models())
        tables = {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]  # type: ignore[index]
            for name in REQUIRED_OBJECTS
        }
        con.execute("checkpoint")
    except BaseException:
        con.close()
        _discard(scratch)  # a failed build (a full disk, say) leaves no scratch file behind
        raise
    con.close()
    _publish(scratch, paths.db)
    return BuildResult(paths.db, time.perf_counter() - started, tables)


def _duplicates_seed(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """posting_key → the posting_key of its posting's first copy (rule in warehouse.duplicates).

    Texts are fetched only for blocks with more than one distinct text: most postings are alone
    in their block, and pulling every text into Python would not fit at a million postings.
    """
    con.execute(_COPIES_SQL)
    copies = con.execute("select * from build_copies").df()
    texts = dict(con.execute(_TEXTS_SQL).fetchall())
    con.execute("drop table build_copies")
    return duplicate_groups(copies, texts)


def _run(con: duckdb.DuckDBPyConnection, model: SqlModel, statement: str) -> None:
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        raise BuildError(f"{model.path.name} ({model.layer}) failed: {exc}") from exc


def _publish(scratch: Path, target: Path) -> None:
    with scratch.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(scratch, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _discard(scratch: Path) -> None:
    for path in (scratch, scratch.with_name(scratch.name + ".wal")):
        path.unlink(missing_ok=True)


def _safe(run_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in run_id)[:80]


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


__all__ = ["BuildError", "BuildResult", "build_warehouse", "raw_ddl"]
