"""The report opened in headless Chromium: it renders, and logs nothing to the console.

Chromium's `--enable-logging=stderr` writes every console message (script errors, blocked loads,
Content-Security-Policy violations) as an `INFO:CONSOLE` line. The report has no script at all,
so any console line is a failure. The check is proven on a page with a deliberate error.
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest

from reports.render import render_report

pytestmark = pytest.mark.browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def open_in_chromium(chromium: Path, page: Path) -> tuple[str, list[str]]:
    """The page's DOM after load, and the console messages Chromium logged."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [str(chromium), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_console_check_catches_a_script_error(chromium: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!doctype html><title>t</title><p>ok</p><script>definitelyNotDefined()</script>"
    )
    dom, console = open_in_chromium(chromium, broken)
    assert "<p>ok</p>" in dom
    assert any("definitelyNotDefined" in line for line in console), console


def test_console_check_catches_a_blocked_external_load(chromium: Path, tmp_path: Path) -> None:
    # The report's own policy, with one external image: the blocked load must be reported.
    report = render_report_fixture_policy()
    leaky = tmp_path / "leaky.html"
    leaky.write_text(f'<!doctype html><head>{report}</head><img src="https://example.org/a.png">')
    _, console = open_in_chromium(chromium, leaky)
    assert any("Content Security Policy" in line for line in console), console


def test_report_renders_in_chromium_without_console_messages(
    chromium: Path, report_warehouse: Path, tmp_path: Path
) -> None:
    files = render_report(report_warehouse, tmp_path, run_date=date(2026, 5, 1))
    dom, console = open_in_chromium(chromium, files.latest)
    assert console == []
    assert "What should an aspiring ML engineer learn" in dom
    assert '<svg class="trend"' in dom and '<svg class="heatmap"' in dom
    # The hostile title is still text after the browser parsed the page.
    assert "&lt;script&gt;alert(" in dom


def render_report_fixture_policy() -> str:
    """The Content-Security-Policy meta tag exactly as the report template writes it."""
    base = Path(__file__).resolve().parents[2] / "reports" / "templates" / "base.html"
    return next(line for line in base.read_text().splitlines() if "Content-Security-Policy" in line)
