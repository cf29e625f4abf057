"""What one source produced in one run: SourceOutcome, which collecting, landing, the run log
and the summary all pass along.

Its own module so that an ingest of a JSONL file does not import, through skillpulse.collect,
the HTTP stack (requests, urllib3) it never fetches with: about 0.1 s of its start-up
(docs/BENCHMARKS.md item 61). spaCy still imports requests in whichever process extracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from extractors.sources.base import ParseResult, Payload


@dataclass
class SourceOutcome:
    """Everything one source produced in one run, or why it produced nothing."""

    source: str
    board: str
    status: str  # ok | failed | skipped
    payloads: list[Payload] = field(default_factory=list)
    parsed: ParseResult = field(default_factory=ParseResult)
    error: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    landed: int = 0
    retryable: bool = False  # the failure may pass (timeout, 429, 5xx, dropped connection)

    @property
    def label(self) -> str:
        return f"{self.source}/{self.board}"
