"""Hacker News "Ask HN: Who is hiring?" threads through the Algolia HN API.

fetch: `search_by_date?tags=story,author_whoishiring` lists the monthly stories newest first;
only titles "Ask HN: Who is hiring? (Month YYYY)" are kept (not "Who wants to be hired?" or the
freelancer thread). `months = N` takes the latest N threads, `since = "YYYY-MM"` every thread from
that month on. Each thread is then fetched whole from `items/{id}`.
parse: top-level comments only (replies are discussion), deleted ones (no author/text) skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from extractors.classify import salary_from_text, workplace
from extractors.http import HttpClient, short_decimal
from extractors.sources.base import (
    ParseResult,
    Payload,
    Posting,
    Reject,
    SourceConfig,
    SourceError,
    payload_json,
    response_payload,
)
from extractors.sources.dates import parse_timestamp
from extractors.text import html_to_text

HITS_PER_PAGE = 100
MAX_SEARCH_PAGES = 50
HN_ITEM_URL = "https://news.ycombinator.com/item?id={}"

_HIRING_TITLE = re.compile(
    r"^\s*Ask HN:\s*Who is hiring\?\s*\((?P<month>[A-Za-z]+)\s+(?P<year>\d{4})\)"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_ROLE_WORD = re.compile(
    r"\b(engineer|developer|scientist|designer|manager|analyst|architect|researcher|lead|"
    r"devops|sre|intern|programmer|head of|director|specialist|consultant)s?\b",
    re.IGNORECASE,
)
_NOT_LOCATION = re.compile(
    r"(https?://|www\.|\$|€|£|\bfull[- ]?time\b|\bpart[- ]?time\b|\bcontract\b|\bvisa\b|"
    r"\bequity\b|\bremote\b|\bonsite\b|\bon-site\b|\bhybrid\b|\binterns?\b)",
    re.IGNORECASE,
)


_WORKPLACE_WORD = re.compile(r"\b(remote|onsite|on-site|hybrid)\b", re.IGNORECASE)
_NOT_PLACE = re.compile(
    r"(https?://|www\.|\$|€|£|\bfull[- ]?time\b|\bpart[- ]?time\b|\bcontract\b|\bvisa\b|"
    r"\bequity\b|\binterns?\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HiringThread:
    story_id: int
    month: str  # YYYY-MM
    title: str


def _whole_number(value: object) -> int | None:
    """An id or count from Algolia: an int, or a string of decimal digits, below 10**18."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**18 else None
    return short_decimal(value) if isinstance(value, str) else None


def hiring_threads(search_body: object) -> list[HiringThread]:
    """The 'Who is hiring?' threads among one Algolia search page's hits, newest first."""
    if not isinstance(search_body, dict) or not isinstance(search_body.get("hits"), list):
        raise SourceError("hn: search response has no 'hits' list")
    threads = []
    for hit in search_body["hits"]:
        if not isinstance(hit, dict):
            raise SourceError(f"hn: a search hit is not an object: {str(hit)[:80]!r}")
        match = _HIRING_TITLE.match(str(hit.get("title") or ""))
        month_number = _MONTHS.get(match["month"].lower()) if match else None
        if match is None or month_number is None:
            continue
        story_id = _whole_number(hit.get("objectID"))
        if story_id is None:
            raise SourceError(
                f"hn: search hit {hit['title']!r} has no usable objectID: "
                f"{str(hit.get('objectID'))[:40]!r}"
            )
        threads.append(
            HiringThread(
                story_id=story_id,
                month=f"{match['year']}-{month_number:02d}",
                title=str(hit["title"]),
            )
        )
    return threads


def select_threads(
    threads: list[HiringThread], months: int | None, since: str | None
) -> list[HiringThread]:
    """Latest `months` threads, or every thread from `since` (YYYY-MM) on; one per month."""
    by_month: dict[str, HiringThread] = {}
    for thread in sorted(threads, key=lambda t: (t.month, t.story_id), reverse=True):
        by_month.setdefault(thread.month, thread)
    ordered = sorted(by_month.values(), key=lambda t: t.month, reverse=True)
    if since:
        return [t for t in ordered if t.month >= since]
    return ordered[: months or 1]


class HackerNews:
    kind = "hn"
    default_base_url = "https://hn.algolia.com"

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        base = (config.base_url or self.default_base_url).rstrip("/")
        months = config.options.get("months")
        since = config.options.get("since")
        if since is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(since)):
            raise SourceError(f"hn/{config.board}: since must be 'YYYY-MM', got {since!r}")
        if months is not None and (
            isinstance(months, bool) or not isinstance(months, int) or months < 1
        ):
            raise SourceError(
                f"hn/{config.board}: months must be a whole number >= 1, got {months!r}"
            )
        found: list[HiringThread] = []
        for page in range(MAX_SEARCH_PAGES):
            response = client.get(
                f"{base}/api/v1/search_by_date",
                params={
                    "tags": "story,author_whoishiring",
                    "hitsPerPage": HITS_PER_PAGE,
                    "page": page,
                },
            )
            payload = response_payload(self.kind, config.board, "search", response)
            yield payload
            body = payload_json(payload)
            found.extend(hiring_threads(body))
            enough = select_threads(found, months, since)
            oldest = min((t.month for t in found), default=None)
            if since and oldest is not None and oldest < str(since):
                break
            if not since and len(enough) >= int(months or 1):
                break
            pages = _whole_number(body.get("nbPages", 0))
            if pages is None:
                raise SourceError(f"hn/{config.board}: {payload.url} gives no whole nbPages")
            if page + 1 >= pages:
                break
        for thread in select_threads(found, months, since):
            response = client.get(f"{base}/api/v1/items/{thread.story_id}")
            yield response_payload(self.kind, config.board, "thread", response)

    def parse(self, payload: Payload) -> ParseResult:
        if payload.kind != "thread":
            return ParseResult()
        story = payload_json(payload)
        if not isinstance(story, dict) or not isinstance(story.get("children"), list):
            raise SourceError(f"hn/{payload.board}: {payload.url} is not an item tree")
        result = ParseResult()
        story_id = story.get("id")
        for comment in story["children"]:
            if not isinstance(comment, dict) or comment.get("type", "comment") != "comment":
                continue
            parent = comment.get("parent_id")
            if story_id is not None and parent is not None and parent != story_id:
                continue  # a reply that Algolia nested one level too high
            if comment.get("deleted") or comment.get("dead"):
                continue
            if not comment.get("author") or not comment.get("text"):
                continue  # Algolia blanks author and text of deleted comments
            try:
                result.postings.append(_posting(comment, payload))
            except (KeyError, TypeError, ValueError) as exc:
                result.rejects.append(
                    Reject(
                        self.kind,
                        payload.board,
                        f"comment {comment.get('id')}",
                        f"{type(exc).__name__}: {exc}",
                    )
                )
        return result


def _posting(comment: dict, payload: Payload) -> Posting:
    text = html_to_text(comment["text"])
    header = parse_header(text.split("\n", 1)[0])
    salary_min, salary_max, currency = salary_from_text(text.split("\n", 1)[0]) or (
        None,
        None,
        None,
    )
    posted_at: datetime | None = parse_timestamp(
        comment.get("created_at") or comment.get("created_at_i")
    )
    return Posting(
        source="hn",
        board=payload.board,
        source_posting_id=str(comment["id"]),
        title=header.title,
        company=header.company,
        location=header.location,
        workplace=workplace(text.split("\n", 1)[0]),
        posted_at=posted_at,
        text=text,
        url=HN_ITEM_URL.format(comment["id"]),
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=currency,
        payload_sha256=payload.sha256,
    )


@dataclass(frozen=True)
class Header:
    company: str | None
    title: str | None
    location: str | None


def parse_header(first_line: str) -> Header:
    """`Company | Role | Location | …` as HN posters write it; any segment may be missing."""
    segments = [s.strip() for s in re.split(r"\s[|–—]\s|\s-\s|\|", first_line) if s.strip()]
    if len(segments) < 2:
        return Header(company=None, title=None, location=None)
    company = segments[0][:200]
    title = next((s for s in segments[1:] if _ROLE_WORD.search(s)), None)
    others = [s for s in segments[1:] if s is not title and not _ROLE_WORD.search(s)]
    # A plain place wins; "Boston or REMOTE (US)" is still a location when nothing plainer is.
    location = next((s for s in others if not _NOT_LOCATION.search(s)), None) or next(
        (s for s in others if _WORKPLACE_WORD.search(s) and not _NOT_PLACE.search(s)), None
    )
    return Header(
        company=company,
        title=title[:200] if title else None,
        location=location[:200] if location else None,
    )


SOURCE = HackerNews()
