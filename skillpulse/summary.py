"""What a run did, for people: the CLI summary, the flow's artifact, top skills and movers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from skillpulse.outcome import SourceOutcome


@dataclass
class RunSummary:
    run_id: str
    command: str
    db: Path
    report: Path | None
    postings_landed: int
    postings_extracted: int
    outcomes: list[SourceOutcome]
    top_skills: list[tuple[str, int, float]]
    total_postings: int
    seconds: float

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def lines(self) -> list[str]:
        rows = [
            f"run {self.run_id}: {self.total_postings} distinct postings in the warehouse "
            f"({self.postings_landed} landed, {self.postings_extracted} texts extracted this run, "
            f"{self.seconds:.1f}s)",
            f"warehouse: {self.db}",
        ]
        if self.report:
            rows.append(f"report:    {self.report}")
        for outcome in self.outcomes:
            count = outcome.landed or len(outcome.parsed.postings)
            detail = outcome.error if outcome.status == "failed" else f"{count} postings"
            if outcome.parsed.rejects:
                detail += f", {len(outcome.parsed.rejects)} rejected"
            if outcome.status == "failed":
                rows.append(f"  {outcome.status:<7} {detail}")
            else:
                rows.append(f"  {outcome.status:<7} {outcome.label}: {detail}")
        if self.top_skills:
            rows.append("top skills (share of distinct postings):")
            rows.extend(
                f"  {name:<24} {count:>6}  {share:6.1%}" for name, count, share in self.top_skills
            )
        return rows


def top_skills(db: Path, limit: int = 10) -> tuple[int, list[tuple[str, int, float]]]:
    """Distinct postings in the published warehouse and its most-demanded skills.

    count(*), not count(distinct posting_id): fct_posting_skills is one row per posting x
    skill already, and the distinct aggregation cost 1.5 s at a million postings.
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        total = con.execute("select count(*) from fct_postings").fetchone()[0]  # type: ignore[index]
        rows = con.execute(
            """
            select s.name, count(*) as postings
            from fct_posting_skills as ps
            inner join dim_skills as s using (skill_id)
            group by s.skill_id, s.name
            order by postings desc, s.name
            limit ?
            """,
            [limit],
        ).fetchall()
    finally:
        con.close()
    return total, [(name, count, count / total if total else 0.0) for name, count in rows]


def top_movers(db: Path, limit: int = 5) -> list[dict[str, object]]:
    """The strongest significant risers and fallers from rpt_skill_trends, when it exists."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_name = 'rpt_skill_trends'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        cursor = con.execute("select * from rpt_skill_trends limit 0")
        columns = {d[0] for d in cursor.description}
        change = next(
            (c for c in ("share_change", "change_in_share", "delta_share") if c in columns), None
        )
        if change is None or "skill_id" not in columns:
            return []
        order = f"abs({change}) desc"
        where = "where p_value < 0.05" if "p_value" in columns else ""
        cursor = con.execute(
            f"select skill_id, {change} as share_change from rpt_skill_trends {where} "
            f"order by {order}, skill_id limit ?",
            [limit],
        )
        return [{"skill_id": row[0], "share_change": row[1]} for row in cursor.fetchall()]
    finally:
        con.close()


def summary_markdown(summary: RunSummary, movers: list[dict[str, object]]) -> str:
    """The flow run's artifact: sources, counts, failures, top movers and the report's path."""
    lines = [
        f"# skillpulse nightly run `{summary.run_id}`",
        "",
        f"- distinct postings in the warehouse: **{summary.total_postings}**",
        f"- postings landed this run: {summary.postings_landed}",
        f"- texts extracted this run: {summary.postings_extracted}",
        f"- warehouse: `{summary.db}`",
        f"- report: `{summary.report}`" if summary.report else "- report: not rendered",
        "",
        "| source | board | status | postings | rejects | error |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for outcome in summary.outcomes:
        error = (outcome.error or "").replace("|", "\\|")
        lines.append(
            f"| {outcome.source} | {outcome.board} | {outcome.status} | "
            f"{outcome.landed or len(outcome.parsed.postings)} | {len(outcome.parsed.rejects)} | {error} |"
        )
    if summary.top_skills:
        lines += ["", "## Top skills", "", "| skill | postings | share |", "| --- | ---: | ---: |"]
        lines += [
            f"| {name} | {count} | {share:.1%} |" for name, count, share in summary.top_skills
        ]
    if movers:
        lines += ["", "## Top movers", "", "| skill | change in share |", "| --- | ---: |"]
        lines += [f"| {m['skill_id']} | {float(m['share_change']):+.1%} |" for m in movers]  # type: ignore[arg-type]
    return "\n".join(lines) + "\n"
