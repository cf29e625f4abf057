"""The raw store of record (`<db>.raw.duckdb`): payloads, parsed postings, mentions, run logs.

Only the pipeline writes it, one run at a time. Every write is one transaction keyed by natural
keys, so a killed run leaves either nothing or a whole step, and re-running a step is a no-op.
Rows arrive as pandas DataFrames and load through DuckDB's bulk path, never row by row.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.sqlfiles import raw_ddl

POSTING_COLUMNS = (
    "source",
    "board",
    "source_posting_id",
    "title",
    "company",
    "location",
    "workplace",
    "posted_at",
    "text",
    "url",
    "salary_min",
    "salary_max",
    "salary_currency",
    "content_hash",
    "payload_sha256",
    "role_family",
    "seniority",
    "parsed_at",
    "first_seen_at",
    "last_seen_at",
    "last_seen_run_id",
)
MENTION_COLUMNS = (
    "content_hash",
    "taxonomy_version",
    "skill_id",
    "start_char",
    "end_char",
    "surface",
    "section",
    "rule",
)


# DuckDB's buffer pool defaults to 80% of RAM; the pipeline shares the machine with extraction
# workers and analysts, so its connections cap it (operators spill to disk beyond it). Measured
# in docs/BENCHMARKS.md; override with SKILLPULSE_DUCKDB_MEMORY_LIMIT (e.g. "4GB").
DEFAULT_MEMORY_LIMIT = "1GB"
# DuckDB checkpoints when the WAL passes 16 MB by default, and each checkpoint rewrites the
# primary-key indexes, so landing a million postings in 5,000-row chunks checkpointed every few
# chunks at a cost growing with the table (12.2 s to land 40k postings into a 100k store, 7.0 s
# with a 256 MB threshold). Un-checkpointed data is held in memory at several times the WAL's
# size (a 240 MB WAL: +1.6 GB RSS at 1M postings), so 64 MB is the compromise. Durability is
# unchanged: the WAL is on disk.
CHECKPOINT_THRESHOLD = "64MB"


def tune(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Apply the pipeline's DuckDB settings (memory limit, checkpoint threshold) to a writer."""
    limit = os.environ.get("SKILLPULSE_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    con.execute("set memory_limit = ?", [limit])
    con.execute("set checkpoint_threshold = ?", [CHECKPOINT_THRESHOLD])
    return con


def open_raw(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the raw store with every sql/raw table present."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = tune(duckdb.connect(str(path)))
    for model in raw_ddl():
        con.execute(model.sql)
    return con


def _transaction(con: duckdb.DuckDBPyConnection, statements: Iterator[None]) -> None:
    con.execute("begin transaction")
    try:
        for _ in statements:
            pass
        con.execute("commit")
    except BaseException:
        # A failed write (a full disk) can end the transaction itself; the rollback's own
        # "no transaction is active" must not hide the error that explains what happened.
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise


def land_source_result(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source_run: dict[str, object] | None,
    payloads: pd.DataFrame,
    postings: pd.DataFrame,
    rejects: pd.DataFrame,
) -> None:
    """Land one source's records (and, when given, its source_runs row) in one transaction."""

    def steps() -> Iterator[None]:
        if len(payloads):
            con.register("incoming_payloads", payloads)
            con.execute(
                """
                insert into raw_payloads
                select payload_sha256, source, board, kind, url, content_type, body, fetched_at
                from incoming_payloads
                where payload_sha256 not in (select payload_sha256 from raw_payloads)
                qualify row_number() over (partition by payload_sha256) = 1
                """
            )
            con.execute(
                """
                insert into raw_fetches
                select ? as run_id, source, board, kind, url, fetched_at, status, payload_sha256
                from incoming_payloads
                on conflict do nothing
                """,
                [run_id],
            )
            con.unregister("incoming_payloads")
            yield
        if len(postings):
            con.register("incoming_postings", postings[list(POSTING_COLUMNS)])
            columns = ", ".join(POSTING_COLUMNS)
            updates = ", ".join(
                f"{c} = excluded.{c}"
                for c in POSTING_COLUMNS
                if c
                not in ("source", "board", "source_posting_id", "first_seen_at", "last_seen_at")
            )
            con.execute(
                f"""
                insert into raw_postings ({columns})
                select {columns} from incoming_postings
                on conflict (source, board, source_posting_id) do update set {updates},
                    first_seen_at = least(raw_postings.first_seen_at, excluded.first_seen_at),
                    last_seen_at = greatest(raw_postings.last_seen_at, excluded.last_seen_at)
                """
            )
            con.unregister("incoming_postings")
            yield
        if len(rejects):
            con.register("incoming_rejects", rejects)
            con.execute(
                """
                insert into raw_rejects
                select run_id, source, board, record_ref, reason, raw from incoming_rejects
                on conflict do nothing
                """
            )
            con.unregister("incoming_rejects")
            yield
        if source_run is not None:
            record_source_run(con, run_id, source_run)
        yield

    _transaction(con, steps())


def record_source_run(
    con: duckdb.DuckDBPyConnection, run_id: str, source_run: dict[str, object]
) -> None:
    """Insert or replace what one source did in one run."""
    con.execute(
        """
        insert or replace into raw_source_runs
        (run_id, source, board, status, postings, rejects, error, started_at, finished_at)
        values ($run_id, $source, $board, $status, $postings, $rejects, $error, $started_at,
                $finished_at)
        """,
        {"run_id": run_id, **source_run},
    )


INTERRUPTED_MESSAGE = "the process stopped before the run finished (killed or crashed)"


def record_run(con: duckdb.DuckDBPyConnection, run: dict[str, object]) -> None:
    """Insert or update the run log row for one run.

    A run starting (status 'running') holds the run lock, so any other run still marked
    'running' died without finishing: it is marked 'interrupted' rather than left running.
    """
    if run.get("status") == "running":
        con.execute(
            """
            update raw_runs set status = 'interrupted', message = coalesce(message, ?)
            where status = 'running' and run_id <> ?
            """,
            [INTERRUPTED_MESSAGE, run["run_id"]],
        )
    con.execute(
        """
        insert or replace into raw_runs
        (run_id, command, started_at, finished_at, status, taxonomy_version, postings_landed,
         postings_extracted, sources_failed, message)
        values ($run_id, $command, $started_at, $finished_at, $status, $taxonomy_version,
                $postings_landed, $postings_extracted, $sources_failed, $message)
        """,
        run,
    )


_PENDING_SQL = """
    from raw_postings as p
    anti join raw_extractions as e
        on e.content_hash = p.content_hash and e.taxonomy_version = ?
"""


def count_pending(con: duckdb.DuckDBPyConnection, taxonomy_version: str) -> int:
    """How many distinct texts lack an extraction with this taxonomy version."""
    row = con.execute(
        f"select count(distinct p.content_hash) {_PENDING_SQL}", [taxonomy_version]
    ).fetchone()
    return int(row[0]) if row else 0


def iter_pending_texts(
    con: duckdb.DuckDBPyConnection, taxonomy_version: str, batch_size: int
) -> Iterator[list[tuple[str, str]]]:
    """(content_hash, text) batches of every text not yet extracted with this version.

    One streaming query on its own cursor, so the caller may write to `con` between batches
    (the reader keeps the snapshot it started with). Texts shared by several postings come once.
    One query, not one per batch: a scan of raw_postings per batch was quadratic in postings.
    """
    reader = con.cursor()
    try:
        result = reader.execute(f"select p.content_hash, p.text {_PENDING_SQL}", [taxonomy_version])
        seen: set[str] = set()
        while rows := result.fetchmany(batch_size):
            batch = []
            for content_hash, text in rows:
                if content_hash not in seen:
                    seen.add(content_hash)
                    batch.append((content_hash, text))
            if batch:
                yield batch
    finally:
        reader.close()


def land_extractions(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    content_hashes: list[str],
    mentions: pd.DataFrame,
) -> None:
    """Store one batch's mentions and mark its texts extracted, in one transaction."""

    def steps() -> Iterator[None]:
        if len(mentions):
            con.register("incoming_mentions", mentions[list(MENTION_COLUMNS)])
            con.execute(
                """
                insert into raw_mentions
                select * from incoming_mentions
                on conflict do nothing
                """
            )
            con.unregister("incoming_mentions")
        done = pd.DataFrame({"content_hash": content_hashes})
        con.register("incoming_done", done)
        con.execute(
            """
            insert into raw_extractions
            select content_hash, ?, now() from incoming_done
            on conflict do nothing
            """,
            [taxonomy_version],
        )
        con.unregister("incoming_done")
        yield

    _transaction(con, steps())
