"""Render the trend report from a published warehouse, opened read-only.

Writes DIR/report-YYYY-MM-DD.html, DIR/latest.html (a copy of the newest) and DIR/index.html.
Everything scraped is untrusted: Jinja2 autoescape is on, and nothing external is referenced.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from reports.charts import Point, bar_svg, trend_svg

TOP_TRENDS = 8


@dataclass(frozen=True)
class ReportFiles:
    report: Path
    latest: Path
    index: Path


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.1%}"
    env.filters["signed"] = lambda v: "–" if v is None else f"{v:+d}"
    return env


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def gather(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the template shows, read from the marts."""
    headline = _rows(
        con,
        """
        select count(*) as postings, min(posted_at)::date as first_date,
               max(posted_at)::date as last_date,
               count(*) filter (where role_family = 'ml-engineer') as ml_postings
        from fct_postings
        """,
    )[0]
    by_source = _rows(
        con, "select source, count(*) as postings from fct_postings group by 1 order by 2 desc, 1"
    )
    build = _rows(con, "select taxonomy_version, built_at from raw_build_info")[0]
    roadmap = _rows(con, "select * from rpt_roadmap order by new_rank")
    top = _rows(
        con,
        """
        select r.skill_id, r.name, r.demand_share, r.verdict
        from rpt_roadmap as r
        order by r.demand_share desc, r.skill_id
        limit ?
        """,
        [TOP_TRENDS],
    )
    trends = []
    for skill in top:
        series = _rows(
            con,
            """
            select month, share, ci_low, ci_high from fct_skill_demand_monthly
            where skill_id = ? and role_family = 'all' order by month
            """,
            [skill["skill_id"]],
        )
        points = [Point(str(r["month"])[:7], r["share"], r["ci_low"], r["ci_high"]) for r in series]
        trends.append(
            {**skill, "chart": Markup(trend_svg(points, skill["name"])), "points": points}
        )
    top_share = max((r["demand_share"] for r in roadmap), default=0.0)
    for row in roadmap:
        row["bar"] = Markup(bar_svg(row["demand_share"], top_share))
    return {
        "headline": headline,
        "by_source": by_source,
        "taxonomy_version": build["taxonomy_version"],
        "built_at": build["built_at"],
        "roadmap": roadmap,
        "role_family": roadmap[0]["role_family"] if roadmap else "all",
        "trends": trends,
    }


def render_report(db: Path, out_dir: Path, run_date: date | None = None) -> ReportFiles:
    """Render the report for `run_date` (today, UTC, by default) and refresh latest and index."""
    run_date = run_date or datetime.now(UTC).date()
    con = duckdb.connect(str(db), read_only=True)
    try:
        context = gather(con)
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _environment()
    html = env.get_template("report.html").render(**context, run_date=run_date)
    report = out_dir / f"report-{run_date.isoformat()}.html"
    _write_atomically(report, html)
    latest = out_dir / "latest.html"
    newest = max(out_dir.glob("report-????-??-??.html"))
    shutil.copyfile(newest, latest.with_suffix(".html.tmp"))
    latest.with_suffix(".html.tmp").replace(latest)
    reports = sorted((p.name for p in out_dir.glob("report-????-??-??.html")), reverse=True)
    index = out_dir / "index.html"
    _write_atomically(index, env.get_template("index.html").render(reports=reports))
    return ReportFiles(report, latest, index)


def _write_atomically(path: Path, text: str) -> None:
    scratch = path.with_suffix(path.suffix + ".tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(path)
