"""Benchmark skill extraction against its floor, the spaCy tokenizer alone, on real postings.

Usage: python -m benchmarks.extraction [--input postings.jsonl] [--limit N] [--repeat R]
                                       [--processes P] [--write docs/BENCHMARKS.md]

Every variant sees the same texts. spaCy's tokenizer caches per vocabulary, so each variant is
warmed with one untimed pass first; otherwise whichever runs first pays for the cold cache and
the comparison is meaningless. The timed passes then run round-robin (variant A, B, C, A, B, C,
...) and the best of R is kept, so drifting load on a shared machine hits every variant alike.
Words are whitespace-split words of the input, the same count for every variant.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import spacy

from extractors.skills.matcher import SkillExtractor
from extractors.skills.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = REPO.parent / "shared" / "data" / "postings_real.jsonl"


def _best_interleaved(variants: list[tuple[str, Callable[[], object]]], repeat: int) -> list[float]:
    for _, run in variants:
        run()  # warm the tokenizer cache and the lexeme table
    best = [float("inf")] * len(variants)
    for _ in range(repeat):
        for index, (_, run) in enumerate(variants):
            started = time.perf_counter()
            run()
            best[index] = min(best[index], time.perf_counter() - started)
    return best


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure(texts: list[str], repeat: int, processes: int) -> list[tuple[str, float]]:
    items = [(str(i), t) for i, t in enumerate(texts)]
    plain = spacy.blank("en")
    extractor = SkillExtractor(load_taxonomy())
    variants: list[tuple[str, Callable[[], object]]] = [
        (
            "spaCy tokenizer alone (blank en, the floor)",
            lambda: sum(1 for _ in plain.tokenizer.pipe(texts, batch_size=256)),
        ),
        (
            "our tokenizer alone (blank en + special cases, infixes, zero-width splits)",
            lambda: sum(1 for _ in extractor.nlp.tokenizer.pipe(texts, batch_size=256)),
        ),
        (
            "SkillExtractor.extract_many (1 process)",
            lambda: sum(1 for _ in extractor.extract_many(items)),
        ),
    ]
    if processes > 1:
        variants.append(
            (
                f"SkillExtractor.extract_parallel ({processes} processes, fresh pool per call)",
                lambda: sum(1 for _ in extractor.extract_parallel(items, processes=processes)),
            )
        )
    return [
        (name, seconds)
        for (name, _), seconds in zip(variants, _best_interleaved(variants, repeat), strict=True)
    ]


def render(rows: list[tuple[str, float]], docs: int, words: int, source: Path) -> str:
    floor = rows[0][1]
    lines = [
        "## Extraction",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m benchmarks.extraction` on "
        f"{source.name}: {docs:,} postings, {words:,} words (whitespace-split).",
        f"Machine: {os.cpu_count()} CPUs (nproc), {_cpu_model()}; Python "
        f"{platform.python_version()}, spaCy {spacy.__version__}.",
        f"Load average at the end: {os.getloadavg()[0]:.1f} (the machine is shared; Pool(2) only "
        "pays when a core is free).",
        "Each variant warmed with one untimed pass; best of the round-robin timed passes shown.",
        "",
        "| variant | seconds | docs/s | words/s | vs tokenizer alone |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds in rows:
        lines.append(
            f"| {name} | {seconds:.2f} | {docs / seconds:,.0f} | {words / seconds:,.0f} | "
            f"{(seconds - floor) / floor:+.0%} |"
        )
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the "## Extraction" section of a shared file, keeping everyone else's sections."""
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    pattern = re.compile(r"^## Extraction\n.*?(?=^## |\Z)", re.S | re.M)
    new = (
        pattern.sub(lambda _: section + "\n", old)
        if pattern.search(old)
        else (old.rstrip("\n") + "\n\n" + section)
    )
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--limit", type=int, default=0, help="first N postings (0 = all)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--write", type=Path, help="update this markdown file's Extraction section")
    args = parser.parse_args()
    with args.input.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle if line.strip()]
    if args.limit:
        texts = texts[: args.limit]
    words = sum(len(t.split()) for t in texts)
    rows = measure(texts, args.repeat, args.processes)
    section = render(rows, len(texts), words, args.input)
    print(section)
    if args.write:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
