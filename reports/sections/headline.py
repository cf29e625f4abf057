"""The headline: how many postings, from where and when, and the window's most-demanded skills."""

from __future__ import annotations

from datetime import UTC, date, datetime

from markupsafe import Markup

from reports import charts
from reports.evidence import plain_field
from reports.warehouse import Cohort, Warehouse, as_date, months_between, period_label


def headline(wh: Warehouse, c: Cohort) -> dict:
    # posted_date is the UTC calendar date; casting posted_at would use the session's zone.
    totals = wh.one(
        """
        select count(*) as postings, min(posted_date) as first_date,
               max(posted_date) as last_date, coalesce(sum(copies), 0) as copies
        from fct_postings
        """
    )
    totals["undated"] = _undated(wh)
    by_source = wh.rows(
        """
        select source, count(*) as postings, min(posted_month) as first_month,
               max(posted_month) as last_month
        from fct_postings group by 1 order by 2 desc, 1
        """
    )
    for row in by_source:
        row["source"] = plain_field(row["source"])
    families = wh.rows(
        "select role_family, count(*) as postings from fct_postings group by 1 order by 2 desc, 1"
    )
    build = (
        wh.one("select taxonomy_version, built_at from raw_build_info")
        if wh.has("raw_build_info")
        else {}
    )
    skills = wh.one("select count(*) as n from dim_skills")["n"] if wh.has("dim_skills") else 0
    volume = wh.rows(
        """
        select date_trunc('quarter', posted_month) as period, count(*) as postings
        from fct_postings where posted_month is not null group by 1 order by 1
        """
    )
    volume_points = _periods_with_gaps([(r["period"], r["postings"]) for r in volume])
    return {
        **totals,
        "duplicates": max(int(totals.get("copies") or 0) - int(totals.get("postings") or 0), 0),
        "by_source": by_source,
        "families": families,
        "taxonomy_version": build.get("taxonomy_version", "unknown"),
        "built_at": _in_utc(build.get("built_at")),
        "skills_in_taxonomy": skills,
        "cohort": c,
        "volume_chart": Markup(charts.volume_svg(volume_points, "Distinct postings per quarter"))
        if volume_points
        else None,
        "volume": volume_points,
    }


def _in_utc(value: datetime | None) -> datetime | None:
    # DuckDB hands a timestamptz over in the session's time zone, the machine's by default; the
    # page labels the build time UTC.
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def _undated(wh: Warehouse) -> int | None:
    """Postings whose first copy came without a date, so fct_postings dates them by when they
    were first seen; None when the raw postings are not in the warehouse to tell."""
    if not wh.has("raw_postings"):
        return None
    # fct_postings.posted_at is never null (it falls back to first_seen_at), so only the raw
    # copy says whether the source gave a date.
    return wh.one(
        """
        select count(*) as n
        from fct_postings as f
        inner join raw_postings as r using (source, board, source_posting_id)
        where r.posted_at is null
        """
    )["n"]


def _periods_with_gaps(rows: list[tuple[object, int]]) -> list[dict]:
    out = []
    previous: date | None = None
    for period, value in rows:
        d = as_date(period)
        if d is None:
            continue
        gap = previous is not None and months_between(previous, d) > 3
        out.append({"label": period_label(d, 3), "value": value, "gap": gap})
        previous = d
    return out


def top_skills(wh: Warehouse, limit: int) -> list[dict]:
    """The window's most-demanded skills (parents included), as rpt_skill_demand_window ranks
    them: the skills the trend, co-occurrence and cut sections show."""
    if not wh.has("rpt_skill_demand_window"):
        return []
    return wh.rows(
        """
        select skill_id, name, postings_with_skill as postings, share, ci_low as low,
               ci_high as high
        from rpt_skill_demand_window
        where postings_with_skill > 0
        order by demand_rank limit ?
        """,
        [limit],
    )
