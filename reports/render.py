"""Render the trend report from a published warehouse, opened read-only.

Writes DIR/report-YYYY-MM-DD.html, DIR/latest.html (a copy of the newest) and DIR/index.html.
Everything scraped is untrusted: Jinja2 autoescape is on, the only markup built in Python is the
SVG of reports.charts and the <mark> snippets of reports.evidence (both escape what they embed),
and each page carries a Content-Security-Policy that forbids scripts and every network fetch.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from reports.gather import gather
from warehouse.files import OutputNotWritten

REPORT_NAME = re.compile(r"^report-(\d{4}-\d{2}-\d{2})\.html$")


@dataclass(frozen=True)
class ReportFiles:
    report: Path
    latest: Path
    index: Path


def _pct(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return "–"
    if digits is None:
        digits = 0 if abs(value) >= 0.1 else 1
    return f"{value:.{digits}%}"


def _pp(value: float | None) -> str:
    """A change in share, in percentage points."""
    return "–" if value is None else f"{value * 100:+.1f} pp"


def _pvalue(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def _money(value: float | None, currency: str = "") -> str:
    if value is None:
        return "–"
    symbol = {"USD": "$", "GBP": "£", "EUR": "€"}.get(currency or "", "")
    text = f"{value / 1000:,.0f}k"
    return f"{symbol}{text}" if symbol else f"{text} {currency}".strip()


def _signed(value: int | None) -> str:
    return "–" if value is None else f"{value:+d}"


def _month(value: date | datetime | None) -> str:
    return "–" if value is None else f"{value:%b %Y}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=_pct, pp=_pp, pvalue=_pvalue, money=_money, signed=_signed, month=_month)
    env.filters["thousands"] = lambda v: "–" if v is None else f"{int(v):,}"
    return env


def render_html(con: duckdb.DuckDBPyConnection, run_date: date) -> str:
    """The report page for one warehouse connection."""
    return _environment().get_template("report.html").render(**gather(con), run_date=run_date)


def render_report(db: Path, out_dir: Path, run_date: date | None = None) -> ReportFiles:
    """Render the report for `run_date` (today, UTC, by default) and refresh latest and index."""
    run_date = run_date or datetime.now(UTC).date()
    con = duckdb.connect(str(db), read_only=True)
    try:
        html = render_html(con, run_date)
    finally:
        con.close()
    try:
        return _write_report(out_dir, run_date, html)
    except OSError as exc:
        raise OutputNotWritten(f"{out_dir} could not be written: {exc}") from exc


def _write_report(out_dir: Path, run_date: date, html: str) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = out_dir / f"report-{run_date.isoformat()}.html"
    _write_atomically(report, html)
    reports = sorted(
        (p for p in out_dir.iterdir() if REPORT_NAME.match(p.name)), key=lambda p: p.name
    )
    latest = out_dir / "latest.html"
    scratch = latest.with_suffix(".html.tmp")
    shutil.copyfile(reports[-1], scratch)
    scratch.replace(latest)
    index = out_dir / "index.html"
    entries = [
        {"name": p.name, "date": REPORT_NAME.match(p.name).group(1)}  # type: ignore[union-attr]
        for p in reversed(reports)
    ]
    _write_atomically(
        index,
        _environment().get_template("index.html").render(reports=entries, run_date=run_date),
    )
    return ReportFiles(report, latest, index)


def _write_atomically(path: Path, text: str) -> None:
    scratch = path.with_suffix(path.suffix + ".tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(path)
