"""The contract every source module implements, and the records that cross it.

A source has two halves that never share a function: `fetch` talks to the network and yields raw
payloads exactly as received; `parse` turns one stored payload into postings. Because parsing
needs only the payload, everything downstream can be rebuilt from the raw store without refetching.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    # Annotations only: parsing (a parsing worker's whole job) needs no HTTP client (requests).
    from extractors.http import HttpClient, Response


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` entry of skillpulse.toml."""

    kind: str
    board: str
    base_url: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Payload:
    """One HTTP response body (or file) as received, with what parse needs to interpret it."""

    source: str
    board: str
    kind: str  # what the body is, e.g. "board", "thread", "search", "detail", "jsonl"
    url: str
    fetched_at: datetime
    status: int
    content_type: str
    body: bytes

    @cached_property
    def sha256(self) -> str:
        # Cached: parse reads it once per posting, and a JSONL payload holds 5,000 lines, so
        # hashing the body each time made ingest quadratic (97 s of 126 s on 17k postings).
        return hashlib.sha256(self.body).hexdigest()


_TEXT_FIELDS = (
    "source",
    "board",
    "source_posting_id",
    "title",
    "company",
    "location",
    "text",
    "url",
)


@dataclass(frozen=True)
class Posting:
    """A job posting as one source describes it, before any cross-source deduplication."""

    source: str
    board: str
    source_posting_id: str
    title: str | None
    company: str | None
    location: str | None
    workplace: str | None  # remote | hybrid | onsite | None when the source does not say
    posted_at: datetime | None
    text: str
    url: str | None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    payload_sha256: str | None = None
    seen_at: datetime | None = None  # when the source says it saw the posting (JSONL only)

    def __post_init__(self) -> None:
        # A lone surrogate (JSON "\ud800") cannot be stored as UTF-8: it would fail the whole
        # landing transaction. Refused here, it is one record's reject (ValueError) instead.
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise ValueError(
                        f"'{name}' holds {value[exc.start]!r} at {exc.start}, not valid Unicode text"
                    ) from None

    @cached_property
    def content_hash(self) -> str:
        """Hash of the text that skill extraction reads; unchanged text is never re-extracted."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Reject:
    """A record that could not become a posting, with where it was and why."""

    source: str
    board: str
    record_ref: str  # a line number, posting id or URL: whatever finds the record again
    reason: str
    raw: str | None = None


@dataclass
class ParseResult:
    postings: list[Posting] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    def extend(self, other: ParseResult) -> None:
        self.postings.extend(other.postings)
        self.rejects.extend(other.rejects)


class SourceError(Exception):
    """A source could not be collected; the message names the source, board and URL."""


class SourceSkipped(SourceError):
    """The source was deliberately not collected (robots.txt forbids all of it).

    Skipped is not failed: nothing is wrong on either side, and because a skipped run is not a
    successful fetch the warehouse does not mark the board's postings closed.
    """


def payload_json(payload: Payload) -> Any:
    """The payload body decoded as JSON, or a SourceError naming the source and URL."""
    try:
        return json.loads(payload.body)
    except RecursionError:
        raise SourceError(
            f"{payload.source}/{payload.board}: {payload.url} did not return usable JSON "
            "(nested too deeply)"
        ) from None
    except ValueError as exc:
        # Broken JSON or UTF-8, or an integer longer than Python converts (4300 digits).
        snippet = payload.body[:80].decode("utf-8", errors="replace")
        raise SourceError(
            f"{payload.source}/{payload.board}: {payload.url} did not return JSON "
            f"({exc.__class__.__name__}: {exc}); body starts {snippet!r}"
        ) from exc


# What a malformed record raises while being mapped to a Posting: a reject, never a crash.
# OverflowError: float() of an integer of over 308 digits.
RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


def plain_number(value: object) -> float | None:
    """A JSON number, or a string holding one ("120,000" too), as a finite float; None for
    anything else: booleans, words, and numbers too large for a float."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.replace(",", "").strip())
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def records_in(payload: Payload, document: Any, key: str | None = None) -> list[Any]:
    """The list of records in a decoded payload: `document[key]`, or the document itself."""
    # A bare list where an envelope was expected is a broken answer, not an empty board.
    envelope = document if isinstance(document, dict) else {}
    records = document if key is None else envelope.get(key)
    if not isinstance(records, list):
        what = f"has no '{key}' list" if key is not None else "is not a JSON list"
        raise SourceError(f"{payload.source}/{payload.board}: {payload.url} {what}")
    return records


def parse_records(
    payload: Payload,
    records: list[Any],
    to_posting: Callable[[Any], Posting],
    label: str = "job",
    ref_key: str = "id",
) -> ParseResult:
    """Map each record to a Posting; a record that fails becomes a Reject naming it."""
    result = ParseResult()
    for record in records:
        try:
            result.postings.append(to_posting(record))
        except RECORD_ERRORS as exc:
            ref = str(record.get(ref_key)) if isinstance(record, dict) else "?"
            result.rejects.append(
                Reject(
                    payload.source, payload.board, f"{label} {ref}", f"{type(exc).__name__}: {exc}"
                )
            )
    return result


def board_segment(config: SourceConfig) -> str:
    """The board name as one URL path segment: percent-quoted, so a board from the config can
    never add path segments, a query or a fragment; '.' and '..' (which URLs resolve) refused."""
    if config.board.strip() in ("", ".", ".."):
        raise SourceError(f"{config.kind}/{config.board}: not a usable board name")
    return quote(config.board, safe="")


def response_payload(source: str, board: str, kind: str, response: Response) -> Payload:
    return Payload(
        source=source,
        board=board,
        kind=kind,
        url=response.url,
        fetched_at=response.fetched_at,
        status=response.status,
        content_type=response.content_type,
        body=response.body,
    )


class Source(Protocol):
    """What every source module exposes as its `SOURCE` object."""

    kind: str
    default_base_url: str

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        """Yield raw payloads for one configured board, in the order they were fetched."""
        ...

    def parse(self, payload: Payload) -> ParseResult:
        """Turn one stored payload into postings and rejects. Pure: no network, no clock."""
        ...
