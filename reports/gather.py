"""Everything the report shows, gathered section by section over a read-only connection.

Each section is gathered on its own and degrades to a note when the tables it needs are missing
or empty (the warehouse grows while the report is being written against it), so one absent table
never takes the whole report down. All sections measure rpt_skill_demand_window's cohort (the
roadmap's window and role family), except where their table defines its own population: trends
over the whole history, co-occurrence and salary over every posting, cuts per calendar year.
"""

from __future__ import annotations

import duckdb

from reports.sections.cooccurrence import HEATMAP_SKILLS, cooccurrence
from reports.sections.cuts import CUT_SKILLS, cuts
from reports.sections.evidence import evidence
from reports.sections.headline import headline, top_skills
from reports.sections.method import method
from reports.sections.movers import movers
from reports.sections.roadmap import roadmap
from reports.sections.trends import trends
from reports.warehouse import Section, Warehouse, cohort, missing

TOP_TRENDS = 9


class NotAWarehouse(LookupError):
    """The database has no built marts to report on (a raw store, say)."""


def gather(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the template shows."""
    wh = Warehouse(con)
    if not wh.has("fct_postings"):
        raise NotAWarehouse("it has no fct_postings table: not a built warehouse")
    c = cohort(wh)
    head = headline(wh, c)
    top = top_skills(wh, max(TOP_TRENDS, HEATMAP_SKILLS, CUT_SKILLS))
    context = {
        "headline": head,
        "cohort": c,
        "top": top,
        "roadmap": roadmap(wh, c),
        "trends": trends(wh, c, top[:TOP_TRENDS])
        if top
        else missing("No skills found in the window."),
        "movers": movers(wh, c),
        "cooccurrence": cooccurrence(wh, top),
        "cuts": cuts(wh, c, top),
        "evidence": evidence(wh, c, head["taxonomy_version"]),
        "method": method(wh, head["taxonomy_version"]),
    }
    context["takeaways"] = takeaways(context)
    return context


def takeaways(context: dict) -> list[dict]:
    """Three or four one-line answers for the top of the page."""
    out = []
    road: Section = context["roadmap"]
    # Under 30 postings rpt_roadmap gives every skill the verdict 'insufficient': no advice.
    if road.available and set(road.verdicts) != {"insufficient"}:
        # An area no posting asks for has no place in a learning order; among several such
        # areas the ranking is only a tie-break by name.
        wanted = [a["name"] for a in road.areas if a["new_weight"] > 0]
        if wanted:
            out.append(
                {
                    "kind": "order",
                    "title": "Learn in this order",
                    "names": wanted[:3],
                    "detail": "the article's areas ranked by the weight postings give them",
                }
            )
        if road.additions:
            out.append(
                {
                    "kind": "add",
                    "title": "The article misses",
                    "names": [r["name"] for r in road.additions[:4]],
                    "detail": "the most-demanded skills it never names",
                }
            )
    mv: Section = context["movers"]
    if mv.available:
        for kind, title, rows, detail in (
            ("up", "Rising", mv.rising, "significantly more often asked for than before"),
            ("down", "Falling", mv.falling, "significantly less often asked for than before"),
        ):
            names = [r["name"] for r in rows if r["significant"]][:3]
            if names:
                out.append({"kind": kind, "title": title, "names": names, "detail": detail})
    return out
