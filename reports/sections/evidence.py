"""Section 5: for every skill of the window, up to three sentences quoting the matched words.

Which postings and sentences to quote is this module's choice (no table holds it); the counts
beside each skill are rpt_skill_demand_window's.
"""

from __future__ import annotations

from collections import defaultdict

from reports.evidence import plain_field, snippet
from reports.warehouse import Cohort, Section, Warehouse, as_date, cohort_sql, missing

EVIDENCE_PER_SKILL = 3


def evidence(wh: Warehouse, c: Cohort, taxonomy_version: str) -> Section:
    if not wh.has("raw_mentions", "raw_postings"):
        return missing("Needs raw_mentions and raw_postings in the warehouse.")
    if not c.postings:
        return missing("No postings in the window, so there is nothing to quote.")
    if not wh.has("rpt_skill_demand_window"):
        return missing("The warehouse has no rpt_skill_demand_window table yet.")
    counts = wh.rows(
        """
        select skill_id, name, postings_with_skill as postings, share
        from rpt_skill_demand_window where postings_with_skill > 0 order by demand_rank
        """
    )
    quotes = _quotes(wh, c, taxonomy_version)
    skills = [{**r, "quotes": quotes.get(r["skill_id"], [])} for r in counts]
    return Section(data={"skills": skills, "postings": c.postings})


def _quotes(wh: Warehouse, c: Cohort, taxonomy_version: str) -> dict[str, list[dict]]:
    sub, params = cohort_sql(c)
    ancestors = next((t for t in ("stg_skill_ancestors", "raw_skill_ancestors") if wh.has(t)), None)
    # A parent skill (Spark) is counted through its children's mentions (PySpark) too, so its
    # evidence includes them: that is exactly what the reader needs to check the count.
    expand = (
        f"join {ancestors} as anc on anc.skill_id = rm.skill_id"
        if ancestors
        else "join (select skill_id, skill_id as ancestor_id from dim_skills) as anc "
        "on anc.skill_id = rm.skill_id"
    )
    mentions = wh.rows(
        f"""
        with m as (
            select anc.ancestor_id as skill_id, rm.skill_id as matched, rm.content_hash,
                   rm.start_char, rm.end_char
            from raw_mentions as rm {expand}
            where rm.taxonomy_version = ?
              and rm.content_hash in (select content_hash from {sub})
        ),
        per_text as (
            select skill_id, content_hash, min(start_char) as anchor from m group by all
        ),
        picked as (
            select * from per_text
            qualify row_number() over (
                partition by skill_id order by hash(content_hash || skill_id), content_hash
            ) <= ?
        )
        select m.skill_id, m.content_hash, m.start_char, m.end_char, m.matched,
               m.start_char = p.anchor as is_anchor
        from m join picked as p using (skill_id, content_hash)
        order by m.skill_id, m.content_hash, m.start_char
        """,
        [taxonomy_version, *params, EVIDENCE_PER_SKILL],
    )
    hashes = sorted({m["content_hash"] for m in mentions})
    texts = {
        r["content_hash"]: r["text"]
        for r in wh.rows(
            "select content_hash, any_value(text) as text from raw_postings "
            "where list_contains(?, content_hash) group by 1",
            [hashes],
        )
    }
    meta = {
        r["content_hash"]: r
        for r in wh.rows(
            f"""
            select content_hash, any_value(title) as title, any_value(company) as company,
                   any_value(source) as source, any_value(posted_month) as posted_month,
                   any_value(url) as url
            from {sub} where list_contains(?, content_hash) group by 1
            """,
            [*params, hashes],
        )
    }
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for m in mentions:
        grouped[(m["skill_id"], m["content_hash"])].append(m)
    quotes: dict[str, list[dict]] = defaultdict(list)
    for (skill_id, content_hash), ms in sorted(grouped.items()):
        text = texts.get(content_hash)
        if text is None:
            continue
        anchor = next((m for m in ms if m["is_anchor"]), ms[0])
        info = meta.get(content_hash, {})
        quotes[skill_id].append(
            {
                "html": snippet(
                    text,
                    anchor["start_char"],
                    anchor["end_char"],
                    [(m["start_char"], m["end_char"]) for m in ms],
                ),
                "matched": sorted({m["matched"] for m in ms}),
                "title": plain_field(info.get("title")),
                "company": plain_field(info.get("company")),
                "source": plain_field(info.get("source")),
                "month": as_date(info.get("posted_month")),
                "url": plain_field(info.get("url")),
            }
        )
    return quotes
