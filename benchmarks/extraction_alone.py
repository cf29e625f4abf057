"""Extraction alone: the denominator of the ingest ratio ("ingest at most 2× extraction alone").

Run in its own process, after an ingest, on the texts that ingest extracted: every distinct text
of its raw store, read into memory before the clock starts. Timed: starting the same worker pool
the ingest starts for that many texts (spawned processes, one extractor each, as many as
skillpulse.extraction.default_processes picks) and extracting every text in the batches the
ingest reads, each chunk's mentions coming back to this process column by column, as the
ingest's do, and being dropped. Nothing else runs: no parsing, landing or DuckDB writes. So it
is the least an ingest could take to extract those texts on this machine, and the ratio
against it is the strictest one available. (Until the sixth session the ratio divided by the
ingest's own extract stage, which also held the parent's landing of mentions.)

    python -m benchmarks.extraction_alone --raw RAW.duckdb --taxonomy TAXONOMY.toml
prints one JSON object: texts, processes, seconds (start-up included).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

# Nothing else at the top: the pool's spawned workers re-import this module (it is __main__),
# and the ingest's workers re-import nothing heavier than skillpulse/__main__.py. With DuckDB
# and the pipeline imported here, each worker's start-up, which the time includes, paid for
# them, flattering the ratio.

# No run extracts with this version, so every stored text is pending for it: the ingest's own
# reader (raw_store.iter_pending_texts) then yields every distinct text, in its batches.
NO_VERSION = "benchmarks.extraction_alone: a version no run uses"


def stored_batches(raw: Path) -> list[list[tuple[str, str]]]:
    """Every distinct (content_hash, text) of a raw store, in the batches the ingest reads."""
    import duckdb

    from skillpulse.extraction import EXTRACT_BATCH
    from warehouse import raw_store

    con = duckdb.connect(str(raw), read_only=True)
    try:
        return list(raw_store.iter_pending_texts(con, NO_VERSION, EXTRACT_BATCH))
    finally:
        con.close()


def measure(batches: list[list[tuple[str, str]]], taxonomy: Path | None) -> dict:
    """Start the pool the ingest would start for these texts and extract them all."""
    from extractors.skills.pool import ExtractorPool
    from extractors.skills.taxonomy import load_taxonomy
    from skillpulse.extraction import default_processes

    texts = sum(len(batch) for batch in batches)
    processes = default_processes(texts)
    started = time.perf_counter()
    # Start-up (spawning the workers, each importing spaCy and building its extractor) is in
    # the time: the ingest pays it too. benchmarks/extraction.py reports it on its own.
    with ExtractorPool(load_taxonomy(taxonomy), processes) as pool:
        # The chunks' mentions come back as an ingest's do, column by column.
        extracted = sum(len(chunk.doc_ids) for chunk in pool.map_mention_chunks(batches))
    seconds = time.perf_counter() - started
    if extracted != texts:
        raise RuntimeError(f"the pool returned {extracted} extractions for {texts} texts")
    return {"texts": texts, "processes": processes, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--taxonomy", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(measure(stored_batches(args.raw), args.taxonomy)))


if __name__ == "__main__":
    main()
