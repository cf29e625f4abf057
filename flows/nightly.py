"""The nightly flow: collect every source in parallel → land → extract → build → report."""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.skills.matcher import SkillExtractor
from extractors.skills.taxonomy import load_taxonomy
from skillpulse import pipeline
from skillpulse.config import load_config
from warehouse import raw_store
from warehouse.lock import RunLock
from warehouse.paths import WarehousePaths

collect_source = task(name="collect-source", cache_policy=NO_CACHE)(pipeline.collect_source)


class SourcesFailed(RuntimeError):
    """Some sources failed; what succeeded was still landed, built and reported."""

    def __init__(self, summary: pipeline.RunSummary) -> None:
        failed = "; ".join(o.error or o.label for o in summary.failed)
        super().__init__(f"{len(summary.failed)} source(s) failed: {failed}")
        self.summary = summary


@task(name="land", cache_policy=NO_CACHE)
def land(paths: WarehousePaths, run_id: str, outcomes: list[pipeline.SourceOutcome]) -> int:
    con = raw_store.open_raw(paths.raw)
    try:
        return sum(pipeline.land_outcome(con, run_id, outcome) for outcome in outcomes)
    finally:
        con.close()


@task(name="extract", cache_policy=NO_CACHE)
def extract(paths: WarehousePaths, taxonomy_path: Path | None) -> int:
    extractor = SkillExtractor(load_taxonomy(taxonomy_path))
    con = raw_store.open_raw(paths.raw)
    try:
        return pipeline.extract_pending(con, extractor)
    finally:
        con.close()


@task(name="build-warehouse", cache_policy=NO_CACHE)
def build(paths: WarehousePaths, run_id: str, taxonomy_path: Path | None) -> None:
    pipeline.build(paths, run_id, load_taxonomy(taxonomy_path))


@task(name="render-report", cache_policy=NO_CACHE)
def report(db: Path, out_dir: Path) -> Path:
    from reports.render import render_report

    return render_report(db, out_dir).latest


@flow(name="nightly", log_prints=True)
def nightly(config_path: str, taxonomy_path: str | None = None) -> pipeline.RunSummary:
    """Collect the configured sources, then land, extract, build and report what succeeded."""
    logger = get_run_logger()
    started = time.perf_counter()
    config = load_config(Path(config_path))
    paths = WarehousePaths.for_db(config.storage.db)
    taxonomy_file = Path(taxonomy_path) if taxonomy_path else None
    run_id = pipeline.new_run_id("nightly")
    with RunLock(paths.lock):
        futures = [collect_source.submit(source, config.http) for source in config.sources]
        outcomes = [future.result() for future in futures]
        for outcome in outcomes:
            if outcome.status == "failed":
                logger.error("source failed: %s", outcome.error)
            else:
                logger.info(
                    "collected %s: %d postings", outcome.label, len(outcome.parsed.postings)
                )
        landed = land(paths, run_id, outcomes)
        extracted = extract(paths, taxonomy_file)
        build(paths, run_id, taxonomy_file)
        latest = report(paths.db, config.storage.reports.resolve())
    total, top = pipeline.top_skills(paths.db)
    summary = pipeline.RunSummary(
        run_id=run_id,
        command="nightly",
        db=paths.db,
        report=latest,
        postings_landed=landed,
        postings_extracted=extracted,
        outcomes=outcomes,
        top_skills=top,
        total_postings=total,
        seconds=time.perf_counter() - started,
    )
    for line in summary.lines():
        logger.info(line)
    if summary.failed:
        raise SourcesFailed(summary)
    return summary
