"""Section 1: the article's roadmap reweighted by demand (rpt_roadmap, rpt_roadmap_areas)."""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup

from reports import charts
from reports.warehouse import ARTICLE_AREAS, Cohort, Section, Warehouse, area_label, missing


def roadmap(wh: Warehouse, c: Cohort) -> Section:
    if not wh.has("rpt_roadmap"):
        return missing("The warehouse has no rpt_roadmap table yet, so there is no roadmap.")
    if not wh.has("rpt_roadmap_areas"):
        return missing("The warehouse has no rpt_roadmap_areas table yet, so there is no roadmap.")
    rows = wh.rows("select * from rpt_roadmap order by new_rank, skill_id")
    # With no postings every share is 0 (or null) and the ranks only break ties by name: an
    # order that would read as advice, so there is no roadmap rather than an alphabetical one.
    if not any(r.get("postings") for r in rows):
        return missing("No postings in the window, so there is no roadmap.")
    scale = charts.nice_ceiling(
        max((r.get("demand_ci_high") or r["demand_share"] or 0) for r in rows)
    )
    for r in rows:
        r["bar"] = Markup(
            charts.bar_svg(
                r["demand_share"] or 0,
                scale,
                r.get("demand_ci_low"),
                r.get("demand_ci_high"),
                kind=f"fill v-{r['verdict']}",
            )
        )
        r["area_label"] = area_label(r["roadmap_area"])
    article_step = {slug: step for step, (slug, _) in enumerate(ARTICLE_AREAS, start=1)}
    areas = []
    # The steps are the areas the article has; the new order is rpt_roadmap_areas.new_rank (by
    # the summed new weight of every rpt_roadmap skill in the area).
    for a in wh.rows(
        "select * from rpt_roadmap_areas where skills_in_article > 0 order by new_rank, roadmap_area"
    ):
        slug = a["roadmap_area"]
        skills = [r for r in rows if r["roadmap_area"] == slug]
        areas.append(
            {
                "slug": slug,
                "name": area_label(slug),
                "article_step": article_step.get(slug, a["article_rank"]),
                "skills": sorted(skills, key=lambda r: (-(r["demand_share"] or 0), r["skill_id"])),
                "article_weight": a["article_weight"] or 0,
                "new_weight": a["new_weight"] or 0,
                "verdict": a["verdict"],
                "demand": {
                    "share": a["area_demand_share"],
                    "low": a["area_demand_ci_low"],
                    "high": a["area_demand_ci_high"],
                    "k": a["postings_with_area"],
                },
            }
        )
    max_weight = max([a["new_weight"] for a in areas] + [a["article_weight"] for a in areas] + [0])
    for new_step, a in enumerate(areas, start=1):
        a["new_step"] = new_step
        a["shift"] = Markup(
            charts.weight_shift_svg(a["article_weight"], a["new_weight"], max_weight or 1.0)
        )
    additions = [r for r in rows if not r["in_article"]]
    additions.sort(key=lambda r: (-(r["demand_share"] or 0), r["skill_id"]))
    return Section(
        data={
            "rows": rows,
            "areas": areas,
            "additions": additions,
            # The weight rpt_roadmap gives the skills the article lacks, together.
            "addition_weight": sum(r["new_weight"] or 0 for r in additions),
            "scale": scale,
            "verdicts": dict(Counter(r["verdict"] for r in rows)),
            "postings": rows[0].get("postings") or c.postings,
        }
    )
