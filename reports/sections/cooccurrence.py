"""Section 3: skills asked for together, as rpt_skill_cooccurrence measures them."""

from __future__ import annotations

from markupsafe import Markup

from reports import charts
from reports.warehouse import Section, Warehouse, missing

HEATMAP_SKILLS = 12
TOP_PAIRS = 12


def cooccurrence(wh: Warehouse, top: list[dict]) -> Section:
    if not wh.has("rpt_skill_cooccurrence"):
        return missing("The warehouse has no rpt_skill_cooccurrence table yet.")
    ids = [t["skill_id"] for t in top[:HEATMAP_SKILLS]]
    labels = [t["name"] for t in top[:HEATMAP_SKILLS]]
    lookup: dict[tuple[str, str], float] = {}
    for p in wh.rows(
        """
        select skill_id_a, skill_id_b, lift from rpt_skill_cooccurrence
        where list_contains(?, skill_id_a) and list_contains(?, skill_id_b)
        """,
        [ids, ids],
    ):
        lookup[(p["skill_id_a"], p["skill_id_b"])] = p["lift"]
        lookup[(p["skill_id_b"], p["skill_id_a"])] = p["lift"]
    # A pair the table leaves out (one skill implies the other, or fewer than 5 postings ask for
    # both) stays blank: there is no lift to show.
    matrix = [[None if a == b else lookup.get((a, b)) for b in ids] for a in ids]
    strongest = wh.rows(
        """
        select * from rpt_skill_cooccurrence
        order by lift desc, postings_with_both desc, skill_id_a, skill_id_b limit ?
        """,
        [TOP_PAIRS],
    )
    common = wh.rows(
        """
        select * from rpt_skill_cooccurrence
        order by postings_with_both desc, skill_id_a, skill_id_b limit ?
        """,
        [TOP_PAIRS],
    )
    postings = wh.one("select any_value(postings) as n from rpt_skill_cooccurrence").get("n")
    if postings is None and wh.has("fct_postings"):
        postings = wh.one("select count(*) as n from fct_postings")["n"]
    return Section(
        data={
            "labels": labels,
            "matrix": matrix,
            "heatmap": Markup(
                charts.heatmap_svg(
                    labels, matrix, f"Lift between the {len(labels)} most-demanded skills"
                )
            )
            if labels
            else None,
            "strongest": strongest,
            "common": common,
            "postings": postings or 0,
        }
    )
