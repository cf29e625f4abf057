"""Build the analyst warehouse from the raw store, then publish it with one atomic rename.

The build happens in a fresh file under `.build/`; the published `warehouse.duckdb` is never
opened for writing. Analysts holding read-only connections keep reading the old file (its inode
lives on until they close) and see the new one when they reconnect. A build killed at any point
leaves the published file untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import itertools
import json
import logging
import multiprocessing
import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from extractors.workers import Parent, end_with_parent, processes_worth, stop_now
from warehouse import docs
from warehouse.files import remove_database, replace_durably, set_aside_wal, wal_of
from warehouse.paths import WarehousePaths
from warehouse.raw_store import tune
from warehouse.scheduling import build_side_by_side
from warehouse.seeds import Seed
from warehouse.sqlfiles import MACRO_DIR, SQL_DIR, SqlModel, macros, models, raw_ddl

if TYPE_CHECKING:
    import pyarrow as pa

    from warehouse.duplicates import Copies

_log = logging.getLogger("skillpulse")

# The duplicates rule is imported only by a build that groups duplicates: it imports numpy,
# which every other command run (a re-run whose input is unchanged, a build that reuses the
# published warehouse) would pay for at start-up without using. Its fingerprint reads the file.
_DUPLICATES_CODE = Path(__file__).with_name("duplicates.py")
# The posting key that copies and the groups a later build keeps are keyed by, and the fold
# of company and title that makes a copy's block.
_DUPLICATE_MACROS = tuple(
    SQL_DIR / MACRO_DIR / name for name in ("posting_key_of.sql", "folded_name.sql")
)

# Raw tables kept in the warehouse for lineage (a full build starts from a copy of the raw
# store and drops the rest); payload bodies stay in the raw store. Also how a build that
# reuses the published warehouse copies the run-log tables afresh.
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
# Groups of the recomputed blocks, written batch by batch while the blocks stream.
_FRESH_GROUPS = "build_fresh_duplicate_groups"

# Raw tables every run appends to (its run log). Every build copies them afresh, even one that
# finds its input unchanged, and the models reading nothing else are rebuilt each time.
RUN_LOG_TABLES = ("raw_runs", "raw_source_runs", "raw_rejects", "raw_fetches")
# raw_postings columns that record which run, payload and parse last carried a posting: any
# re-sighting rewrites them, and no model reads them (tests/warehouse/test_noop_build.py
# checks), so an unchanged build refreshes them in place instead of counting them as input.
LINEAGE_COLUMNS = ("parsed_at", "payload_sha256", "last_seen_run_id")
# A re-sighting also moves last_seen_at forward (a JSONL file ingested again is seen again now),
# with every other input unchanged. It is fingerprinted apart, and when only it changed, only
# the models carrying it or closed_at (which stg_postings derives from it) are rebuilt: a model
# is such a carrier when its SQL names one of them or its published table has one as a column
# (int_postings__deduplicated passes them on through p.*).
SEEN_COLUMNS = ("last_seen_at",)
SEEN_DERIVED = ("last_seen_at", "closed_at")
# Seed columns that name the build, not its input; the tables holding them are reloaded by
# every build.
RUN_SCOPED_SEED_COLUMNS = {"raw_build_info": ("run_id", "built_at")}
# The published warehouse records its input fingerprint as this table's comment.
FINGERPRINT_TABLE = "raw_build_info"
# A model kept by an unchanged build must not read run-scoped input, except where the
# fingerprint covers the part it reads: stg_postings reads raw_source_runs only for fetches of
# listing sources (which close postings; those rows are fingerprinted) and stg_mentions reads
# raw_build_info only for taxonomy_version (the seeds are fingerprinted without run_id and
# built_at). Any other such read makes every build a full one.
COVERED_READS = frozenset({("stg_postings", "raw_source_runs"), ("stg_mentions", "raw_build_info")})
# Where stg_postings names the listing sources; unparsable, every source run is fingerprinted.
_CLOSING_SOURCES = re.compile(r"\bp\.source\s+in\s*\(([^)]*)\)", re.IGNORECASE)
# Code whose edits change what a build produces (with every file under sql/).
_BUILD_CODE = ("build.py", "duplicates.py", "docs.py", "sqlfiles.py")

# The blocking key and posting key, as stg_postings and int_postings__deduplicated spell them:
# folded company | folded title, and the posting key, by the macros folded_name and
# posting_key_of (sql/macros), which the build creates before this step runs.
_COPIES_SQL = """
create temp table {table} as
select
    posting_key_of(source, board, source_posting_id) as posting_key,
    coalesce(folded_name(company), '') || '|' || coalesce(folded_name(title), '') as block,
    coalesce(posted_at, first_seen_at) as posted_at,
    content_hash,
from {source}
"""
# Every copy of the changed blocks, each block's copies together and in the duplicate rule's
# visiting order, so Python can take them a few thousand blocks at a time. A text travels once
# per block with several distinct texts (on the block's first copy of it), never for blocks of
# one text, which need none. That copy brings its own row's text: content_hash is the text's
# sha256, so every row with the hash holds the same text. Picking one per hash with a group by,
# as before, aggregated every text: at 1M postings the first rows came after 39-42 s of the
# step's 140 s, mostly that aggregate spilling past DuckDB's 1 GB limit; read to the end, the
# stream took 52 s, and 17 s with this join.
# Blocks with the most distinct texts come first: the rule's work grows with them, and
# processes that start on the longest blocks end together (largest first); in block order the
# real corpus's 3,522-text block of postings with neither company nor title came last and ran
# alone on one core.
_STREAM_SQL = """
with copies as (
    select * from build_copies semi join changed_blocks using (block)
),
block_texts as (
    select block, count(distinct content_hash) as distinct_texts from copies group by block
),
carriers as (
    select c.block, c.content_hash, min(c.posting_key) as posting_key
    from copies as c
    inner join block_texts as b using (block)
    where b.distinct_texts > 1
    group by c.block, c.content_hash
),
carried_texts as (
    select k.posting_key, p.text
    from raw_postings as p
    inner join carriers as k
        on k.posting_key = posting_key_of(p.source, p.board, p.source_posting_id)
)
select c.block, c.posting_key, c.content_hash, c.posted_at, t.text
from copies as c
inner join block_texts as b using (block)
left join carried_texts as t using (posting_key)
order by b.distinct_texts desc, c.block, c.posted_at, c.posting_key
"""
# Of the changed blocks, those whose new copies the previous build's groups can be extended
# to (duplicates.extend_groups): blocks that lost or changed no copy, whose every new copy is
# dated after each copy the previous build grouped there, and that stay on the same side of
# EXACT_BLOCK distinct texts (which pairs a block accepts depends on it). A nightly run's new
# postings fall mostly in these: in the benchmark's nightly batch at a million synthetic
# postings, 9,873 new copies touched 3,192 blocks holding 205,046 copies, and all but the 1,240
# new blocks (3,693 copies) only gained later copies.
# The copies of the changed blocks that the previous build did not group in the same block:
# both the test below (when a block's new copies begin) and the new copies extend_groups visits.
_ARRIVED_COPIES_SQL = """
create temp table arrived_copies as
select c.block, c.posting_key, c.content_hash, c.posted_at,
from build_copies as c
semi join changed_blocks using (block)
anti join previous_groups as k on k.posting_key = c.posting_key and k.block = c.block
"""
_APPENDED_BLOCKS_SQL = """
create temp table appended_blocks as
with stored as (
    select block, max(posted_at) as stored_until, count(distinct content_hash) as stored_texts,
    from previous_groups
    semi join changed_blocks using (block)
    group by block
),
current_copies as (
    select block, count(distinct content_hash) as texts,
    from build_copies
    semi join stored using (block)
    group by block
),
arrivals as (
    select block, min(posted_at) as new_from, from arrived_copies group by block
),
losing as (
    select distinct old_block as block from copy_changes where old_block is not null
)
select s.block, a.new_from, c.texts > {exact_block} as large,
from stored as s
inner join current_copies as c using (block)
inner join arrivals as a using (block)
anti join losing using (block)
where a.new_from > s.stored_until
    and (s.stored_texts > {exact_block}) = (c.texts > {exact_block})
"""
# What extend_groups reads for the appended blocks: their new copies, and each stored text's
# latest posting unless it began more than the window before the block's first new copy (then
# it can take none). A text rides on the first row of its block that holds it, and only in
# blocks with several texts. Blocks are numbered into batches of about {rows} rows.
_APPENDED_ROWS_SQL = """
create temp table appended_rows as
with new_copies as (
    select block, posting_key, content_hash, epoch_us(posted_at) as posted_us,
    from arrived_copies
    semi join appended_blocks using (block)
),
latest as (
    select k.block, k.content_hash, k.duplicate_group_key as group_key,
    from previous_groups as k
    semi join appended_blocks using (block)
    qualify row_number() over (
        partition by k.block, k.content_hash order by k.posted_at desc, k.posting_key desc
    ) = 1
),
stored_open as (
    select l.block, l.content_hash, epoch_us(f.posted_at) as first_us, l.group_key,
    from latest as l
    inner join previous_groups as f on f.posting_key = l.group_key
    inner join appended_blocks as b on b.block = l.block
    where epoch_us(b.new_from) - epoch_us(f.posted_at) <= {window_us}
),
visited as (
    select block, posting_key, content_hash, posted_us, null::varchar as group_key,
    from new_copies
    union all
    select block, null, content_hash, first_us, group_key,
    from stored_open
),
sized as (
    select block, count(*) as visited_rows, count(distinct content_hash) as texts,
    from visited
    group by block
),
numbered as (
    select
        block,
        texts,
        (sum(visited_rows) over (order by block) - visited_rows) // {rows} as batch,
    from sized
),
needed as (
    select distinct v.content_hash
    from visited as v
    inner join numbered as n using (block)
    where n.texts > 1
),
needed_texts as (
    select p.content_hash, any_value(p.text) as text,
    from raw_postings as p
    semi join needed using (content_hash)
    group by p.content_hash
)
select
    n.batch,
    v.block,
    v.posting_key,
    v.content_hash,
    v.posted_us,
    v.group_key,
    b.large,
    case
        when n.texts > 1 and row_number() over (
            partition by v.block, v.content_hash order by v.posting_key nulls first
        ) = 1
            then t.text
    end as text,
from visited as v
inner join numbered as n using (block)
inner join appended_blocks as b using (block)
left join needed_texts as t using (content_hash)
"""
# Rows per fetch from the stream above: ~20k copies is a few thousand blocks and a few tens of MB
# of text in Python at once, however large the store.
STREAM_ROWS = 20_000
# With several processes, rows per batch: small batches balance the processes (the batch one
# is still grouping when the other has run out is the step's tail), and a worker holds at most
# two while this process groups one and reads the next: about 8k rows of copies and texts with
# two processes, less than one 20k-row fetch of one process.
PARALLEL_ROWS = 2_000
# Below this many copies to group, this process does the whole step alone: a worker needs
# 0.3-0.5 s to start, and this process waits at the end for the batch it was handed. Step wall
# time, one process -> two, median of 3 interleaved runs on whole blocks of the 100k synthetic
# postings: 4.3k copies 0.39 -> 0.70 s, 6.2k 0.54 -> 0.76 s, 10.4k 1.07 -> 0.88 s, 15k 1.53 ->
# 1.19 s, 20k 1.84 -> 1.54 s (on the real corpus's blocks, 6.8k copies broke even).
PARALLEL_MIN_COPIES = 10_000
# Spawned, not forked, like extractors/skills/pool.py's workers, and measured again for this
# step at 100k postings (two runs each): forked workers share the parent's pages, DuckDB's
# buffers among them, copy-on-write, and the parent keeps writing those while they live; the
# step's process tree peaked at 850-970 MB PSS (1.1-1.25 GB summed RSS) against 650-700 MB
# spawned, and was no faster (7.6 s against 6.4-6.5 s). Forking also copies a process whose
# DuckDB threads may hold locks. A spawned worker starts in 0.3-0.5 s, while this process
# groups the first batch.
_WORKER_START = "spawn"


# Threads building models side by side (warehouse.scheduling). Two or three were the same at
# 17k and 100k postings.
MODEL_THREADS = 2


class BuildError(RuntimeError):
    """A model failed to build; the message names the SQL file."""


@dataclass(frozen=True)
class BuildResult:
    db: Path
    seconds: float
    tables: dict[str, int]
    # Seconds per step: copying the raw store, duplicates, each model by name, checkpoint.
    # The duplicates step and the models run side by side, so their seconds overlap; the
    # "… side by side" step is the wall time of all of them.
    steps: dict[str, float] = field(default_factory=dict)


class _Steps:
    """Seconds per build step: laps of the build's own clock, and steps timed elsewhere."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._tick = time.perf_counter()

    def lap(self, name: str) -> None:
        """The seconds since the previous lap, as step `name`."""
        now = time.perf_counter()
        self.seconds[name] = now - self._tick
        self._tick = now


def build_warehouse(
    paths: WarehousePaths,
    run_id: str,
    seeds: dict[str, Seed],
    duplicate_processes: int | None = None,
) -> BuildResult:
    """Build every model into a scratch file and atomically replace the published warehouse.

    `seeds` are reference tables from outside the raw store (the taxonomy, build info), loaded
    as-is under their names before staging runs. `duplicate_processes` is how many processes
    group duplicates, this one included (1: this one alone); None picks by the work to do.
    """
    started = time.perf_counter()
    paths.ensure_dirs()
    scratch = paths.build_dir / f"warehouse-{_safe(run_id)}.duckdb"
    # A killed build leaves its scratch file, its WAL and, when DuckDB spilled to disk, its
    # spill folder (`<scratch>.tmp/`, hundreds of MB at a million postings).
    for leftover in paths.build_dir.glob("warehouse-*.duckdb*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    steps = _Steps()
    lap = steps.lap
    check_posting_keys(paths.raw)
    fingerprint = input_fingerprint(paths.raw, seeds)
    rebuilt = _partial_plan(paths.db, fingerprint) if FINGERPRINT_TABLE in seeds else None
    lap("fingerprint")
    if rebuilt is not None:
        # Nothing the postings and skill models read has changed since the published build
        # (but perhaps last_seen_at): start from a copy of it and rebuild only what each run
        # changes (the run log, and then the models carrying last_seen_at).
        try:
            shutil.copyfile(paths.db, scratch)
        except BaseException:
            remove_database(scratch)
            raise
        lap("copy published warehouse")
        con = tune(duckdb.connect(str(scratch)))
        build_models = rebuilt
    else:
        try:
            _copy_raw_store(paths.raw, scratch)
        except BaseException:
            remove_database(scratch)
            raise
        lap("copy raw store")
        con = tune(duckdb.connect(str(scratch)))
        build_models = None
    try:
        if build_models is None:
            _build_everything(con, paths, seeds, steps, duplicate_processes)
            build_models = models()
        else:
            _refresh_run_log(con, paths, seeds, build_models, steps)
        docs.apply_comments(con, build_models)
        if fingerprint is not None and FINGERPRINT_TABLE in seeds:
            con.execute(f"comment on table {FINGERPRINT_TABLE} is {docs.sql_literal(fingerprint)}")
        tables = {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]  # type: ignore[index]
            for name in REQUIRED_OBJECTS
        }
        con.execute("checkpoint")
        lap("comments, counts, checkpoint")
    except BaseException:
        con.close()
        remove_database(scratch)  # a failed build (a full disk, say) leaves no scratch file behind
        raise
    con.close()
    # A log beside the published file belongs to the file this build replaces (an ad-hoc
    # writer that died before checkpointing): replayed into the new one it would be refused,
    # and every reader after would fail.
    if (aside := set_aside_wal(paths.db)) is not None:
        _log.warning(
            "%s belonged to the warehouse this build replaces; kept as %s",
            wal_of(paths.db),
            aside,
        )
    replace_durably(scratch, paths.db)
    lap("publish")
    return BuildResult(paths.db, time.perf_counter() - started, tables, steps.seconds)


def _build_everything(
    con: duckdb.DuckDBPyConnection,
    paths: WarehousePaths,
    seeds: dict[str, Seed],
    steps: _Steps,
    duplicate_processes: int | None = None,
) -> None:
    # The scratch file is a copy of the raw store (_copy_raw_store): keep the tables models read.
    for (table,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall():
        if table not in _RAW_COPIES:
            con.execute(f'drop table "{table}"')
    steps.lap("drop raw-only tables")
    for name, seed in seeds.items():
        _load_seed(con, name, seed)
    for macro in macros():
        _run(con, macro, macro.sql)
    steps.lap("seeds and macros")

    def duplicates() -> None:
        started = time.perf_counter()
        _build_duplicates(con, paths.db, duplicate_processes)
        con.execute(
            f"comment on table {DUPLICATES_SEED} is {docs.sql_literal(duplicates_fingerprint())}"
        )
        steps.seconds["duplicates (Python)"] = time.perf_counter() - started

    # The models that do not read the duplicates (staging of mentions and postings, the skill
    # dimension, the run log) are built while the duplicates step runs here.
    steps.seconds.update(
        build_side_by_side(
            con,
            models(),
            _create,
            MODEL_THREADS,
            meanwhile=duplicates,
            meanwhile_makes=(DUPLICATES_SEED,),
        )
    )
    steps.lap("duplicates and models, side by side")


def _refresh_run_log(
    con: duckdb.DuckDBPyConnection,
    paths: WarehousePaths,
    seeds: dict[str, Seed],
    rebuilt: list[SqlModel],
    steps: _Steps,
) -> None:
    """Bring a copy of the published warehouse up to this run: run-log tables and models only.

    Everything else in the copy is what a full build would produce again, because the input
    fingerprint (every row the postings and skill models read, the seeds, the code) matched.
    """
    con.execute(f"attach '{_sql_path(paths.raw)}' as raw_store (read_only)")
    for table in RUN_LOG_TABLES:
        con.execute(f"drop table if exists {table}")
        con.execute(f"create table {table} as {_RAW_COPIES[table]}")
    # The fingerprint matched, so the posting keys and every other column are equal already.
    present = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = 'raw_store' and table_name = 'raw_postings'"
        ).fetchall()
    }
    refreshed = [c for c in LINEAGE_COLUMNS + SEEN_COLUMNS if c in present]
    changed = " or ".join(f"w.{c} is distinct from r.{c}" for c in refreshed)
    con.execute(
        f"""
        update raw_postings as w
        set {", ".join(f"{c} = r.{c}" for c in refreshed)}
        from raw_store.raw_postings as r
        where w.source = r.source and w.board = r.board
            and w.source_posting_id = r.source_posting_id
            and ({changed})
        """
    )
    con.execute("detach raw_store")
    steps.lap("copy run-log tables")
    for name in RUN_SCOPED_SEED_COLUMNS:
        if name in seeds:
            con.execute(f"drop table if exists {name}")
            _load_seed(con, name, seeds[name])
    steps.seconds.update(build_side_by_side(con, rebuilt, _replace, MODEL_THREADS))
    steps.lap("models, side by side")


def _load_seed(con: duckdb.DuckDBPyConnection, name: str, seed: Seed) -> None:
    seed.load(con, name)


def check_posting_keys(raw: Path) -> None:
    """Refuse to build from a raw store that holds one posting key twice.

    raw_postings has no primary key (maintaining its index made landing super-linear); the
    landing merge keeps keys unique for one writer at a time, and this is where a second writer
    that slipped past the run lock would show, before any mart double-counts its postings.
    """
    if not raw.is_file():
        return
    with _read_only(raw, "raw_store") as con:
        repeated = con.execute(
            """
            select source, board, source_posting_id, count(*) as copies
            from raw_store.raw_postings
            group by source, board, source_posting_id
            having count(*) > 1
            order by source, board, source_posting_id
            """
        ).fetchall()
    if repeated:
        examples = "; ".join(f"{s}/{b}/{i} ×{n}" for s, b, i, n in repeated[:5])
        raise BuildError(
            f"raw_postings in {raw} holds {len(repeated)} posting key(s) more than once "
            f"({examples}); only one writer may land at a time"
        )


def input_fingerprint(raw: Path, seeds: dict[str, Seed]) -> str | None:
    """A digest of everything the postings and skill models are a function of; None if unknown.

    Per raw table that feeds them, the row count and the sum of a 64-bit hash of each row
    (order-free, so no sort; a change that keeps both needs a 64-bit hash collision), over
    every column except raw_postings' lineage columns; the seeds without their run-scoped
    columns; the SQL files, the build code and DuckDB's version. Run-log tables are left out
    except the source runs stg_postings reads (fetches of listing sources close postings).
    """
    if not raw.is_file():
        return None
    parts: dict[str, str] = {
        "code": _code_digest(),
        "duplicates": duplicates_fingerprint(),
        "duckdb": duckdb.__version__,
        "seeds": _seeds_digest(seeds),
    }
    closing = _CLOSING_SOURCES.search(_stg_postings_sql())
    tables = {
        "raw_postings": "",
        "raw_mentions": "",
        "raw_extractions": "",
        # Unparsable: every source run counts, so a new run always means a full build.
        "raw_source_runs": f"where source in ({closing.group(1)})" if closing else "",
    }
    try:
        with _read_only(raw, "raw_store") as con:
            for table, where in tables.items():
                columns = [
                    row[0]
                    for row in con.execute(
                        """
                        select column_name from duckdb_columns()
                        where database_name = 'raw_store' and table_name = ?
                        order by column_index
                        """,
                        [table],
                    ).fetchall()
                    if not (table == "raw_postings" and row[0] in LINEAGE_COLUMNS + SEEN_COLUMNS)
                ]
                if not columns:
                    return None
                hashed = ", ".join(f'"{c}"' for c in columns)
                count, total = con.execute(  # type: ignore[misc]
                    f"select count(*), coalesce(sum(hash({hashed})::hugeint), 0) "
                    f"from raw_store.{table} {where}"
                ).fetchone()
                parts[table] = f"{count} {total} {','.join(columns)}"
            keyed = ", ".join(("source", "board", "source_posting_id", *SEEN_COLUMNS))
            seen = con.execute(
                f"select count(*), coalesce(sum(hash({keyed})::hugeint), 0) from raw_store.raw_postings"
            ).fetchone()
    except duckdb.Error:
        return None
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    seen_digest = hashlib.sha256(str(seen).encode()).hexdigest()
    return f"build input {digest[:32]} seen {seen_digest[:16]}"


def _partial_plan(db: Path, fingerprint: str | None) -> list[SqlModel] | None:
    """The models to rebuild on a copy of the published warehouse; None: build everything."""
    run_log = run_log_models()
    published = published_fingerprint(db)
    if fingerprint is None or run_log is None or published is None:
        return None
    if published == fingerprint:
        return run_log
    if published.split(" seen ")[0] != fingerprint.split(" seen ")[0]:
        return None
    # Only last_seen_at moved: add the models that carry it, as the published tables show.
    try:
        with _read_only(db, "published") as con:
            carrying = {
                row[0]
                for row in con.execute(
                    "select distinct table_name from duckdb_columns() "
                    "where database_name = 'published' and list_contains(?, column_name)",
                    [list(SEEN_DERIVED)],
                ).fetchall()
            }
    except duckdb.Error:
        return None
    names = {m.name for m in run_log}
    plan = []
    for model in models():
        if model.name in names or model.name in carrying or model.reads(SEEN_DERIVED):
            plan.append(model)
    return plan


def published_fingerprint(db: Path) -> str | None:
    """The input fingerprint the published warehouse was built from, if it records one."""
    if not db.is_file():
        return None
    try:
        with _read_only(db, "published") as con:
            row = con.execute(
                "select comment from duckdb_tables() "
                "where database_name = 'published' and table_name = ?",
                [FINGERPRINT_TABLE],
            ).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row and row[0] else None


def run_log_models() -> list[SqlModel] | None:
    """Models that read only the run log (transitively), in build order; None if unsafe.

    None when a model that an unchanged build would keep reads run-scoped input the
    fingerprint does not cover: then every build is a full one.
    """
    refreshed = set(RUN_LOG_TABLES) | set(RUN_SCOPED_SEED_COLUMNS)
    ordered = models()
    names = {m.name for m in ordered} | set(_RAW_COPIES) | {DUPLICATES_SEED, "raw_skills"}
    names |= {"raw_skill_ancestors", *RUN_SCOPED_SEED_COLUMNS}
    rebuilt: list[SqlModel] = []
    for model in ordered:
        reads = model.reads(names)
        if reads and reads <= refreshed:
            rebuilt.append(model)
            refreshed.add(model.name)
            continue
        if any((model.name, r) not in COVERED_READS for r in reads & refreshed):
            return None
    return rebuilt


def _stg_postings_sql() -> str:
    return next((m.sql for m in models() if m.name == "stg_postings"), "")


def _code_digest() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    files = [here / name for name in _BUILD_CODE]
    files += sorted(p for p in SQL_DIR.rglob("*") if p.is_file() and p.suffix in (".sql", ".md"))
    for path in files:
        digest.update(str(path.relative_to(here.parent)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _seeds_digest(seeds: dict[str, Seed]) -> str:
    digest = hashlib.sha256()
    for name in sorted(seeds):
        seed = seeds[name].without(RUN_SCOPED_SEED_COLUMNS.get(name, ()))
        digest.update(name.encode() + b"\0" + seed.canonical().encode())
    return digest.hexdigest()


def default_duplicate_processes(copies: int) -> int:
    """Processes worth grouping `copies` copies in, this one included: min(2, CPUs) for many,
    else 1 (as skillpulse.extraction.default_processes picks them for extraction)."""
    return processes_worth(copies, PARALLEL_MIN_COPIES)


def _build_duplicates(
    con: duckdb.DuckDBPyConnection, previous: Path | None = None, processes: int | None = None
) -> None:
    """Create table raw_posting_duplicates: posting_key → the posting_key of its first copy.

    Reads raw_postings through `con`, which must hold the macros posting_key_of and folded_name
    (sql/macros).

    The rule (warehouse.duplicates) looks only inside a company+title block, so blocks stream
    through Python a few thousand at a time, each batch's groups are written back as they come,
    and only a few batches of texts are ever held: at a million postings, pulling every
    multi-text block's texts at once peaked at 3.5 GB. Batches are independent, so they can be
    grouped in `processes` processes, this one and workers (None: as many as
    default_duplicate_processes picks for the copies to group). Step wall time, before these
    changes (the processes and the stream's text join) -> one process -> two, medians of
    interleaved runs (1M: one run each): real 17k postings 2.05 -> 1.99 -> 1.58 s, 100k 9.5 ->
    9.4 -> 6.4 s, 1M 122.5 -> 101.5 -> 64.1 s.

    With `previous` (the published warehouse), the work is incremental and still exact: a
    block whose copies (posting_key, posted_at, content_hash) are exactly those of the
    previous build keeps its previous groups; a block that only gained copies, each dated after
    every copy it had, keeps its stored copies' groups and has them extended to the new copies
    (_APPENDED_BLOCKS_SQL, duplicates.extend_groups); blocks that lost or changed a copy, or
    gained an earlier-dated one, are recomputed. The previous groups are reused only when the
    table's comment names the same rule fingerprint (duplicates_fingerprint: the code of
    warehouse/duplicates.py, the posting key's and name fold's macros, and the SQL and code here
    that feed it and combine groups), so editing any of it recomputes everything.
    """
    # Its own connection: a streaming result dies when its connection runs another statement,
    # and the groups are written between fetches. The temp tables live on the reader.
    reader = con.cursor()
    try:
        reader.execute(_COPIES_SQL.format(table="build_copies", source="raw_postings"))
        reuse = previous is not None and _load_previous_groups(reader, previous)
        if reuse:
            from warehouse.duplicates import EXACT_BLOCK

            # A block changes when any copy in it, on either side, has no identical counterpart.
            reader.execute(
                """
                create temp table copy_changes as
                select c.block as new_block, k.block as old_block
                from build_copies as c
                full outer join previous_groups as k using (posting_key)
                where c.block is distinct from k.block
                    or c.posted_at is distinct from k.posted_at
                    or c.content_hash is distinct from k.content_hash
                """
            )
            reader.execute(
                """
                create temp table changed_blocks as
                select new_block as block from copy_changes where new_block is not null
                union
                select old_block from copy_changes where old_block is not null
                """
            )
            reader.execute(_ARRIVED_COPIES_SQL)
            reader.execute(_APPENDED_BLOCKS_SQL.format(exact_block=EXACT_BLOCK))
            reader.execute(
                "delete from changed_blocks where block in (select block from appended_blocks)"
            )
        else:
            reader.execute(
                "create temp table changed_blocks as select distinct block from build_copies"
            )
        if processes is None:
            ((copies,),) = reader.execute(
                "select count(*) from build_copies semi join changed_blocks using (block)"
            ).fetchall()
            processes = default_duplicate_processes(copies)
        con.execute(
            f"create table {_FRESH_GROUPS} (posting_key varchar, duplicate_group_key varchar)"
        )
        rows = STREAM_ROWS if processes <= 1 else PARALLEL_ROWS
        with contextlib.closing(
            _grouped_batches(_changed_block_batches(reader, rows), processes)
        ) as grouped:
            # The appended blocks' groups follow the recomputed ones: both stream on `reader`.
            extended = _extended_groups(reader, STREAM_ROWS) if reuse else iter(())
            for groups in itertools.chain(grouped, extended):
                # DuckDB's appender, not an Arrow table: building one from Python strings
                # imports pandas (1.1-1.7 s), and the appender was faster still (measured on
                # 200k keys: 0.07-0.09 s against 0.10-0.12 s).
                with con.appender(_FRESH_GROUPS) as appender:
                    appender.append_rows(groups.items())
        kept = (
            """
            union all
            select k.posting_key, k.duplicate_group_key from previous_groups as k
            anti join changed_blocks using (block)
            """
            if reuse
            else ""
        )
        # Rows in duplicate_groups' own order (block, posted_at, posting_key) for every block.
        reader.execute(
            f"""
            create table {DUPLICATES_SEED} as
            select c.posting_key, g.duplicate_group_key
            from build_copies as c
            inner join (
                select posting_key, duplicate_group_key from {_FRESH_GROUPS} {kept}
            ) as g using (posting_key)
            order by c.block, c.posted_at, c.posting_key
            """
        )
        reader.execute(f"drop table {_FRESH_GROUPS}")
        for table in (
            "appended_rows",
            "appended_blocks",
            "arrived_copies",
            "copy_changes",
            "changed_blocks",
            "previous_groups",
            "build_copies",
        ):
            reader.execute(f"drop table if exists {table}")
    finally:
        reader.close()


def _grouped_batches(
    batches: Iterator[tuple[Copies, dict[str, str]]], processes: int
) -> Iterator[dict[str, str]]:
    """duplicate_groups of each batch, in this process and processes - 1 workers, in the
    order they are done (the result does not depend on it: batches hold whole blocks)."""
    if processes <= 1:
        for copies, texts in batches:
            yield _group_here(copies, texts)
        return
    from warehouse import duplicates

    workers = processes - 1
    executor = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(_WORKER_START),
        # Ending with this process even when it is SIGKILLed; the warm-ups below spawn them all,
        # in this thread.
        initializer=end_with_parent,
        initargs=(Parent.here(),),
    )
    try:
        # Start the workers now, while DuckDB sorts the stream (a pool starts a process only
        # when a task is submitted and none is idle). Starting one took 0.3-0.5 s while workers
        # also imported the command line (docs/BENCHMARKS.md item 47), and still means importing
        # numpy, so this process groups batches too, from the first one on.
        warm_ups = [
            executor.submit(duplicates.duplicate_groups, duplicates.Copies([], [], [], []), {})
            for _ in range(workers)
        ]
        in_flight: dict[Future[dict[str, str]], str] = {}
        stream = iter(batches)
        for copies, texts in stream:
            yield from _collect(in_flight, wait_for_one=False)
            # Before grouping a batch here, hand the workers the next ones: two each once they
            # are up (one to group and one queued, so none waits while this process groups its
            # own), one each while they start (a batch queued behind a worker still starting
            # may be the last to finish).
            room = (2 if _started(warm_ups) else 1) * workers
            while len(in_flight) < room and (batch := next(stream, None)) is not None:
                # The rule goes by reference: a worker imports warehouse.duplicates (numpy and
                # the standard library), not this module.
                future = executor.submit(duplicates.duplicate_groups, *batch)
                in_flight[future] = _describe(batch[0])
                del batch  # held by the executor until it is done
            yield _group_here(copies, texts)
            del copies, texts
        while in_flight:
            yield from _collect(in_flight, wait_for_one=True)
    finally:
        # Idle, busy or still starting: nothing the workers could still do is needed (a
        # worker that never got a batch is not waited for).
        stop_now(executor)


def _started(warm_ups: list[Future[dict[str, str]]]) -> bool:
    """Whether a worker process is up; raises a BuildError if one could not start."""
    for future in warm_ups:
        if future.done():
            try:
                future.result()
            except Exception as exc:
                raise BuildError(
                    f"a duplicate-detection worker process could not start: {exc!r}"
                ) from exc
            return True
    return False


def duplicate_groups(copies: Copies, texts: dict[str, str]) -> dict[str, str]:
    """warehouse.duplicates.duplicate_groups, imported on the first batch grouped here."""
    from warehouse import duplicates

    return duplicates.duplicate_groups(copies, texts)


def _group_here(copies: Copies, texts: dict[str, str]) -> dict[str, str]:
    try:
        return duplicate_groups(copies, texts)
    except Exception as exc:
        raise BuildError(f"duplicate detection failed on {_describe(copies)}: {exc!r}") from exc


def _collect(
    in_flight: dict[Future[dict[str, str]], str], wait_for_one: bool
) -> Iterator[dict[str, str]]:
    """The groups of the submitted batches that are done, raising a BuildError that names the
    blocks of one that failed."""
    done, _ = wait(in_flight, timeout=None if wait_for_one else 0, return_when=FIRST_COMPLETED)
    for future in done:
        batch = in_flight.pop(future)
        try:
            groups = future.result()
        except BrokenProcessPool as exc:
            raise BuildError(
                f"a duplicate-detection worker process died (killed for memory?) before "
                f"returning the groups of {batch}; nothing was published"
            ) from exc
        except Exception as exc:
            raise BuildError(
                f"duplicate detection failed in a worker process on {batch}: {exc!r}"
            ) from exc
        yield groups


def _describe(copies: Copies) -> str:
    """The batch, as an error names it: its copies and first and last blocks."""
    blocks = copies.block
    if not blocks:
        return "an empty batch"
    if blocks[0] == blocks[-1]:
        return f"{len(copies)} copies in block {blocks[0]!r}"
    return f"{len(copies)} copies in blocks {blocks[0]!r} to {blocks[-1]!r}"


def _changed_block_batches(
    reader: duckdb.DuckDBPyConnection, rows: int = STREAM_ROWS
) -> Iterator[tuple[Copies, dict[str, str]]]:
    """(copies, texts) for whole blocks, about `rows` copies at a time, as duplicate_groups
    takes them; each batch's lists and dict are new, never touched after they are yielded."""
    from warehouse.duplicates import COPY_COLUMNS, Copies

    # Arrow record batches, not fetchmany: Python tuples cost a datetime (and a pytz lookup)
    # per copy, ~10% of the step at a million postings. Columns and texts go from Arrow
    # straight into lists and a dict.
    batches = reader.sql(_STREAM_SQL).to_arrow_reader(rows)
    # Copies fetched and not yet yielded (at most the unfinished last block of the last batch,
    # between fetches), and every text fetched since the last yield.
    columns: dict[str, list] = {name: [] for name in COPY_COLUMNS}
    texts: dict[str, str] = {}
    exhausted = False
    while not exhausted:
        # The reader may hand out smaller batches than asked: gather a fetch's worth.
        fetched = 0
        for batch in batches:
            text = batch.column("text")
            carried = text.is_valid()
            hashes = batch.column("content_hash").filter(carried).to_pylist()
            texts.update(zip(hashes, text.filter(carried).to_pylist(), strict=True))
            for name in ("posting_key", "block", "content_hash"):
                columns[name].extend(batch.column(name).to_pylist())
            columns["posted_at"].extend(_microseconds(batch.column("posted_at")))
            fetched += batch.num_rows
            if fetched >= rows:
                break
        else:
            exhausted = True
        blocks = columns["block"]
        cut = len(blocks)
        if cut and not exhausted:
            # The last block may continue in the next fetch: hold it back until it is whole
            # (the stream keeps a block's copies together, so they are the tail).
            last = blocks[-1]
            while cut and blocks[cut - 1] == last:
                cut -= 1
        if not cut:
            continue
        copies = Copies(**{name: values[:cut] for name, values in columns.items()})
        columns = {name: values[cut:] for name, values in columns.items()}
        # The held block's texts (it carries each of its texts once) move on with it.
        held_texts = {h: texts[h] for h in columns["content_hash"] if h in texts}
        yield copies, texts
        texts = held_texts


def _extended_groups(reader: duckdb.DuckDBPyConnection, rows: int) -> Iterator[dict[str, str]]:
    """The groups of the appended blocks' new copies (extend_groups), in batches of whole
    blocks of about `rows` copies and stored postings, in this process: a nightly run's are a
    few thousand blocks of a few new copies each."""
    from warehouse import duplicates
    from warehouse.duplicates import WINDOW, Copies, StoredPostings

    reader.execute(
        _APPENDED_ROWS_SQL.format(window_us=WINDOW // timedelta(microseconds=1), rows=rows)
    )
    ((batches,),) = reader.execute(
        "select coalesce(max(batch) + 1, 0) from appended_rows"
    ).fetchall()
    for batch in range(batches):
        new_copies = Copies([], [], [], [])
        stored = StoredPostings([], [], [], [])
        large_blocks: dict[str, bool] = {}
        texts: dict[str, str] = {}
        for block, posting_key, content_hash, posted_us, group_key, large, text in reader.execute(
            """
            select block, posting_key, content_hash, posted_us, group_key, large, text
            from appended_rows
            where batch = ?
            """,
            [batch],
        ).fetchall():
            large_blocks[block] = large
            if text is not None:
                texts[content_hash] = text
            if group_key is None:
                new_copies.posting_key.append(posting_key)
                new_copies.block.append(block)
                new_copies.posted_at.append(posted_us)
                new_copies.content_hash.append(content_hash)
            else:
                stored.block.append(block)
                stored.content_hash.append(content_hash)
                stored.first_at.append(posted_us)
                stored.group_key.append(group_key)
        try:
            yield duplicates.extend_groups(new_copies, texts, stored, large_blocks)
        except Exception as exc:
            raise BuildError(
                f"duplicate detection failed on the new copies of {_describe(new_copies)}: {exc!r}"
            ) from exc


def _microseconds(column: pa.Array | pa.ChunkedArray) -> list[int]:
    """A timestamp column as integers in DuckDB's resolution, microseconds since the epoch."""
    # Imported here: only the duplicates step reads Arrow, and a re-run whose input did not
    # change never runs it (importing pyarrow after the CLI's other imports: ~0.04 s).
    import pyarrow as pa

    if column.type.unit != "us":
        column = column.cast(pa.timestamp("us", tz=column.type.tz))  # refuses to truncate
    return column.cast(pa.int64()).to_pylist()


def duplicates_fingerprint() -> str:
    """Names the duplicates rule: its code, the posting key and name fold, and the SQL and code
    here that feed it and combine the groups a build keeps with the ones it computes. A build's
    groups are what the next one keeps or extends, so an edit to any of these regroups every
    block once, instead of carrying groups the old code left forward."""
    digest = hashlib.sha256(_DUPLICATES_CODE.read_bytes())
    for macro in _DUPLICATE_MACROS:
        digest.update(macro.read_bytes())
    for sql in (
        _COPIES_SQL,
        _STREAM_SQL,
        _ARRIVED_COPIES_SQL,
        _APPENDED_BLOCKS_SQL,
        _APPENDED_ROWS_SQL,
    ):
        digest.update(sql.encode())
    for function in (
        _build_duplicates,
        _load_previous_groups,
        _changed_block_batches,
        _grouped_batches,
        _extended_groups,
    ):
        digest.update(inspect.getsource(function).encode())
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


def _create(con: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
    _run(con, model, f"create table {model.name} as {model.body}")


def _replace(con: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
    con.execute(f"drop table if exists {model.name}")
    _create(con, model)


def _run(con: duckdb.DuckDBPyConnection, model: SqlModel, statement: str) -> None:
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        raise BuildError(f"{model.path.name} ({model.layer}) failed: {exc}") from exc


def _copy_raw_store(raw: Path, scratch: Path) -> None:
    """Start the scratch warehouse as a byte copy of the raw store's file (and of its WAL, if
    a crash left one: opening the copy replays it).

    A full build used to copy each raw table with CREATE TABLE AS from the attached store,
    which decompressed and compressed every value again: at 1M postings 14.4 s (12.1 s of it
    raw_postings' texts), against 1.8 s to copy the 1.1 GB file. A read-only connection is
    held while copying: DuckDB's file lock keeps any writer out, so the bytes are one state.
    """
    holder = duckdb.connect(str(raw), read_only=True)
    try:
        shutil.copyfile(raw, scratch)
        if wal_of(raw).exists():
            shutil.copyfile(wal_of(raw), wal_of(scratch))
    finally:
        holder.close()


def _safe(run_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in run_id)[:80]


@contextlib.contextmanager
def _read_only(path: Path, alias: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private in-memory connection with `path` attached read-only as `alias`."""
    con = tune(duckdb.connect())
    try:
        con.execute(f"attach '{_sql_path(path)}' as {alias} (read_only)")
        yield con
    finally:
        con.close()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


__all__ = ["BuildError", "BuildResult", "build_warehouse", "check_posting_keys", "raw_ddl"]
