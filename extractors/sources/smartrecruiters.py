"""SmartRecruiters Posting API: list, then one detail call per posting.

GET /v1/companies/{company}/postings?limit=&offset= pages through `content` until `totalFound`;
list items lack the description and URLs, so each posting is fetched again from
/v1/companies/{company}/postings/{id}. Only detail payloads become postings; list payloads are
kept as raw navigation. A posting whose detail answers 404 was withdrawn between the two calls
and becomes a reject; inactive postings are skipped. `fullLocation` is sometimes malformed
("Dublin, , Ireland"), so the location is rebuilt from its parts.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors.classify import salary_from_text, workplace
from extractors.http import HttpClient
from extractors.sources.base import (
    ParseResult,
    Payload,
    Posting,
    Reject,
    SourceConfig,
    SourceError,
    board_segment,
    payload_json,
    response_payload,
)
from extractors.sources.dates import parse_timestamp
from extractors.text import html_to_text

PAGE_SIZE = 100  # the API's maximum
MAX_PAGES = 100
# Requirements first: skill extraction reads them best, the company blurb adds noise.
SECTION_ORDER = ("jobDescription", "qualifications", "additionalInformation", "companyDescription")


class SmartRecruiters:
    kind = "smartrecruiters"
    default_base_url = "https://api.smartrecruiters.com"

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        base = (config.base_url or self.default_base_url).rstrip("/")
        list_url = f"{base}/v1/companies/{board_segment(config)}/postings"
        page_size = int(config.options.get("page_size", PAGE_SIZE))
        posting_ids: list[str] = []
        for page in range(MAX_PAGES):
            response = client.get(list_url, params={"limit": page_size, "offset": page * page_size})
            payload = response_payload(self.kind, config.board, "list", response)
            yield payload
            content, total = list_page(payload)
            posting_ids.extend(str(item["id"]) for item in content if item.get("id"))
            if not content or (page + 1) * page_size >= total:
                break
        else:
            raise SourceError(f"smartrecruiters/{config.board}: more than {MAX_PAGES} pages")
        for posting_id in dict.fromkeys(posting_ids):
            response = client.get(f"{list_url}/{posting_id}", accept_statuses=frozenset({404}))
            yield response_payload(self.kind, config.board, "detail", response)

    def parse(self, payload: Payload) -> ParseResult:
        if payload.kind != "detail":
            return ParseResult()
        if payload.status == 404:
            return ParseResult(
                rejects=[
                    Reject(self.kind, payload.board, payload.url, "posting withdrawn (HTTP 404)")
                ]
            )
        detail = payload_json(payload)
        if not isinstance(detail, dict):
            raise SourceError(f"smartrecruiters/{payload.board}: {payload.url} is not an object")
        if detail.get("active") is False:
            return ParseResult()
        try:
            return ParseResult(postings=[_posting(detail, payload)])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            ref = f"posting {detail.get('id')}" if detail.get("id") else payload.url
            return ParseResult(
                rejects=[Reject(self.kind, payload.board, ref, f"{type(exc).__name__}: {exc}")]
            )


def list_page(payload: Payload) -> tuple[list[dict], int]:
    """The postings of one list page and the total the API reports."""
    body = payload_json(payload)
    if not isinstance(body, dict) or not isinstance(body.get("content"), list):
        raise SourceError(f"smartrecruiters/{payload.board}: {payload.url} has no 'content' list")
    content = [item for item in body["content"] if isinstance(item, dict)]
    total = body.get("totalFound")
    return content, int(total) if isinstance(total, int) else len(content)


def _posting(detail: dict, payload: Payload) -> Posting:
    sections = ((detail.get("jobAd") or {}).get("sections")) or {}
    parts = []
    for key in SECTION_ORDER:
        section = sections.get(key) or {}
        body = html_to_text(section.get("text"))
        if body:
            heading = section.get("title")
            parts.append(f"{heading}\n{body}" if heading else body)
    text = "\n\n".join(parts)
    location_info = detail.get("location") or {}
    location = _location(location_info)
    title = detail["name"]
    salary_min, salary_max, currency = salary_from_text(text)
    return Posting(
        source="smartrecruiters",
        board=payload.board,
        source_posting_id=str(detail["id"]),
        title=title,
        company=(detail.get("company") or {}).get("name") or payload.board,
        location=location,
        workplace=_workplace(location_info) or workplace(title),
        posted_at=parse_timestamp(detail.get("releasedDate")),
        text=text,
        url=detail.get("postingUrl"),
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=currency,
        payload_sha256=payload.sha256,
    )


def _location(location: dict) -> str | None:
    country = location.get("country")
    parts = [location.get("city"), location.get("region"), country.upper() if country else None]
    kept = [str(part).strip() for part in parts if part and str(part).strip()]
    return ", ".join(kept) or None


def _workplace(location: dict) -> str | None:
    if location.get("remote") is True:
        return "remote"
    if location.get("hybrid") is True:
        return "hybrid"
    if location.get("remote") is False and location.get("hybrid") is False:
        return "onsite"
    return None


SOURCE = SmartRecruiters()
