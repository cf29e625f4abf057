"""Section 6: the facts the method text quotes (counts of what was stored and found)."""

from __future__ import annotations

from reports.warehouse import Warehouse


def method(wh: Warehouse, taxonomy_version: str) -> dict:
    facts: dict = {"taxonomy_version": taxonomy_version}
    if wh.has("raw_postings"):
        facts["raw_postings"] = wh.one("select count(*) as n from raw_postings")["n"]
    if wh.has("fct_rejects"):
        facts["rejects"] = wh.one("select count(*) as n from fct_rejects")["n"]
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
