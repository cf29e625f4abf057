"""The nightly flow: collect every source in parallel → land → extract → build → report.

Only Prefect wiring lives here: which plain function runs as which task, with what retries,
timeouts and caching, and in what order. The functions themselves are in skillpulse.pipeline.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.exceptions import MissingContextError
from prefect.futures import PrefectFuture
from prefect.logging.handlers import APILogHandler

from extractors.http import HttpSettings
from extractors.skills.mentions import MentionColumns
from extractors.skills.taxonomy import Taxonomy, load_taxonomy
from extractors.sources.base import SourceConfig
from skillpulse import pipeline
from skillpulse.config import Config, load_config
from skillpulse.progress import step
from warehouse import raw_store
from warehouse.lock import RunLock
from warehouse.paths import WarehousePaths


class SourceFailed(RuntimeError):
    """Raised inside the collect task so Prefect retries it and never caches a failure."""

    def __init__(self, outcome: pipeline.SourceOutcome) -> None:
        super().__init__(outcome.error or outcome.label)
        self.outcome = outcome

    def __reduce__(self) -> tuple[Any, ...]:
        return (SourceFailed, (self.outcome,))


class SourcesFailed(RuntimeError):
    """Some sources failed; what succeeded was still landed, built and reported."""

    def __init__(self, summary: pipeline.RunSummary) -> None:
        failed = "; ".join(o.error or o.label for o in summary.failed)
        super().__init__(f"{len(summary.failed)} source(s) failed: {failed}")
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:
        return (SourcesFailed, (self.summary,))


def _same_day_source_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    """A source collected successfully today is not fetched again by a re-run today."""
    config: SourceConfig = parameters["config"]
    # Keys are unique, so sorting never compares two values.
    options = sorted(config.options.items())
    # A tuple's repr quotes each field, so a board or url holding the separator cannot make
    # two sources one key, as joining them with '|' could (board 'a|b' at 'x', board 'a' at
    # 'b|x'): the second would be skipped as collected. Option values keep their type too.
    identity = repr(
        (config.kind, config.board, config.base_url, options, datetime.now(UTC).date().isoformat())
    )
    return "collect-" + hashlib.sha256(identity.encode()).hexdigest()[:32]


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a source only for failures that may pass: timeouts, 5xx, 429, dropped connections."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, SourceFailed) and error.outcome.retryable


@task(
    name="collect-source",
    retries=1,
    retry_delay_seconds=30,
    retry_condition_fn=_transient,
    timeout_seconds=3600,
    cache_key_fn=_same_day_source_key,
    persist_result=True,
    result_serializer="pickle",
)
def collect(
    config: SourceConfig, http: HttpSettings, cache_path: Path | None = None, pause_s: float = 0.0
) -> pipeline.SourceOutcome:
    # Tasks chained on one host start one polite delay after the previous task's last request.
    time.sleep(pause_s)
    outcome = pipeline.collect_source(config, http, cache_path=cache_path)
    if outcome.status == "failed":
        raise SourceFailed(outcome)
    return outcome


def _on_raw_store(paths: WarehousePaths, step: Callable[..., Any], *args: Any) -> Any:
    """Run one step with the raw store open, and always close it: one writer at a time."""
    con = raw_store.open_raw(paths.raw)
    try:
        return step(con, *args)
    finally:
        con.close()


@task(name="land", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def land(paths: WarehousePaths, run_id: str, outcomes: list[pipeline.SourceOutcome]) -> int:
    return sum(_on_raw_store(paths, pipeline.land_outcome, run_id, o) for o in outcomes)


@task(name="find-pending-texts", cache_policy=NO_CACHE)
def find_pending(paths: WarehousePaths, taxonomy_version: str) -> list[list[tuple[str, str]]]:
    return _on_raw_store(paths, pipeline.pending_batches, taxonomy_version)


extract_batch = task(name="extract-batch", cache_policy=NO_CACHE, retries=1, timeout_seconds=1800)(
    pipeline.extract_batch
)


@task(name="land-extractions", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def land_extractions(
    paths: WarehousePaths,
    taxonomy_version: str,
    mentions_per_batch: list[MentionColumns],
) -> int:
    return sum(
        _on_raw_store(paths, pipeline.land_extraction_batch, taxonomy_version, mentions)
        for mentions in mentions_per_batch
    )


@task(name="build-warehouse", cache_policy=NO_CACHE, retries=1, timeout_seconds=3600)
def build(paths: WarehousePaths, run_id: str, taxonomy_path: str | None) -> None:
    taxonomy = load_taxonomy(Path(taxonomy_path) if taxonomy_path else None)
    pipeline.build(paths, run_id, taxonomy)


@task(name="render-report", cache_policy=NO_CACHE, retries=1)
def report(db: Path, out_dir: Path) -> Path:
    from reports.render import render_report

    return render_report(db, out_dir).latest


@task(name="start-run-log", cache_policy=NO_CACHE)
def start_run_log(paths: WarehousePaths, run_id: str, taxonomy: Taxonomy) -> datetime:
    return _on_raw_store(paths, pipeline.start_run, run_id, "nightly", taxonomy)


@task(name="finish-run-log", cache_policy=NO_CACHE)
def finish_run_log(paths: WarehousePaths, run_id: str, *facts: Any) -> None:
    _on_raw_store(paths, pipeline.finish_run, run_id, "nightly", *facts)


@task(name="fail-run-log", cache_policy=NO_CACHE)
def fail_run_log(paths: WarehousePaths, run_id: str, *facts: Any) -> None:
    _on_raw_store(paths, pipeline.fail_run, run_id, "nightly", *facts)


def _outcome(future: PrefectFuture, source: SourceConfig) -> pipeline.SourceOutcome:
    result = future.result(raise_on_failure=False)
    if isinstance(result, pipeline.SourceOutcome):
        return result
    if isinstance(result, SourceFailed):
        return result.outcome
    return pipeline.SourceOutcome(
        source.kind, source.board, "failed", error=f"{source.kind}/{source.board}: {result}"
    )


class _PipelineRecordsToRunLog(APILogHandler):
    """Prefect's API log handler on the pipeline's own logger ("skillpulse"): a record lands in
    the log of the flow or task run that emits it, as Prefect's extra_loggers setting would
    put it (that setting is read only from a Prefect profile, or from a pyproject.toml in the
    working directory). Only the API: the console shows the record once, as before. Outside
    a run the record is left to the other handlers, without Prefect's missing-run warning."""

    def handleError(self, record: logging.LogRecord) -> None:
        if isinstance(sys.exc_info()[1], MissingContextError):
            return
        super().handleError(record)


def _send_pipeline_records_to_run_logs() -> None:
    # At import, so that every process running these tasks has it (a Dask worker imports this
    # module to unpickle them), and once per process however often it is imported.
    pipeline_logger = logging.getLogger("skillpulse")
    if not any(isinstance(h, _PipelineRecordsToRunLog) for h in pipeline_logger.handlers):
        pipeline_logger.addHandler(_PipelineRecordsToRunLog())


_send_pipeline_records_to_run_logs()


@flow(name="nightly", log_prints=True)
def nightly(
    config_path: str = "skillpulse.toml",
    taxonomy_path: str | None = None,
    refetch: bool = False,
) -> pipeline.RunSummary:
    """Collect the configured sources, then land, extract, build and report what succeeded.

    refetch=True ignores today's cached collections and fetches every source again.
    """
    logger = get_run_logger()
    started = time.perf_counter()
    config = load_config(Path(config_path))
    paths = WarehousePaths.for_db(config.storage.db)
    paths.ensure_dirs()
    taxonomy = load_taxonomy(Path(taxonomy_path) if taxonomy_path else None)
    run_id = pipeline.new_run_id("nightly")
    with RunLock(paths.lock):
        started_at = start_run_log(paths, run_id, taxonomy)
        try:
            summary = _collect_to_report(
                config, paths, taxonomy, taxonomy_path, run_id, started_at, refetch
            )
        except Exception as exc:
            fail_run_log(paths, run_id, started_at, taxonomy, exc)
            raise
    summary.seconds = time.perf_counter() - started
    create_markdown_artifact(
        markdown=pipeline.summary_markdown(summary, pipeline.top_movers(paths.db)),
        key="skillpulse-nightly-summary",
        description=f"skillpulse nightly run {run_id}",
    )
    for line in summary.lines():
        logger.info(line)
    if summary.failed:
        raise SourcesFailed(summary)
    return summary


def _collect_to_report(
    config: Config,
    paths: WarehousePaths,
    taxonomy: Taxonomy,
    taxonomy_path: str | None,
    run_id: str,
    started_at: datetime,
    refetch: bool,
) -> pipeline.RunSummary:
    """The steps of one run, in order; the caller holds the lock and keeps the run log."""
    logger = get_run_logger()
    collect_task = collect.with_options(refresh_cache=True) if refetch else collect
    futures = _submit_collects_with(
        collect_task, config.sources, config.http, paths.db.parent / "http_cache.sqlite"
    )
    outcomes = []
    with step("collecting sources", len(futures)) as progress:
        for future, source in zip(futures, config.sources, strict=True):
            outcomes.append(_outcome(future, source))
            progress(len(outcomes), len(futures))
    for outcome in outcomes:
        if outcome.status == "failed":
            logger.error("source failed: %s", outcome.error)
        else:
            logger.info("collected %s: %d postings", outcome.label, len(outcome.parsed.postings))
    landed = land(paths, run_id, outcomes)
    batches = find_pending(paths, taxonomy.version)
    extracting = [extract_batch.submit(batch, taxonomy_path) for batch in batches]
    mentions_per_batch = []
    with step("extracting skills", len(batches)) as progress:
        for future in extracting:
            mentions_per_batch.append(future.result())
            progress(len(mentions_per_batch), len(batches))
    extracted = land_extractions(paths, taxonomy.version, mentions_per_batch)
    finish_run_log(paths, run_id, started_at, taxonomy, outcomes, landed, extracted)
    with step("building the warehouse"):
        build(paths, run_id, taxonomy_path)
    latest = report(paths.db, config.storage.reports.resolve())
    total, top = pipeline.top_skills(paths.db)
    return pipeline.RunSummary(
        run_id=run_id,
        command="nightly",
        db=paths.db,
        report=latest,
        postings_landed=landed,
        postings_extracted=extracted,
        outcomes=outcomes,
        top_skills=top,
        total_postings=total,
        seconds=0.0,
    )


def _submit_collects_with(
    collect_task: Any, config_sources: list[SourceConfig], http: HttpSettings, cache_path: Path
) -> list[PrefectFuture]:
    """One task per source, in parallel across hosts and one after another within a host."""
    last_on_host: dict[str, PrefectFuture] = {}
    futures = []
    for source in config_sources:
        host = pipeline.source_host(source)
        previous = last_on_host.get(host)
        future = collect_task.submit(
            source,
            http,
            cache_path=cache_path,
            pause_s=http.min_delay_s if previous else 0.0,
            wait_for=[previous] if previous else None,
        )
        last_on_host[host] = future
        futures.append(future)
    return futures
