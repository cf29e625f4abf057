"""Landing what sources produced into the raw store, one transaction per outcome or chunk."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from extractors.classify import role_family, seniority
from extractors.sources.base import (
    SourceConfig,
    SourceError,
)
from extractors.sources.registry import get_source
from skillpulse.collect import SourceOutcome
from skillpulse.progress import Update
from warehouse import raw_store


def land_outcome(
    con: duckdb.DuckDBPyConnection, run_id: str, outcome: SourceOutcome, record_run: bool = True
) -> int:
    """Land one outcome in one transaction; returns the number of postings landed.

    With record_run=False the source_runs row is left to the caller (chunked ingest writes
    it once, with totals, after the last chunk).
    """
    now = datetime.now(UTC)
    fetched_at = {p.sha256: p.fetched_at for p in outcome.payloads}
    payloads = pd.DataFrame(
        [
            {
                "payload_sha256": p.sha256,
                "source": p.source,
                "board": p.board,
                "kind": p.kind,
                "url": p.url,
                "content_type": p.content_type,
                "body": p.body,
                "fetched_at": p.fetched_at,
                "status": p.status,
            }
            for p in outcome.payloads
        ]
    )
    latest = {(p.source, p.board, p.source_posting_id): p for p in outcome.parsed.postings}
    postings = pd.DataFrame(
        [
            {
                "source": p.source,
                "board": p.board,
                "source_posting_id": p.source_posting_id,
                "title": p.title,
                "company": p.company,
                "location": p.location,
                "workplace": p.workplace,
                "posted_at": p.posted_at,
                "text": p.text,
                "url": p.url,
                "salary_min": p.salary_min,
                "salary_max": p.salary_max,
                "salary_currency": p.salary_currency,
                "content_hash": p.content_hash,
                "payload_sha256": p.payload_sha256,
                "role_family": role_family(p.title, p.text),
                "seniority": seniority(p.title, p.text),
                "parsed_at": now,
                "first_seen_at": p.seen_at or fetched_at.get(p.payload_sha256 or "", now),
                "last_seen_at": p.seen_at or fetched_at.get(p.payload_sha256 or "", now),
                "last_seen_run_id": run_id,
            }
            for p in latest.values()
        ],
        columns=list(raw_store.POSTING_COLUMNS),
    )
    rejects = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "source": r.source,
                "board": r.board,
                "record_ref": r.record_ref,
                "reason": r.reason,
                "raw": r.raw,
            }
            for r in outcome.parsed.rejects
        ],
        columns=["run_id", "source", "board", "record_ref", "reason", "raw"],
    ).drop_duplicates(subset=["run_id", "source", "board", "record_ref"])
    raw_store.land_source_result(
        con,
        run_id,
        source_run_row(outcome, len(latest), len(rejects)) if record_run else None,
        payloads,
        postings,
        rejects,
    )
    return len(latest)


def source_run_row(outcome: SourceOutcome, postings: int, rejects: int) -> dict[str, object]:
    return {
        "source": outcome.source,
        "board": outcome.board,
        "status": outcome.status,
        "postings": postings,
        "rejects": rejects,
        "error": outcome.error,
        "started_at": outcome.started_at,
        "finished_at": outcome.finished_at,
    }


def ingest_jsonl(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    path: Path,
    progress: Update | None = None,
    timings: dict[str, float] | None = None,
) -> SourceOutcome:
    """Stream a JSONL file into the raw store chunk by chunk; each chunk is one transaction.

    A killed ingest leaves whole chunks; re-running lands the same keys again, so nothing is
    doubled. Returns the totals as one outcome, whose source_runs row is written last.
    """
    source = get_source("jsonl")
    config = SourceConfig(kind="jsonl", board=str(path))
    totals = SourceOutcome("jsonl", path.stem, "ok")
    total_bytes = max(path.stat().st_size, 1)
    read_bytes = 0
    landed = rejected = 0
    clock = time.perf_counter
    parse_s = load_s = 0.0
    try:
        payloads = iter(source.fetch(config, None))  # type: ignore[arg-type]
        while True:
            tick = clock()
            payload = next(payloads, None)
            if payload is None:
                parse_s += clock() - tick
                break
            parsed = source.parse(payload)
            tock = clock()
            parse_s += tock - tick
            chunk = SourceOutcome("jsonl", path.stem, "ok", payloads=[payload], parsed=parsed)
            landed += land_outcome(con, run_id, chunk, record_run=False)
            load_s += clock() - tock
            rejected += len(parsed.rejects)
            totals.parsed.rejects.extend(parsed.rejects)
            read_bytes += len(payload.body) + 1
            if progress:
                progress(min(read_bytes, total_bytes), total_bytes)
    except (SourceError, OSError) as exc:
        totals.status, totals.error = "failed", f"jsonl/{path.stem}: {exc}"
    if timings is not None:
        timings["parse"] = timings.get("parse", 0.0) + parse_s
        timings["load"] = timings.get("load", 0.0) + load_s
    totals.finished_at = datetime.now(UTC)
    raw_store.record_source_run(con, run_id, source_run_row(totals, landed, rejected))
    totals.landed = landed
    return totals


# Below this many pending texts a worker pool costs more to start than it saves: a spawned
# worker imports spaCy and builds its extractor (about 4 s on this machine), while one process
# extracts roughly 1,000–2,000 texts a second.
