"""Greenhouse Job Board API: GET /v1/boards/{token}/jobs?content=true, the whole board at once.

Quirks: `content` is HTML entity-escaped once (unescape, then strip tags); `updated_at` moves on
every edit, so the posting date is `first_published` when present; pay sits in the text.
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
from extractors.text import unescaped_html_to_text


class Greenhouse:
    kind = "greenhouse"
    default_base_url = "https://boards-api.greenhouse.io"

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        base = (config.base_url or self.default_base_url).rstrip("/")
        response = client.get(
            f"{base}/v1/boards/{board_segment(config)}/jobs", params={"content": "true"}
        )
        yield response_payload(self.kind, config.board, "board", response)

    def parse(self, payload: Payload) -> ParseResult:
        jobs = records_in(payload, payload_json(payload), "jobs")
        return parse_records(payload, jobs, lambda job: self._posting(job, payload))

    def _posting(self, job: dict, payload: Payload) -> Posting:
        text = unescaped_html_to_text(job.get("content"))
        location = (job.get("location") or {}).get("name")
        location_type = next(
            (
                str(field.get("value"))
                for field in job.get("metadata") or []
                if isinstance(field, dict) and "location" in str(field.get("name", "")).lower()
            ),
            None,
        )
        salary_min, salary_max, currency = salary_from_text(text)
        return Posting(
            source=self.kind,
            board=payload.board,
            source_posting_id=str(job["id"]),
            title=job.get("title"),
            company=job.get("company_name") or payload.board,
            location=location,
            workplace=workplace(location_type, location),
            posted_at=parse_timestamp(job.get("first_published") or job.get("updated_at")),
            text=text,
            url=job.get("absolute_url"),
            salary_min=salary_min,
            salary_max=salary_max,
            salary_currency=currency,
            payload_sha256=payload.sha256,
        )


SOURCE = Greenhouse()
