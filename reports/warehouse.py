"""Shared access for the report's sections: the read-only Warehouse, the Cohort, a Section.

Every statistic the report shows is read from a documented warehouse table (sql/README.md); the
sections only pick rows, order them and draw them, so a reader and an analyst see one number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

# The article's six steps, in the article's order, with the names a reader knows them by. The
# order is a fact about the article, not a statistic, so it lives here rather than in SQL.
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


def cohort(wh: Warehouse) -> Cohort:
    """rpt_skill_demand_window's window and family (the roadmap's); without it, the latest 12
    months of all postings, so the sections that do not need that table still render."""
    bounds: dict = {}
    if wh.has("rpt_skill_demand_window"):
        bounds = wh.one(
            "select any_value(window_start) as start, any_value(window_end) as end_, "
            "any_value(role_family) as family, any_value(postings) as n "
            "from rpt_skill_demand_window"
        )
    if not bounds or bounds.get("start") is None:
        bounds = wh.one(
            "select max(posted_month) - interval 11 month as start, max(posted_month) as end_, "
            "'all' as family, null as n from fct_postings"
        )
    start, end = as_date(bounds.get("start")), as_date(bounds.get("end_"))
    family = bounds.get("family") or "all"
    n = bounds.get("n")
    if n is None and start and end:
        n = wh.one(
            "select count(*) as n from fct_postings where posted_month between ? and ? "
            "and (? = 'all' or role_family = ?)",
            [start, end, family, family],
        )["n"]
    return Cohort(start, end, family, int(n or 0))


def cohort_sql(c: Cohort) -> tuple[str, list]:
    """A subquery of the cohort's fct_postings rows and its parameters."""
    return (
        "(select * from fct_postings where posted_month between ? and ? "
        "and (? = 'all' or role_family = ?))",
        [c.start, c.end, c.family, c.family],
    )


def area_label(slug: str | None) -> str:
    if not slug:
        return "Other"
    return AREA_NAMES.get(slug) or slug.replace("-", " ").replace(" and ", " & ").capitalize()


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def period_label(d: date, months_per_period: int) -> str:
    if months_per_period == 3:
        return f"{d.year} Q{(d.month - 1) // 3 + 1}"
    return f"{d:%Y-%m}"
