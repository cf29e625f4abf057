"""Parsing and labelling in worker processes (skillpulse.parsing) lands what one process lands."""

from __future__ import annotations

import json
import os
import signal
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from extractors.classify import posting_labels
from extractors.sources import jsonl
from extractors.sources.base import Payload, SourceError
from skillpulse import landing, parsing
from warehouse import raw_store


def _write(path: Path, records: list[dict[str, object]], bad_line: str | None = None) -> Path:
    lines = [json.dumps(record) for record in records]
    if bad_line is not None:
        lines.insert(2, bad_line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


FIRST = [
    {"id": "p1", "title": "Senior ML Engineer", "text": "PyTorch and Kubernetes."},
    {"id": "p2", "title": "Product Manager, ML Platform", "text": "Roadmaps."},
    {"id": "p3", "title": "Data Scientist", "text": "SQL, statistics."},
    {"id": "p4", "title": "Engineer", "text": "We're hiring machine learning engineers."},
    # p5 twice in one chunk: the later line is the posting, and its labels must go with it.
    {"id": "p5", "title": "Recruiter", "text": "Sourcing."},
    {"id": "p5", "title": "Staff Backend Engineer", "text": "Go and Postgres."},
    {"id": "p6", "title": "Intern, Computer Vision Engineering", "text": "OpenCV."},
]
# The second run: p2's title changed (labels change), p3's text changed, p7 is new, the rest
# are as they were.
SECOND = [
    FIRST[0],
    {"id": "p2", "title": "Junior ML Engineer", "text": "Roadmaps."},
    {"id": "p3", "title": "Data Scientist", "text": "SQL, statistics, PyTorch."},
    FIRST[3],
    FIRST[5],
    FIRST[6],
    {"id": "p7", "title": "Principal Research Scientist", "text": "Papers."},
]


def _postings(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        """
        select source_posting_id, title, text, role_family, seniority, content_hash,
            payload_sha256, last_seen_run_id
        from raw_postings order by source_posting_id
        """
    ).fetchall()


def _ingest_twice(
    tmp_path: Path, name: str, processes: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[duckdb.DuckDBPyConnection, list[dict[str, float]]]:
    # Four lines a chunk: two chunks a run, both in the workers' hands at once, and p5's two
    # copies in one chunk.
    monkeypatch.setattr(jsonl, "LINES_PER_PAYLOAD", 4)
    con = raw_store.open_raw(tmp_path / f"{name}.raw.duckdb")
    runs: list[dict[str, float]] = []
    for run, records in (("run-1", FIRST), ("run-2", SECOND)):
        timings: dict[str, float] = {}
        # One file name: the board is named after it, and the second run re-sees the first.
        source = _write(tmp_path / "postings.jsonl", records, bad_line='{"id": "bad", "text": ')
        landing.ingest_jsonl(con, run, source, timings=timings, processes=processes)
        runs.append({k: v for k, v in timings.items() if k.startswith("postings_")})
    return con, runs


def test_a_pool_lands_the_same_postings_labels_rejects_and_counts_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, classified_here: list[str]
) -> None:
    serial, serial_counts = _ingest_twice(tmp_path, "serial", 1, monkeypatch)
    assert sorted(classified_here) == ["p1", "p2", "p2", "p3", "p3", "p4", "p5", "p6", "p7"]
    classified_here.clear()
    pooled, pooled_counts = _ingest_twice(tmp_path, "pooled", 2, monkeypatch)
    # Only the first chunk of each run (parsed here while the workers start) was classified
    # here, and of the second run's only what changed: the workers' labels were used for p4-p7.
    assert classified_here == ["p1", "p2", "p3", "p2", "p3"]

    assert _postings(pooled) == _postings(serial)
    assert (
        pooled_counts
        == serial_counts
        == [
            {"postings_new": 6, "postings_changed": 0, "postings_unchanged": 0},
            {"postings_new": 1, "postings_changed": 2, "postings_unchanged": 4},
        ]
    )
    labels = {row[0]: (row[3], row[4]) for row in _postings(pooled)}
    assert labels["p5"] == ("software-engineer", "staff")  # the later copy's, not "Recruiter"'s
    assert labels["p2"] == ("ml-engineer", "junior")  # relabelled with its new title
    rejects = "select run_id, record_ref, reason from raw_rejects order by all"
    assert pooled.execute(rejects).fetchall() == serial.execute(rejects).fetchall()
    assert [r[1] for r in pooled.execute(rejects).fetchall()] == ["line 3", "line 3"]


def _payload(kind: str, body: bytes, url: str) -> Payload:
    return Payload(
        "greenhouse", "acme", kind, url, datetime(2026, 11, 1, tzinfo=UTC), 200, "json", body
    )


def _greenhouse_body(*titles: str) -> bytes:
    jobs = [
        {"id": i, "title": title, "content": "&lt;p&gt;Python and SQL.&lt;/p&gt;"}
        for i, title in enumerate(titles)
    ]
    return json.dumps({"jobs": jobs}).encode()


def test_the_pool_returns_payloads_in_order_with_labels_and_raises_a_parse_error_in_turn() -> None:
    first = _payload("board", _greenhouse_body("Engineer"), "https://x/0")
    second = _payload("board", _greenhouse_body("ML Engineer", "Sales Lead"), "https://x/1")
    third = _payload("board", _greenhouse_body("Senior Data Scientist"), "https://x/2")
    broken = _payload("board", b'{"jobs": [', "https://x/broken")
    with parsing.ParsePool(processes=2, window=2) as pool:
        results = pool.parse("greenhouse", [first, second, third, broken, first])
        got = [next(results), next(results), next(results)]
        with pytest.raises(SourceError, match="broken"):
            next(results)
    assert [item.payload.url for item in got] == ["https://x/0", "https://x/1", "https://x/2"]
    assert [[p.title for p in item.parsed.postings] for item in got] == [
        ["Engineer"],
        ["ML Engineer", "Sales Lead"],
        ["Senior Data Scientist"],
    ]
    assert got[0].labels is None  # parsed in this process while the workers started
    assert got[0].compressed_body is None  # the landing compresses it
    assert zlib.decompress(got[1].compressed_body or b"") == second.body
    assert got[1].labels == [("ml-engineer", "unknown"), ("other", "lead")]
    assert got[2].labels == [posting_labels("Senior Data Scientist", "Python and SQL.")]
    assert got[2].labels == [("data-scientist", "senior")]


def test_a_parsing_worker_killed_fails_the_ingest_naming_the_lost_payload() -> None:
    outcome: list[BaseException | None] = []
    payloads = [
        _payload("board", _greenhouse_body(f"Engineer {i}"), f"https://x/{i}") for i in range(9)
    ]

    def run() -> None:
        with parsing.ParsePool(processes=2, window=3) as pool:
            results = pool.parse("greenhouse", payloads)
            next(results)  # the workers are up; more payloads are in their hands
            for worker in list(pool._executor._processes.values()):
                os.kill(worker.pid, signal.SIGKILL)
            try:
                list(results)
                outcome.append(None)
            except BaseException as exc:  # inspected below
                outcome.append(exc)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=120)
    assert not runner.is_alive(), "the ingest hung after a parsing worker died"
    assert len(outcome) == 1 and isinstance(outcome[0], parsing.ParsingWorkerDied)
    assert "https://x/" in str(outcome[0]) and "re-run" in str(outcome[0])


def test_small_files_are_parsed_in_this_process() -> None:
    assert parsing.default_parse_processes(parsing.PARALLEL_MIN_BYTES - 1) == 1
    assert parsing.default_parse_processes(parsing.PARALLEL_MIN_BYTES) == min(
        2, os.cpu_count() or 1
    )


def test_a_rerun_stops_asking_the_workers_for_labels_and_classifies_what_changed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, classified_here: list[str]
) -> None:
    # One line a chunk: more chunks than the workers hold at once (window 5 for 2 processes),
    # so the landing's answer changes what the later ones are asked for.
    monkeypatch.setattr(jsonl, "LINES_PER_PAYLOAD", 1)
    records = [{"id": f"p{i}", "title": "ML Engineer", "text": f"Job {i}."} for i in range(8)]
    source = _write(tmp_path / "postings.jsonl", records)
    con = raw_store.open_raw(tmp_path / "w.raw.duckdb")
    labelled: list[bool] = []
    unparsed: list[bool] = []
    real_parse = parsing.ParsePool.parse

    def recording(self, kind, payloads, *asked):  # type: ignore[no-untyped-def]
        for item in real_parse(self, kind, payloads, *asked):
            labelled.append(item.labels is not None)
            unparsed.append(item.parsed is None)
            # The body is compressed ahead exactly when the labels are: both are for new postings.
            assert (item.compressed_body is not None) == labelled[-1]
            yield item

    monkeypatch.setattr(parsing.ParsePool, "parse", recording)
    landing.ingest_jsonl(con, "run-1", source, processes=2)
    # The first chunk is parsed here, unlabelled, while the workers start.
    assert labelled == [False] + [True] * 7 and classified_here == ["p0"]
    labelled.clear()
    classified_here.clear()
    assert unparsed == [False] * 8
    unparsed.clear()
    # The same file again: every payload has landed whole, so none is even parsed.
    landing.ingest_jsonl(con, "run-2", source, processes=2)
    assert labelled == [False] * 8 and unparsed == [True] * 8 and classified_here == []
    labelled.clear()
    unparsed.clear()
    # New bytes (a field the parser ignores) around the same postings, and p7 changed.
    records = [{**record, "ignored": 1} for record in records]
    records[7] = {"id": "p7", "title": "Senior Data Scientist", "text": "Job 7."}
    _write(source, records)
    again: dict[str, float] = {}
    landing.ingest_jsonl(con, "run-3", source, timings=again, processes=2)
    # Chunks 2-6 were handed out before anything landed; after the first, unchanged, chunk
    # landed, no more labels were asked for, and the changed p7 was classified here.
    assert labelled == [False] + [True] * 5 + [False] * 2
    assert unparsed == [False] * 8
    assert classified_here == ["p7"]
    assert (again["postings_changed"], again["postings_unchanged"]) == (1, 7)
    assert con.execute(
        "select role_family, seniority from raw_postings where source_posting_id = 'p7'"
    ).fetchall() == [("data-scientist", "senior")]
