"""Build the analyst warehouse from the raw store, then publish it with one atomic rename.

The build happens in a fresh file under `.build/`; the published `warehouse.duckdb` is never
opened for writing. Analysts holding read-only connections keep reading the old file (its inode
lives on until they close) and see the new one when they reconnect. A build killed at any point
leaves the published file untouched.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import docs
from warehouse import duplicates as duplicates_module
from warehouse.duplicates import duplicate_groups
from warehouse.paths import WarehousePaths
from warehouse.raw_store import tune
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
create temp table {table} as
select
    md5(source || '|' || board || '|' || source_posting_id) as posting_key,
    coalesce(regexp_replace(lower(company), '[^a-z0-9]', '', 'g'), '') || '|'
        || coalesce(regexp_replace(lower(title), '[^a-z0-9]', '', 'g'), '') as block,
    coalesce(posted_at, first_seen_at) as posted_at,
    content_hash,
from {source}
"""
_TEXTS_SQL = """
with multi_text_blocks as (
    select block from build_copies semi join changed_blocks using (block)
    group by block having count(distinct content_hash) > 1
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
    # Seconds per step: copying raw tables, duplicates, each model by name, checkpoint.
    steps: dict[str, float] = field(default_factory=dict)


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
    steps: dict[str, float] = {}
    tick = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        steps[name] = now - tick
        tick = now

    con = tune(duckdb.connect(str(scratch)))
    try:
        con.execute(f"attach '{_sql_path(paths.raw)}' as raw_store (read_only)")
        for table, select in _RAW_COPIES.items():
            con.execute(f"create table {table} as {select}")
        con.execute("detach raw_store")
        lap("copy raw tables")
        seeds = {
            **seeds,
            DUPLICATES_SEED: _duplicates_seed(con, paths.db),
        }
        lap("duplicates (Python)")
        for name, frame in seeds.items():
            con.register("incoming_seed", frame)
            con.execute(f"create table {name} as select * from incoming_seed")
            con.unregister("incoming_seed")
        con.execute(
            f"comment on table {DUPLICATES_SEED} is {docs.sql_literal(duplicates_fingerprint())}"
        )
        for macro in macros():
            _run(con, macro, macro.sql)
        lap("seeds and macros")
        for model in models():
            _run(con, model, f"create table {model.name} as {model.body}")
            lap(model.name)
        docs.apply_comments(con, models())
        tables = {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]  # type: ignore[index]
            for name in REQUIRED_OBJECTS
        }
        con.execute("checkpoint")
        lap("comments, counts, checkpoint")
    except BaseException:
        con.close()
        _discard(scratch)  # a failed build (a full disk, say) leaves no scratch file behind
        raise
    con.close()
    _publish(scratch, paths.db)
    lap("publish")
    return BuildResult(paths.db, time.perf_counter() - started, tables, steps)


def _duplicates_seed(con: duckdb.DuckDBPyConnection, previous: Path | None = None) -> pd.DataFrame:
    """posting_key → the posting_key of its posting's first copy (rule in warehouse.duplicates).

    Texts are fetched only for blocks with more than one distinct text: most postings are alone
    in their block, and pulling every text into Python would not fit at a million postings.

    With `previous` (the published warehouse), the work is incremental and still exact: the
    rule looks only inside a block, so a block whose copies (posting_key, posted_at,
    content_hash) are exactly those of the previous build keeps its previous groups, and only
    blocks that gained, lost or changed a copy are recomputed. The previous groups are reused
    only when the table's comment names the same rule fingerprint (the code of
    warehouse/duplicates.py and the SQL here), so editing the rule recomputes everything.
    """
    con.execute(_COPIES_SQL.format(table="build_copies", source="raw_postings"))
    reuse = previous is not None and _load_previous_groups(con, previous)
    if reuse:
        # A block changes when any copy in it, on either side, has no identical counterpart.
        con.execute(
            """
            create temp table changed_blocks as
            with diff as (
                select c.block as new_block, k.block as old_block
                from build_copies as c
                full outer join previous_groups as k using (posting_key)
                where c.block is distinct from k.block
                    or c.posted_at is distinct from k.posted_at
                    or c.content_hash is distinct from k.content_hash
            )
            select new_block as block from diff where new_block is not null
            union
            select old_block from diff where old_block is not null
            """
        )
    else:
        con.execute("create temp table changed_blocks as select distinct block from build_copies")
    copies = con.execute("select * from build_copies semi join changed_blocks using (block)").df()
    texts = dict(con.execute(_TEXTS_SQL).fetchall()) if len(copies) else {}
    fresh = duplicate_groups(copies, texts).astype(
        {"posting_key": "object", "duplicate_group_key": "object"}
    )
    del copies, texts
    con.register("fresh_groups", fresh)
    kept = (
        """
        union all
        select k.posting_key, k.duplicate_group_key from previous_groups as k
        anti join changed_blocks using (block)
        """
        if reuse
        else ""
    )
    # In duplicate_groups' own output order, whichever blocks were recomputed.
    result = con.execute(
        f"""
        select c.posting_key, g.duplicate_group_key
        from build_copies as c
        inner join (
            select posting_key, duplicate_group_key from fresh_groups {kept}
        ) as g using (posting_key)
        order by c.block, c.posted_at, c.posting_key
        """
    ).df()
    con.unregister("fresh_groups")
    for table in ("changed_blocks", "previous_groups", "build_copies"):
        con.execute(f"drop table if exists {table}")
    return result


def duplicates_fingerprint() -> str:
    """Names the duplicates rule: its code and the SQL feeding it."""
    digest = hashlib.sha256(Path(duplicates_module.__file__).read_bytes())
    digest.update(_COPIES_SQL.encode() + _TEXTS_SQL.encode())
    return f"duplicates rule {digest.hexdigest()[:16]}"


def _load_previous_groups(con: duckdb.DuckDBPyConnection, previous: Path) -> bool:
    """Copy the previous build's groups into temp table previous_groups; False if unusable."""
    if not previous.is_file():
        return False
    try:
        con.execute(f"attach '{_sql_path(previous)}' as previous_build (read_only)")
    except duckdb.Error:
        return False
    try:
        row = con.execute(
            "select comment from duckdb_tables() "
            "where database_name = 'previous_build' and table_name = ?",
            [DUPLICATES_SEED],
        ).fetchone()
        if not row or row[0] != duplicates_fingerprint():
            return False
        con.execute(
            _COPIES_SQL.format(table="previous_copies", source="previous_build.raw_postings")
        )
        con.execute(
            f"""
            create temp table previous_groups as
            select c.*, d.duplicate_group_key
            from previous_copies as c
            inner join previous_build.{DUPLICATES_SEED} as d using (posting_key)
            """
        )
        con.execute("drop table previous_copies")
        return True
    except duckdb.Error:
        con.execute("drop table if exists previous_copies")
        con.execute("drop table if exists previous_groups")
        return False
    finally:
        con.execute("detach previous_build")


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
