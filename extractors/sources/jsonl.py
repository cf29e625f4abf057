"""Postings from a JSONL file: one object per line with id, text and optional metadata.

Fields: id (the source's own posting id), source (default "jsonl"), title, company, posted_at,
seen_at, text, url. The file is read in chunks of lines so a million-line file streams; each bad
line becomes a Reject naming its line number and the reason, and the good lines still land.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.classify import salary_from_text, workplace
from extractors.sources.base import ParseResult, Payload, Posting, Reject, SourceConfig, SourceError
from extractors.sources.dates import parse_timestamp

if TYPE_CHECKING:
    from extractors.http import HttpClient

LINES_PER_PAYLOAD = 5000
MAX_TEXT_CHARS = 200_000
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


class JsonlFile:
    kind = "jsonl"
    default_base_url = ""

    def fetch(self, config: SourceConfig, client: HttpClient | None = None) -> Iterator[Payload]:
        path = Path(config.options.get("path") or config.board)
        if not path.is_file():
            raise SourceError(f"jsonl: no such file {path}")
        board = board_name(path)
        chunk: list[bytes] = []
        first_line = 1
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                chunk.append(line)
                if len(chunk) >= LINES_PER_PAYLOAD:
                    yield _chunk_payload(path, board, first_line, chunk)
                    first_line, chunk = number + 1, []
        if chunk:
            yield _chunk_payload(path, board, first_line, chunk)

    def parse(self, payload: Payload) -> ParseResult:
        first_line = int(payload.url.rsplit("#line=", 1)[1]) if "#line=" in payload.url else 1
        result = ParseResult()
        for offset, raw_line in enumerate(payload.body.split(b"\n")):
            number = first_line + offset
            if not raw_line.strip():
                continue
            try:
                result.postings.append(parse_line(raw_line, payload))
            except ValueError as exc:
                result.rejects.append(
                    Reject(
                        self.kind,
                        payload.board,
                        f"line {number}",
                        str(exc),
                        raw_line[:2000].decode("utf-8", errors="replace"),
                    )
                )
        return result


def board_name(path: Path) -> str:
    return path.stem or "jsonl"


def decode_record(raw_line: bytes) -> dict[str, Any]:
    """One JSONL line as its JSON object; ValueError with a readable reason when it is not one.

    Every command that reads JSONL lines (ingest, extract, candidates) reads them here, so a
    line is refused, and named, for the same reasons everywhere.
    """
    # A line read with its end ("…\n") would give another reason than the same line without
    # it when a string is left open: "Invalid control character" instead of "Unterminated".
    raw_line = raw_line.removesuffix(b"\n").removesuffix(b"\r")
    try:
        line = raw_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}") from exc
    try:
        record = json.loads(line.removeprefix("\ufeff"))  # a BOM from a Windows export
    except json.JSONDecodeError as exc:
        raise ValueError(f"broken JSON at column {exc.colno}: {exc.msg}") from exc
    except RecursionError:
        raise ValueError("broken JSON: nested too deeply") from None
    except ValueError as exc:  # an integer longer than Python converts (4300 digits)
        raise ValueError(f"broken JSON: {exc}") from exc
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    return record


def parse_line(raw_line: bytes, payload: Payload) -> Posting:
    """One JSONL record as a Posting; ValueError with a readable reason when it is not one."""
    record = decode_record(raw_line)
    posting_id = record.get("id")
    if (
        not isinstance(posting_id, str | int)
        or isinstance(posting_id, bool)
        or str(posting_id).strip() == ""
    ):
        raise ValueError("missing or empty 'id'")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing, empty or non-string 'text'")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"'text' is {len(text)} characters, over the {MAX_TEXT_CHARS} limit")
    for key in ("title", "company", "url", "source"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"'{key}' must be a string, got {type(record[key]).__name__}")
    posted_at = _checked_date(record, "posted_at")
    seen_at = _checked_date(record, "seen_at")
    first_line = text.partition("\n")[0]
    salary_min, salary_max, currency = salary_from_text(first_line)
    return Posting(
        source=record.get("source") or "jsonl",
        board=payload.board,
        source_posting_id=str(posting_id),
        title=record.get("title"),
        company=record.get("company"),
        location=record.get("location") if isinstance(record.get("location"), str) else None,
        workplace=workplace(first_line),
        posted_at=posted_at,
        text=text,
        url=record.get("url"),
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=currency,
        payload_sha256=payload.sha256,
        seen_at=seen_at,
    )


def _checked_date(record: dict, key: str) -> datetime | None:
    try:
        value = parse_timestamp(record.get(key))
    except ValueError as exc:
        raise ValueError(f"impossible '{key}': {record.get(key)!r}") from exc
    if value is not None and not (_EARLIEST <= value <= datetime(2100, 1, 1, tzinfo=UTC)):
        raise ValueError(f"impossible '{key}': {record.get(key)!r}")
    return value


def _chunk_payload(path: Path, board: str, first_line: int, lines: list[bytes]) -> Payload:
    return Payload(
        source="jsonl",
        board=board,
        kind="jsonl",
        url=f"{path.resolve().as_uri()}#line={first_line}",
        fetched_at=datetime.now(UTC),
        status=200,
        content_type="application/x-ndjson",
        body=b"".join(lines).rstrip(b"\n"),
    )


SOURCE = JsonlFile()
