"""Build a real warehouse from literal postings: land them in a raw store, then build.

Mentions are landed directly (skill ids per posting) so a test states exactly which skills each
text has; everything after landing is the production code path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from extractors.skills.mentions import MentionColumns
from extractors.skills.taxonomy import Taxonomy
from skillpulse.pipeline import taxonomy_seeds
from warehouse import raw_store
from warehouse.build import BuildResult, build_warehouse
from warehouse.paths import WarehousePaths
from warehouse.sqlfiles import macros


@dataclass
class P:
    """One sourced copy of a posting, with the skills its text mentions."""

    id: str
    posted: str  # YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC
    skills: list[str] = field(default_factory=list)
    # The section of each mention in `skills`, in the same order; None: every one in "body".
    sections: list[str] | None = None
    company: str | None = "Acme"
    title: str | None = "ML Engineer"
    text: str | None = None  # defaults to a text unique to the id
    source: str = "jsonl"
    board: str = "test"
    role_family: str = "ml-engineer"
    seniority: str = "unknown"
    workplace: str | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    url: str | None = None
    # False: the source gave no date, so `posted` is only when the posting was first seen.
    dated: bool = True

    def row(self, run_id: str) -> dict[str, object]:
        text = self.text if self.text is not None else f"posting {self.id} " + " ".join(self.skills)
        at = datetime.fromisoformat(self.posted).replace(tzinfo=UTC)
        return {
            "source": self.source,
            "board": self.board,
            "source_posting_id": self.id,
            "title": self.title,
            "company": self.company,
            "location": None,
            "workplace": self.workplace,
            "posted_at": at if self.dated else None,
            "text": text,
            "url": self.url,
            "salary_min": self.salary_min,
            "salary_max": self.salary_max,
            "salary_currency": self.salary_currency,
            "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "payload_sha256": None,
            "role_family": self.role_family,
            "seniority": self.seniority,
            "parsed_at": at,
            "first_seen_at": at,
            "last_seen_at": at,
            "last_seen_run_id": run_id,
        }


def land(
    db: Path,
    postings: list[P],
    taxonomy: Taxonomy,
    run_id: str = "run-1",
    reject_reasons: Sequence[str] = (),
) -> None:
    """Land `postings`, their mentions, and one rejected input line per reason given."""
    paths = WarehousePaths.for_db(db)
    con = raw_store.open_raw(paths.raw)
    try:
        rows = [p.row(run_id) for p in postings]
        rejects = [
            (run_id, "jsonl", "test", f"line {i}", reason, None)
            for i, reason in enumerate(reject_reasons, start=1)
        ]
        raw_store.land_source_result(
            con, run_id, None, [], raw_store.as_rows(rows, raw_store.POSTING_COLUMNS), rejects
        )
        # Postings sharing a text share its mentions: one per text × start × skill.
        found = [
            (
                str(row["content_hash"]),
                skill,
                i,
                i + 1,
                skill,
                p.sections[i] if p.sections is not None else "body",
                "test",
            )
            for p, row in zip(postings, rows, strict=True)
            for i, skill in enumerate(p.skills)
        ]
        hashes = sorted({str(row["content_hash"]) for row in rows})
        raw_store.land_extractions(con, taxonomy.version, MentionColumns.of(hashes, found))
    finally:
        con.close()


def build(db: Path, taxonomy: Taxonomy, run_id: str = "run-1") -> BuildResult:
    return build_warehouse(WarehousePaths.for_db(db), run_id, taxonomy_seeds(taxonomy, run_id))


def macro_row(sql: str, params: list[object]) -> tuple:
    """The one row `sql` gives on a bare in-memory connection holding every sql/macros macro,
    as a build creates them."""
    con = duckdb.connect()
    try:
        for macro in macros():
            con.execute(macro.sql)
        row = con.execute(sql, params).fetchone()
    finally:
        con.close()
    assert row is not None
    return row


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def spy_on_grouping(monkeypatch) -> list[set[str]]:  # type: ignore[no-untyped-def]
    """Record the blocks of each batch warehouse.build groups in this process (its
    duplicate_groups, which a worker process never calls), returning the record."""
    from warehouse import build as build_module

    return _spy_on_blocks(monkeypatch, build_module, "duplicate_groups")


def spy_on_extending(monkeypatch) -> list[set[str]]:  # type: ignore[no-untyped-def]
    """Record the blocks of each batch of new copies the build extends the previous build's
    groups to (warehouse.duplicates.extend_groups), returning the record."""
    from warehouse import duplicates

    return _spy_on_blocks(monkeypatch, duplicates, "extend_groups")


def _spy_on_blocks(monkeypatch, module, name: str) -> list[set[str]]:  # type: ignore[no-untyped-def]
    """Wrap `module`'s `name`, whose first argument is a batch of Copies, recording the blocks
    of each batch it is called with."""
    seen: list[set[str]] = []
    rule = getattr(module, name)

    def spy(copies, *rest):  # type: ignore[no-untyped-def]
        seen.append(set(copies.block))
        return rule(copies, *rest)

    monkeypatch.setattr(module, name, spy)
    return seen
