"""Career pages with schema.org JobPosting JSON-LD, served from a local replay server."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from extractors.sources.base import Payload, SourceConfig
from extractors.sources.jsonld import SOURCE as JSONLD
from skillpulse.demo.server import ReplayServer
from skillpulse.pipeline import collect_source

API_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
PAGES = ("ml-engineer.html", "graph.html", "list.html", "no-jobs.html", "gone.html")


def config(base: str, pages: tuple[str, ...] = PAGES) -> SourceConfig:
    return SourceConfig("jsonld", "northbeam", None, {"urls": [f"{base}/pages/{p}" for p in pages]})


def test_jsonld_reads_single_nodes_graphs_and_lists(replay, fast_http) -> None:
    outcome = collect_source(config(replay.url), fast_http)

    assert outcome.status == "ok", outcome.error
    postings = {p.title: p for p in outcome.parsed.postings}
    assert sorted(postings) == [
        "Data Labeling Lead",
        "Machine Learning Engineer",
        "Remote MLOps Engineer",
        "Senior Data Scientist",
    ]
    ml = postings["Machine Learning Engineer"]
    assert ml.source_posting_id == "NB-4411"  # identifier.value
    assert ml.company == "Northbeam"
    assert ml.location == "Toronto, ON, CA"
    assert ml.workplace is None
    assert ml.posted_at == datetime(2026, 9, 28, tzinfo=UTC)
    assert ml.text == "Train LLM evaluation pipelines.\n\n- Python\n- PyTorch"
    assert (ml.salary_min, ml.salary_max, ml.salary_currency) == (150000.0, 190000.0, "CAD")
    assert ml.url == "https://northbeam.example/careers/ml-engineer"

    mlops = postings["Remote MLOps Engineer"]
    assert mlops.workplace == "remote"  # jobLocationType TELECOMMUTE
    assert mlops.location == "Remote (Canada)"
    assert mlops.text == "Own Kubeflow and MLflow."  # entity-escaped HTML inside the JSON
    assert mlops.posted_at == datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    assert mlops.source_posting_id.startswith("url-")  # no identifier: hash of its url

    lead = postings["Data Labeling Lead"]
    assert lead.posted_at is None  # "not a date" loses the date, not the posting
    assert lead.location == "Montreal, Canada"
    assert (lead.salary_min, lead.salary_max) == (30 * 2080.0, 30 * 2080.0)  # hourly, annualised
    assert postings["Senior Data Scientist"].source_posting_id == "DS-77"

    assert sorted((r.record_ref, r.reason) for r in outcome.parsed.rejects) == [
        (f"{replay.url}/pages/gone.html", "page gone (HTTP 404)"),
        (
            f"{replay.url}/pages/list.html script #2",
            "broken JSON-LD: Expecting property name enclosed in double quotes at line 1 column 43",
        ),
        (f"{replay.url}/pages/no-jobs.html", "no JobPosting JSON-LD on the page"),
    ]


def test_jsonld_posting_ids_are_stable_across_fetches(replay, fast_http) -> None:
    first = collect_source(config(replay.url, ("graph.html",)), fast_http)
    second = collect_source(config(replay.url, ("graph.html",)), fast_http)

    ids = [p.source_posting_id for p in first.parsed.postings]
    assert ids == [p.source_posting_id for p in second.parsed.postings]
    assert len(set(ids)) == 2


def test_jsonld_pages_robots_forbids_are_named_and_the_rest_collected(fast_http) -> None:
    with ReplayServer(API_FIXTURES, robots_txt="User-agent: *\nDisallow: /pages/list\n") as server:
        outcome = collect_source(config(server.url, ("ml-engineer.html", "list.html")), fast_http)
        requested = list(server.requests)

    assert outcome.status == "ok", outcome.error
    assert requested == ["/robots.txt", "/pages/ml-engineer.html"]
    assert [p.source_posting_id for p in outcome.parsed.postings] == ["NB-4411"]
    assert [(r.record_ref, r.reason) for r in outcome.parsed.rejects] == [
        (f"{server.url}/pages/list.html", "robots.txt disallows it")
    ]


def test_jsonld_is_skipped_when_robots_forbids_every_page(fast_http) -> None:
    with ReplayServer(API_FIXTURES, robots_txt="User-agent: *\nDisallow: /\n") as server:
        outcome = collect_source(config(server.url, ("ml-engineer.html",)), fast_http)
        requested = list(server.requests)

    assert outcome.status == "skipped"
    assert outcome.error == (
        f"jsonld/northbeam: robots.txt disallows every page ({server.url}/pages/ml-engineer.html)"
    )
    assert requested == ["/robots.txt"]


def _stored_page(body: bytes) -> Payload:
    return Payload(
        "jsonld",
        "northbeam",
        "page",
        "https://northbeam.example/jobs",
        datetime(2026, 10, 1, tzinfo=UTC),
        200,
        "text/html",
        body,
    )


def test_jsonld_parse_is_pure_over_a_stored_page() -> None:
    result = JSONLD.parse(_stored_page((API_FIXTURES / "pages" / "list.html").read_bytes()))
    assert [(p.source_posting_id, p.location, p.url) for p in result.postings] == [
        ("DS-77", "Vancouver, BC", "https://northbeam.example/jobs")
    ]


def _page(*nodes: str) -> Payload:
    """A stored page holding each node in a JSON-LD script of its own."""
    scripts = "".join(f'<script type="application/ld+json">{node}</script>' for node in nodes)
    return _stored_page(f"<html><head>{scripts}</head></html>".encode())


def test_postings_that_give_one_shared_url_and_no_identifier_keep_one_id_each() -> None:
    # The page gives its own address as each posting's url: keyed by it alone, one id for all.
    shared = '{"@type": "JobPosting", "title": "%s", "url": "https://northbeam.example/jobs"}'
    own = '{"@type": "JobPosting", "title": "Analyst", "url": "https://northbeam.example/a"}'
    nodes = [shared % "ML Engineer", shared % "Data Scientist", shared % "ML Engineer", own]
    result = JSONLD.parse(_page(*nodes))

    ids = [p.source_posting_id for p in result.postings]
    assert len(set(ids)) == 4
    # A url only one posting gives keeps the id it had: a hash of the url alone.
    assert ids[3] == "url-" + hashlib.sha256(b"https://northbeam.example/a").hexdigest()[:16]
    # A posting added above them takes none of their ids.
    added = JSONLD.parse(_page(shared % "Researcher", *nodes))
    assert [p.source_posting_id for p in added.postings][1:] == ids
    # Another page giving the same url to postings of the same titles gets ids of its own.
    elsewhere = JSONLD.parse(replace(_page(*nodes), url="https://northbeam.example/jobs?p=2"))
    assert set(ids[:3]).isdisjoint(p.source_posting_id for p in elsewhere.postings)


def test_a_script_with_a_number_too_long_for_python_is_a_reject_and_the_rest_lands() -> None:
    huge = '{"@type": "JobPosting", "title": "Lost", "identifier": %s}' % ("9" * 5000)
    fine = '{"@type": "JobPosting", "title": "ML Engineer", "identifier": "NB-1"}'
    result = JSONLD.parse(_page(huge, fine))

    assert [p.source_posting_id for p in result.postings] == ["NB-1"]
    assert [(r.record_ref, r.reason) for r in result.rejects] == [
        (
            "https://northbeam.example/jobs script #1",
            "broken JSON-LD: Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
        )
    ]
