"""Lever Postings API: GET /v0/postings/{site}?mode=json, paged with skip/limit (`page_size`).

Quirks: `text` is the title; the requirements live in `lists[]` (HTML <li>) and the closing in
`additionalPlain`, so the posting text is all three joined; `createdAt` is epoch milliseconds.
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
    SourceError,
    board_segment,
    parse_records,
    payload_json,
    plain_number,
    records_in,
    response_payload,
)
from extractors.sources.dates import parse_timestamp
from extractors.text import html_to_text

PAGE_SIZE = 100
MAX_PAGES = 200
_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "on-site": "onsite", "onsite": "onsite"}


class Lever:
    kind = "lever"
    default_base_url = "https://api.lever.co"

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        base = (config.base_url or self.default_base_url).rstrip("/")
        page_size = int(config.options.get("page_size", PAGE_SIZE))
        for page in range(MAX_PAGES):
            response = client.get(
                f"{base}/v0/postings/{board_segment(config)}",
                params={"mode": "json", "skip": page * page_size, "limit": page_size},
            )
            payload = response_payload(self.kind, config.board, "page", response)
            yield payload
            # A short page is the last one; Lever sends no total.
            if page_length(payload) < page_size:
                return
        raise SourceError(f"lever/{config.board}: more than {MAX_PAGES} pages; stopped")

    def parse(self, payload: Payload) -> ParseResult:
        postings = records_in(payload, payload_json(payload))
        return parse_records(
            payload, postings, lambda item: self._posting(item, payload), label="posting"
        )

    def _posting(self, item: dict, payload: Payload) -> Posting:
        parts = [item.get("descriptionPlain") or html_to_text(item.get("description"))]
        for block in item.get("lists") or []:
            parts.append(f"{block.get('text', '')}\n{html_to_text(block.get('content'))}")
        parts.append(item.get("additionalPlain") or html_to_text(item.get("additional")))
        text = "\n\n".join(part.strip() for part in parts if part and part.strip())
        categories = item.get("categories") or {}
        salary_min, salary_max, currency = _salary(item.get("salaryRange"), text)
        return Posting(
            source=self.kind,
            board=payload.board,
            source_posting_id=str(item["id"]),
            title=item["text"],
            company=payload.board,
            location=categories.get("location"),
            workplace=_WORKPLACE.get(str(item.get("workplaceType", "")).lower())
            or workplace(categories.get("location")),
            posted_at=parse_timestamp(item.get("createdAt")),
            text=text,
            url=item.get("hostedUrl"),
            salary_min=salary_min,
            salary_max=salary_max,
            salary_currency=currency,
            payload_sha256=payload.sha256,
        )


def page_length(payload: Payload) -> int:
    """How many postings a page holds, so fetch knows whether another page follows."""
    body = payload_json(payload)
    if not isinstance(body, list):
        raise SourceError(f"lever/{payload.board}: {payload.url} is not a JSON list")
    return len(body)


def _salary(salary_range: object, text: str) -> tuple[float | None, float | None, str | None]:
    # A figure that is no number (or none a float holds) leaves the salary to the text.
    if not isinstance(salary_range, dict) or (low := plain_number(salary_range.get("min"))) is None:
        return salary_from_text(text)
    factor = 2080 if salary_range.get("interval") == "per-hour-wage" else 1
    high = plain_number(salary_range.get("max"))
    return low * factor, high * factor if high is not None else None, salary_range.get("currency")


SOURCE = Lever()
