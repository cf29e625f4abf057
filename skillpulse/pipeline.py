"""The pipeline's steps as plain functions: collect, land, extract, build, log, summarise.

Prefect flows (flows/) and the CLI call these through this one module; nothing here imports
Prefect, so every step is tested on its own. Each step that writes takes the raw store
connection and is idempotent. The steps live in one module per concern:
collect, landing, extraction, building, runlog and summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skillpulse.building import (  # noqa: F401
    StaleExtractions,
    build,
    taxonomy_seeds,
)
from skillpulse.extraction import (  # noqa: F401
    EXTRACT_BATCH,
    PARALLEL_MIN_TEXTS,
    WarmPool,
    cached_extractor,
    default_processes,
    extract_batch,
    extract_pending,
    land_extraction_batch,
    pending_batches,
)
from skillpulse.landing import (  # noqa: F401
    ingest_jsonl,
    land_outcome,
    source_run_row,
)
from skillpulse.outcome import SourceOutcome  # noqa: F401
from skillpulse.runlog import (  # noqa: F401
    fail_run,
    finish_run,
    new_run_id,
    start_run,
)
from skillpulse.summary import (  # noqa: F401
    RunSummary,
    summary_markdown,
    top_movers,
    top_skills,
)

# Collecting's steps resolve on first use: skillpulse.collect imports the HTTP stack
# (requests, urllib3), which landing a file and building never need (docs/BENCHMARKS.md item 61).
if TYPE_CHECKING:
    from skillpulse.collect import collect_source, is_transient, source_host  # noqa: F401

_COLLECTING = frozenset({"collect_source", "is_transient", "source_host"})


def __getattr__(name: str) -> object:
    if name in _COLLECTING:
        from skillpulse import collect

        return getattr(collect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
