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
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcome: SourceOutcome,
    record_run: bool = True,
    counts: raw_store.LandCounts | None = None,
) -> int:
    """Land one outcome in one transaction; returns the number of postings landed.

    With record_run=False the source_runs row is left to the caller (chunked ingest writes
    it once, with totals, after the last chunk). When given, `counts` accumulates how many
    postings were new, changed or already stored unchanged.
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
    rows = list(latest.values())
    seen = [p.seen_at or fetched_at.get(p.payload_sha256 or "", now) for p in rows]
    # Built column by column: a list of per-posting dicts cost pandas 2-3x more to take in.
    postings = pd.DataFrame(
        {
            "source": [p.source for p in rows],
            "board": [p.board for p in rows],
            "source_posting_id": [p.source_posting_id for p in rows],
            "title": [p.title for p in rows],
            "company": [p.company for p in rows],
            "location": [p.location for p in rows],
            "workplace": [p.workplace for p in rows],
            "posted_at": [p.posted_at for p in rows],
            "text": [p.text for p in rows],
            "url": [p.url for p in rows],
            "salary_min": [p.salary_min for p in rows],
            "salary_max": [p.salary_max for p in rows],
            "salary_currency": [p.salary_currency for p in rows],
            "content_hash": [p.content_hash for p in rows],
            "payload_sha256": [p.payload_sha256 for p in rows],
            # Filled by classify_postings, only for postings new or changed: classifying
            # every re-seen posting was most of a re-run's landing time.
            "role_family": [None] * len(rows),
            "seniority": [None] * len(rows),
            "parsed_at": [now] * len(rows),
            "first_seen_at": seen,
            "last_seen_at": seen,
            "last_seen_run_id": [run_id] * len(rows),
        },
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
    landed = raw_store.land_source_result(
        con,
        run_id,
        source_run_row(outcome, len(latest), len(rejects)) if record_run else None,
        payloads,
        postings,
        rejects,
        classify=classify_postings,
    )
    if counts is not None:
        counts += landed
    return len(latest)


def classify_postings(postings: pd.DataFrame) -> pd.DataFrame:
    """role_family and seniority of each posting (raw_store.Classifier), from title and text."""
    pairs = list(zip(postings["title"], postings["text"], strict=True))
    return pd.DataFrame(
        {
            # A missing title arrives from pandas as NaN, which the classifier must see as None.
            "role_family": [role_family(_title(t), x) for t, x in pairs],
            "seniority": [seniority(_title(t), x) for t, x in pairs],
        },
        index=postings.index,
    )


def _title(value: object) -> str | None:
    return value if isinstance(value, str) else None


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
    counts = raw_store.LandCounts()
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
            landed += land_outcome(con, run_id, chunk, record_run=False, counts=counts)
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
        # Not seconds: what the load did, so a re-run's timings show it re-classified nothing.
        for key, value in (
            ("postings_new", counts.new),
            ("postings_changed", counts.changed),
            ("postings_unchanged", counts.unchanged),
        ):
            timings[key] = timings.get(key, 0) + value
    totals.finished_at = datetime.now(UTC)
    raw_store.record_source_run(con, run_id, source_run_row(totals, landed, rejected))
    totals.landed = landed
    return totals


# Below this many pending texts a worker pool costs more to start than it saves: a spawned
# worker imports spaCy and builds its extractor (about 4 s on this machine), while one process
# extracts roughly 1,000–2,000 texts a second.
