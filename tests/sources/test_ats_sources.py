"""Greenhouse, Lever, Ashby and Workable against a local server replaying API-shaped payloads."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.http import HttpSettings
from extractors.sources.base import Posting, SourceConfig
from skillpulse.demo.server import ReplayServer
from skillpulse.pipeline import SourceOutcome, collect_source


def collect(replay: ReplayServer, http: HttpSettings, kind: str, board: str, **options: object):
    return collect_source(SourceConfig(kind, board, replay.url, dict(options)), http)


def by_id(outcome: SourceOutcome) -> dict[str, Posting]:
    return {p.source_posting_id: p for p in outcome.parsed.postings}


def test_greenhouse_unescapes_content_and_prefers_first_published(replay, fast_http) -> None:
    outcome = collect(replay, fast_http, "greenhouse", "fernhill")

    assert outcome.status == "ok", outcome.error
    ranking = by_id(outcome)["7001001"]
    assert ranking.title == "Senior Machine Learning Engineer, Ranking"
    assert ranking.company == "Fernhill"
    assert ranking.location == "San Francisco, CA"
    assert ranking.workplace == "hybrid"  # from the "Location Type" metadata field
    assert ranking.posted_at == datetime(2026, 9, 12, 13, 15, 40, tzinfo=UTC)
    assert ranking.text == (
        "You will train ranking models in PyTorch.\n\n"
        "- 5+ years of Python\n- Spark or Ray\n\n"
        "Pay: $180,000 – $240,000"
    )
    assert (ranking.salary_min, ranking.salary_max, ranking.salary_currency) == (
        180000.0,
        240000.0,
        "USD",
    )
    billing = by_id(outcome)["7001002"]
    assert billing.posted_at == datetime(2026, 9, 29, 14, 0, tzinfo=UTC)  # updated_at fallback
    assert billing.workplace == "remote"
    assert [(r.record_ref, r.reason) for r in outcome.parsed.rejects] == [
        ("job None", "KeyError: 'id'")
    ]


def test_lever_pages_through_three_pages_and_joins_split_description(replay, fast_http) -> None:
    outcome = collect(replay, fast_http, "lever", "quillmark", page_size=2)

    assert outcome.status == "ok", outcome.error
    assert [r for r in replay.requests if r.startswith("/v0/")] == [
        "/v0/postings/quillmark?mode=json&skip=0&limit=2",
        "/v0/postings/quillmark?mode=json&skip=2&limit=2",
        "/v0/postings/quillmark?mode=json&skip=4&limit=2",
    ]
    assert len(outcome.payloads) == 3
    postings = by_id(outcome)
    assert len(postings) == 5
    search = postings["00000000-0000-4000-8000-000000000001"]
    assert search.title == "Machine Learning Engineer, Search"
    assert search.text == (
        "Intro for Machine Learning Engineer, Search.\n\n"
        "What you'll do\n- Ship models with PyTorch\n- Own feature pipelines in Airflow\n\n"
        "We offer a learning budget."
    )
    assert search.posted_at == datetime.fromtimestamp(1782821535.001, tz=UTC)
    assert (search.salary_min, search.salary_max, search.salary_currency) == (
        85000.0,
        110000.0,
        "GBP",
    )
    assert [postings[f"00000000-0000-4000-8000-00000000000{i}"].workplace for i in range(1, 6)] == [
        "hybrid",
        "remote",
        "onsite",
        "hybrid",  # "unspecified" falls back to the location text "London (Hybrid)"
        "remote",
    ]
    hourly = postings["00000000-0000-4000-8000-000000000005"]
    assert (hourly.salary_min, hourly.salary_max) == (40 * 2080.0, 50 * 2080.0)


def test_ashby_skips_unlisted_jobs_and_honours_the_compensation_flag(replay, fast_http) -> None:
    outcome = collect(replay, fast_http, "ashby", "tessera")

    assert outcome.status == "ok", outcome.error
    postings = by_id(outcome)
    assert sorted(postings) == [
        "9b1d4e2a-5c3f-4a8b-b7d6-000000000001",
        "9b1d4e2a-5c3f-4a8b-b7d6-000000000003",
    ]  # ...002 is isListed=false
    retrieval = postings["9b1d4e2a-5c3f-4a8b-b7d6-000000000001"]
    assert retrieval.workplace == "hybrid"  # workplaceType wins over isRemote=true
    assert (retrieval.salary_min, retrieval.salary_max, retrieval.salary_currency) == (
        95000.0,
        125000.0,
        "GBP",
    )
    assert retrieval.posted_at == datetime(2026, 9, 18, 10, 4, 12, 311000, tzinfo=UTC)
    hidden_pay = postings["9b1d4e2a-5c3f-4a8b-b7d6-000000000003"]
    assert (hidden_pay.salary_min, hidden_pay.salary_currency) == (None, None)
    assert hidden_pay.workplace == "onsite"


def test_workable_widget_fields(replay, fast_http) -> None:
    outcome = collect(replay, fast_http, "workable", "brightloop")

    assert outcome.status == "ok", outcome.error
    assert replay.requests[-1] == "/api/v1/widget/accounts/brightloop?details=true"
    cv = by_id(outcome)["A1B2C3D4E5"]
    assert cv.title == "Machine Learning Engineer (Computer Vision)"
    assert cv.company == "Brightloop"
    assert cv.location == "Berlin, Germany"  # the hidden Hamburg location is left out
    assert cv.workplace is None
    assert cv.posted_at == datetime(2026, 9, 22, tzinfo=UTC)
    assert cv.url == "https://apply.workable.com/j/A1B2C3D4E5"
    assert (cv.salary_min, cv.salary_max, cv.salary_currency) == (70000.0, 90000.0, "EUR")
    remote = by_id(outcome)["F6G7H8J9K0"]
    assert (remote.workplace, remote.location) == ("remote", "Lisbon, Portugal")
    assert [(r.record_ref, r.reason) for r in outcome.parsed.rejects] == [
        ("job ", "ValueError: missing 'shortcode'")
    ]
