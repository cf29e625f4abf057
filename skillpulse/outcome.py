"""What one source produced in one run: SourceOutcome, which collecting, landing, the run log
and the summary all pass along.

Its own module so that landing a JSONL file (`skillpulse ingest`) does not import the HTTP
stack (requests, urllib3) that only collecting uses: 0.05-0.1 s of every command's start-up.
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
