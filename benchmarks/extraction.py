"""Extraction throughput against its floor (spaCy's tokenizer) and the quick-script alternatives.

Variants, all over the same texts:
  - spaCy blank("en") tokenizer alone: the floor for any spaCy pipeline, as spaCy ships it;
  - the same blank tokenizer with our cache size (matcher.TOKENIZER_CACHE_CHUNKS), the base
    the third session stated matching against, kept so its figures stay comparable;
  - our tokenizer alone: exactly the one the extractor runs (blank en with our cache, special
    cases, prefixes, infixes, and lexemes with only the attributes the extractor reads). What
    extraction costs beyond it is what matching adds to tokenizing;
  - SkillExtractor.extract_many in this process;
  - ExtractorPool with 1 and 2 worker processes (started before each pass, untimed; the start
    cost is reported separately);
  - pyahocorasick and flashtext keyword lookup over the same aliases (what a quick script does:
    no context rules, no sections, no URL filtering).
Every timed pass starts cold: each variant's tokenizer, extractor or worker pool is built
afresh before the pass (untimed; the pools' start-up is reported apart) and sees every text for
the first time, as an ingest does. Warm repeated passes over one small corpus flattered
whichever variant had seen all of it: with our tokenizer cache (matcher.TOKENIZER_CACHE_CHUNKS)
the in-process extractor had every chunk of the corpus cached after one warm-up pass, while
each of two pool workers had seen only half (its passes ran 4.6, 3.8, 2.4 s while warming).
The timed passes run round-robin so drifting load hits every variant alike. Medians are shown.
Words are whitespace-split words of the input, the same count for every variant.

Usage: python -m benchmarks.extraction [--input postings.jsonl] [--limit N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.language import Language

from benchmarks.common import REAL_CORPUS, Prepare, Prepared, interleaved, load, read_texts
from extractors.skills.matcher import (
    TOKENIZER_CACHE_CHUNKS,
    SkillExtractor,
    build_pipeline,
    lexeme_attributes,
)
from extractors.skills.pool import ExtractorPool
from extractors.skills.taxonomy import Taxonomy, load_taxonomy

TOKENIZER = "spaCy tokenizer alone (blank en as shipped, the floor)"
CACHED_TOKENIZER = (
    f"spaCy tokenizer alone, blank en with our cache ({TOKENIZER_CACHE_CHUNKS:,} chunks)"
)
OUR_TOKENIZER = "our tokenizer alone (the extractor's: cache, special cases, infixes, attributes)"
IN_PROCESS = "SkillExtractor.extract_many, in-process"
POOL1 = "ExtractorPool, 1 worker process"
POOL2 = "ExtractorPool, 2 worker processes"
AHO = "pyahocorasick keyword lookup (no rules)"
FLASH = "flashtext keyword lookup (no rules)"


def _surface_forms(taxonomy: Taxonomy) -> dict[str, str]:
    forms: dict[str, str] = {}
    for skill in taxonomy.skills.values():
        for alias in (*skill.aliases, *skill.case_sensitive):
            forms.setdefault(alias.lower(), skill.id)
    return forms


def aho_extractor(taxonomy: Taxonomy):  # type: ignore[no-untyped-def]
    """Word-boundary Aho–Corasick, leftmost-longest (design note extraction.md §2.5, row f)."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for form, skill in _surface_forms(taxonomy).items():
        automaton.add_word(form, (skill, len(form)))
    automaton.make_automaton()

    def word(ch: str) -> bool:
        return ch.isalnum() or ch == "_"

    def extract(text: str) -> set[str]:
        low = text.lower()
        n = len(low)
        candidates = []
        for end, (skill, length) in automaton.iter(low):
            start = end - length + 1
            if (start == 0 or not word(low[start - 1])) and (
                end + 1 == n or not word(low[end + 1])
            ):
                candidates.append((start, -length, end, skill))
        candidates.sort()
        found, last = set(), -1
        for start, _, end, skill in candidates:
            if start > last:
                found.add(skill)
                last = end
        return found

    return extract


def flashtext_extractor(taxonomy: Taxonomy):  # type: ignore[no-untyped-def]
    from flashtext import KeywordProcessor

    processor = KeywordProcessor(case_sensitive=False)
    for form, skill in _surface_forms(taxonomy).items():
        processor.add_keyword(form, skill)
    return lambda text: set(processor.extract_keywords(text))


def measure(
    texts: list[str],
    repeat: int,
    variants: tuple[str, ...] = (
        TOKENIZER,
        CACHED_TOKENIZER,
        OUR_TOKENIZER,
        IN_PROCESS,
        POOL1,
        POOL2,
        AHO,
        FLASH,
    ),
) -> dict[str, object]:
    taxonomy = load_taxonomy()
    items = [(str(i), t) for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    start_costs: dict[str, list[float]] = {}

    def nothing() -> None:
        return None

    def tokenizing(nlp: Language) -> Prepared:
        return (lambda: sum(1 for _ in nlp.tokenizer.pipe(texts, batch_size=256))), nothing

    def tokenizer(
        cache_chunks: int | None,
    ) -> Prepare:
        def prepare() -> Prepared:
            nlp = spacy.blank("en")
            if cache_chunks is not None:
                nlp.tokenizer.max_cache_size = cache_chunks
            return tokenizing(nlp)

        return prepare

    def our_tokenizer() -> Prepared:
        return tokenizing(build_pipeline(lexeme_attributes(taxonomy)))

    def in_process() -> Prepared:
        extractor = SkillExtractor(taxonomy)
        return (lambda: sum(1 for _ in extractor.extract_many(items))), nothing

    def pool(name: str, processes: int) -> Prepare:
        def prepare() -> Prepared:
            tick = time.perf_counter()
            started = ExtractorPool(taxonomy, processes)
            # Workers build their extractor in the initializer, and start-up stays untimed
            # only once every one has. Until the twenty-first session this was one tiny chunk
            # per worker, which the first worker up could take both of: in six probes the
            # second worker was ready 0.00-0.10 s into the timed pass (item 62).
            started.wait_until_started()
            start_costs.setdefault(name, []).append(time.perf_counter() - tick)
            return (lambda: sum(1 for _ in started.extract_plain(items))), started.close

        return prepare

    def keyword(
        build: Callable[[Taxonomy], Callable[[str], set[str]]],
    ) -> Prepare:
        def prepare() -> Prepared:
            find = build(taxonomy)
            return (lambda: sum(len(find(t)) for t in texts)), nothing

        return prepare

    table = {
        TOKENIZER: tokenizer(None),
        CACHED_TOKENIZER: tokenizer(TOKENIZER_CACHE_CHUNKS),
        OUR_TOKENIZER: our_tokenizer,
        IN_PROCESS: in_process,
        POOL1: pool(POOL1, 1),
        POOL2: pool(POOL2, 2),
        AHO: keyword(aho_extractor),
        FLASH: keyword(flashtext_extractor),
    }
    timed = interleaved([(n, table[n]) for n in variants], repeat)
    return {
        "docs": len(texts),
        "words": words,
        "repeat": repeat,
        "cold": True,
        "load_end": load(),
        "pool_start_s": {name: statistics.median(s) for name, s in start_costs.items()},
        "rows": {name: {"seconds": t.seconds, "loads": t.loads} for name, t in timed.items()},
    }


def render(label: str, result: dict) -> str:
    rows = result["rows"]
    docs, words = result["docs"], result["words"]
    med = {name: statistics.median(r["seconds"]) for name, r in rows.items()}
    floor = med.get(TOKENIZER)
    lines = [
        f"**{label}**: {docs:,} postings, {words:,} words; median of {result['repeat']} "
        f"round-robin pass(es), each from a cold start (fresh tokenizer cache for every variant); "
        f"load average during the timed passes {min(min(r['loads']) for r in rows.values()):.1f}–"
        f"{max(max(r['loads']) for r in rows.values()):.1f}.",
        "",
        "| variant | seconds (median) | docs/s | words/s | vs spaCy tokenizer alone |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds in med.items():
        versus = f"{(seconds - floor) / floor:+.0%}" if floor else "—"
        lines.append(
            f"| {name} | {seconds:.2f} | {docs / seconds:,.0f} | {words / seconds:,.0f} | {versus} |"
        )
    if IN_PROCESS in med and POOL2 in med:
        base = med[IN_PROCESS]
        parts = [f"2 workers vs in-process: **{base / med[POOL2]:.2f}×**"]
        if POOL1 in med:
            parts.append(f"2 workers vs 1 worker: {med[POOL1] / med[POOL2]:.2f}×")
        starts = result.get("pool_start_s", {})
        if starts:
            parts.append(
                "pool start-up (processes + one extractor per worker), not in the timings: "
                + ", ".join(f"{n.split(', ')[1]} {s:.1f} s" for n, s in starts.items())
            )
        lines += ["", "; ".join(parts) + "."]
    if floor and IN_PROCESS in med:
        extraction = med[IN_PROCESS]
        parts = []
        if OUR_TOKENIZER in med:
            ours = med[OUR_TOKENIZER]
            parts.append(
                f"**what matching adds over tokenizing** (extraction vs the very tokenizer it "
                f"runs, alone): **{(extraction - ours) / ours:+.0%}**"
            )
        if CACHED_TOKENIZER in med:
            same = med[CACHED_TOKENIZER]
            parts.append(
                f"vs spaCy's blank tokenizer with our cache size: {(extraction - same) / same:+.0%}"
            )
        parts.append(f"vs spaCy's tokenizer as shipped: {(extraction - floor) / floor:+.0%}")
        lines += ["", "In-process extraction, " + "; ".join(parts) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=REAL_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="first N postings (0 = all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = read_texts(args.input, args.limit or None)
    print(render(args.input.name, measure(texts, args.repeat)))


if __name__ == "__main__":
    main()
