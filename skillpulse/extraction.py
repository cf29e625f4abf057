"""Extracting skills from stored texts not yet extracted with the current taxonomy."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from extractors.skills.taxonomy import Taxonomy, load_taxonomy, taxonomy_files
from extractors.workers import processes_worth
from skillpulse.progress import Update
from warehouse import raw_store

if TYPE_CHECKING:
    # spaCy costs ~2 s to import; a run with nothing pending to extract should not pay it.
    from extractors.skills.matcher import SkillExtractor
    from extractors.skills.mentions import MentionColumns
    from extractors.skills.pool import ExtractorPool

EXTRACT_BATCH = 2000
Progress = Callable[[int, int], None]

# Below this many pending texts a worker pool costs more to start than it saves: each spawned
# worker imports spaCy and builds its extractor (two workers first answer after 1.1-1.2 s on
# this machine), and the pool ships texts and mentions between processes, while one process
# extracts roughly 1,000-2,000 texts a second.
PARALLEL_MIN_TEXTS = 10_000


def default_processes(pending: int) -> int:
    """Worker processes worth using for `pending` texts: min(2, CPUs) for a large batch, else 1."""
    return processes_worth(pending, PARALLEL_MIN_TEXTS)


def extract_pending(
    con: duckdb.DuckDBPyConnection,
    extractor: SkillExtractor | Taxonomy,
    batch_size: int = EXTRACT_BATCH,
    progress: Update | None = None,
    processes: int | None = 1,
    pool: ExtractorPool | None = None,
) -> int:
    """Extract every stored text not yet extracted with this taxonomy; returns texts done.

    Texts stream from the raw store in batches (never all at once); their mentions land in
    transactions of about raw_store.ROWS_PER_COMMIT mentions (raw_store.GroupedCommits), each
    holding whole batches. processes > 1 runs a persistent pool of worker processes that
    each build the extractor once (extractors.skills.pool); None picks default_processes. A
    running `pool` given (WarmPool's) is used whatever `processes` says, and left running.
    Given a Taxonomy rather than an extractor, the extractor is built only if extraction runs
    in this process: a pool's workers build their own, and a run with nothing pending needs
    none (building one here is spaCy's import plus the matcher, about 2 s).
    """
    taxonomy = extractor if isinstance(extractor, Taxonomy) else extractor.taxonomy
    version = taxonomy.version
    total = raw_store.count_pending(con, version)
    if not total:
        return 0
    if processes is None:
        processes = default_processes(total)
    batches = raw_store.iter_pending_texts(con, version, batch_size)
    done = 0
    commits = raw_store.GroupedCommits(con)

    def landed(mentions: MentionColumns) -> None:
        nonlocal done
        # Every batch is read as pending (one snapshot, each text once) and landed once, under
        # the run lock: no text of it can be marked extracted already.
        done += land_extraction_batch(con, version, mentions, commits, known_new=True)
        if progress:
            progress(done, total)

    with commits, contextlib.ExitStack() as owned:
        if pool is None and processes > 1:
            from extractors.skills.pool import ExtractorPool

            pool = owned.enter_context(ExtractorPool(taxonomy, processes))
        if pool is not None:
            for returned, mentions in enumerate(pool.map_mention_chunks(batches)):
                if not returned:
                    # The rows landed before this (an ingest's load) may still be in the WAL,
                    # to be checkpointed at the first commit. Checkpointed now, it runs while
                    # the workers extract the batches already handed to them, not in this
                    # process alone (1.4 s at 100k postings). The reader of pending texts keeps
                    # its snapshot through it.
                    commits.checkpoint()
                landed(mentions)
            return done
        from extractors.skills.matcher import SkillExtractor, to_columns

        if isinstance(extractor, Taxonomy):
            extractor = SkillExtractor(taxonomy)
        for batch in batches:
            landed(to_columns(extractor.extract_many(batch), version))
    return done


class WarmPool:
    """The extraction pool of an ingest, started while its postings are still landing.

    A pool's start-up (each worker imports spaCy and builds its matcher, about 1 s) used to
    wait for the last posting to land. Told after each landed chunk how many postings were new or
    changed, this starts the pool as soon as the count so far, scaled to the whole input,
    calls for one (default_processes, or `processes` when a number is given), so the start-up
    runs beside the rest of the landing. Only the start-up: the workers extracting while
    postings land as well was slower at a million postings (docs/BENCHMARKS.md, item 32).
    A re-run that lands nothing new starts nothing.
    """

    def __init__(self, taxonomy: Taxonomy, processes: int | None = None) -> None:
        self.taxonomy = taxonomy
        self.processes = processes
        self.pool: ExtractorPool | None = None
        self.new_postings = 0

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def landed(self, counts: raw_store.LandCounts, share_read: float) -> None:
        """One chunk landed with these counts, `share_read` of the input read so far."""
        self.new_postings += counts.new + counts.changed
        if self.pool is None and (wanted := self.wanted_processes(share_read)) > 1:
            from extractors.skills.pool import ExtractorPool

            self.pool = ExtractorPool(self.taxonomy, wanted)

    def wanted_processes(self, share_read: float) -> int:
        """Worker processes the input will want, projected from what has landed so far."""
        if not self.new_postings:
            return 1
        if self.processes is not None:
            return self.processes
        return default_processes(round(self.new_postings / min(max(share_read, 1e-9), 1.0)))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def pending_batches(
    con: duckdb.DuckDBPyConnection, taxonomy_version: str, batch_size: int = EXTRACT_BATCH
) -> list[list[tuple[str, str]]]:
    """Texts not yet extracted with this taxonomy version, as (content_hash, text) batches."""
    return list(raw_store.iter_pending_texts(con, taxonomy_version, batch_size))


# One extractor per process, for the taxonomy as its files are now (see cached_extractor):
# the path asked for, the files read, their stamps, the extractor. The lock keeps threads
# (Prefect's task runner) from building one each.
_CACHED: tuple[str | None, list[Path], tuple[tuple[int, ...], ...], SkillExtractor] | None = None
_CACHED_LOCK = threading.Lock()


def cached_extractor(taxonomy_path: str | None) -> SkillExtractor:
    """This process's extractor for the taxonomy file as it is now. Building the matcher is the
    slow part, so the extractor is kept, and rebuilt only when the taxonomy file or its rules
    file changes (a long-lived process, such as a served flow, outlives edits to them): their
    inodes, sizes and modification times are checked on each call, which costs microseconds
    where loading the taxonomy again cost ~50 ms.
    """
    global _CACHED
    with _CACHED_LOCK:
        if _CACHED is not None:
            cached_path, files, stamps, extractor = _CACHED
            if cached_path == taxonomy_path and stamps == _stamps(files):
                return extractor
        from extractors.skills.matcher import SkillExtractor

        source = Path(taxonomy_path) if taxonomy_path else None
        # Stamped before reading: an edit made while loading shows as a change next time.
        files = taxonomy_files(source)
        stamps = _stamps(files)
        extractor = SkillExtractor(load_taxonomy(source))
        _CACHED = (taxonomy_path, files, stamps, extractor)
        return extractor


def _stamps(files: list[Path]) -> tuple[tuple[int, ...], ...]:
    """Each file's inode, modification time and size; () for one that is gone (then loading
    it raises, naming it)."""
    stamps: list[tuple[int, ...]] = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            stamps.append(())
        else:
            stamps.append((stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def extract_batch(batch: list[tuple[str, str]], taxonomy_path: str | None) -> MentionColumns:
    """The mentions of one batch of (content_hash, text); pure, so it can run on any worker."""
    from extractors.skills.matcher import to_columns

    extractor = cached_extractor(taxonomy_path)
    return to_columns(extractor.extract_many(batch), extractor.taxonomy.version)


def land_extraction_batch(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    mentions: MentionColumns,
    commits: raw_store.GroupedCommits | None = None,
    known_new: bool = False,
) -> int:
    """Land one batch's mentions and mark its texts extracted; returns the texts.
    `known_new` as raw_store.land_extractions takes it."""
    raw_store.land_extractions(
        con, taxonomy_version, mentions, commits=commits, known_new=known_new
    )
    return len(mentions.doc_ids)
