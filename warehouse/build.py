"""Build the analyst warehouse from the raw store, then publish it with one atomic rename.

The build happens in a fresh file under `.build/`; the published `warehouse.duckdb` is never
opened for writing. Analysts holding read-only connections keep reading the old file (its inode
lives on until they close) and see the new one when they reconnect. A build killed at any point
leaves the published file untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import docs
from warehouse import duplicates as duplicates_module
from warehouse.duplicates import duplicate_groups
from warehouse.paths import WarehousePaths
from warehouse.raw_store import tune
from warehouse.sqlfiles import SQL_DIR, SqlModel, macros, models, raw_ddl

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
# Every copy of the changed blocks in the duplicate rule's visiting order, so Python can take
# them a few thousand blocks at a time. A text travels once per block with several distinct
# texts (on the block's first copy of it), never for blocks of one text, which need none.
_STREAM_SQL = """
with copies as (
    select * from build_copies semi join changed_blocks using (block)
),
multi_text_blocks as (
    select block from copies group by block having count(distinct content_hash) > 1
),
carriers as (
    select block, content_hash, min(posting_key) as posting_key
    from copies semi join multi_text_blocks using (block)
    group by block, content_hash
),
texts as (
    select content_hash, any_value(text) as text
    from raw_postings
    where content_hash in (select content_hash from carriers)
    group by content_hash
)
select c.block, c.posting_key, c.content_hash, c.posted_at, t.text
from copies as c
left join carriers as k using (posting_key)
left join texts as t on t.content_hash = k.content_hash
order by c.block, c.posted_at, c.posting_key
"""
# Rows per fetch from the stream above: ~20k copies is a few thousand blocks and a few tens of MB
# of text in Python at once, however large the store.
STREAM_ROWS = 20_000
_STREAM_COPY_COLUMNS = ("block", "posting_key", "content_hash", "posted_at")


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
            _discard(scratch)
            raise
        lap("copy published warehouse")
        con = tune(duckdb.connect(str(scratch)))
        build_models = rebuilt
    else:
        con = tune(duckdb.connect(str(scratch)))
        build_models = None
    try:
        if build_models is None:
            _build_everything(con, paths, seeds, lap)
            build_models = models()
        else:
            _refresh_run_log(con, paths, seeds, build_models, lap)
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
        _discard(scratch)  # a failed build (a full disk, say) leaves no scratch file behind
        raise
    con.close()
    _publish(scratch, paths.db)
    lap("publish")
    return BuildResult(paths.db, time.perf_counter() - started, tables, steps)


def _build_everything(
    con: duckdb.DuckDBPyConnection,
    paths: WarehousePaths,
    seeds: dict[str, pd.DataFrame],
    lap: Callable[[str], None],
) -> None:
    con.execute(f"attach '{_sql_path(paths.raw)}' as raw_store (read_only)")
    for table, select in _RAW_COPIES.items():
        con.execute(f"create table {table} as {select}")
    con.execute("detach raw_store")
    lap("copy raw tables")
    _build_duplicates(con, paths.db)
    lap("duplicates (Python)")
    for name, frame in seeds.items():
        _load_seed(con, name, frame)
    con.execute(
        f"comment on table {DUPLICATES_SEED} is {docs.sql_literal(duplicates_fingerprint())}"
    )
    for macro in macros():
        _run(con, macro, macro.sql)
    lap("seeds and macros")
    for model in models():
        _run(con, model, f"create table {model.name} as {model.body}")
        lap(model.name)


def _refresh_run_log(
    con: duckdb.DuckDBPyConnection,
    paths: WarehousePaths,
    seeds: dict[str, pd.DataFrame],
    rebuilt: list[SqlModel],
    lap: Callable[[str], None],
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
    lap("copy run-log tables")
    for name in RUN_SCOPED_SEED_COLUMNS:
        if name in seeds:
            con.execute(f"drop table if exists {name}")
            _load_seed(con, name, seeds[name])
    for model in rebuilt:
        con.execute(f"drop table if exists {model.name}")
        _run(con, model, f"create table {model.name} as {model.body}")
        lap(model.name)


def _load_seed(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register("incoming_seed", frame)
    try:
        con.execute(f"create table {name} as select * from incoming_seed")
    finally:
        con.unregister("incoming_seed")


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


def input_fingerprint(raw: Path, seeds: dict[str, pd.DataFrame]) -> str | None:
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
        sql = model.code
        if (
            model.name in names
            or model.name in carrying
            or any(re.search(rf"\b{c}\b", sql) for c in SEEN_DERIVED)
        ):
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
        sql = model.code
        reads = {n for n in names if n != model.name and re.search(rf"\b{n}\b", sql)}
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


def _seeds_digest(seeds: dict[str, pd.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in sorted(seeds):
        frame = seeds[name].drop(columns=list(RUN_SCOPED_SEED_COLUMNS.get(name, ())))
        digest.update(name.encode() + b"\0" + str(frame.dtypes.to_dict()).encode())
        digest.update(frame.to_json(orient="split", date_format="iso", index=False).encode())
    return digest.hexdigest()


def _build_duplicates(con: duckdb.DuckDBPyConnection, previous: Path | None = None) -> None:
    """Create table raw_posting_duplicates: posting_key → the posting_key of its first copy.

    The rule (warehouse.duplicates) looks only inside a company+title block, so blocks stream
    through Python in block order a few thousand at a time, each batch's groups are written
    back before the next is read, and no more than one batch of texts is ever held: at a
    million postings, pulling every multi-text block's texts at once peaked at 3.5 GB.

    With `previous` (the published warehouse), the work is incremental and still exact: a
    block whose copies (posting_key, posted_at, content_hash) are exactly those of the
    previous build keeps its previous groups, and only blocks that gained, lost or changed a
    copy are recomputed. The previous groups are reused only when the table's comment names the
    same rule fingerprint (the code of warehouse/duplicates.py and the SQL here), so editing the
    rule recomputes everything.
    """
    # Its own connection: a streaming result dies when its connection runs another statement,
    # and the groups are written between fetches. The temp tables live on the reader.
    reader = con.cursor()
    try:
        reader.execute(_COPIES_SQL.format(table="build_copies", source="raw_postings"))
        reuse = previous is not None and _load_previous_groups(reader, previous)
        if reuse:
            # A block changes when any copy in it, on either side, has no identical counterpart.
            reader.execute(
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
            reader.execute(
                "create temp table changed_blocks as select distinct block from build_copies"
            )
        con.execute(
            f"create table {_FRESH_GROUPS} (posting_key varchar, duplicate_group_key varchar)"
        )
        for postings, texts in _changed_block_batches(reader):
            fresh = duplicate_groups(postings, texts).astype(
                {"posting_key": "object", "duplicate_group_key": "object"}
            )
            con.register("incoming_groups", fresh)
            con.execute(f"insert into {_FRESH_GROUPS} select * from incoming_groups")
            con.unregister("incoming_groups")
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
        for table in ("changed_blocks", "previous_groups", "build_copies"):
            reader.execute(f"drop table if exists {table}")
    finally:
        reader.close()


def _changed_block_batches(
    reader: duckdb.DuckDBPyConnection,
) -> Iterator[tuple[pd.DataFrame, dict[str, str]]]:
    """(copies, texts) for whole blocks, a fetch at a time, as duplicate_groups takes them."""
    # Arrow record batches, not fetchmany: Python tuples cost a datetime (and a pytz lookup)
    # per copy, ~10% of the step at a million postings. Texts go from Arrow straight into the
    # dict, never through pandas (another ~5%).
    batches = reader.sql(_STREAM_SQL).to_arrow_reader(STREAM_ROWS)
    held: list[pd.DataFrame] = []  # the unfinished last block of the previous fetch
    texts: dict[str, str] = {}  # every text fetched since the last yield
    while True:
        # The reader may hand out smaller batches than asked: gather a fetch's worth.
        fetched: list[pd.DataFrame] = []
        rows = 0
        for batch in batches:
            text = batch.column("text")
            carried = text.is_valid()
            hashes = batch.column("content_hash").filter(carried).to_pylist()
            texts.update(zip(hashes, text.filter(carried).to_pylist(), strict=True))
            fetched.append(batch.select(list(_STREAM_COPY_COLUMNS)).to_pandas())
            rows += batch.num_rows
            if rows >= STREAM_ROWS:
                break
        last_fetch = rows < STREAM_ROWS
        parts = held + fetched
        if not parts:
            return
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        cut = len(frame)
        if cut and not last_fetch:
            # The last block may continue in the next fetch: hold it back until it is whole
            # (the stream is sorted by block, so its copies are the frame's tail).
            blocks = frame["block"]
            cut -= int((blocks == blocks.iat[-1]).sum())
        held = [frame.iloc[cut:].reset_index(drop=True)] if cut < len(frame) else []
        if cut:
            # The held block's texts (it carries each of its texts once) move on with it.
            held_texts = (
                {h: texts[h] for h in held[0]["content_hash"] if h in texts} if held else {}
            )
            yield frame.iloc[:cut].reset_index(drop=True), texts
            texts = held_texts
        if last_fetch:
            return


def duplicates_fingerprint() -> str:
    """Names the duplicates rule: its code and the SQL feeding it."""
    digest = hashlib.sha256(Path(duplicates_module.__file__).read_bytes())
    digest.update(_COPIES_SQL.encode() + _STREAM_SQL.encode())
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
