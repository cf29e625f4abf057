"""Landing what sources produced into the raw store: one transaction per outcome, and an
ingest's chunks in groups of transactions (raw_store.GroupedCommits)."""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from extractors.classify import posting_labels
from extractors.sources.base import (
    Payload,
    Reject,
    SourceConfig,
    SourceError,
)
from extractors.sources.registry import get_source
from skillpulse.outcome import SourceOutcome
from skillpulse.parsing import Labels, ParsedPayload, ParsePool, default_parse_processes
from skillpulse.progress import Update
from warehouse import raw_store


def land_outcome(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcome: SourceOutcome,
    record_run: bool = True,
    counts: raw_store.LandCounts | None = None,
    labels: Sequence[Labels] | None = None,
    compressed_bodies: Mapping[str, bytes] | None = None,
    commits: raw_store.GroupedCommits | None = None,
) -> int:
    """Land one outcome in one transaction (or in `commits`' open one); returns the number of
    postings landed.

    With record_run=False the source_runs row is left to the caller (chunked ingest writes
    it once, with totals, after the last chunk). When given, `counts` accumulates how many
    postings were new, changed or already stored unchanged. `labels`, when given, are
    posting_labels of each of outcome.parsed.postings, computed ahead (skillpulse.parsing):
    the postings that need classifying take theirs instead of being classified here.
    `compressed_bodies`, by sha256, are payload bodies a worker compressed ahead.
    """
    now = datetime.now(UTC)
    fetched_at = {p.sha256: p.fetched_at for p in outcome.payloads}
    payloads = [payload_row(p) for p in outcome.payloads]
    parsed = outcome.parsed.postings
    # The last copy of a key wins, as raw_store's merge has it; its labels go with it.
    latest = {(p.source, p.board, p.source_posting_id): i for i, p in enumerate(parsed)}
    postings = []
    for p in map(parsed.__getitem__, latest.values()):
        seen = p.seen_at or fetched_at.get(p.payload_sha256 or "", now)
        # In raw_store.POSTING_COLUMNS order. role_family and seniority are left to the merge,
        # which gives postings new or changed the labels computed ahead, or else asks the
        # classifier (classify_postings) for them: classifying every re-seen posting was most
        # of a re-run's landing time.
        postings.append(
            (
                p.source,
                p.board,
                p.source_posting_id,
                p.title,
                p.company,
                p.location,
                p.workplace,
                p.posted_at,
                p.text,
                p.url,
                p.salary_min,
                p.salary_max,
                p.salary_currency,
                p.content_hash,
                p.payload_sha256,
                None,
                None,
                now,
                seen,
                seen,
                run_id,
            )
        )
    # One reject per record: the first reason given for it is the one kept.
    first_rejects: dict[tuple[str, str, str], Reject] = {}
    for reject in outcome.parsed.rejects:
        first_rejects.setdefault((reject.source, reject.board, reject.record_ref), reject)
    rejects = [
        (run_id, r.source, r.board, r.record_ref, r.reason, r.raw) for r in first_rejects.values()
    ]
    # Each payload's own keys, the last copy in it winning (what landing it alone would store),
    # and whether that copy carries its own seen_at. Not `latest`, whose keys a later payload
    # of the outcome may have taken: the rows left with this payload's sha would then match a
    # count of fewer keys than it holds.
    own: dict[str | None, dict[tuple[str, str, str], bool]] = defaultdict(dict)
    for posting in parsed:
        key = (posting.source, posting.board, posting.source_posting_id)
        own[posting.payload_sha256][key] = posting.seen_at is not None
    code = landing_code()
    # A reject names no payload: each payload is charged its outcome's.
    charged = len(rejects)
    # One row per (body, url, board): a page fetched twice in one outcome is one landing of
    # it. Its landed_at is the postings' parsed_at, which raw_store.landed_whole compares.
    payload_landings = [
        (sha, url, code, p.source, board, len(own[sha]), sum(own[sha].values()), charged, now)
        for (sha, url, board), p in {
            (p.sha256, p.url, p.board): p for p in outcome.payloads
        }.items()
    ]
    landed = raw_store.land_source_result(
        con,
        run_id,
        source_run_row(outcome, len(latest), len(rejects)) if record_run else None,
        payloads,
        postings,
        rejects,
        # With labels computed ahead every row has its own, so no row is left to classify.
        classify=classify_postings if labels is None else None,
        compressed_bodies=compressed_bodies,
        commits=commits,
        # A landed row's position is its key's position in `latest`, and `latest` gives the
        # posting's place in the parse.
        labels_ahead=None if labels is None else [labels[i] for i in latest.values()],
        payload_landings=payload_landings,
    )
    if counts is not None:
        counts += landed
    return len(latest)


def payload_row(payload: Payload) -> tuple[object, ...]:
    """A payload as raw_store takes it (PAYLOAD_COLUMNS order)."""
    return tuple(getattr(payload, column) for column in _PAYLOAD_FIELDS)


# raw_store.PAYLOAD_COLUMNS, as Payload names them.
_PAYLOAD_FIELDS = tuple(
    "sha256" if column == "payload_sha256" else column for column in raw_store.PAYLOAD_COLUMNS
)


# The code that turns a payload into stored rows: what it parses, how a posting row is made,
# and how rows are merged. A payload whose last landing was by other code is landed again in
# full (raw_store.landed_whole), so a changed parser reaches every posting at the next ingest,
# and so does a change undone.
LANDING_CODE_FILES = (
    "extractors/sources/*.py",
    "extractors/classify.py",
    "extractors/text.py",
    "skillpulse/landing.py",
    "warehouse/raw_store.py",
    "sql/raw/*.sql",
)
_ROOT = Path(__file__).resolve().parents[1]


def landing_code() -> str:
    """The digest of this checkout's LANDING_CODE_FILES, recorded with each payload landed
    (raw_payload_landings)."""
    return _LANDING_CODE


def code_digest(root: Path) -> str:
    """A digest of the LANDING_CODE_FILES under `root` (their paths and bytes), the Python
    version and the HTML parser's (BeautifulSoup turns sources' HTML into posting text)."""
    digest = hashlib.sha256()
    digest.update(f"python {sys.version_info[:2]} bs4 {version('beautifulsoup4')}\0".encode())
    for pattern in LANDING_CODE_FILES:
        # Files only, and no hidden ones: an editor's lock file (.#jsonl.py) is a dangling link.
        for path in sorted(root.glob(pattern)):
            if path.name.startswith(".") or not path.is_file():
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return f"landing {digest.hexdigest()[:16]}"


# Taken when this module is imported, with the code it runs: taken at the first landing, a
# long-lived process (a flow server) whose files were updated after it started would record
# the new code's digest for rows its old code made.
_LANDING_CODE = code_digest(_ROOT)


def classify_postings(postings: list[raw_store.Unlabelled]) -> list[tuple[str, str]]:
    """role_family and seniority of each posting (raw_store.Classifier), from title and text."""
    return [posting_labels(p.title, p.text) for p in postings]


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


# Below this share of new or changed postings in the chunk last landed, the parsing workers stop
# labelling postings ahead (a re-run, say): this process classifies the few that need it.
LABEL_AHEAD_MIN_SHARE = 0.1


def ingest_jsonl(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    path: Path,
    progress: Update | None = None,
    timings: dict[str, float] | None = None,
    chunk_landed: Callable[[raw_store.LandCounts, float], None] | None = None,
    processes: int | None = 1,
) -> SourceOutcome:
    """Stream a JSONL file into the raw store chunk by chunk, committed in groups of chunks
    (raw_store.GroupedCommits: about 125,000 postings, 25 chunks of 5,000 lines).

    A killed ingest leaves whole groups of whole chunks; re-running lands the same keys again,
    so nothing is doubled. A chunk landed whole before (raw_store.landed_whole: same bytes, url
    and board, landed last by the same landing_code, no rejects, no mix of dated and undated
    postings, its body file present, every posting still as that landing wrote it) is not
    parsed or staged again: only the bookkeeping a landing would move is written
    (raw_store.see_payload_again).

    Returns the totals as one outcome, whose source_runs row is written last, with the last
    group (a failure writing it rolls that group back too; a re-run lands it again).
    `chunk_landed` hears after each chunk lands what it did and the share of the file read so
    far (skillpulse.extraction.WarmPool starts the extraction workers from it). processes > 1
    parses and classifies the chunks ahead in that many worker processes while this one lands
    (skillpulse.parsing); None picks by the file's size.
    """
    source = get_source("jsonl")
    config = SourceConfig(kind="jsonl", board=str(path))
    totals = SourceOutcome("jsonl", path.stem, "ok")
    total_bytes = max(path.stat().st_size, 1)
    if processes is None:
        processes = default_parse_processes(total_bytes)
    read_bytes = 0
    landed = rejected = 0
    counts = raw_store.LandCounts()
    clock = time.perf_counter
    parse_s = load_s = 0.0
    stopped: list[Exception] = []

    # Labels and compressed bodies computed ahead are wasted on postings already stored
    # unchanged: after each chunk, whether the next ones handed to the workers should come
    # with them.
    working_ahead_pays = True

    def ahead_wanted(payload: Payload) -> bool:
        # A payload already stored holds postings already landed: a re-run's, typically.
        return working_ahead_pays and not raw_store.payload_stored(con, payload.sha256)

    def passed_over(payload: Payload) -> bool:
        # Asked on a cursor of its own, as payload_stored is; see_payload_again checks again.
        with contextlib.closing(con.cursor()) as reader:
            whole = raw_store.landed_whole(
                reader, payload.sha256, payload.url, payload.board, landing_code()
            )
        return whole is not None

    def chunks(pool: ParsePool | None) -> Iterator[ParsedPayload]:
        # Only reading and parsing: a file that cannot be read fails this source, while an
        # error writing the raw store (a full disk) must fail the run, so landing is outside.
        # With a pool, "parse" is the time spent waiting for the workers' next chunk.
        nonlocal parse_s
        payloads = source.fetch(config, None)  # type: ignore[arg-type]
        parsed: Iterator[ParsedPayload] = (
            pool.parse(source.kind, payloads, ahead_wanted, passed_over)
            if pool is not None
            else (ParsedPayload(p, None if passed_over(p) else source.parse(p)) for p in payloads)
        )
        try:
            tick = clock()
            for chunk in parsed:
                parse_s += clock() - tick
                yield chunk
                tick = clock()
            parse_s += clock() - tick
        except (SourceError, OSError) as exc:
            stopped.append(exc)

    with contextlib.ExitStack() as owned:
        pool = owned.enter_context(ParsePool(processes)) if processes > 1 else None
        commits = owned.enter_context(raw_store.GroupedCommits(con))
        for chunk in chunks(pool):
            tock = clock()
            seen_again = None
            if chunk.parsed is None:
                seen_again = raw_store.see_payload_again(
                    con, run_id, payload_row(chunk.payload), landing_code(), commits
                )
            if seen_again is not None:
                chunk_counts = seen_again
                landed += chunk_counts.landed
                chunk_rejects: list[Reject] = []
            else:
                if chunk.parsed is None:
                    # A landing since it was passed over took some of its keys: parse it here,
                    # timed as parsing, not loading.
                    tick = clock()
                    chunk = ParsedPayload(chunk.payload, source.parse(chunk.payload))
                    spent = clock() - tick
                    parse_s += spent
                    tock += spent
                assert chunk.parsed is not None
                chunk_rejects = chunk.parsed.rejects
                chunk_counts = raw_store.LandCounts()
                compressed = chunk.compressed_body
                landed += land_outcome(
                    con,
                    run_id,
                    SourceOutcome(
                        "jsonl", path.stem, "ok", payloads=[chunk.payload], parsed=chunk.parsed
                    ),
                    record_run=False,
                    counts=chunk_counts,
                    labels=chunk.labels,
                    compressed_bodies=None
                    if compressed is None
                    else {chunk.payload.sha256: compressed},
                    commits=commits,
                )
            counts += chunk_counts
            load_s += clock() - tock
            if chunk_counts.landed:
                new_share = (chunk_counts.new + chunk_counts.changed) / chunk_counts.landed
                working_ahead_pays = new_share >= LABEL_AHEAD_MIN_SHARE
            rejected += len(chunk_rejects)
            totals.parsed.rejects.extend(chunk_rejects)
            read_bytes += len(chunk.payload.body) + 1
            if progress:
                progress(min(read_bytes, total_bytes), total_bytes)
            if chunk_landed:
                chunk_landed(chunk_counts, min(read_bytes / total_bytes, 1.0))
        tock = clock()
        if stopped:
            totals.status, totals.error = "failed", f"jsonl/{path.stem}: {stopped[0]}"
        elif rejected and not landed:
            # A wrong file (a CSV, a truncated export) must not pass a nightly script as ok.
            totals.status, totals.error = (
                "failed",
                f"jsonl/{path.stem}: every line was rejected ({rejected}); nothing landed",
            )
        totals.finished_at = datetime.now(UTC)
        # In the last group's transaction, not a commit of its own: that commit would find the
        # load's rows in the WAL and checkpoint them here, with the extraction workers idle
        # (1.4 s at 100k postings); extract_pending checkpoints them while the workers extract.
        with commits.landing(rows=0):
            raw_store.record_source_run(con, run_id, source_run_row(totals, landed, rejected))
        commits.close()
        load_s += clock() - tock
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
    totals.landed = landed
    return totals
