"""Extracting skills from stored texts not yet extracted with the current taxonomy."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from extractors.skills.taxonomy import Taxonomy, load_taxonomy
from skillpulse.progress import Update
from warehouse import raw_store

if TYPE_CHECKING:
    # spaCy costs ~2 s to import; a run with nothing pending to extract should not pay it.
    from extractors.skills.matcher import Extraction, SkillExtractor
    from extractors.skills.pool import PlainExtraction

EXTRACT_BATCH = 2000
Progress = Callable[[int, int], None]


PARALLEL_MIN_TEXTS = 10_000


def default_processes(pending: int) -> int:
    """Worker processes worth using for `pending` texts: min(2, CPUs) for a large batch, else 1."""
    import os

    return min(2, os.cpu_count() or 1) if pending >= PARALLEL_MIN_TEXTS else 1


def extract_pending(
    con: duckdb.DuckDBPyConnection,
    extractor: SkillExtractor | Taxonomy,
    batch_size: int = EXTRACT_BATCH,
    progress: Update | None = None,
    processes: int | None = 1,
) -> int:
    """Extract every stored text not yet extracted with this taxonomy; returns texts done.

    Texts stream from the raw store in batches (never all at once), and each batch's mentions
    land in one transaction. processes > 1 runs a persistent pool of worker processes that
    each build the extractor once (extractors.skills.pool); None picks default_processes.
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

    def landed(batch: list[tuple[str, str]], mentions: list[MentionRow]) -> None:
        nonlocal done
        done += land_extraction_batch(con, version, batch, mentions)
        if progress:
            progress(done, total)

    if processes > 1:
        from extractors.skills.pool import ExtractorPool

        with ExtractorPool(taxonomy, processes) as pool:
            submitted: deque[list[tuple[str, str]]] = deque()

            def chunks() -> Iterator[list[tuple[str, str]]]:
                for batch in batches:
                    submitted.append(batch)
                    yield batch

            for plain in pool.map_chunks(chunks()):
                landed(submitted.popleft(), plain_mention_rows(plain, version))
    else:
        if isinstance(extractor, Taxonomy):
            from extractors.skills.matcher import SkillExtractor

            extractor = SkillExtractor(taxonomy)
        for batch in batches:
            landed(batch, mention_rows(extractor.extract_many(batch), version))
    return done


MentionRow = tuple[str, str, str, int, int, str, str, str]


def plain_mention_rows(
    plains: Iterable[PlainExtraction], taxonomy_version: str
) -> list[MentionRow]:
    """mention_rows for the worker pool's plain tuples (doc_id, skills, mentions)."""
    return _unique_mention_rows(
        ((doc_id, *mention) for doc_id, _, mentions in plains for mention in mentions),
        taxonomy_version,
    )


def mention_rows(extractions: Iterable[Extraction], taxonomy_version: str) -> list[MentionRow]:
    """The rows raw_store.land_extractions takes (raw_store.MENTION_COLUMNS order): one per
    text × start_char × skill_id."""
    return _unique_mention_rows(
        (
            (e.doc_id, m.skill, m.start, m.end, m.text, m.section, m.rule)
            for e in extractions
            for m in e.mentions
        ),
        taxonomy_version,
    )


def _unique_mention_rows(
    mentions: Iterable[tuple[str, str, int, int, str, str, str]], taxonomy_version: str
) -> list[MentionRow]:
    # (content_hash, skill, start, end, surface, section, rule); the first of a key is kept.
    unique: dict[tuple[str, int, str], MentionRow] = {}
    for doc_id, skill, start, end, surface, section, rule in mentions:
        unique.setdefault(
            (doc_id, start, skill),
            (doc_id, taxonomy_version, skill, start, end, surface, section, rule),
        )
    return list(unique.values())


def pending_batches(
    con: duckdb.DuckDBPyConnection, taxonomy_version: str, batch_size: int = EXTRACT_BATCH
) -> list[list[tuple[str, str]]]:
    """Texts not yet extracted with this taxonomy version, as (content_hash, text) batches."""
    return list(raw_store.iter_pending_texts(con, taxonomy_version, batch_size))


@lru_cache(maxsize=4)
def cached_extractor(taxonomy_path: str | None) -> SkillExtractor:
    """One extractor per process and taxonomy file: building the matcher is the slow part."""
    from extractors.skills.matcher import SkillExtractor

    return SkillExtractor(load_taxonomy(Path(taxonomy_path) if taxonomy_path else None))


def extract_batch(batch: list[tuple[str, str]], taxonomy_path: str | None) -> list[MentionRow]:
    """Mention rows for one batch of (content_hash, text); pure, so it can run on any worker."""
    extractor = cached_extractor(taxonomy_path)
    return mention_rows(extractor.extract_many(batch), extractor.taxonomy.version)


def land_extraction_batch(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    batch: list[tuple[str, str]],
    mentions: list[MentionRow],
) -> int:
    raw_store.land_extractions(con, taxonomy_version, [h for h, _ in batch], mentions)
    return len(batch)
