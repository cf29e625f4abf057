"""Section 6: the facts the method text quotes (counts of what was stored and found)."""

from __future__ import annotations

from reports.evidence import plain_field
from reports.warehouse import Warehouse

# The method note names the most frequent reasons only: a reason can quote a value or position
# from its record, so a bad file can produce nearly as many distinct reasons as rejects.
TOP_REJECT_REASONS = 5
REASON_CHARS = 80


def method(wh: Warehouse, taxonomy_version: str) -> dict:
    facts: dict = {"taxonomy_version": taxonomy_version}
    if wh.has("raw_postings"):
        facts["raw_postings"] = wh.one("select count(*) as n from raw_postings")["n"]
    if wh.has("fct_rejects"):
        facts["rejects"] = wh.one("select count(*) as n from fct_rejects")["n"]
        facts["reject_reasons"], facts["other_rejects"] = _reject_reasons(wh)
    if wh.has("raw_mentions"):
        row = wh.one(
            "select count(*) as n, count(distinct content_hash) as texts from raw_mentions "
            "where taxonomy_version = ?",
            [taxonomy_version],
        )
        facts["mentions"], facts["texts_with_mentions"] = row["n"], row["texts"]
        facts["sections"] = wh.rows(
            "select section, count(*) as n from raw_mentions where taxonomy_version = ? "
            "group by 1 order by 2 desc",
            [taxonomy_version],
        )
    if wh.has("dim_skills"):
        facts["skills"] = wh.one(
            "select count(*) as n, count(*) filter (where in_article) as article, "
            "count(*) filter (where is_ambiguous) as ambiguous from dim_skills"
        )
    return facts


def _reject_reasons(wh: Warehouse) -> tuple[list[dict], dict]:
    """The TOP_REJECT_REASONS most frequent stored reasons with their counts, each cut to
    REASON_CHARS characters, and how many rejects the other reasons cover, under how many."""
    counted = wh.rows("select reason, count(*) as n from fct_rejects group by 1 order by 2 desc, 1")
    top = [
        {"reason": _shortened(r["reason"] or "no reason given", REASON_CHARS), "n": r["n"]}
        for r in counted[:TOP_REJECT_REASONS]
    ]
    rest = counted[TOP_REJECT_REASONS:]
    return top, {"n": sum(r["n"] for r in rest), "reasons": len(rest)}


def _shortened(text: str, limit: int) -> str:
    # A reason can quote the record it refused (a whole line, control characters and all).
    text = plain_field(text) or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
