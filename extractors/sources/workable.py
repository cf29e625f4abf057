"""Workable public widget API: GET /api/v1/widget/accounts/{slug}?details=true, one call.

Quirks: `shortcode` is the stable id (`code` is often empty); `telecommuting` is the only remote
signal; location is flat city/state/country plus `locations[]` (hidden ones skipped); dates are
plain YYYY-MM-DD; the widget carries no pay, so pay comes from the text. Keyless use is
tolerated rather than published, so a 401/403 fails the source instead of being retried.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors.classify import salary_from_text, workplace
from extractors.http import HttpClient
from extractors.sources.base import (
    ParseResult,
    Payload,
    Posting,
    SourceConfig,
    board_segment,
    parse_records,
    payload_json,
    records_in,
    response_payload,
)
from extractors.sources.dates import parse_timestamp
from extractors.text import html_to_text


class Workable:
    kind = "workable"
    default_base_url = "https://apply.workable.com"

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        base = (config.base_url or self.default_base_url).rstrip("/")
        response = client.get(
            f"{base}/api/v1/widget/accounts/{board_segment(config)}", params={"details": "true"}
        )
        yield response_payload(self.kind, config.board, "board", response)

    def parse(self, payload: Payload) -> ParseResult:
        document = payload_json(payload)
        jobs = records_in(payload, document, "jobs")
        name = document.get("name") if isinstance(document, dict) else None
        company = name if isinstance(name, str) else None
        return parse_records(
            payload,
            jobs,
            lambda job: _posting(job, payload, company or payload.board),
            ref_key="shortcode",
        )


def _posting(job: dict, payload: Payload, company: str) -> Posting:
    shortcode = job["shortcode"]
    if not isinstance(shortcode, str) or not shortcode.strip():
        raise ValueError("missing 'shortcode'")
    title = job["title"]
    text = html_to_text(job.get("description"))
    location = _location(job)
    salary_min, salary_max, currency = salary_from_text(text)
    return Posting(
        source="workable",
        board=payload.board,
        source_posting_id=shortcode,
        title=title,
        company=company,
        location=location,
        workplace="remote" if job.get("telecommuting") is True else workplace(location, title),
        posted_at=parse_timestamp(job.get("published_on") or job.get("created_at")),
        text=text,
        url=job.get("url") or job.get("shortlink"),
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=currency,
        payload_sha256=payload.sha256,
    )


def _location(job: dict) -> str | None:
    places = []
    for place in job.get("locations") or []:
        if not isinstance(place, dict) or place.get("hidden"):
            continue
        label = _join(place.get("city"), place.get("region"), place.get("country"))
        if label and label not in places:
            places.append(label)
    if places:
        return "; ".join(places)
    return _join(job.get("city"), job.get("state"), job.get("country"))


def _join(*parts: object) -> str | None:
    kept: list[str] = []
    for part in parts:
        if isinstance(part, str) and part.strip() and part.strip() not in kept:
            kept.append(part.strip())
    return ", ".join(kept) or None


SOURCE = Workable()
