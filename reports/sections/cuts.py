"""Section 4, cuts: fct_skill_demand_by_segment's shares for the latest year, one attribute at a
time (seniority, remote, source), for the window's most-demanded skills."""

from __future__ import annotations

from reports.evidence import plain_field
from reports.sections.salary import salary
from reports.warehouse import Cohort, Section, Warehouse, missing

CUT_SKILLS = 10
MAX_SEGMENTS = 6
SEGMENT_LABELS = {"unknown": "not stated", None: "not stated"}
CUTS = [("seniority", "Seniority"), ("remote", "Remote or on-site"), ("source", "Source")]


def _heat(share: float) -> int:
    # Ten colour steps; 60% and above is the darkest, since few skills pass it.
    return min(int(share * 10 / 0.6), 9)


def cuts(wh: Warehouse, c: Cohort, top: list[dict]) -> Section:
    if not wh.has("fct_skill_demand_by_segment"):
        return missing("The warehouse has no fct_skill_demand_by_segment table yet.")
    skills = top[:CUT_SKILLS]
    if not skills:
        return missing("No skills found in the window.")
    year = wh.one(
        "select max(year) as y from fct_skill_demand_by_segment where role_family = ?", [c.family]
    ).get("y")
    if year is None:
        return missing(f"fct_skill_demand_by_segment has no {c.family} postings yet.")
    ids = [s["skill_id"] for s in skills]
    tables = []
    for segment, title in CUTS:
        segments = wh.rows(
            """
            select segment_value, any_value(postings) as n, bool_or(is_low_support) as small
            from fct_skill_demand_by_segment
            where segment = ? and year = ? and role_family = ?
            group by 1 order by 2 desc, 1 limit ?
            """,
            [segment, year, c.family, MAX_SEGMENTS],
        )
        if len(segments) < 2 and segment != "source":
            continue
        shares = {
            (r["segment_value"], r["skill_id"]): r["share"]
            for r in wh.rows(
                """
                select segment_value, skill_id, share from fct_skill_demand_by_segment
                where segment = ? and year = ? and role_family = ? and list_contains(?, skill_id)
                """,
                [segment, year, c.family, ids],
            )
        }
        cols = [
            {
                "key": s["segment_value"],
                # A source or company name is scraped text: printed plain, in its own <bdi>.
                "label": plain_field(SEGMENT_LABELS.get(s["segment_value"], s["segment_value"])),
                "n": s["n"],
                "small": s["small"],
            }
            for s in segments
        ]
        rows = []
        for s in skills:
            cells = []
            for col in cols:
                share = shares.get((col["key"], s["skill_id"]), 0.0)
                cells.append({"share": share, "heat": _heat(share)})
            rows.append({"name": s["name"], "cells": cells})
        tables.append({"column": segment, "title": title, "cols": cols, "rows": rows})
    return Section(data={"tables": tables, "year": year, "family": c.family, "salary": salary(wh)})
