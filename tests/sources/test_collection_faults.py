"""Faults a real API produces, replayed locally: each ends in a clear ok, failed or skipped."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from extractors.sources.base import SourceConfig
from skillpulse.demo.server import Fault, ReplayServer
from skillpulse.pipeline import collect_source, land_outcome, new_run_id
from warehouse.raw_store import open_raw

API_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
JOBS_PATH = "/v1/boards/fernhill/jobs"


def greenhouse(server: ReplayServer) -> SourceConfig:
    return SourceConfig("greenhouse", "fernhill", server.url)


def board_requests(server: ReplayServer) -> list[str]:
    return [r for r in server.requests if r.startswith(JOBS_PATH)]


def test_429_retry_after_is_honoured(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(429, b"slow down", {"Retry-After": "1"}))

    started = time.monotonic()
    outcome = collect_source(greenhouse(replay), fast_http)
    waited = time.monotonic() - started

    assert outcome.status == "ok", outcome.error
    assert len(board_requests(replay)) == 2
    assert 0.9 <= waited < 3


def test_429_retry_after_is_capped(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(429, b"slow down", {"Retry-After": "30"}))

    started = time.monotonic()
    outcome = collect_source(greenhouse(replay), replace(fast_http, max_retry_after_s=0.3))
    waited = time.monotonic() - started

    assert outcome.status == "ok", outcome.error
    assert 0.25 <= waited < 2


def test_500s_then_success_is_ok(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(500, b"oops"), times=2)

    outcome = collect_source(greenhouse(replay), fast_http)

    assert outcome.status == "ok", outcome.error
    assert len(board_requests(replay)) == 3
    assert len(outcome.parsed.postings) == 2


def test_500_forever_fails_naming_the_url(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(500, b"oops"), times=10)

    outcome = collect_source(greenhouse(replay), fast_http)

    assert outcome.status == "failed"
    assert outcome.error == (
        f"greenhouse/fernhill: HTTP 500 from {replay.url}{JOBS_PATH}?content=true after 2 retries"
    )
    assert len(board_requests(replay)) == 3
    assert outcome.parsed.postings == []


def test_404_is_not_retried(replay, fast_http) -> None:
    outcome = collect_source(SourceConfig("greenhouse", "nosuchboard", replay.url), fast_http)

    assert outcome.status == "failed"
    assert outcome.error == (
        f"greenhouse/nosuchboard: HTTP 404 from {replay.url}/v1/boards/nosuchboard/jobs?content=true"
    )
    assert [r for r in replay.requests if "nosuchboard" in r] == [
        "/v1/boards/nosuchboard/jobs?content=true"
    ]


def test_malformed_json_fails_naming_the_url(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(200, b"<html>maintenance</html>"))

    outcome = collect_source(greenhouse(replay), fast_http)

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith(
        f"greenhouse/fernhill: {replay.url}{JOBS_PATH}?content=true did not return JSON"
    )


def test_a_number_too_long_for_python_fails_naming_the_url(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(200, b'{"jobs": [{"id": ' + b"9" * 5000 + b"}]}"))

    outcome = collect_source(greenhouse(replay), fast_http)

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith(
        f"greenhouse/fernhill: {replay.url}{JOBS_PATH}?content=true did not return JSON "
        "(ValueError: Exceeds the limit (4300 digits) for integer string conversion"
    )


def test_a_slow_answer_times_out_and_fails(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(200, b"{}", delay_s=1.0), times=3)

    outcome = collect_source(greenhouse(replay), replace(fast_http, timeout_s=0.2))

    assert outcome.status == "failed"
    assert outcome.error == (
        f"greenhouse/fernhill: timed out after 0.2s (2 retries): {replay.url}{JOBS_PATH}?content=true"
    )


def test_one_slow_answer_is_retried(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(200, b"{}", delay_s=1.0))

    outcome = collect_source(greenhouse(replay), replace(fast_http, timeout_s=0.2))

    assert outcome.status == "ok", outcome.error
    assert len(outcome.parsed.postings) == 2


def test_robots_disallowing_everything_skips_and_fetches_only_robots(fast_http) -> None:
    with ReplayServer(API_FIXTURES, robots_txt="User-agent: *\nDisallow: /\n") as server:
        outcome = collect_source(greenhouse(server), fast_http)
        requested = list(server.requests)

    assert outcome.status == "skipped"
    assert outcome.error == (
        f"greenhouse/fernhill: robots.txt disallows {server.url}{JOBS_PATH}?content=true"
    )
    assert requested == ["/robots.txt"]


def test_unreadable_robots_fails_rather_than_skips(replay, fast_http) -> None:
    replay.add_fault("/robots.txt", Fault(503, b"down"), times=5)

    outcome = collect_source(greenhouse(replay), fast_http)

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "robots.txt unreadable" in outcome.error
    assert board_requests(replay) == []


def test_hn_thread_that_fails_fails_the_source(replay, fast_http) -> None:
    replay.add_fault("/api/v1/items/48812345", Fault(502, b"bad gateway"), times=5)

    outcome = collect_source(
        SourceConfig("hn", "whoishiring", replay.url, {"months": 1}), fast_http
    )

    assert outcome.status == "failed"
    assert outcome.error == (
        f"hn/whoishiring: HTTP 502 from {replay.url}/api/v1/items/48812345 after 2 retries"
    )


def test_one_failing_source_does_not_stop_the_others(replay, fast_http) -> None:
    replay.add_fault(JOBS_PATH, Fault(500, b"oops"), times=10)
    configs = [
        greenhouse(replay),
        SourceConfig("ashby", "tessera", replay.url),
        SourceConfig("workable", "brightloop", replay.url),
    ]

    outcomes = [collect_source(config, fast_http) for config in configs]

    assert [(o.label, o.status) for o in outcomes] == [
        ("greenhouse/fernhill", "failed"),
        ("ashby/tessera", "ok"),
        ("workable/brightloop", "ok"),
    ]


def every_source(server: ReplayServer) -> list[SourceConfig]:
    pages = [f"{server.url}/pages/{name}" for name in ("ml-engineer.html", "graph.html")]
    return [
        SourceConfig("greenhouse", "fernhill", server.url),
        SourceConfig("lever", "quillmark", server.url, {"page_size": 2}),
        SourceConfig("ashby", "tessera", server.url),
        SourceConfig("workable", "brightloop", server.url),
        SourceConfig("smartrecruiters", "orbitalgrid", server.url),
        SourceConfig("hn", "whoishiring", server.url, {"since": "2026-07"}),
        SourceConfig("jsonld", "northbeam", None, {"urls": pages}),
    ]


def test_collecting_twice_lands_no_new_rows(replay, fast_http, tmp_path: Path) -> None:
    con = open_raw(tmp_path / "warehouse.raw.duckdb")
    try:
        counts = []
        for _ in range(2):
            run_id = new_run_id("test")
            for config in every_source(replay):
                outcome = collect_source(config, fast_http)
                assert outcome.status == "ok", outcome.error
                land_outcome(con, run_id, outcome)
            counts.append(
                con.execute(
                    "select count(*), count(distinct (source, board, source_posting_id)) "
                    "from raw_postings"
                ).fetchone()
            )
        by_source = dict(
            con.execute("select source, count(*) from raw_postings group by 1").fetchall()
        )
    finally:
        con.close()

    assert counts == [(21, 21), (21, 21)]
    assert by_source == {
        "greenhouse": 2,
        "lever": 5,
        "ashby": 2,
        "workable": 2,
        "smartrecruiters": 2,
        "hn": 5,
        "jsonld": 3,
    }
