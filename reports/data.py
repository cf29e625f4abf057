"""Everything the report shows, read from the warehouse's marts over a read-only connection.

Each section is gathered on its own and degrades to a note when the tables it needs are missing
or empty (the warehouse grows while the report is being written against it), so one absent mart
never takes the whole report down.

The cohort is the one the roadmap uses (rpt_roadmap's window and role family), so every section
talks about the same postings; trends alone look at the whole history.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

import duckdb
from markupsafe import Markup

from reports import charts
from reports.evidence import snippet

# The article's six steps, in the article's order, with the names a reader knows them by.
ARTICLE_AREAS: list[tuple[str, str]] = [
    ("programming-languages", "Programming languages"),
    ("statistics-and-algorithms", "Statistics & algorithms"),
    ("data-structures-and-databases", "Data structures & databases"),
    ("deep-learning-frameworks", "Deep-learning frameworks"),
    ("problem-solving-and-communication", "Problem solving & communication"),
    ("practice-projects", "Practice through real & open-source projects"),
]
AREA_NAMES = dict(ARTICLE_AREAS) | {
    "ml-foundations": "ML foundations",
    "ml-applications": "ML applications",
    "ml-libraries": "ML libraries",
    "mlops": "MLOps",
    "web-and-apis": "Web & APIs",
    "devops-and-infrastructure": "DevOps & infrastructure",
    "cs-foundations": "CS foundations",
    "hardware-and-hpc": "Hardware & HPC",
    "soft-skills": "Soft skills",
}
TOP_TRENDS = 9
TOP_MOVERS = 8
HEATMAP_SKILLS = 12
CUT_SKILLS = 10
MAX_SEGMENTS = 6
EVIDENCE_PER_SKILL = 3
MIN_PERIOD_POSTINGS = 10  # a period with fewer postings says nothing about a share
MIN_MOVER_POSTINGS = 10
MIN_PAIR_SUPPORT = 5
MIN_SALARY_N = 3
SMALL_SEGMENT = 30
Z95 = 1.959964


@dataclass
class Section:
    """One section's data, or the reason it is missing."""

    available: bool = True
    note: str | None = None
    data: dict = field(default_factory=dict)

    def __getattr__(self, name: str):  # lets templates write section.rows for section.data.rows
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None


def missing(note: str) -> Section:
    return Section(False, note)


class Warehouse:
    """A thin reader: rows as dicts, and which tables exist."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }

    def has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    def columns(self, table: str) -> set[str]:
        return {
            r[0]
            for r in self.con.execute(
                "select column_name from information_schema.columns where table_name = ?", [table]
            ).fetchall()
        }

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, sql: str, params: list | None = None) -> dict:
        rows = self.rows(sql, params)
        return rows[0] if rows else {}


@dataclass(frozen=True)
class Cohort:
    """The postings the roadmap measured: a window of months and a role family."""

    start: date | None
    end: date | None
    family: str
    postings: int

    @property
    def label(self) -> str:
        if self.start is None or self.end is None:
            return "no dated postings"
        return f"{self.start:%b %Y} – {self.end:%b %Y}"


def wilson(k: int, n: int) -> tuple[float | None, float | None]:
    """The 95% Wilson score interval for k successes in n trials."""
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + Z95**2 / n
    centre = p + Z95**2 / (2 * n)
    spread = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    return max(0.0, (centre - spread) / denom), min(1.0, (centre + spread) / denom)


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when undefined)."""
    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (k2 / n2 - k1 / n1) / se
    return math.erfc(abs(z) / math.sqrt(2))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """q-values: the false-discovery-rate adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = running
    return q


def area_label(slug: str | None) -> str:
    if not slug:
        return "Other"
    return AREA_NAMES.get(slug) or slug.replace("-", " ").replace(" and ", " & ").capitalize()


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


# --------------------------------------------------------------------------------------------
# Cohort and headline
# --------------------------------------------------------------------------------------------


def cohort(wh: Warehouse) -> Cohort:
    """The roadmap's window and family; the latest 12 months of all postings without it."""
    bounds: dict = {}
    if wh.has("rpt_roadmap"):
        bounds = wh.one(
            "select any_value(window_start) as start, any_value(window_end) as end_, "
            "any_value(role_family) as family from rpt_roadmap"
        )
    if not bounds or bounds.get("start") is None:
        bounds = wh.one(
            "select max(posted_month) - interval 11 month as start, max(posted_month) as end_, "
            "'all' as family from fct_postings"
        )
    start, end = _as_date(bounds.get("start")), _as_date(bounds.get("end_"))
    family = bounds.get("family") or "all"
    n = 0
    if start and end:
        n = wh.one(
            "select count(*) as n from fct_postings where posted_month between ? and ? "
            "and (? = 'all' or role_family = ?)",
            [start, end, family, family],
        )["n"]
    return Cohort(start, end, family, n)


def cohort_sql(c: Cohort) -> tuple[str, list]:
    """A subquery of the cohort's fct_postings rows and its parameters."""
    return (
        "(select * from fct_postings where posted_month between ? and ? "
        "and (? = 'all' or role_family = ?))",
        [c.start, c.end, c.family, c.family],
    )


def headline(wh: Warehouse, c: Cohort) -> dict:
    totals = wh.one(
        """
        select count(*) as postings, min(posted_at)::date as first_date,
               max(posted_at)::date as last_date, coalesce(sum(copies), 0) as copies,
               count(*) filter (where posted_at is null) as undated
        from fct_postings
        """
    )
    by_source = wh.rows(
        """
        select source, count(*) as postings, min(posted_month) as first_month,
               max(posted_month) as last_month
        from fct_postings group by 1 order by 2 desc, 1
        """
    )
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
    volume_points = _periods_with_gaps(
        [(r["period"], r["postings"]) for r in volume], months_per_period=3
    )
    return {
        **totals,
        "duplicates": max(int(totals.get("copies") or 0) - int(totals.get("postings") or 0), 0),
        "by_source": by_source,
        "families": families,
        "taxonomy_version": build.get("taxonomy_version", "unknown"),
        "built_at": build.get("built_at"),
        "skills_in_taxonomy": skills,
        "cohort": c,
        "volume_chart": Markup(charts.volume_svg(volume_points, "Distinct postings per quarter"))
        if volume_points
        else None,
        "volume": volume_points,
    }


def _periods_with_gaps(rows: list[tuple[object, int]], months_per_period: int) -> list[dict]:
    out = []
    previous: date | None = None
    for period, value in rows:
        d = _as_date(period)
        if d is None:
            continue
        gap = previous is not None and _months_between(previous, d) > months_per_period
        out.append({"label": _period_label(d, months_per_period), "value": value, "gap": gap})
        previous = d
    return out


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _period_label(d: date, months_per_period: int) -> str:
    if months_per_period == 3:
        return f"{d.year} Q{(d.month - 1) // 3 + 1}"
    return f"{d:%Y-%m}"


# --------------------------------------------------------------------------------------------
# The reweighted roadmap
# --------------------------------------------------------------------------------------------


def roadmap(wh: Warehouse, c: Cohort) -> Section:
    if not wh.has("rpt_roadmap"):
        return missing("The warehouse has no rpt_roadmap table yet, so there is no roadmap.")
    rows = wh.rows("select * from rpt_roadmap order by new_rank, skill_id")
    if not rows:
        return missing("rpt_roadmap is empty: no postings in the window.")
    top_share = max((r["demand_share"] or 0) for r in rows) or 1.0
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
    area_share = _area_demand(wh, c)
    areas = []
    for step, (slug, name) in enumerate(ARTICLE_AREAS, start=1):
        skills = [r for r in rows if r["in_article"] and r["roadmap_area"] == slug]
        areas.append(
            {
                "slug": slug,
                "name": name,
                "article_step": step,
                "skills": sorted(skills, key=lambda r: (-(r["demand_share"] or 0), r["skill_id"])),
                "article_weight": sum(r["article_weight"] or 0 for r in skills),
                "new_weight": sum(r["new_weight"] or 0 for r in skills),
                "demand": area_share.get(slug),
            }
        )
    # The new order of the steps: by the weight the market gives each area.
    areas.sort(key=lambda a: (-a["new_weight"], a["article_step"]))
    max_weight = max([a["new_weight"] for a in areas] + [a["article_weight"] for a in areas])
    for new_step, a in enumerate(areas, start=1):
        a["new_step"] = new_step
        a["shift"] = Markup(
            charts.weight_shift_svg(a["article_weight"], a["new_weight"], max_weight)
        )
    additions = [r for r in rows if not r["in_article"]]
    additions.sort(key=lambda r: (-(r["demand_share"] or 0), r["skill_id"]))
    article_total = sum(a["new_weight"] for a in areas)
    verdicts: dict[str, int] = defaultdict(int)
    for r in rows:
        verdicts[r["verdict"]] += 1
    return Section(
        data={
            "rows": rows,
            "areas": areas,
            "additions": additions,
            "addition_weight": sum(r["new_weight"] or 0 for r in additions),
            "article_total": article_total,
            "top_share": top_share,
            "scale": scale,
            "verdicts": dict(verdicts),
            "postings": rows[0].get("postings") or c.postings,
        }
    )


def _area_demand(wh: Warehouse, c: Cohort) -> dict[str, dict]:
    """Per article area: the share of cohort postings naming any of its skills."""
    if not wh.has("fct_posting_skills", "dim_skills") or not c.postings:
        return {}
    sub, params = cohort_sql(c)
    rows = wh.rows(
        f"""
        select s.article_area as area, count(distinct ps.posting_id) as k
        from fct_posting_skills as ps
        join dim_skills as s using (skill_id)
        where s.article_area is not null and ps.posting_id in (select posting_id from {sub})
        group by 1
        """,
        params,
    )
    out = {}
    for r in rows:
        low, high = wilson(r["k"], c.postings)
        out[r["area"]] = {"share": r["k"] / c.postings, "low": low, "high": high, "k": r["k"]}
    return out


# --------------------------------------------------------------------------------------------
# Trends
# --------------------------------------------------------------------------------------------


def _grain(wh: Warehouse, family: str) -> tuple[str, int]:
    months = wh.one(
        "select count(distinct month) as n from fct_skill_demand_monthly where role_family = ?",
        [family],
    )["n"]
    return ("quarter", 3) if months > 24 else ("month", 1)


def _series(rows: list[dict], months_per_period: int) -> list[charts.Point]:
    points: list[charts.Point] = []
    previous: date | None = None
    for r in rows:
        d = _as_date(r["period"])
        n, k = int(r["n"]), int(r["k"])
        if d is None or n < MIN_PERIOD_POSTINGS:
            continue
        low, high = wilson(k, n)
        gap = previous is not None and _months_between(previous, d) > months_per_period
        points.append(charts.Point(_period_label(d, months_per_period), k / n, low, high, gap))
        previous = d
    return points


def trends(wh: Warehouse, c: Cohort, top: list[dict]) -> Section:
    if not wh.has("fct_skill_demand_monthly"):
        return missing("The warehouse has no fct_skill_demand_monthly table yet.")
    family = c.family
    grain, months = _grain(wh, family)
    skill_rows = wh.rows(
        f"""
        select date_trunc('{grain}', month) as period, skill_id,
               sum(postings_with_skill) as k, sum(postings) as n
        from fct_skill_demand_monthly
        where role_family = ? and list_contains(?, skill_id)
        group by all order by period
        """,
        [family, [t["skill_id"] for t in top]],
    )
    by_skill: dict[str, list[dict]] = defaultdict(list)
    for r in skill_rows:
        by_skill[r["skill_id"]].append(r)
    skills = []
    for t in top:
        points = _series(by_skill.get(t["skill_id"], []), months)
        if points:
            skills.append({**t, "points": points})
    shared_max = charts.nice_ceiling(
        max([p.high or p.value for s in skills for p in s["points"]] + [0.01])
    )
    for s in skills:
        s["chart"] = Markup(charts.trend_svg(s["points"], s["name"], y_max=shared_max))
    areas = []
    if wh.has("fct_posting_skills", "dim_skills", "fct_postings"):
        area_rows = wh.rows(
            f"""
            with p as (
                select posting_id, date_trunc('{grain}', posted_month) as period
                from fct_postings
                where posted_month is not null and (? = 'all' or role_family = ?)
            ),
            den as (select period, count(*) as n from p group by 1),
            hit as (
                select p.period, s.article_area as area, count(distinct p.posting_id) as k
                from p join fct_posting_skills as ps using (posting_id)
                join dim_skills as s using (skill_id)
                where s.article_area is not null group by all
            ),
            area_list as (select distinct article_area as area from dim_skills
                          where article_area is not null)
            select den.period, a.area, coalesce(hit.k, 0) as k, den.n
            from den cross join area_list as a
            left join hit on hit.period = den.period and hit.area = a.area
            order by den.period
            """,
            [family, family],
        )
        by_area: dict[str, list[dict]] = defaultdict(list)
        for r in area_rows:
            by_area[r["area"]].append(r)
        area_max = charts.nice_ceiling(
            max(
                [
                    p.high or p.value
                    for slug, _ in ARTICLE_AREAS
                    for p in _series(by_area.get(slug, []), months)
                ]
                + [0.01]
            )
        )
        for slug, name in ARTICLE_AREAS:
            points = _series(by_area.get(slug, []), months)
            if points:
                areas.append(
                    {
                        "slug": slug,
                        "name": name,
                        "points": points,
                        "chart": Markup(charts.trend_svg(points, name, y_max=area_max)),
                    }
                )
    if not skills and not areas:
        return missing(f"No {grain} has at least {MIN_PERIOD_POSTINGS} postings yet.")
    return Section(
        data={
            "grain": grain,
            "skills": skills,
            "areas": areas,
            "family": family,
            "shared_max": shared_max,
        }
    )


def movers(wh: Warehouse, c: Cohort) -> Section:
    """Rising and falling skills: the roadmap window against everything before it."""
    if not wh.has("fct_posting_skills", "dim_skills") or c.start is None:
        return missing("Needs fct_posting_skills and dim_skills.")
    rows = wh.rows(
        """
        with p as (
            select posting_id,
                   case when posted_month >= ? then 'recent' else 'earlier' end as era
            from fct_postings
            where posted_month is not null and posted_month <= ?
              and (? = 'all' or role_family = ?)
        ),
        den as (select era, count(*) as n from p group by 1),
        hit as (
            select era, skill_id, count(distinct posting_id) as k
            from p join fct_posting_skills using (posting_id) group by all
        )
        select s.skill_id, s.name,
               coalesce(max(h.k) filter (where h.era = 'earlier'), 0) as k_before,
               coalesce(max(h.k) filter (where h.era = 'recent'), 0) as k_after,
               (select n from den where era = 'earlier') as n_before,
               (select n from den where era = 'recent') as n_after,
               (select min(posted_month) from fct_postings
                 where posted_month is not null and (? = 'all' or role_family = ?)) as first_month
        from dim_skills as s join hit as h using (skill_id)
        group by s.skill_id, s.name
        """,
        [c.start, c.end, c.family, c.family, c.family, c.family],
    )
    if not rows or not rows[0]["n_before"] or not rows[0]["n_after"]:
        return missing(
            "There are no postings before the roadmap window to compare it with, so nothing can "
            "be called rising or falling yet."
        )
    n_before, n_after = int(rows[0]["n_before"]), int(rows[0]["n_after"])
    tested = [r for r in rows if r["k_before"] + r["k_after"] >= MIN_MOVER_POSTINGS]
    for r in tested:
        r["before"] = r["k_before"] / n_before
        r["after"] = r["k_after"] / n_after
        r["change"] = r["after"] - r["before"]
        r["p"] = two_proportion_p(r["k_before"], n_before, r["k_after"], n_after)
    for r, q in zip(tested, benjamini_hochberg([r["p"] for r in tested]), strict=True):
        r["q"] = q
        r["significant"] = q < 0.05
    rising = sorted((r for r in tested if r["change"] > 0), key=lambda r: -r["change"])
    falling = sorted((r for r in tested if r["change"] < 0), key=lambda r: r["change"])
    rising, falling = rising[:TOP_MOVERS], falling[:TOP_MOVERS]
    scale = charts.nice_ceiling(
        max([max(r["before"], r["after"]) for r in rising + falling] + [0.01])
    )
    for r in rising + falling:
        r["chart"] = Markup(charts.dumbbell_svg(r["before"], r["after"], scale, r["change"] > 0))
    first = _as_date(rows[0]["first_month"])
    return Section(
        data={
            "rising": rising,
            "falling": falling,
            "n_before": n_before,
            "n_after": n_after,
            "tested": len(tested),
            "before_label": f"{first:%b %Y} – before {c.start:%b %Y}" if first else "earlier",
            "after_label": c.label,
            "scale": scale,
        }
    )


# --------------------------------------------------------------------------------------------
# Co-occurrence
# --------------------------------------------------------------------------------------------


def _related_pairs(wh: Warehouse) -> set[tuple[str, str]]:
    """Skill pairs where one implies the other (PySpark → Spark): they co-occur by definition."""
    pairs: set[tuple[str, str]] = set()
    for table in ("stg_skill_ancestors", "raw_skill_ancestors"):
        if wh.has(table) and {"skill_id", "ancestor_id"} <= wh.columns(table):
            for r in wh.rows(f"select skill_id, ancestor_id from {table}"):
                if r["skill_id"] != r["ancestor_id"]:
                    pairs.add((r["skill_id"], r["ancestor_id"]))
                    pairs.add((r["ancestor_id"], r["skill_id"]))
            return pairs
    if wh.has("dim_skills"):
        for r in wh.rows("select skill_id, unnest(parent_ids) as parent from dim_skills"):
            pairs.add((r["skill_id"], r["parent"]))
            pairs.add((r["parent"], r["skill_id"]))
    return pairs


def cooccurrence(wh: Warehouse, c: Cohort, top: list[dict]) -> Section:
    if not wh.has("fct_posting_skills") or not c.postings:
        return missing("Needs fct_posting_skills and postings in the window.")
    sub, params = cohort_sql(c)
    n = c.postings
    pairs = wh.rows(
        f"""
        with ps as (
            select posting_id, skill_id from fct_posting_skills
            where posting_id in (select posting_id from {sub})
        ),
        single as (select skill_id, count(*) as k from ps group by 1)
        select a.skill_id as a, b.skill_id as b, count(*) as k_ab,
               any_value(sa.k) as k_a, any_value(sb.k) as k_b,
               any_value(da.name) as name_a, any_value(db.name) as name_b
        from ps as a join ps as b on a.posting_id = b.posting_id and a.skill_id < b.skill_id
        join single as sa on sa.skill_id = a.skill_id
        join single as sb on sb.skill_id = b.skill_id
        left join dim_skills as da on da.skill_id = a.skill_id
        left join dim_skills as db on db.skill_id = b.skill_id
        group by 1, 2
        """,
        params,
    )
    related = _related_pairs(wh)
    lookup: dict[tuple[str, str], dict] = {}
    for p in pairs:
        p["lift"] = p["k_ab"] * n / (p["k_a"] * p["k_b"]) if p["k_a"] and p["k_b"] else None
        p["support"] = p["k_ab"] / n
        p["implied"] = (p["a"], p["b"]) in related
        lookup[(p["a"], p["b"])] = lookup[(p["b"], p["a"])] = p
    labels = [t["name"] for t in top[:HEATMAP_SKILLS]]
    ids = [t["skill_id"] for t in top[:HEATMAP_SKILLS]]
    matrix: list[list[float | None]] = []
    for a in ids:
        row: list[float | None] = []
        for b in ids:
            p = lookup.get((a, b))
            if a == b:
                row.append(None)
            elif p is None:
                row.append(0.0)
            else:
                row.append(None if p["implied"] else p["lift"])
        matrix.append(row)
    strongest = sorted(
        (p for p in pairs if p["k_ab"] >= MIN_PAIR_SUPPORT and not p["implied"] and p["lift"]),
        key=lambda p: (-p["lift"], -p["k_ab"], p["a"], p["b"]),
    )[:12]
    common = sorted(
        (p for p in pairs if not p["implied"]), key=lambda p: (-p["k_ab"], p["a"], p["b"])
    )[:12]
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
            "postings": n,
        }
    )


# --------------------------------------------------------------------------------------------
# Cuts and salary
# --------------------------------------------------------------------------------------------

SEGMENT_LABELS = {"unknown": "not stated", None: "not stated"}
CUTS = [("seniority", "Seniority"), ("remote", "Remote or on-site"), ("source", "Source")]


def cuts(wh: Warehouse, c: Cohort, top: list[dict]) -> Section:
    if not wh.has("fct_posting_skills") or not c.postings:
        return missing("Needs fct_posting_skills and postings in the window.")
    sub, params = cohort_sql(c)
    skills = top[:CUT_SKILLS]
    ids = [s["skill_id"] for s in skills]
    tables = []
    for column, title in CUTS:
        segments = wh.rows(
            f"select {column} as segment, count(*) as n from {sub} group by 1 "
            "order by 2 desc, 1 limit ?",
            [*params, MAX_SEGMENTS],
        )
        if len(segments) < 2 and column != "source":
            continue
        hits = wh.rows(
            f"""
            select c.{column} as segment, ps.skill_id, count(distinct ps.posting_id) as k
            from {sub} as c join fct_posting_skills as ps using (posting_id)
            where list_contains(?, ps.skill_id) group by all
            """,
            [*params, ids],
        )
        k = {(h["segment"], h["skill_id"]): h["k"] for h in hits}
        cols = [
            {
                "key": s["segment"],
                "label": SEGMENT_LABELS.get(s["segment"], s["segment"]),
                "n": s["n"],
                "small": s["n"] < SMALL_SEGMENT,
            }
            for s in segments
        ]
        rows = []
        for s in skills:
            cells = []
            for col in cols:
                hits_n = k.get((col["key"], s["skill_id"]), 0)
                share = hits_n / col["n"] if col["n"] else 0.0
                cells.append({"share": share, "k": hits_n, "heat": min(int(share * 10 / 0.6), 9)})
            rows.append({"name": s["name"], "cells": cells})
        tables.append({"column": column, "title": title, "cols": cols, "rows": rows})
    return Section(data={"tables": tables, "salary": salary(wh, c, skills)})


def salary(wh: Warehouse, c: Cohort, skills: list[dict]) -> Section:
    if not wh.has("fct_postings") or not c.postings:
        return missing("No postings in the window.")
    sub, params = cohort_sql(c)
    stated = wh.rows(
        f"""
        select salary_currency as currency, count(*) as n from {sub}
        where coalesce(salary_min, salary_max) is not null and salary_currency is not null
        group by 1 order by 2 desc, 1
        """,
        params,
    )
    if not stated:
        return missing(
            "No posting in the window states a salary that could be read, so there is no "
            "salary by skill."
        )
    currency = stated[0]["currency"]
    mids = wh.rows(
        f"""
        select c.posting_id,
               (coalesce(c.salary_min, c.salary_max) + coalesce(c.salary_max, c.salary_min)) / 2
                   as mid
        from {sub} as c
        where c.salary_currency = ? and coalesce(c.salary_min, c.salary_max) is not null
        """,
        [*params, currency],
    )
    mid = {r["posting_id"]: r["mid"] for r in mids}
    hits = wh.rows(
        """
        select ps.skill_id, ps.posting_id from fct_posting_skills as ps
        where list_contains(?, ps.posting_id)
        """,
        [list(mid)],
    )
    per_skill: dict[str, list[float]] = defaultdict(list)
    for h in hits:
        per_skill[h["skill_id"]].append(mid[h["posting_id"]])
    names = {}
    if wh.has("dim_skills"):
        names = {r["skill_id"]: r["name"] for r in wh.rows("select skill_id, name from dim_skills")}
    overall = median(mid.values())
    rows = []
    for skill_id, values in per_skill.items():
        if len(values) < MIN_SALARY_N:
            continue
        values.sort()
        rows.append(
            {
                "skill_id": skill_id,
                "name": names.get(skill_id, skill_id),
                "n": len(values),
                "median": median(values),
                "low": values[0],
                "high": values[-1],
            }
        )
    rows.sort(key=lambda r: (-r["n"], r["name"]))
    rows = sorted(rows[:15], key=lambda r: -r["median"])
    top = max([r["high"] for r in rows] + [overall, 1.0])
    for r in rows:
        r["bar"] = Markup(charts.range_svg(r["low"], r["median"], r["high"], top))
    return Section(
        data={
            "currency": currency,
            "stated": sum(s["n"] for s in stated),
            "n": len(mid),
            "overall": overall,
            "rows": rows,
            "other_currencies": stated[1:],
        }
    )


# --------------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------------


def evidence(wh: Warehouse, c: Cohort, taxonomy_version: str) -> Section:
    if not wh.has("raw_mentions", "raw_postings", "fct_posting_skills") or not c.postings:
        return missing("Needs raw_mentions and raw_postings in the warehouse.")
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
    counts = wh.rows(
        f"""
        select ps.skill_id, any_value(s.name) as name, count(distinct ps.posting_id) as postings
        from fct_posting_skills as ps left join dim_skills as s using (skill_id)
        where ps.posting_id in (select posting_id from {sub})
        group by 1 order by 3 desc, 1
        """,
        params,
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
        spans = [(m["start_char"], m["end_char"]) for m in ms]
        info = meta.get(content_hash, {})
        quotes[skill_id].append(
            {
                "html": snippet(text, anchor["start_char"], anchor["end_char"], spans),
                "matched": sorted({m["matched"] for m in ms}),
                "title": info.get("title"),
                "company": info.get("company"),
                "source": info.get("source"),
                "month": _as_date(info.get("posted_month")),
                "url": info.get("url"),
            }
        )
    skills = [
        {**r, "share": r["postings"] / c.postings, "quotes": quotes.get(r["skill_id"], [])}
        for r in counts
    ]
    return Section(data={"skills": skills, "postings": c.postings})


# --------------------------------------------------------------------------------------------
# Method
# --------------------------------------------------------------------------------------------


def method(wh: Warehouse, taxonomy_version: str) -> dict:
    facts: dict = {"taxonomy_version": taxonomy_version}
    if wh.has("raw_postings"):
        facts["raw_postings"] = wh.one("select count(*) as n from raw_postings")["n"]
    if wh.has("fct_rejects"):
        facts["rejects"] = wh.one("select count(*) as n from fct_rejects")["n"]
    if wh.has("raw_mentions"):
        row = wh.one(
            "select count(*) as n, count(distinct content_hash) as texts from raw_mentions "
            "where taxonomy_version = ?",
            [taxonomy_version],
        )
        facts["mentions"], facts["texts_with_mentions"] = row["n"], row["texts"]
        facts["sections"] = wh.rows(
            "select section, count(*) as n from raw_mentions where taxonomy_version = ? "
            "group by 1 order by 2 desc",
            [taxonomy_version],
        )
    if wh.has("dim_skills"):
        facts["skills"] = wh.one(
            "select count(*) as n, count(*) filter (where in_article) as article, "
            "count(*) filter (where is_ambiguous) as ambiguous from dim_skills"
        )
    return facts


def top_skills(wh: Warehouse, c: Cohort, limit: int) -> list[dict]:
    """The cohort's most-demanded skills, parent skills included."""
    if not wh.has("fct_posting_skills") or not c.postings:
        return []
    sub, params = cohort_sql(c)
    rows = wh.rows(
        f"""
        select ps.skill_id, coalesce(any_value(s.name), ps.skill_id) as name,
               count(distinct ps.posting_id) as postings
        from fct_posting_skills as ps left join dim_skills as s using (skill_id)
        where ps.posting_id in (select posting_id from {sub})
        group by 1 order by 3 desc, 1 limit ?
        """,
        [*params, limit],
    )
    for r in rows:
        r["share"] = r["postings"] / c.postings
        r["low"], r["high"] = wilson(r["postings"], c.postings)
    return rows


def gather(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the template shows."""
    wh = Warehouse(con)
    if not wh.has("fct_postings"):
        raise RuntimeError("the warehouse has no fct_postings table; build it first")
    c = cohort(wh)
    head = headline(wh, c)
    top = top_skills(wh, c, max(TOP_TRENDS, HEATMAP_SKILLS, CUT_SKILLS))
    road = roadmap(wh, c)
    trend = trends(wh, c, top[:TOP_TRENDS]) if top else missing("No skills found in the window.")
    context = {
        "headline": head,
        "cohort": c,
        "top": top,
        "roadmap": road,
        "trends": trend,
        "movers": movers(wh, c),
        "cooccurrence": cooccurrence(wh, c, top),
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
    if road.available:
        first = road.areas[:3]
        out.append(
            {
                "kind": "order",
                "title": "Learn in this order",
                "names": [a["name"] for a in first],
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
        up = [r["name"] for r in mv.rising if r["significant"]][:3]
        down = [r["name"] for r in mv.falling if r["significant"]][:3]
        if up:
            out.append(
                {
                    "kind": "up",
                    "title": "Rising",
                    "names": up,
                    "detail": "significantly more often asked for than before",
                }
            )
        if down:
            out.append(
                {
                    "kind": "down",
                    "title": "Falling",
                    "names": down,
                    "detail": "significantly less often asked for than before",
                }
            )
    return out
