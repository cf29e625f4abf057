"""The persistent extraction pool and the streaming extract step give what the serial path gives."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb
import pytest

from extractors.skills.mentions import MentionColumns
from extractors.skills.pool import ExtractorPool
from skillpulse import pipeline
from warehouse import raw_store

TEXTS = [
    ("a", "Python, R and Go on AWS.\n\nRequirements:\n- PyTorch\n- Kubernetes"),
    ("b", "Send your CV to jobs@spark.io; we use Spark and Kafka."),
    ("c", ""),
    ("d", "Machine learning (ML) with PyTorch; regression testing by QA."),
    ("e", "Go to https://www.example.com/python for details. Scala, C++ and C#."),
] * 7


def test_pool_matches_extract_many_in_order(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    serial = list(skill_extractor.extract_many(TEXTS))
    with ExtractorPool(skill_extractor.taxonomy, processes=2, chunk_size=3, window=2) as pool:
        first = list(pool.extract(TEXTS))
        again = list(pool.extract(iter(TEXTS[:7])))  # the same workers serve a second call
    assert first == serial
    assert again == serial[:7]


def test_pool_chunks_are_consumed_lazily(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    pulled: list[int] = []

    def chunks():  # type: ignore[no-untyped-def]
        for number in range(10):
            pulled.append(number)
            yield TEXTS[:2]

    with skill_extractor.pool(processes=2) as pool:
        results = pool.map_chunks(chunks())
        next(results)
        assert len(pulled) <= pool.window + 1  # never the whole input up front
        rest = list(results)
    assert len(rest) == 9


def test_the_pools_mention_columns_hold_the_serial_extractions_mentions(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    distinct = list(dict(TEXTS).items())
    expected = [
        (e.doc_id, "v1", m.skill, m.start, m.end, m.text, m.section, m.rule)
        for e in skill_extractor.extract_many(distinct)
        for m in e.mentions
    ]
    with ExtractorPool(skill_extractor.taxonomy, processes=2) as pool:
        chunks = list(pool.map_mention_chunks([distinct[:2], distinct[2:], []]))
    assert len(expected) > 5
    assert [c.doc_ids for c in chunks] == [["a", "b"], ["c", "d", "e"], []]
    assert {c.taxonomy_version for c in chunks} == {skill_extractor.taxonomy.version}
    assert [row for c in chunks for row in c.rows("v1")] == expected


def _raw_store_with_postings(path: Path, texts: list[str]) -> duckdb.DuckDBPyConnection:
    con = raw_store.open_raw(path)
    import hashlib
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    rows = [
        {
            "source": "t",
            "board": "b",
            "source_posting_id": str(i),
            "text": text,
            "content_hash": hashlib.sha256(text.encode()).hexdigest(),
            "role_family": "other",
            "seniority": "unknown",
            "parsed_at": now,
            "first_seen_at": now,
            "last_seen_at": now,
            "last_seen_run_id": "r",
        }
        for i, text in enumerate(texts)
    ]
    raw_store.land_source_result(
        con, "r", None, [], raw_store.as_rows(rows, raw_store.POSTING_COLUMNS), []
    )
    return con


def _mentions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from raw_mentions order by all").fetchall()


def test_extract_pending_with_two_processes_lands_what_one_does(
    skill_extractor, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Duplicated texts (several postings, one content hash) are extracted once.
    texts = [text for _, text in TEXTS if text] + ["Rust and Python", "Rust and Python"]
    serial = _raw_store_with_postings(tmp_path / "one.raw.duckdb", texts)
    parallel = _raw_store_with_postings(tmp_path / "two.raw.duckdb", texts)
    distinct = len(set(texts))
    seen: list[tuple[int, int]] = []
    assert pipeline.extract_pending(serial, skill_extractor, batch_size=4) == distinct
    assert (
        pipeline.extract_pending(
            parallel,
            skill_extractor,
            batch_size=4,
            processes=2,
            progress=lambda d, t: seen.append((d, t)),
        )
        == distinct
    )
    assert _mentions(parallel) == _mentions(serial)
    assert seen[-1] == (distinct, distinct)
    # Nothing is pending any more: a second pass extracts nothing and starts no pool.
    assert pipeline.extract_pending(parallel, skill_extractor, processes=2) == 0
    assert raw_store.count_pending(parallel, skill_extractor.taxonomy.version) == 0


def test_iter_pending_texts_streams_while_the_caller_writes(tmp_path: Path) -> None:
    texts = [f"posting number {i} about Python" for i in range(25)]
    con = _raw_store_with_postings(tmp_path / "s.raw.duckdb", texts)
    got = []
    for batch in raw_store.iter_pending_texts(con, "v1", 10):
        got.extend(batch)
        raw_store.land_extractions(con, "v1", MentionColumns.of([h for h, _ in batch], []))
    assert sorted(t for _, t in got) == sorted(texts)
    assert raw_store.count_pending(con, "v1") == 0


def test_default_processes_only_for_large_batches() -> None:
    assert pipeline.default_processes(10) == 1
    assert 1 <= pipeline.default_processes(pipeline.PARALLEL_MIN_TEXTS) <= 2


def test_a_worker_killed_mid_run_fails_the_run_instead_of_hanging(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal
    import threading

    import pytest

    from extractors.skills.pool import WorkerDied

    outcome: list[BaseException | None] = []

    def run() -> None:
        with ExtractorPool(skill_extractor.taxonomy, processes=2, chunk_size=2) as pool:
            results = pool.extract_plain(TEXTS)
            next(results)  # the workers are up and serving; more chunks are still to come
            # Every worker, so that some chunk is surely lost (a worker killed while idle loses
            # nothing, and the others would finish the run correctly).
            for worker in list(pool._executor._processes.values()):
                os.kill(worker.pid, signal.SIGKILL)
            try:
                list(results)
                outcome.append(None)
            except BaseException as exc:  # the test inspects it below
                outcome.append(exc)

    # multiprocessing.Pool waited forever for the dead worker's chunk: bound the wait.
    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=120)
    assert not runner.is_alive(), "the pool hung after a worker died"
    assert len(outcome) == 1 and isinstance(outcome[0], WorkerDied)
    with pytest.raises(WorkerDied, match="stay pending"):
        raise outcome[0]


def test_mention_columns_keep_the_first_mention_per_text_start_and_skill() -> None:
    from extractors.skills.matcher import Extraction, Mention, to_columns

    first = Mention("python", 0, 6, "Python", "body", "alias")
    repeat = Mention("python", 0, 6, "python", "skills", "gated_alias")
    other_skill = Mention("programming", 0, 6, "Python", "body", "alias")
    extractions = [
        Extraction("h1", ("programming", "python"), (first, repeat, other_skill)),
        Extraction("h2", ("python",), (repeat,)),
    ]
    columns = to_columns(extractions, "v9")
    assert columns.taxonomy_version == "v9"
    assert columns.rows("v9") == [
        ("h1", "v9", "python", 0, 6, "Python", "body", "alias"),
        ("h1", "v9", "programming", 0, 6, "Python", "body", "alias"),
        ("h2", "v9", "python", 0, 6, "python", "skills", "gated_alias"),
    ]


def test_a_warm_pool_starts_only_when_the_projected_new_texts_call_for_one(
    skill_extractor,
) -> None:  # type: ignore[no-untyped-def]
    taxonomy = skill_extractor.taxonomy
    with pipeline.WarmPool(taxonomy) as warm:
        warm.landed(raw_store.LandCounts(unchanged=5000), 0.5)
        assert warm.pool is None and warm.wanted_processes(0.5) == 1  # a re-run: nothing new
        warm.landed(raw_store.LandCounts(new=2000, changed=1000), 0.5)
        assert warm.pool is None  # 3,000 new of half the input: 6,000 in all, too few
        # The same 3,000 from a quarter of the input project to 12,000: a pool pays.
        assert warm.wanted_processes(0.25) == pipeline.default_processes(12_000)
    assert pipeline.WarmPool(taxonomy, processes=1).wanted_processes(0.01) == 1
    with pipeline.WarmPool(taxonomy, processes=1) as single:
        single.landed(raw_store.LandCounts(new=50_000), 0.1)
        assert single.pool is None  # one process asked for: never a pool


def test_a_warm_pool_is_running_when_landing_ends_and_extracts_what_one_process_does(
    skill_extractor, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "postings.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": str(i), "title": "ML Engineer", "text": text}) + "\n"
            for i, text in enumerate(text for _, text in TEXTS[:5] if text)
        ),
        encoding="utf-8",
    )
    serial = raw_store.open_raw(tmp_path / "one.raw.duckdb")
    pipeline.ingest_jsonl(serial, "r", source)
    pipeline.extract_pending(serial, skill_extractor)
    warm_store = raw_store.open_raw(tmp_path / "warm.raw.duckdb")
    with pipeline.WarmPool(skill_extractor.taxonomy, processes=2) as warm:
        pipeline.ingest_jsonl(warm_store, "r", source, chunk_landed=warm.landed)
        pool = warm.pool
        assert pool is not None  # started by the landing, before extraction asked for it
        assert pipeline.extract_pending(warm_store, skill_extractor.taxonomy, pool=pool) == 4
        assert warm.pool is pool  # extract_pending leaves a pool it was given running
    assert warm.pool is None
    assert _mentions(warm_store) == _mentions(serial)
    assert len(_mentions(serial)) > 5


def test_workers_run_below_the_callers_cpu_priority_parsing_above_extraction(
    skill_extractor,  # type: ignore[no-untyped-def]
) -> None:
    from extractors.skills.pool import EXTRACTION_NICENESS
    from extractors.workers import started_executor, stop_now
    from skillpulse.parsing import PARSING_NICENESS, ParsePool

    caller = os.nice(0)
    if caller + EXTRACTION_NICENESS > 19:
        pytest.skip(f"this process already runs at niceness {caller}: no room below it")
    executor = started_executor(1, niceness=3)
    try:
        assert executor.submit(os.nice, 0).result() == caller + 3
    finally:
        stop_now(executor)
    with ParsePool(1) as parsing, ExtractorPool(skill_extractor.taxonomy, processes=1) as pool:
        parsing_worker = parsing._executor.submit(os.nice, 0).result()
        extraction_worker = pool._executor.submit(os.nice, 0).result()
    # The landing process first, then the parsing it waits for, then extractors starting.
    assert caller < parsing_worker == caller + PARSING_NICENESS < extraction_worker


def _second_worker_starts_late(marker: str) -> None:
    """Pool initializer: the first worker to create `marker` starts at once, any other 0.5 s
    later, as a worker still building its matcher would."""
    import time

    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        time.sleep(0.5)


def test_wait_until_started_returns_once_every_worker_has_started(tmp_path: Path) -> None:
    from extractors.workers import started_executor, stop_now, wait_until_started

    marker = str(tmp_path / "first-worker-up")
    executor = started_executor(2, initializer=_second_worker_starts_late, initargs=(marker,))
    try:
        # What the extraction benchmark did before: one quick task per worker. The worker up
        # first takes both while the other is still in its initializer.
        quick = {executor.submit(os.getpid).result() for _ in range(2)}
        started = wait_until_started(executor, 2)
        workers = set(executor._processes)  # type: ignore[attr-defined]
    finally:
        stop_now(executor)
    assert len(quick) == 1
    assert started == workers
    assert len(workers) == 2


def _never_starts() -> None:
    """Pool initializer that outlasts any wait a test would make."""
    time.sleep(30)


def test_wait_until_started_gives_up_at_its_timeout_when_no_worker_starts() -> None:
    from extractors.workers import started_executor, stop_now, wait_until_started

    executor = started_executor(2, initializer=_never_starts)
    try:
        began = time.monotonic()
        with pytest.raises(TimeoutError, match="0 of 2 worker processes started"):
            wait_until_started(executor, 2, timeout_s=0.5)
        waited = time.monotonic() - began
    finally:
        stop_now(executor)
    assert waited < 5
