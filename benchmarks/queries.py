"""Analyst query latency on a built warehouse: the documented marts and two ad-hoc questions.

Each query runs on a fresh read-only connection (as an analyst's notebook would open one), once
untimed to warm the OS page cache, then `repeat` times; the median and the worst are reported.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import duckdb

QUERIES: dict[str, str] = {
    "mart: fct_skill_demand_monthly, one skill's series": (
        "select * from fct_skill_demand_monthly where skill_id = 'python' and role_family = 'all' "
        "order by month"
    ),
    "mart: rpt_skill_trends, significant movers": (
        "select * from rpt_skill_trends where p_value < 0.05 order by abs(share_change) desc limit 20"
    ),
    "mart: rpt_roadmap, whole table": "select * from rpt_roadmap",
    "mart: rpt_skill_cooccurrence, top 20 pairs": (
        "select * from rpt_skill_cooccurrence order by postings_with_both desc limit 20"
    ),
    "mart: fct_postings, postings per month": (
        "select posted_month, count(*) from fct_postings group by 1 order by 1"
    ),
    "ad hoc: a skill's monthly share (fct_posting_skills ⋈ fct_postings)": """
        with totals as (
            select posted_month, count(*) as postings from fct_postings group by 1
        ),
        with_skill as (
            select posted_month, count(distinct posting_id) as postings_with_skill
            from fct_posting_skills where skill_id = 'python' group by 1
        )
        select t.posted_month, coalesce(w.postings_with_skill, 0) / t.postings as share
        from totals as t left join with_skill as w using (posted_month)
        order by 1
    """,
    "ad hoc: the same share from fct_posting_skills.posted_month (no join, count(*))": """
        with totals as (
            select posted_month, count(*) as postings from fct_postings group by 1
        ),
        with_skill as (
            select posted_month, count(*) as postings_with_skill
            from fct_posting_skills where skill_id = 'python' group by 1
        )
        select t.posted_month, coalesce(w.postings_with_skill, 0) / t.postings as share
        from totals as t left join with_skill as w using (posted_month)
        order by 1
    """,
    "ad hoc: top skills, count(*) (one row per posting × skill already)": """
        select s.name, count(*) as postings
        from fct_posting_skills as ps inner join dim_skills as s using (skill_id)
        group by s.name order by postings desc, s.name limit 10
    """,
    "ad hoc: top skills by name, count(distinct posting_id)": """
        select s.name, count(distinct ps.posting_id) as postings
        from fct_posting_skills as ps inner join dim_skills as s using (skill_id)
        group by s.name order by postings desc, s.name limit 10
    """,
    # Kept in step with skillpulse/summary.py top_skills, which every run prints.
    "ad hoc: top skills (the CLI's summary query, count(*))": """
        select s.name, count(*) as postings
        from fct_posting_skills as ps inner join dim_skills as s using (skill_id)
        group by s.skill_id, s.name order by postings desc, s.name limit 10
    """,
    "ad hoc: top 20 co-occurring pairs, self-join on fct_posting_skills": """
        select a.skill_id, b.skill_id, count(*) as postings
        from fct_posting_skills as a
        inner join fct_posting_skills as b
            on a.posting_id = b.posting_id and a.skill_id < b.skill_id
        where a.is_mentioned_directly and b.is_mentioned_directly
        group by all order by postings desc limit 20
    """,
}


def measure(db: Path, repeat: int = 5) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        sizes = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
            for table in ("fct_postings", "fct_posting_skills", "raw_mentions")
        }
    finally:
        con.close()
    rows: dict[str, dict[str, object]] = {}
    for name, sql in QUERIES.items():
        times = []
        result_rows = 0
        for attempt in range(repeat + 1):
            con = duckdb.connect(str(db), read_only=True)
            try:
                started = time.perf_counter()
                try:
                    result_rows = len(con.execute(sql).fetchall())
                except duckdb.Error as exc:
                    rows[name] = {"error": str(exc).splitlines()[0]}
                    break
                elapsed = time.perf_counter() - started
            finally:
                con.close()
            if attempt:
                times.append(elapsed)
        if name not in rows:
            rows[name] = {"seconds": times, "rows": result_rows}
    return {"db": str(db), "sizes": sizes, "repeat": repeat, "queries": rows}


def render(label: str, result: dict) -> str:
    sizes = result["sizes"]
    lines = [
        f"**{label}**: fct_postings {sizes['fct_postings']:,} rows, fct_posting_skills "
        f"{sizes['fct_posting_skills']:,} rows, raw_mentions {sizes['raw_mentions']:,} rows; "
        f"median and worst of {result['repeat']} runs, each on a fresh read-only connection.",
        "",
        "| query | median ms | worst ms | rows | under 200 ms |",
        "|---|---:|---:|---:|---|",
    ]
    for name, row in result["queries"].items():
        if "error" in row:
            lines.append(f"| {name} | — | — | — | error: {row['error']} |")
            continue
        med = statistics.median(row["seconds"]) * 1000
        worst = max(row["seconds"]) * 1000
        lines.append(
            f"| {name} | {med:,.0f} | {worst:,.0f} | {row['rows']:,} | {'yes' if med < 200 else '**no**'} |"
        )
    return "\n".join(lines) + "\n"
