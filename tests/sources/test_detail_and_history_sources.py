"""SmartRecruiters (list + detail calls) and Hacker News threads against a local replay server."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from extractors.sources.base import SourceConfig, SourceError
from extractors.sources.hn import HiringThread, hiring_threads, parse_header, select_threads
from skillpulse.demo.server import Fault
from skillpulse.pipeline import collect_source


def test_smartrecruiters_makes_one_detail_call_per_listed_posting(replay, fast_http) -> None:
    config = SourceConfig("smartrecruiters", "orbitalgrid", replay.url, {"page_size": 2})
    outcome = collect_source(config, fast_http)

    assert outcome.status == "ok", outcome.error
    assert [r for r in replay.requests if r.startswith("/v1/")] == [
        "/v1/companies/orbitalgrid/postings?limit=2&offset=0",
        "/v1/companies/orbitalgrid/postings?limit=2&offset=2",
        "/v1/companies/orbitalgrid/postings/744000000000001",
        "/v1/companies/orbitalgrid/postings/744000000000002",
        "/v1/companies/orbitalgrid/postings/744000000000003",
    ]
    assert [p.kind for p in outcome.payloads] == ["list", "list", "detail", "detail", "detail"]
    forecasting, platform = outcome.parsed.postings
    assert forecasting.source_posting_id == "744000000000001"
    assert forecasting.title == "Senior ML Engineer, Forecasting"
    assert forecasting.company == "Orbital Grid GmbH"
    assert forecasting.location == "Munich, Bavaria, DE"  # not the malformed fullLocation
    assert forecasting.workplace == "hybrid"
    assert forecasting.posted_at == datetime(2026, 9, 25, 8, 12, 44, 102000, tzinfo=UTC)
    assert forecasting.url == "https://jobs.smartrecruiters.com/OrbitalGrid/744000000000001"
    assert forecasting.text.split("\n\n")[:2] == [
        "Job Description\nBuild time-series models with LightGBM and PyTorch.",
        "Qualifications\n- Python, SQL, Airflow",
    ]
    assert forecasting.text.endswith("Company Description\nWe forecast energy demand.")
    assert (forecasting.salary_min, forecasting.salary_max, forecasting.salary_currency) == (
        80000.0,
        100000.0,
        "EUR",
    )
    assert platform.workplace == "remote"
    assert [(r.record_ref, r.reason) for r in outcome.parsed.rejects] == [
        (
            f"{replay.url}/v1/companies/orbitalgrid/postings/744000000000003",
            "posting withdrawn (HTTP 404)",
        )
    ]


def test_hn_latest_two_months_top_level_comments_only(replay, fast_http) -> None:
    outcome = collect_source(
        SourceConfig("hn", "whoishiring", replay.url, {"months": 2}), fast_http
    )

    assert outcome.status == "ok", outcome.error
    items = [r for r in replay.requests if r.startswith("/api/v1/items/")]
    assert items == ["/api/v1/items/48812345", "/api/v1/items/48500001"]
    # replies (48813002, 48813100), the deleted 48812430 and the dead 48812440 are not postings
    assert [p.source_posting_id for p in outcome.parsed.postings] == [
        "48812411",
        "48812420",
        "48500101",
    ]
    acme = outcome.parsed.postings[0]
    assert (acme.company, acme.title, acme.location, acme.workplace) == (
        "Acme Robotics",
        "Senior ML Engineer (perception)",
        "Boston or REMOTE (US)",
        "remote",
    )
    assert (acme.salary_min, acme.salary_max, acme.salary_currency) == (170000.0, 210000.0, "USD")
    assert acme.url == "https://news.ycombinator.com/item?id=48812411"
    assert acme.text.endswith("Apply: https://acme.example/jobs")


def test_hn_since_backfills_every_month_from_then_on(replay, fast_http) -> None:
    config = SourceConfig("hn", "whoishiring", replay.url, {"since": "2026-08"})
    outcome = collect_source(config, fast_http)

    assert outcome.status == "ok", outcome.error
    assert [r for r in replay.requests if r.startswith("/api/v1/items/")] == [
        "/api/v1/items/48812345",
        "/api/v1/items/48500001",
        "/api/v1/items/48200001",
    ]
    assert "48200101" in {p.source_posting_id for p in outcome.parsed.postings}
    assert "47900101" not in {p.source_posting_id for p in outcome.parsed.postings}


def test_hn_rejects_a_malformed_since(replay, fast_http) -> None:
    config = SourceConfig("hn", "whoishiring", replay.url, {"since": "2026-13"})
    outcome = collect_source(config, fast_http)

    assert outcome.status == "failed"
    assert outcome.error == "hn/whoishiring: since must be 'YYYY-MM', got '2026-13'"


def test_hiring_threads_keep_only_who_is_hiring_titles() -> None:
    search = {
        "hits": [
            {"objectID": "3", "title": "Ask HN: Who is hiring? (October 2026)"},
            {"objectID": "4", "title": "Ask HN: Who wants to be hired? (October 2026)"},
            {"objectID": "5", "title": "Ask HN: Freelancer? Seeking freelancer? (October 2026)"},
            {"objectID": "2", "title": "Ask HN: Who is hiring? (September 2026)"},
        ]
    }
    assert hiring_threads(search) == [
        HiringThread(3, "2026-10", "Ask HN: Who is hiring? (October 2026)"),
        HiringThread(2, "2026-09", "Ask HN: Who is hiring? (September 2026)"),
    ]


def test_select_threads_months_and_since() -> None:
    threads = [HiringThread(i, f"2026-{i:02d}", "t") for i in (7, 8, 9, 10)]
    assert [t.month for t in select_threads(threads, months=3, since=None)] == [
        "2026-10",
        "2026-09",
        "2026-08",
    ]
    assert [t.month for t in select_threads(threads, months=None, since="2026-09")] == [
        "2026-10",
        "2026-09",
    ]


@pytest.mark.parametrize(
    ("first_line", "company", "title", "location"),
    [
        (
            "Acme | ML Engineer | Berlin, Germany | Full-time",
            "Acme",
            "ML Engineer",
            "Berlin, Germany",
        ),
        (
            "Lumen AI | Senior Backend Engineer | REMOTE (EU)",
            "Lumen AI",
            "Senior Backend Engineer",
            "REMOTE (EU)",
        ),
        ("Quanta - Data Scientist - NYC - $150k-$180k", "Quanta", "Data Scientist", "NYC"),
        ("We are hiring!", None, None, None),
    ],
)
def test_parse_header(
    first_line: str, company: str | None, title: str | None, location: str | None
) -> None:
    header = parse_header(first_line)
    assert (header.company, header.title, header.location) == (company, title, location)


@pytest.mark.parametrize(
    ("hit", "error"),
    [
        ("not a hit", "a search hit is not an object: 'not a hit'"),
        ({"title": "Ask HN: Who is hiring? (May 2026)"}, "has no usable objectID: 'None'"),
        (
            {"objectID": "9" * 5000, "title": "Ask HN: Who is hiring? (May 2026)"},
            "has no usable objectID: '" + "9" * 40 + "'",
        ),
    ],
)
def test_hiring_threads_refuse_a_hit_they_cannot_follow(hit: object, error: str) -> None:
    # A thread without a usable id cannot be fetched: the search answer is broken, and says so.
    with pytest.raises(SourceError, match=re.escape(error)):
        hiring_threads({"hits": [hit]})


def test_hn_a_search_page_without_a_whole_page_count_fails_the_source(replay, fast_http) -> None:
    hits = {"hits": [], "nbPages": "many"}
    replay.add_fault("/api/v1/search_by_date", Fault(200, json.dumps(hits).encode()))
    outcome = collect_source(SourceConfig("hn", "whoishiring", replay.url), fast_http)

    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.endswith("gives no whole nbPages")
