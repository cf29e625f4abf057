"""Section 2, rising and falling: rpt_skill_trends' comparison, test, q-value and ranking."""

from __future__ import annotations

from markupsafe import Markup

from reports import charts
from reports.warehouse import Cohort, Section, Warehouse, missing

TOP_MOVERS = 8
# Which of rpt_skill_trends' comparisons the report shows: the first with any tested skill in
# the cohort's family. The 12-month one matches the roadmap window; the calendar-year one is
# the table's answer for histories with gap years (the HN corpus skips 2019-2025).
COMPARISONS = {
    "last_12m_vs_prior_12m": "The latest 12 months against the 12 before them",
    "latest_year_vs_previous_data_year": "The latest calendar year against the latest earlier year with postings",
    "last_6m_vs_prior_6m": "The latest 6 months against the 6 before them",
}


def movers(wh: Warehouse, c: Cohort) -> Section:
    if not wh.has("rpt_skill_trends"):
        return missing("The warehouse has no rpt_skill_trends table yet.")
    tested = {
        r["comparison"]: r["tested"]
        for r in wh.rows(
            """
            select comparison, count(*) as tested from rpt_skill_trends
            where role_family = ? and has_support and p_value is not null group by 1
            """,
            [c.family],
        )
    }
    comparison = next((name for name in COMPARISONS if tested.get(name)), None)
    if comparison is None:
        family = "" if c.family == "all" else f"{c.family} "
        return missing(
            f"Too few {family}postings to call any skill rising or falling yet: "
            "rpt_skill_trends tests a skill only when both windows have at least 30 postings "
            "and at least 10 of them ask for it."
        )
    # Significant movers first, in the table's trend_rank; then the supported rest (the table
    # calls them flat) by the size of the change, marked as possibly noise.
    rows = wh.rows(
        """
        select * from rpt_skill_trends
        where comparison = ? and role_family = ? and has_support and p_value is not null
        order by trend_rank nulls last, abs(share_change) desc, skill_id
        """,
        [comparison, c.family],
    )
    for r in rows:
        r["significant"] = r["direction"] in ("rising", "falling")
    rising = [r for r in rows if r["share_change"] > 0][:TOP_MOVERS]
    falling = [r for r in rows if r["share_change"] < 0][:TOP_MOVERS]
    scale = charts.nice_ceiling(
        max([max(r["share_before"], r["share_after"]) for r in rising + falling] + [0.01])
    )
    for r in rising + falling:
        r["chart"] = Markup(
            charts.dumbbell_svg(r["share_before"], r["share_after"], scale, r["share_change"] > 0)
        )
    first = rows[0]
    return Section(
        data={
            "comparison": comparison,
            "description": COMPARISONS[comparison],
            "rising": rising,
            "falling": falling,
            "n_before": first["postings_before"],
            "n_after": first["postings_after"],
            "tested": tested[comparison],
            "before_label": f"{first['before_start']:%b %Y} – {first['before_end']:%b %Y}",
            "after_label": f"{first['after_start']:%b %Y} – {first['after_end']:%b %Y}",
            "family": c.family,
            "scale": scale,
        }
    )
