"""The rendered report: its sections, its escaping, and that it references nothing external."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from reports.render import render_report
from skillpulse.cli import app


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of <style> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def rendered(report_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report-out")
    files = render_report(report_warehouse, out, run_date=date(2026, 5, 1))
    return files.report.read_text(encoding="utf-8")


def test_report_has_every_section(rendered: str) -> None:
    for section in ("roadmap", "trends", "cooccurrence", "cuts", "evidence", "method"):
        assert f'<section id="{section}"' in rendered, section
    # Headline: 32 postings, the taxonomy version, both sources, the role family measured.
    assert "<strong>32</strong> distinct job postings" in rendered
    assert "taxonomy version" in rendered and "fixture-board" in rendered
    assert "other-board" in rendered
    # The six article areas appear as steps of the new roadmap.
    for area in (
        "Programming languages",
        "Deep-learning frameworks",
        "Statistics &amp; algorithms",
    ):
        assert f": {area}</h3>" in rendered, area
    assert "What the article lacks" in rendered
    # Rising/falling is rpt_skill_trends': 12 postings in 2024 and 20 in 2026 are under its
    # 30-postings support gate, so the report says so instead of ranking noise. The rising and
    # falling tables themselves are checked value by value in test_report_units.py.
    movers = rendered.split("<h3>Rising and falling</h3>")[1].split("</section>")[0]
    assert "Too few postings to call any skill rising or falling yet" in movers
    assert "<strong>Rising</strong>" not in movers
    # Salary by skill: the fixture states USD ranges.
    assert "state a salary in USD" in rendered


def test_hostile_strings_render_as_text(rendered: str) -> None:
    page = parse(rendered)
    assert not any(tag == "script" for tag, _ in page.tags)
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "xlink:href"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
    # The hostile fields are present, but escaped.
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; ML Engineer" in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert "Quote&#34; onload=&#34;alert(4)" in rendered
    assert "&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt;" in rendered
    # The javascript: URL is shown as text, never as a link.
    assert '<span class="url"><bdi>javascript:alert(document.cookie)</bdi></span>' in rendered
    assert "<img" not in rendered and "<b onmouseover" not in rendered


def test_nothing_external_is_referenced(rendered: str) -> None:
    page = parse(rendered)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "poster", "data", "action", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not re.match(r"(https?:)?//", value), (tag, name, value)
        assert "url(" not in (attrs.get("style") or "").lower(), (tag, attrs)
    assert page.styles and all("url(" not in css and "@import" not in css for css in page.styles)
    assert not any(tag in ("link", "iframe", "object", "embed") for tag, _ in page.tags)
    # External addresses from postings exist only as escaped text outside any attribute.
    assert "https://tracker.example.com/pixel.gif" in rendered
    assert 'src="http' not in rendered and 'href="http' not in rendered
    # And a Content-Security-Policy forbids scripts and fetches even if something slipped by.
    csp = next(a for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in (csp.get("content") or "")


def test_evidence_highlights_matched_words(rendered: str) -> None:
    evidence = rendered.split('<section id="evidence"')[1].split("</section>")[0]
    assert '<details id="ev-keras"' in evidence
    keras = evidence.split('<details id="ev-keras"')[1].split("</details>")[0]
    assert "<mark>Keras</mark> &lt;script&gt;" in keras
    pytorch = evidence.split('<details id="ev-pytorch"')[1].split("</details>")[0]
    assert "<mark>PyTorch</mark>" in pytorch
    assert pytorch.count('<blockquote class="quote">') == 3


def test_latest_and_index_follow_the_newest_report(report_warehouse: Path, tmp_path: Path) -> None:
    older = render_report(report_warehouse, tmp_path, run_date=date(2026, 4, 30))
    newer = render_report(report_warehouse, tmp_path, run_date=date(2026, 5, 2))
    # Rendering an older date afterwards must not move latest.html backwards.
    render_report(report_warehouse, tmp_path, run_date=date(2026, 5, 1))
    assert newer.latest.read_bytes() == newer.report.read_bytes()
    assert older.report.name == "report-2026-04-30.html"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert links == [
        "latest.html",
        "report-2026-05-02.html",
        "report-2026-05-01.html",
        "report-2026-04-30.html",
    ]
    assert not list(tmp_path.glob("*.tmp"))


def test_cli_report_renders_without_touching_the_warehouse(
    report_warehouse: Path, tmp_path: Path
) -> None:
    before = hashlib.sha256(report_warehouse.read_bytes()).hexdigest()
    result = CliRunner().invoke(
        app, ["report", "--db", str(report_warehouse), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "latest.html").is_file()
    assert (tmp_path / "out" / "index.html").is_file()
    assert hashlib.sha256(report_warehouse.read_bytes()).hexdigest() == before


def test_missing_marts_become_notes_not_crashes(report_warehouse: Path, tmp_path: Path) -> None:
    # The warehouse grows while the report is written against it: a mart that is not there yet
    # must turn into a note in its section, not a failed report.
    copy = tmp_path / "partial.duckdb"
    shutil.copyfile(report_warehouse, copy)
    con = duckdb.connect(str(copy))
    for table in ("rpt_roadmap", "raw_mentions", "fct_skill_demand_monthly"):
        con.execute(f"drop table {table}")
    con.close()
    html = render_report(copy, tmp_path / "out", run_date=date(2026, 5, 1)).report.read_text()
    assert "no rpt_roadmap table yet" in html
    assert "no fct_skill_demand_monthly table yet" in html
    assert "Needs raw_mentions and raw_postings" in html
    assert '<section id="cooccurrence"' in html and "Strongest pairs" in html
