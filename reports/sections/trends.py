"""Section 2, charts: share per period with Wilson bands, for the top skills and each area.

The numbers are fct_skill_demand_monthly / fct_skill_demand_quarterly (skills) and
rpt_roadmap_area_trends (areas) as stored; this module only drops thin periods and draws.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from markupsafe import Markup

from reports import charts
from reports.warehouse import (
    ARTICLE_AREAS,
    Cohort,
    Section,
    Warehouse,
    area_label,
    as_date,
    missing,
    months_between,
    period_label,
)

MIN_PERIOD_POSTINGS = 10  # a period with fewer postings says nothing about a share
QUARTERLY_AFTER_MONTHS = 24  # a longer history reads better per quarter


def _grain(wh: Warehouse, family: str) -> tuple[str, int]:
    months = wh.one(
        "select count(distinct month) as n from fct_skill_demand_monthly where role_family = ?",
        [family],
    )["n"]
    if months > QUARTERLY_AFTER_MONTHS and wh.has("fct_skill_demand_quarterly"):
        return "quarter", 3
    return "month", 1


def series(rows: list[dict], months_per_period: int) -> list[charts.Point]:
    """Chart points from stored rows (period, postings, share, ci_low, ci_high), in order."""
    points: list[charts.Point] = []
    previous: date | None = None
    for r in rows:
        d = as_date(r["period"])
        if d is None or int(r["postings"]) < MIN_PERIOD_POSTINGS:
            continue
        gap = previous is not None and months_between(previous, d) > months_per_period
        label = period_label(d, months_per_period)
        points.append(charts.Point(label, r["share"], r["ci_low"], r["ci_high"], gap))
        previous = d
    return points


def _y_max(groups: list[list[charts.Point]]) -> float:
    return charts.nice_ceiling(max([p.high or p.value for ps in groups for p in ps] + [0.01]))


def trends(wh: Warehouse, c: Cohort, top: list[dict]) -> Section:
    if not wh.has("fct_skill_demand_monthly"):
        return missing("The warehouse has no fct_skill_demand_monthly table yet.")
    grain, months = _grain(wh, c.family)
    table, column = (
        ("fct_skill_demand_quarterly", "quarter")
        if grain == "quarter"
        else ("fct_skill_demand_monthly", "month")
    )
    by_skill: dict[str, list[dict]] = defaultdict(list)
    for r in wh.rows(
        f"""
        select {column} as period, skill_id, postings, share, ci_low, ci_high from {table}
        where role_family = ? and list_contains(?, skill_id) order by period
        """,
        [c.family, [t["skill_id"] for t in top]],
    ):
        by_skill[r["skill_id"]].append(r)
    skills = []
    for t in top:
        points = series(by_skill.get(t["skill_id"], []), months)
        if points:
            skills.append({**t, "points": points})
    shared_max = _y_max([s["points"] for s in skills])
    for s in skills:
        s["chart"] = Markup(charts.trend_svg(s["points"], s["name"], y_max=shared_max))
    areas = _areas(wh, grain, months)
    if not skills and not areas:
        return missing(f"No {grain} has at least {MIN_PERIOD_POSTINGS} postings yet.")
    return Section(
        data={
            "grain": grain,
            "skills": skills,
            "areas": areas,
            "family": c.family,
            "shared_max": shared_max,
        }
    )


def _areas(wh: Warehouse, grain: str, months: int) -> list[dict]:
    """The article's areas, each as rpt_roadmap_area_trends stores it."""
    if not wh.has("rpt_roadmap_area_trends"):
        return []
    by_area: dict[str, list[dict]] = defaultdict(list)
    for r in wh.rows(
        """
        select period_start as period, roadmap_area, postings, share, ci_low, ci_high
        from rpt_roadmap_area_trends where period_grain = ? order by period
        """,
        [grain],
    ):
        by_area[r["roadmap_area"]].append(r)
    points = {slug: series(by_area.get(slug, []), months) for slug, _ in ARTICLE_AREAS}
    y_max = _y_max(list(points.values()))
    return [
        {
            "slug": slug,
            "name": area_label(slug),
            "points": points[slug],
            "chart": Markup(charts.trend_svg(points[slug], area_label(slug), y_max=y_max)),
        }
        for slug, _ in ARTICLE_AREAS
        if points[slug]
    ]
