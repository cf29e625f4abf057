"""Skill extraction in worker processes, importable without spaCy.

The process that drives a pool only hands texts out and plain data back (tuples, or a chunk's
mentions as MentionColumns); each worker builds its own SkillExtractor. Keeping this module
free of spaCy (matcher.py is imported only inside the workers and when a caller asks for
Extraction objects) spares the driving process spaCy's import and a matcher it would never
use: about 2 s of every run that extracts in a pool.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from extractors.skills.mentions import MentionColumns
from extractors.skills.taxonomy import Taxonomy
from extractors.workers import started_executor, stop_now, wait_until_started

if TYPE_CHECKING:
    from extractors.skills.matcher import Extraction, SkillExtractor

# What a worker process sends back: plain tuples pickle far cheaper than Docs or dataclasses.
PlainMention = tuple[str, int, int, str, str, str]
PlainExtraction = tuple[str, tuple[str, ...], tuple[PlainMention, ...]]


ChunkResult = TypeVar("ChunkResult")  # what a worker task returns per chunk


class WorkerDied(RuntimeError):
    """An extraction worker process ended mid-run (killed for memory, say). The chunks it had
    are lost, so nothing of them was returned; a caller keeps what it landed (extract_pending
    commits its open group when this is raised) and a re-run extracts the rest."""


def chunked(items: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# CPU priority below the process that feeds the workers and lands what they return (os.nice),
# and below the parsing workers (skillpulse.parsing.PARSING_NICENESS): a pool started while
# postings land (skillpulse.extraction.WarmPool) then builds its extractors on the CPU time
# the landing and the parsing leave, instead of slowing the load. Once extraction runs, the
# feeder needs a fifth of a core and the workers share the rest.
EXTRACTION_NICENESS = 12


class ExtractorPool:
    """Worker processes that each build one SkillExtractor at start and then extract chunk after
    chunk for as long as the pool lives, returning plain tuples (map_chunks) or each chunk's
    mentions column by column (map_mention_chunks, what an ingest lands).

    `SkillExtractor.extract_parallel` pays for starting processes and building extractors on
    every call, which is why it bought only 1.1–1.5×; a pool kept across a whole run's batches
    pays that once. Chunks are submitted from the calling thread, at most `window` ahead of the
    one being consumed, so a caller can read its input from a database connection between
    chunks (nothing else touches the connection) and memory stays bounded however long the
    input is.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        processes: int = 2,
        chunk_size: int = 250,
        batch_size: int = 256,
        window: int | None = None,
    ) -> None:
        self.processes = max(1, processes)
        self.chunk_size = chunk_size
        self.window = window or 2 * self.processes + 2
        # Spawned and started at once (extractors.workers): a pool started early
        # (skillpulse.extraction.WarmPool) builds its extractors before the first chunk.
        self._executor = started_executor(
            self.processes,
            initializer=init_worker,
            initargs=(taxonomy, batch_size),
            niceness=EXTRACTION_NICENESS,
        )

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers now, busy or not: nobody will read what they are working on."""
        stop_now(self._executor)

    def wait_until_started(self, timeout_s: float = 120.0) -> set[int]:
        """Block until every worker has built its extractor; returns the workers' pids. For
        timing a started pool (benchmarks/extraction.py): the pipeline never waits for this."""
        return wait_until_started(self._executor, self.processes, timeout_s)

    def map_chunks(
        self, chunks: Iterable[list[tuple[str, str]]]
    ) -> Iterator[list[PlainExtraction]]:
        """Plain extractions per chunk, in input order; input chunks are consumed lazily.
        Raises WorkerDied when a worker process ends before returning its chunk."""
        return self._map(extract_chunk, chunks)

    def map_mention_chunks(
        self, chunks: Iterable[list[tuple[str, str]]]
    ) -> Iterator[MentionColumns]:
        """Each chunk's mentions, column by column (what an ingest lands), as map_chunks."""
        return self._map(extract_chunk_mentions, chunks)

    def _map(
        self,
        task: Callable[[list[tuple[str, str]]], ChunkResult],
        chunks: Iterable[list[tuple[str, str]]],
    ) -> Iterator[ChunkResult]:
        in_flight: deque[Future[ChunkResult]] = deque()
        try:
            for chunk in chunks:
                in_flight.append(self._executor.submit(task, chunk))
                if len(in_flight) >= self.window:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()
        except BrokenProcessPool as exc:
            raise WorkerDied(
                "an extraction worker process died before returning its texts; the texts whose "
                "mentions were not landed stay pending for the next run"
            ) from exc

    def extract_plain(self, items: Iterable[tuple[str, str]]) -> Iterator[PlainExtraction]:
        for plain_chunk in self.map_chunks(chunked(items, self.chunk_size)):
            yield from plain_chunk

    def extract(self, items: Iterable[tuple[str, str]]) -> Iterator[Extraction]:
        """Like SkillExtractor.extract_many, in the pool's processes; output keeps input order."""
        from extractors.skills.matcher import from_plain

        for plain in self.extract_plain(items):
            yield from_plain(plain)


_WORKER: SkillExtractor | None = None
_WORKER_BATCH = 256


def init_worker(taxonomy: Taxonomy, batch_size: int) -> None:
    """Pool initializer: build this worker process's extractor once."""
    from extractors.skills.matcher import SkillExtractor

    global _WORKER, _WORKER_BATCH
    _WORKER = SkillExtractor(taxonomy)
    _WORKER_BATCH = batch_size


def extract_chunk(chunk: list[tuple[str, str]]) -> list[PlainExtraction]:
    from extractors.skills.matcher import to_plain

    assert _WORKER is not None, "worker used before init_worker"
    return [to_plain(e) for e in _WORKER.extract_many(chunk, batch_size=_WORKER_BATCH)]


def extract_chunk_mentions(chunk: list[tuple[str, str]]) -> MentionColumns:
    from extractors.skills.matcher import to_columns

    assert _WORKER is not None, "worker used before init_worker"
    return to_columns(
        _WORKER.extract_many(chunk, batch_size=_WORKER_BATCH), _WORKER.taxonomy.version
    )
