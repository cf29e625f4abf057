"""The pipeline's steps as plain functions: collect, land, extract, build, report.

Prefect flows (flows/) and the CLI call these; nothing here imports Prefect, so every step is
tested on its own. Each step that writes takes the raw store connection and is idempotent.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from extractors.classify import role_family, seniority
from extractors.http import (
    FetchError,
    HttpClient,
    HttpSettings,
    HttpStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
)
from extractors.skills.matcher import Extraction, PlainExtraction, SkillExtractor
from extractors.skills.taxonomy import Taxonomy, load_taxonomy
from extractors.sources.base import (
    ParseResult,
    Payload,
    SourceConfig,
    SourceError,
    SourceSkipped,
)
from extractors.sources.registry import get_source
from warehouse import raw_store
from warehouse.build import BuildResult, build_warehouse
from warehouse.paths import WarehousePaths

EXTRACT_BATCH = 2000
Progress = Callable[[int, int], None]


@dataclass
class SourceOutcome:
    """Everything one source produced in one run, or why it produced nothing."""

    source: str
    board: str
    status: str  # ok | failed | skipped
    payloads: list[Payload] = field(default_factory=list)
    parsed: ParseResult = field(default_factory=ParseResult)
    error: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    landed: int = 0
    retryable: bool = False  # the failure may pass (timeout, 429, 5xx, dropped connection)

    @property
    def label(self) -> str:
        return f"{self.source}/{self.board}"


def new_run_id(command: str) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{command}"


def collect_source(
    config: SourceConfig,
    http: HttpSettings,
    client: HttpClient | None = None,
    cache_path: Path | None = None,
) -> SourceOutcome:
    """Fetch and parse one configured source. Never raises: failures become a failed outcome
    holding no postings, so one bad source cannot stop the others or land half its data.

    `cache_path` (e.g. `<storage.db dir>/http_cache.sqlite`) turns on the conditional-GET HTTP
    cache; without it nothing is cached. A source whose first request robots.txt forbids (or
    that raises SourceSkipped) is `skipped`, which is neither a failure nor a fresh snapshot.
    """
    started = datetime.now(UTC)
    board = config.board if config.kind != "jsonl" else Path(config.board).stem
    own_client: HttpClient | None = None
    payloads: list[Payload] = []
    try:
        source = get_source(config.kind)
        if client is None:
            client = own_client = HttpClient(http, cache_path=cache_path)
        parsed = ParseResult()
        for payload in source.fetch(config, client):
            payloads.append(payload)
            parsed.extend(source.parse(payload))
    except (SourceSkipped, RobotsDisallowed) as exc:
        skipped = isinstance(exc, SourceSkipped) or not payloads
        return SourceOutcome(
            config.kind,
            board,
            "skipped" if skipped else "failed",
            error=_named(f"{config.kind}/{board}", exc),
            started_at=started,
            finished_at=datetime.now(UTC),
        )
    except (FetchError, SourceError, KeyError, OSError) as exc:
        return SourceOutcome(
            config.kind,
            board,
            "failed",
            error=_named(f"{config.kind}/{board}", exc),
            started_at=started,
            finished_at=datetime.now(UTC),
            retryable=is_transient(exc),
        )
    except Exception as exc:  # a parser bug must not take the other sources down with it
        return SourceOutcome(
            config.kind,
            board,
            "failed",
            error=f"{config.kind}/{board}: unexpected {type(exc).__name__}: {exc}",
            started_at=started,
            finished_at=datetime.now(UTC),
        )
    finally:
        if own_client is not None:
            own_client.close()
    return SourceOutcome(
        config.kind,
        board,
        "ok",
        payloads=payloads,
        parsed=parsed,
        started_at=started,
        finished_at=datetime.now(UTC),
    )


def _named(label: str, exc: BaseException) -> str:
    """The error prefixed with source/board once, whether or not the source already named it."""
    message = str(exc)
    return message if message.startswith(f"{label}:") else f"{label}: {message}"


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


def is_transient(error: BaseException) -> bool:
    """Whether trying the same request later could succeed: network trouble, 429 and 5xx."""
    if isinstance(error, HttpStatusError):
        return error.status == 429 or error.status >= 500
    return isinstance(error, FetchError) and not isinstance(
        error, RobotsDisallowed | ResponseTooLarge
    )


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
    progress: Progress | None = None,
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
PARALLEL_MIN_TEXTS = 10_000


def default_processes(pending: int) -> int:
    """Worker processes worth using for `pending` texts: min(2, CPUs) for a large batch, else 1."""
    import os

    return min(2, os.cpu_count() or 1) if pending >= PARALLEL_MIN_TEXTS else 1


def extract_pending(
    con: duckdb.DuckDBPyConnection,
    extractor: SkillExtractor,
    batch_size: int = EXTRACT_BATCH,
    progress: Progress | None = None,
    processes: int | None = 1,
) -> int:
    """Extract every stored text not yet extracted with this taxonomy; returns texts done.

    Texts stream from the raw store in batches (never all at once), and each batch's mentions
    land in one transaction. processes > 1 runs a persistent pool of worker processes that
    each build the extractor once (SkillExtractor.pool); None picks default_processes.
    """
    version = extractor.taxonomy.version
    total = raw_store.count_pending(con, version)
    if not total:
        return 0
    if processes is None:
        processes = default_processes(total)
    batches = raw_store.iter_pending_texts(con, version, batch_size)
    done = 0

    def landed(batch: list[tuple[str, str]], mentions: pd.DataFrame) -> None:
        nonlocal done
        raw_store.land_extractions(con, version, [h for h, _ in batch], mentions)
        done += len(batch)
        if progress:
            progress(done, total)

    if processes > 1:
        with extractor.pool(processes) as pool:
            submitted: deque[list[tuple[str, str]]] = deque()

            def chunks() -> Iterator[list[tuple[str, str]]]:
                for batch in batches:
                    submitted.append(batch)
                    yield batch

            for plain in pool.map_chunks(chunks()):
                landed(submitted.popleft(), plain_mentions_frame(plain, version))
    else:
        for batch in batches:
            landed(batch, mentions_frame(extractor.extract_many(batch), version))
    return done


def plain_mentions_frame(plains: Iterable[PlainExtraction], taxonomy_version: str) -> pd.DataFrame:
    """mentions_frame for the worker pool's plain tuples, built column-wise (no objects)."""
    rows = [(doc_id, *mention) for doc_id, _, mentions in plains for mention in mentions]
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    frame = pd.DataFrame(
        {
            "content_hash": columns[0],
            "taxonomy_version": taxonomy_version,
            "skill_id": columns[1],
            "start_char": columns[2],
            "end_char": columns[3],
            "surface": columns[4],
            "section": columns[5],
            "rule": columns[6],
        },
        columns=list(raw_store.MENTION_COLUMNS),
    )
    if not rows:
        frame = frame.astype({"start_char": "int64", "end_char": "int64"})
    return frame.drop_duplicates(
        subset=["content_hash", "taxonomy_version", "start_char", "skill_id"]
    )


def mentions_frame(extractions: Iterable[Extraction], taxonomy_version: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "content_hash": e.doc_id,
                "taxonomy_version": taxonomy_version,
                "skill_id": m.skill,
                "start_char": m.start,
                "end_char": m.end,
                "surface": m.text,
                "section": m.section,
                "rule": m.rule,
            }
            for e in extractions
            for m in e.mentions
        ],
        columns=list(raw_store.MENTION_COLUMNS),
    ).drop_duplicates(subset=["content_hash", "taxonomy_version", "start_char", "skill_id"])


def taxonomy_seeds(taxonomy: Taxonomy, run_id: str) -> dict[str, pd.DataFrame]:
    """The taxonomy and build facts as tables the SQL models read."""
    skills = pd.DataFrame(
        [
            {
                "skill_id": s.id,
                "name": s.name,
                "category": s.category,
                "roadmap_area": s.roadmap_area,
                "in_article": s.in_article,
                "article_area": s.article_area,
                "parent_ids": list(s.parents),
                "is_ambiguous": s.ambiguous,
            }
            for s in taxonomy.skills.values()
        ]
    )
    ancestors = pd.DataFrame(
        [
            {"skill_id": s.id, "ancestor_id": ancestor}
            for s in taxonomy.skills.values()
            for ancestor in sorted({s.id} | taxonomy.ancestors(s.id))
        ]
    )
    build_info = pd.DataFrame(
        [{"run_id": run_id, "taxonomy_version": taxonomy.version, "built_at": datetime.now(UTC)}]
    )
    return {"raw_skills": skills, "raw_skill_ancestors": ancestors, "raw_build_info": build_info}


class StaleExtractions(RuntimeError):
    """Stored texts lack mentions for the taxonomy being built; publishing would zero shares."""


def build(paths: WarehousePaths, run_id: str, taxonomy: Taxonomy) -> BuildResult:
    """Build and publish the warehouse, refusing when extraction lags the taxonomy."""
    if paths.raw.exists():
        con = duckdb.connect(str(paths.raw), read_only=True)
        try:
            missing = raw_store.count_pending(con, taxonomy.version)
        finally:
            con.close()
        if missing:
            raise StaleExtractions(
                f"{missing} stored posting texts have no extraction with taxonomy "
                f"{taxonomy.version}; run `skillpulse reextract --db {paths.db}` first"
            )
    return build_warehouse(paths, run_id, taxonomy_seeds(taxonomy, run_id))


@dataclass
class RunSummary:
    run_id: str
    command: str
    db: Path
    report: Path | None
    postings_landed: int
    postings_extracted: int
    outcomes: list[SourceOutcome]
    top_skills: list[tuple[str, int, float]]
    total_postings: int
    seconds: float

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def lines(self) -> list[str]:
        rows = [
            f"run {self.run_id}: {self.total_postings} distinct postings in the warehouse "
            f"({self.postings_landed} landed, {self.postings_extracted} texts extracted this run, "
            f"{self.seconds:.1f}s)",
            f"warehouse: {self.db}",
        ]
        if self.report:
            rows.append(f"report:    {self.report}")
        for outcome in self.outcomes:
            count = outcome.landed or len(outcome.parsed.postings)
            detail = outcome.error if outcome.status == "failed" else f"{count} postings"
            if outcome.parsed.rejects:
                detail += f", {len(outcome.parsed.rejects)} rejected"
            if outcome.status == "failed":
                rows.append(f"  {outcome.status:<7} {detail}")
            else:
                rows.append(f"  {outcome.status:<7} {outcome.label}: {detail}")
        if self.top_skills:
            rows.append("top skills (share of distinct postings):")
            rows.extend(
                f"  {name:<24} {count:>6}  {share:6.1%}" for name, count, share in self.top_skills
            )
        return rows


def top_skills(db: Path, limit: int = 10) -> tuple[int, list[tuple[str, int, float]]]:
    """Distinct postings in the published warehouse and its most-demanded skills."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        total = con.execute("select count(*) from fct_postings").fetchone()[0]  # type: ignore[index]
        rows = con.execute(
            """
            select s.name, count(distinct ps.posting_id) as postings
            from fct_posting_skills as ps
            inner join dim_skills as s using (skill_id)
            group by s.name
            order by postings desc, s.name
            limit ?
            """,
            [limit],
        ).fetchall()
    finally:
        con.close()
    return total, [(name, count, count / total if total else 0.0) for name, count in rows]


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, command: str, taxonomy: Taxonomy
) -> datetime:
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


# --- Pieces the nightly flow distributes as tasks (plain functions; flows/ only wires them) ---


def source_host(config: SourceConfig) -> str:
    """The host a source talks to, so the flow never runs two tasks against one host at once."""
    from urllib.parse import urlsplit

    if config.kind == "jsonl":
        return f"file:{config.board}"
    if config.kind == "jsonld":
        urls = config.options.get("urls") or []
        return urlsplit(str(urls[0])).netloc if urls else f"jsonld:{config.board}"
    base = config.base_url or get_source(config.kind).default_base_url
    return urlsplit(base).netloc


def pending_batches(
    con: duckdb.DuckDBPyConnection, taxonomy_version: str, batch_size: int = EXTRACT_BATCH
) -> list[list[tuple[str, str]]]:
    """Texts not yet extracted with this taxonomy version, as (content_hash, text) batches."""
    return list(raw_store.iter_pending_texts(con, taxonomy_version, batch_size))


@lru_cache(maxsize=4)
def cached_extractor(taxonomy_path: str | None) -> SkillExtractor:
    """One extractor per process and taxonomy file: building the matcher is the slow part."""
    return SkillExtractor(load_taxonomy(Path(taxonomy_path) if taxonomy_path else None))


def extract_batch(batch: list[tuple[str, str]], taxonomy_path: str | None) -> pd.DataFrame:
    """Mention rows for one batch of (content_hash, text); pure, so it can run on any worker."""
    extractor = cached_extractor(taxonomy_path)
    return mentions_frame(extractor.extract_many(batch), extractor.taxonomy.version)


def land_extraction_batch(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    batch: list[tuple[str, str]],
    mentions: pd.DataFrame,
) -> int:
    raw_store.land_extractions(con, taxonomy_version, [h for h, _ in batch], mentions)
    return len(batch)


def top_movers(db: Path, limit: int = 5) -> list[dict[str, object]]:
    """The strongest significant risers and fallers from rpt_skill_trends, when it exists."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_name = 'rpt_skill_trends'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        cursor = con.execute("select * from rpt_skill_trends limit 0")
        columns = {d[0] for d in cursor.description}
        change = next(
            (c for c in ("share_change", "change_in_share", "delta_share") if c in columns), None
        )
        if change is None or "skill_id" not in columns:
            return []
        order = f"abs({change}) desc"
        where = "where p_value < 0.05" if "p_value" in columns else ""
        cursor = con.execute(
            f"select skill_id, {change} as share_change from rpt_skill_trends {where} "
            f"order by {order}, skill_id limit ?",
            [limit],
        )
        return [{"skill_id": row[0], "share_change": row[1]} for row in cursor.fetchall()]
    finally:
        con.close()


def summary_markdown(summary: RunSummary, movers: list[dict[str, object]]) -> str:
    """The flow run's artifact: sources, counts, failures, top movers and the report's path."""
    lines = [
        f"# skillpulse nightly run `{summary.run_id}`",
        "",
        f"- distinct postings in the warehouse: **{summary.total_postings}**",
        f"- postings landed this run: {summary.postings_landed}",
        f"- texts extracted this run: {summary.postings_extracted}",
        f"- warehouse: `{summary.db}`",
        f"- report: `{summary.report}`" if summary.report else "- report: not rendered",
        "",
        "| source | board | status | postings | rejects | error |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for outcome in summary.outcomes:
        error = (outcome.error or "").replace("|", "\\|")
        lines.append(
            f"| {outcome.source} | {outcome.board} | {outcome.status} | "
            f"{outcome.landed or len(outcome.parsed.postings)} | {len(outcome.parsed.rejects)} | {error} |"
        )
    if summary.top_skills:
        lines += ["", "## Top skills", "", "| skill | postings | share |", "| --- | ---: | ---: |"]
        lines += [
            f"| {name} | {count} | {share:.1%} |" for name, count, share in summary.top_skills
        ]
    if movers:
        lines += ["", "## Top movers", "", "| skill | change in share |", "| --- | ---: |"]
        lines += [f"| {m['skill_id']} | {float(m['share_change']):+.1%} |" for m in movers]  # type: ignore[arg-type]
    return "\n".join(lines) + "\n"
