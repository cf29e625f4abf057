"""Career pages that describe their postings as schema.org JobPosting JSON-LD.

Config: `kind = "jsonld"`, `board` = a site name, `urls = [...]` (the pages to read). Each page
is fetched (robots.txt obeyed) and every `<script type="application/ld+json">` is read, including
`@graph` arrays and top-level lists. A page that answers 404/410 has been taken down and becomes
a reject naming its URL; a page robots.txt forbids is left out and named in a reject too; when
robots.txt forbids every page the source is skipped.

Posting id: `identifier` (a PropertyValue's `value`, or a plain string/number); else a hash of
the posting's `url`, else of the page URL (with the posting's position when a page holds several).
A `url` that several postings without an identifier share on one page (a page that gives its
own address as each posting's) is hashed with the page URL, the title and how many postings
before it on the page share both: keyed by the url alone, every such posting but the last
would be lost, and keyed by position, each would take another's id when one is added above
it. A posting the page lists twice is then two postings here, which the warehouse's duplicate
rule merges (same company, title and text).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bs4 import BeautifulSoup

from extractors.classify import salary_from_text, workplace
from extractors.http import HttpClient
from extractors.sources.base import (
    RECORD_ERRORS,
    ParseResult,
    Payload,
    Posting,
    Reject,
    SourceConfig,
    SourceError,
    SourceSkipped,
    plain_number,
    response_payload,
)
from extractors.sources.dates import parse_timestamp
from extractors.text import html_to_text

GONE = frozenset({404, 410})
_ANNUAL_FACTOR = {"HOUR": 2080, "DAY": 260, "WEEK": 52, "MONTH": 12, "YEAR": 1}


class JsonLd:
    kind = "jsonld"
    default_base_url = ""

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        urls = config.options.get("urls")
        if not isinstance(urls, list) or not urls:
            raise SourceError(f"jsonld/{config.board}: needs a non-empty 'urls' list")
        allowed = [url for url in urls if not client.settings.obey_robots or client.allowed(url)]
        if not allowed:
            raise SourceSkipped(f"robots.txt disallows every page ({', '.join(urls)})")
        for url in urls:
            if url not in allowed:
                yield _disallowed_payload(config.board, url)
                continue
            response = client.get(url, accept_statuses=GONE)
            yield response_payload(self.kind, config.board, "page", response)

    def parse(self, payload: Payload) -> ParseResult:
        if payload.kind == "disallowed":
            return ParseResult(
                rejects=[Reject(self.kind, payload.board, payload.url, "robots.txt disallows it")]
            )
        if payload.status in GONE:
            return ParseResult(
                rejects=[
                    Reject(
                        self.kind, payload.board, payload.url, f"page gone (HTTP {payload.status})"
                    )
                ]
            )
        result = ParseResult()
        nodes: list[dict] = []
        for index, script_text in enumerate(_ld_scripts(payload.body)):
            try:
                nodes.extend(_job_postings(json.loads(script_text)))
            except RecursionError:
                result.rejects.append(
                    Reject(
                        self.kind,
                        payload.board,
                        f"{payload.url} script #{index + 1}",
                        "broken JSON-LD: nested too deeply",
                        script_text[:2000],
                    )
                )
            except ValueError as exc:  # broken JSON, or an integer of over 4300 digits
                reason = (
                    f"{exc.msg} at line {exc.lineno} column {exc.colno}"
                    if isinstance(exc, json.JSONDecodeError)
                    else str(exc)
                )
                result.rejects.append(
                    Reject(
                        self.kind,
                        payload.board,
                        f"{payload.url} script #{index + 1}",
                        f"broken JSON-LD: {reason}",
                        script_text[:2000],
                    )
                )
        if not nodes and not result.rejects:
            result.rejects.append(
                Reject(self.kind, payload.board, payload.url, "no JobPosting JSON-LD on the page")
            )
        posting_ids = _posting_ids(nodes, payload.url)
        for position, (node, posting_id) in enumerate(zip(nodes, posting_ids, strict=True)):
            try:
                result.postings.append(_posting(node, payload, posting_id))
            except RECORD_ERRORS as exc:
                result.rejects.append(
                    Reject(
                        self.kind,
                        payload.board,
                        f"{payload.url} JobPosting #{position + 1}",
                        f"{type(exc).__name__}: {exc}",
                    )
                )
        return result


def _ld_scripts(body: bytes) -> list[str]:
    soup = BeautifulSoup(body, "html.parser")
    scripts = soup.find_all("script", attrs={"type": lambda value: _is_ld_type(value)})
    texts = []
    for script in scripts:
        text = (script.string or script.get_text() or "").strip()
        # Some CMSs wrap the JSON in comment or CDATA markers.
        for marker in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
            text = text.replace(marker, "")
        if text.strip():
            texts.append(text.strip())
    return texts


def _is_ld_type(value: str | None) -> bool:
    return bool(value) and value.split(";")[0].strip().lower() == "application/ld+json"


def _job_postings(document: Any) -> list[dict]:
    """Every JobPosting node in a JSON-LD document: a node, a list, or an @graph."""
    if isinstance(document, list):
        return [node for item in document for node in _job_postings(item)]
    if not isinstance(document, dict):
        return []
    found = []
    if "JobPosting" in _types(document):
        found.append(document)
    if "@graph" in document:
        found.extend(_job_postings(document["@graph"]))
    return found


def _types(node: dict) -> list[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1] for v in values if v]


def _posting(node: dict, payload: Payload, posting_id: str) -> Posting:
    title = _title(node)
    if not title:
        raise ValueError("JobPosting has no title")
    text = _description(node.get("description"))
    location = _location(node)
    telecommute = "TELECOMMUTE" in str(node.get("jobLocationType") or "").upper()
    salary_min, salary_max, currency = _salary(node.get("baseSalary"))
    if salary_min is None:
        salary_min, salary_max, currency = salary_from_text(text)
    url = _text(node.get("url")) or payload.url
    return Posting(
        source="jsonld",
        board=payload.board,
        source_posting_id=posting_id,
        title=title,
        company=_organization(node.get("hiringOrganization")) or payload.board,
        location=location,
        workplace="remote" if telecommute else workplace(location, title),
        posted_at=_date(node.get("datePosted")),
        text=text,
        url=url,
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=currency,
        payload_sha256=payload.sha256,
    )


def _posting_ids(nodes: list[dict], page_url: str) -> list[str]:
    """Each node's posting id, in page order (the module docstring says how)."""
    identifiers = [_identifier(node) for node in nodes]
    urls = [_text(node.get("url")) for node in nodes]
    shared = Counter(url for url, given in zip(urls, identifiers, strict=True) if not given and url)
    earlier: Counter[tuple[str, str | None]] = Counter()  # (url, title) of shared-url postings
    ids = []
    for position, (node, given, url) in enumerate(zip(nodes, identifiers, urls, strict=True)):
        if given is not None:
            ids.append(given)
            continue
        if url and shared[url] > 1:
            title = _title(node)
            key = repr((page_url, url, title, earlier[(url, title)]))
            earlier[(url, title)] += 1
        else:
            key = url or (page_url if len(nodes) == 1 else f"{page_url}#{position}")
        ids.append("url-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16])
    return ids


def _title(node: dict) -> str | None:
    return _text(node.get("title")) or _text(node.get("name"))


def _identifier(node: dict) -> str | None:
    identifier = node.get("identifier")
    if isinstance(identifier, list):
        identifier = identifier[0] if identifier else None
    if isinstance(identifier, dict):
        identifier = identifier.get("value") or identifier.get("@id")
    if (
        isinstance(identifier, str | int)
        and not isinstance(identifier, bool)
        and str(identifier).strip()
    ):
        return str(identifier).strip()
    return None


def _description(value: object) -> str:
    markup = _text(value) or ""
    # Some pages entity-escape the HTML inside the JSON ("&lt;p&gt;…").
    if "<" not in markup and "&lt;" in markup:
        markup = html.unescape(markup)
    return html_to_text(markup)


def _organization(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _location(node: dict) -> str | None:
    places = node.get("jobLocation")
    places = places if isinstance(places, list) else [places]
    labels: list[str] = []
    for place in places:
        label = _place_label(place)
        if label and label not in labels:
            labels.append(label)
    if labels:
        return "; ".join(labels)
    requirements = node.get("applicantLocationRequirements")
    requirements = requirements if isinstance(requirements, list) else [requirements]
    names = [_organization(r) for r in requirements if r]
    names = [n for n in names if n]
    if names:
        return "Remote (" + ", ".join(names) + ")"
    return None


def _place_label(place: object) -> str | None:
    if isinstance(place, str):
        return place.strip() or None
    if not isinstance(place, dict):
        return None
    address = place.get("address")
    if isinstance(address, str):
        return address.strip() or None
    if not isinstance(address, dict):
        return _text(place.get("name"))
    country = address.get("addressCountry")
    if isinstance(country, dict):
        country = country.get("name")
    parts = [address.get("addressLocality"), address.get("addressRegion"), country]
    kept: list[str] = []
    for part in parts:
        if isinstance(part, str) and part.strip() and part.strip() not in kept:
            kept.append(part.strip())
    return ", ".join(kept) or None


def _salary(value: object) -> tuple[float | None, float | None, str | None]:
    """schema.org MonetaryAmount → annual (min, max, currency); hourly etc. are annualised."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None, None, None
    currency = _text(value.get("currency"))
    amount = value.get("value")
    unit = "YEAR"
    if isinstance(amount, dict):
        unit = str(amount.get("unitText") or "YEAR").upper()
        low = plain_number(amount.get("minValue"))
        high = plain_number(amount.get("maxValue"))
        single = plain_number(amount.get("value"))
        if low is None and high is None:
            low = high = single
    else:
        low = high = plain_number(amount)
    if low is None and high is None:
        return None, None, None
    factor = _ANNUAL_FACTOR.get(unit, 1)
    return (
        low * factor if low is not None else None,
        high * factor if high is not None else None,
        currency,
    )


def _date(value: object) -> datetime | None:
    # Career pages write dates loosely; a bad one loses the date, not the posting.
    try:
        return parse_timestamp(_text(value))
    except (ValueError, OverflowError):
        return None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _disallowed_payload(board: str, url: str) -> Payload:
    # Nothing was received; this records the decision so parse can name the page in a reject.
    return Payload(
        source="jsonld",
        board=board,
        kind="disallowed",
        url=url,
        fetched_at=datetime.now(UTC),
        status=0,
        content_type="text/plain",
        body=f"robots.txt disallows {url}".encode(),
    )


SOURCE = JsonLd()
