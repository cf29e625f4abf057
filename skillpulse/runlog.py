"""The run log: each run's start, finish or failure, as rows of raw_runs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import duckdb

from extractors.skills.taxonomy import Taxonomy
from skillpulse.outcome import SourceOutcome
from warehouse import payload_files, raw_store


def new_run_id(command: str) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{command}"


_log = logging.getLogger("skillpulse")


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, command: str, taxonomy: Taxonomy
) -> datetime:
    """Log a run as running, and clear what runs that stopped early left: their rows are
    marked interrupted (raw_store.record_run), their payload files swept. The caller holds the
    run lock (warehouse.lock)."""
    started_at = datetime.now(UTC)
    raw_store.record_run(
        con,
        {
            "run_id": run_id,
            "command": command,
            "started_at": started_at,
            "finished_at": None,
            "status": "running",
            "taxonomy_version": taxonomy.version,
            "postings_landed": None,
            "postings_extracted": None,
            "sources_failed": None,
            "message": None,
        },
    )
    swept = raw_store.sweep_payload_files(con)
    if swept.partial or swept.unreferenced:
        _log.warning(
            "removed payload files an earlier run left when it stopped: %d half-written, "
            "%d whole but never recorded (landing those payloads again writes them again)",
            swept.partial,
            swept.unreferenced,
        )
    if swept.failed:
        _log.warning(
            "could not remove %d payload files or folders an earlier run left in %s",
            swept.failed,
            payload_files.directory_of(con),
        )
    return started_at


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    command: str,
    started_at: datetime,
    taxonomy: Taxonomy,
    outcomes: list[SourceOutcome],
    landed: int,
    extracted: int,
) -> None:
    failed = [o for o in outcomes if o.status == "failed"]
    raw_store.record_run(
        con,
        {
            "run_id": run_id,
            "command": command,
            "started_at": started_at,
            "finished_at": datetime.now(UTC),
            "status": "partial" if failed else "ok",
            "taxonomy_version": taxonomy.version,
            "postings_landed": landed,
            "postings_extracted": extracted,
            "sources_failed": len(failed),
            "message": "; ".join(o.error or o.label for o in failed) or None,
        },
    )


def fail_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    command: str,
    started_at: datetime,
    taxonomy: Taxonomy,
    error: BaseException,
) -> None:
    """Close a run's log row as failed, naming the error, so no run stays 'running' forever."""
    raw_store.record_run(
        con,
        {
            "run_id": run_id,
            "command": command,
            "started_at": started_at,
            "finished_at": datetime.now(UTC),
            "status": "failed",
            "taxonomy_version": taxonomy.version,
            "postings_landed": None,
            "postings_extracted": None,
            "sources_failed": None,
            "message": f"{type(error).__name__}: {error}",
        },
    )
