"""Extraction alone: the denominator of the ingest ratio ("ingest at most 2× extraction alone").

Run in its own process, after an ingest, on the texts that ingest extracted: every distinct text
of its raw store, read into memory before the clock starts. Timed: starting the same worker pool
the ingest starts (spawned processes, one extractor each) and extracting every text in the
batches the ingest uses, the plain results coming back to this process and being dropped.
Nothing else runs: no parsing, landing, mention rows or DuckDB writes. So it is the least an
ingest could take to extract those texts on this machine, and the ratio against it is the
strictest one available. (Until the sixth session the ratio divided by the ingest's own extract
stage, which also held the parent's landing of mentions.)

    python -m benchmarks.extraction_alone --raw RAW.duckdb --taxonomy DIR --processes 2
prints one JSON object: texts, processes, seconds (start-up included).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from extractors.skills.pool import ExtractorPool
from extractors.skills.taxonomy import load_taxonomy
from skillpulse.extraction import EXTRACT_BATCH


def stored_texts(raw: Path) -> list[tuple[str, str]]:
    """Every distinct (content_hash, text) of a raw store, in the order the ingest landed them."""
    con = duckdb.connect(str(raw), read_only=True)
    try:
        return con.execute(
            """
            select content_hash, any_value(text order by rowid) as text
            from raw_postings group by content_hash order by min(rowid)
            """
        ).fetchall()
    finally:
        con.close()


def measure(texts: list[tuple[str, str]], taxonomy: Path | None, processes: int) -> dict:
    batches = [texts[i : i + EXTRACT_BATCH] for i in range(0, len(texts), EXTRACT_BATCH)]
    started = time.perf_counter()
    # Start-up (spawning the workers, each importing spaCy and building its extractor) is in
    # the time: the ingest pays it too. benchmarks/extraction.py reports it on its own.
    with ExtractorPool(load_taxonomy(taxonomy), processes) as pool:
        extracted = sum(len(chunk) for chunk in pool.map_chunks(batches))
    seconds = time.perf_counter() - started
    if extracted != len(texts):
        raise RuntimeError(f"the pool returned {extracted} extractions for {len(texts)} texts")
    return {"texts": len(texts), "processes": processes, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--taxonomy", type=Path, default=None)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    texts = stored_texts(args.raw)
    print(json.dumps(measure(texts, args.taxonomy, args.processes)))


if __name__ == "__main__":
    main()
