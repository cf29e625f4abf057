"""The benchmark code that turns timings into the published figures (docs/BENCHMARKS.md): the
ratios against the targets, the round-robin order of timed passes, and the rewrite of the
generated section. Literal inputs, exact text out; nothing here is timed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from benchmarks import extraction, ingest
from benchmarks.common import Prepared, interleaved
from benchmarks.run import END, START, render, write_doc


def _run(seconds: float, stages: dict[str, float], loads: tuple[float, float]) -> dict[str, object]:
    return {
        "seconds": seconds,
        "rc": 0,
        "stages": stages,
        "peak_tree_pss_mb": 1009.4,
        "peak_tree_rss_sum_mb": 1187.6,
        "peak_child_rss_mb": 999.0,
        "sampler_cpu_s": 0.84,
        "raw_mb": 156.6,
        "warehouse_mb": 245.2,
        "load": list(loads),
    }


def test_ingest_report_divides_the_first_run_by_extraction_alone() -> None:
    first = _run(39.8, {"parse": 3.7, "load": 5.8, "extract": 19.1, "build": 10.1}, (1.9, 2.3))
    second = _run(7.1, {"parse": 0.9, "load": 3.1, "extract": 0.0, "build": 2.2}, (2.3, 2.3))
    alone = {"texts": 96_829, "processes": 2, "seconds": 16.2}
    report = ingest.render({"synthetic 100k": {"runs": [first, second], "extraction_alone": alone}})
    rows = [line for line in report.splitlines() if line.startswith("| synthetic 100k")]
    # "other" is the wall time outside the four stages: 39.8 - 38.7 and 7.1 - 6.2.
    assert rows == [
        "| synthetic 100k | first | 39.8 | 3.7 | 5.8 | 19.1 | 10.1 | 1.1 | 1,009 | 1,188 | 999 "
        "| 0.8 | 157 | 245 | 1.9→2.3 |",
        "| synthetic 100k | re-run, same input | 7.1 | 0.9 | 3.1 | 0.0 | 2.2 | 0.9 | 1,009 "
        "| 1,188 | 999 | 0.8 | 157 | 245 | 2.3→2.3 |",
    ]
    assert (
        "- synthetic 100k: **ingest / extraction alone = 2.46×** (39.8 s; extraction alone "
        "16.2 s for 96,829 texts in 2 worker process(es), start-up included); "
        "**re-run / first run = 18%** (7.1 s)."
    ) in report.splitlines()


def test_ingest_report_marks_what_an_older_result_did_not_record() -> None:
    older = {
        key: value
        for key, value in _run(9.0, {"parse": 1.0, "extract": 5.0}, (1.0, 1.2)).items()
        if key not in ("peak_tree_pss_mb", "peak_tree_rss_sum_mb", "sampler_cpu_s")
    }
    older["peak_tree_rss_mb"] = 579.0  # the key the tree's PSS was kept under until then
    report = ingest.render({"real": {"runs": [older]}})
    assert (
        "| real | first | 9.0 | 1.0 | 0.0 | 5.0 | 0.0 | 3.0 | 579 | — | 999 | — | 157 | 245 | 1.0→1.2 |"
        in (report.splitlines())
    )


def test_ingest_report_states_the_median_ratio_of_several_pairs_and_each_pair() -> None:
    first = _run(40.0, {"parse": 3.0, "load": 6.0, "extract": 19.0, "build": 10.0}, (1.0, 1.0))
    second = _run(8.0, {"parse": 1.0, "load": 3.0, "extract": 0.0, "build": 3.0}, (1.0, 1.0))
    pairs = [
        {"first_seconds": 44.0, "alone_seconds": 20.0},  # 2.20x
        {"first_seconds": 51.0, "alone_seconds": 17.0},  # 3.00x: a slow stretch, outvoted
        {"first_seconds": 40.0, "alone_seconds": 19.0},  # 2.11x, the last pair's
    ]
    alone = {"texts": 96_829, "processes": 2, "seconds": 19.0}
    result = {"runs": [first, second], "extraction_alone": alone, "pairs": pairs}
    report = ingest.render({"synthetic 100k": result})
    assert (
        "- synthetic 100k: **ingest / extraction alone = 2.20×**, the median of 3 pairs, each a "
        "first run into a fresh warehouse and then extraction alone over its 96,829 texts in 2 "
        "worker process(es), start-up included, right after it (44.0 / 20.0 s = 2.20×, "
        "51.0 / 17.0 s = 3.00×, 40.0 / 19.0 s = 2.11×; the table's first run is the last "
        "pair's); **re-run / first run = 20%** (8.0 s)."
    ) in report.splitlines()


def test_ingest_report_states_no_ratio_without_extraction_alone() -> None:
    first = _run(10.0, {"parse": 1.0, "load": 1.0, "extract": 5.0, "build": 2.0}, (1.0, 1.0))
    second = _run(2.5, {"parse": 0.5, "load": 0.5, "extract": 0.0, "build": 1.0}, (1.0, 1.0))
    report = ingest.render({"real": {"runs": [first, second]}})
    assert "- real: **re-run / first run = 25%** (2.5 s)." in report.splitlines()
    assert "extraction alone =" not in report


def test_ingest_report_states_the_nightly_run_with_new_postings_against_the_first() -> None:
    first = _run(40.0, {"parse": 3.0, "load": 6.0, "extract": 19.0, "build": 10.0}, (1.0, 1.0))
    second = _run(8.0, {"parse": 1.0, "load": 3.0, "extract": 0.0, "build": 3.0}, (1.0, 1.0))
    nightly = _run(14.0, {"parse": 0.1, "load": 0.2, "extract": 2.5, "build": 10.5}, (1.0, 1.0))
    for run, kind in zip((first, second, nightly), ingest.RUN_KINDS, strict=True):
        run["kind"] = kind
    result = {"runs": [first, second, nightly], "nightly_postings": 1_000}
    report = ingest.render({"synthetic 100k": result})
    assert [line.split(" | ")[1] for line in report.splitlines() if "| synthetic" in line] == [
        "first",
        "re-run, same input",
        "nightly, 1% new postings",
    ]
    assert (
        "- synthetic 100k: **re-run / first run = 20%** (8.0 s). **Nightly with 1,000 new "
        "postings = 35% of the first run** (14.0 s, of which build 10.5 s)."
    ) in report.splitlines()


def test_a_nightly_batch_is_one_percent_new_postings_in_the_month_after_the_latest(
    tmp_path: Path,
) -> None:
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "create table fct_postings as select range as posting_id, "
        "date '2025-12-31' - cast(range as integer) as posted_date from range(250)"
    )
    con.close()
    path, postings = ingest.nightly_batch(db, tmp_path / "nightly.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert postings == 2 and len(lines) == 2  # round(250 * 1%)
    assert [line["id"] for line in lines] == ["nightly-0", "nightly-1"]
    assert {line["posted_at"][:7] for line in lines} == {"2026-01"}


def test_extraction_report_states_the_targets_ratios_from_medians() -> None:
    def row(*seconds: float) -> dict[str, list[float]]:
        return {"seconds": list(seconds), "loads": [1.1, 1.2, 1.0]}

    result = {
        "docs": 10_000,
        "words": 1_675_098,
        "repeat": 3,
        "pool_start_s": {extraction.POOL2: 3.9},
        "rows": {
            extraction.TOKENIZER: row(4.0, 4.4, 4.2),  # median 4.2
            extraction.OUR_TOKENIZER: row(3.0, 3.2, 9.9),  # median 3.2: an outlier is ignored
            extraction.IN_PROCESS: row(4.0, 3.9, 4.1),  # median 4.0
            extraction.POOL2: row(2.5, 2.6, 2.4),  # median 2.5
        },
    }
    report = extraction.render("synthetic 10k", result).splitlines()
    assert "| SkillExtractor.extract_many, in-process | 4.00 | 2,500 | 418,774 | -5% |" in report
    assert (
        "2 workers vs in-process: **1.60×**; pool start-up (processes + one extractor per "
        "worker), not in the timings: 2 worker processes 3.9 s."
    ) in report
    assert (
        "In-process extraction, **what matching adds over tokenizing** (extraction vs the very "
        "tokenizer it runs, alone): **+25%**; vs spaCy's tokenizer as shipped: -5%."
    ) in report
    assert report[0].endswith("load average during the timed passes 1.0–1.2.")


def test_timed_passes_go_round_robin_each_from_a_fresh_start() -> None:
    calls: list[str] = []

    def variant(name: str) -> Callable[[], Prepared]:
        def prepare() -> Prepared:
            calls.append(f"prepare {name}")
            return (lambda: calls.append(f"run {name}")), (lambda: calls.append(f"close {name}"))

        return prepare

    timed = interleaved([("A", variant("A")), ("B", variant("B"))], repeat=2)
    assert calls == [
        "prepare A", "run A", "close A", "prepare B", "run B", "close B",
        "prepare A", "run A", "close A", "prepare B", "run B", "close B",
    ]  # fmt: skip
    assert [len(timed["A"].seconds), len(timed["B"].seconds)] == [2, 2]
    assert all(s >= 0 for s in timed["A"].seconds + timed["B"].seconds)


def test_a_failing_pass_still_closes_its_variant() -> None:
    closed: list[bool] = []

    def failing() -> None:
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError, match="worker died"):
        interleaved([("A", lambda: (failing, lambda: closed.append(True)))], repeat=1)
    assert closed == [True]


def test_the_rewrite_replaces_only_the_generated_section(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(
        f"# Benchmarks\n\nHand-written analysis.\n\n{START}\nold figures\n{END}\n\n## After\n",
        encoding="utf-8",
    )
    write_doc({"finished": "2026-11-22 10:00", "machine": {"nproc": 2}}, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# Benchmarks\n\nHand-written analysis.\n\n{START}\n")
    assert text.endswith(f"\n{END}\n\n## After\n")
    assert "old figures" not in text
    assert "Last run finished 2026-11-22 10:00 (UTC). Machine: 2 CPUs" in text
    assert text.count(START) == text.count(END) == 1


def test_a_document_without_markers_gets_the_section_appended(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\nNotes.\n", encoding="utf-8")
    write_doc({"finished": "x", "machine": {}}, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# Benchmarks\n\nNotes.\n\n{START}\n")
    assert text.endswith(f"{END}\n")


def test_a_described_corpus_states_its_companies_and_their_distinct_names() -> None:
    # The generator counts companies; describing the written corpus counts distinct names,
    # which companies can share. Both are stated, neither in place of the other.
    generated = {"postings": 100_000, "companies": 37_175, "mean_chars": 1131.2}
    described = {"company_names": 24_803, "words": 16_847_113, "distinct_words": 266_104}
    text = render(
        {
            "corpus_100k": {**generated, **described, "trained_on_real_corpus": True},
            "corpus_10k": {**generated, "postings": 10_000, "trained_on_real_corpus": True},
        }
    )
    assert (
        "- 100,000 postings, 37,175 companies under 24,803 distinct names, mean 1,131 "
        "characters, 266,104 distinct words of 16,847,113\n"
    ) in text
    assert "- 10,000 postings, 37,175 companies, mean 1,131 characters\n" in text
