"""Bad and hostile input through `skillpulse ingest`, the report and the export.

Every bad line is rejected with its line number and reason (fct_rejects), every good line lands,
and the summary counts both. Hostile strings (SQL, HTML, paths) land verbatim and harm nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import record_figure
from typer.testing import CliRunner

from skillpulse.cli import app

# (reason fragment, raw line) — each bad line follows a good one, so its line number is even.
BAD_LINES: list[tuple[str, bytes]] = [
    ("broken JSON", b'{"id": "b1", "text": '),
    ("expected a JSON object", b"[1, 2, 3]"),
    ("missing or empty 'id'", b'{"text": "Python"}'),
    ("missing or empty 'id'", b'{"id": true, "text": "Python"}'),
    ("missing or empty 'id'", b'{"id": "   ", "text": "Python"}'),
    ("missing, empty or non-string 'text'", b'{"id": "b6", "text": null}'),
    ("missing, empty or non-string 'text'", b'{"id": "b7", "text": 42}'),
    ("missing, empty or non-string 'text'", b'{"id": "b8", "text": "   "}'),
    ("'title' must be a string", b'{"id": "b9", "text": "Python", "title": 5}'),
    ("impossible 'posted_at'", b'{"id": "b10", "text": "Python", "posted_at": "2024-02-30"}'),
    ("impossible 'posted_at'", b'{"id": "b11", "text": "Python", "posted_at": "9999-01-01"}'),
    ("impossible 'posted_at'", b'{"id": "b12", "text": "Python", "posted_at": 1e400}'),
    ("impossible 'posted_at'", b'{"id": "b13", "text": "Python", "posted_at": NaN}'),
    ("impossible 'posted_at'", b'{"id": "b14", "text": "Python", "posted_at": {"y": 2024}}'),
    ("impossible 'seen_at'", b'{"id": "b15", "text": "Python", "seen_at": "yesterday"}'),
    ("invalid UTF-8 at byte", b'{"id": "b16", "text": "caf\xe9 Python"}'),
    ("over the 200000 limit", json.dumps({"id": "b17", "text": "Python " * 40000}).encode()),
    ("nested too deeply", b"[" * 100_000 + b"]" * 100_000),
    ("broken JSON: Exceeds the limit (4300 digits)", b'{"id": ' + b"7" * 5000 + b', "text": "Go"}'),
    ("not valid Unicode text", b'{"id": "b19", "text": "lone \\ud800 surrogate Python"}'),
    ("broken JSON", b"\x00\x01\x02 binary junk"),
]
SQL_ID = "'); drop table raw_postings; --"
PATH_ID = "../../../../tmp/skillpulse-evil"
HOSTILE = {
    "id": SQL_ID,
    "title": "<script>alert('title')</script> ML Engineer",
    "company": "Robert'); DROP TABLE students;--",
    "url": "javascript:alert(1)",
    "location": '"><img src=x onerror=alert(1)>',
    "text": "<img src=x onerror=alert('text')> We use Python and PyTorch. ${jndi:ldap://x} %s%n",
    "posted_at": "2025-03-01",
}


def _good(i: object, **overrides: object) -> bytes:
    record = {
        "id": f"good-{i}",
        "title": "ML Engineer",
        "company": "Acme",
        "posted_at": "2025-03-01",
        "text": f"Acme | ML Engineer | Remote\nPython and PyTorch, posting {i}.",
        **overrides,
    }
    return json.dumps(record).encode()


def _write_input(path: Path) -> tuple[list[tuple[int, str]], int]:
    lines: list[bytes] = []
    expected: list[tuple[int, str]] = []
    for i, (reason, raw) in enumerate(BAD_LINES):
        lines += [_good(i), raw]
        expected.append((len(lines), reason))
    lines.append(b"\xef\xbb\xbf" + _good("bom"))  # a byte-order mark on a good line: lands
    lines.append(b"")  # a blank line: neither posting nor reject
    lines.append(_good("crlf") + b"\r")  # a Windows line end: lands
    lines.append(_good("nul", text="NUL \u0000 byte, then Python"))
    lines.append(json.dumps(HOSTILE).encode())
    lines.append(_good("path", id=PATH_ID))
    good = len(BAD_LINES) + 5
    path.write_bytes(b"\n".join(lines) + b"\n")
    return expected, good


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, small_taxonomy_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bad-input")
    source = folder / "input.jsonl"
    expected, good = _write_input(source)
    db = folder / "wh" / "warehouse.duckdb"
    result = CliRunner().invoke(
        app,
        ["ingest", "--input", str(source), "--db", str(db), "--taxonomy", str(small_taxonomy_path)],
    )
    return folder, db, result, expected, good


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_bad_line_is_rejected_with_its_number_and_reason(ingested) -> None:  # type: ignore[no-untyped-def]
    _, db, result, expected, _ = ingested
    assert result.exit_code == 0, result.output
    rejects = _rows(db, "select record_ref, reason from fct_rejects")
    got = sorted((int(ref.removeprefix("line ")), reason) for ref, reason in rejects)
    assert [n for n, _ in got] == [n for n, _ in expected]
    for (number, reason), (_, fragment) in zip(got, expected, strict=True):
        assert fragment in reason, (number, reason)
        record_figure("bad input", fragment, 1, "rejected with line number and reason")


def test_good_lines_land_and_the_summary_counts_both(ingested) -> None:  # type: ignore[no-untyped-def]
    _, db, result, expected, good = ingested
    assert _rows(db, "select count(*) from raw_postings") == [(good,)]
    assert f"{good} landed" in result.output
    assert f"{len(expected)} rejected" in result.output
    assert _rows(db, "select postings, rejects from source_runs") == [(good, len(expected))]
    for posting_id in ("good-bom", "good-crlf", "good-nul"):
        assert _rows(
            db, "select count(*) from fct_postings where source_posting_id = ?", [posting_id]
        ) == [(1,)]
    assert _rows(db, "select text from raw_postings where source_posting_id = 'good-nul'") == [
        ("NUL \u0000 byte, then Python",)
    ]
    for label in ("BOM on a good line", "CRLF line end", "NUL character in text"):
        record_figure("bad input", label, 1, "landed verbatim")


def test_hostile_strings_land_verbatim_and_sql_is_untouched(ingested) -> None:  # type: ignore[no-untyped-def]
    _, db, _, _, _ = ingested
    row = _rows(
        db,
        "select title, company, url, location, text from raw_postings where source_posting_id = ?",
        [SQL_ID],
    )
    assert row == [
        (HOSTILE["title"], HOSTILE["company"], HOSTILE["url"], HOSTILE["location"], HOSTILE["text"])
    ]
    tables = {r[0] for r in _rows(db, "select table_name from information_schema.tables")}
    assert {"raw_postings", "fct_postings", "fct_rejects"} <= tables
    skills = _rows(
        db,
        "select list(skill_id order by skill_id) from fct_posting_skills "
        "join fct_postings using (posting_id) where source_posting_id = ?",
        [SQL_ID],
    )
    assert skills == [(["python", "pytorch"],)]
    record_figure(
        "hostile strings", "SQL injection in posting id and company", 1, "stored verbatim"
    )


def test_hostile_strings_are_escaped_in_the_report_and_never_become_paths(
    ingested, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder, db, _, _, _ = ingested
    out = tmp_path / "reports"
    report = CliRunner().invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert report.exit_code == 0, report.output
    export = CliRunner().invoke(app, ["export", "--db", str(db), "--parquet", str(tmp_path / "pq")])
    assert export.exit_code == 0, export.output
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for needle in ("<script>alert", "<img src=x", "javascript:alert", "onerror=alert"):
            assert needle not in html, (page.name, needle)
    # no file anywhere is named after a posting id
    assert not Path("/tmp/skillpulse-evil").exists()
    names = {p.name for p in folder.rglob("*")} | {p.name for p in tmp_path.rglob("*")}
    assert not any("evil" in name or "drop table" in name.lower() for name in names)
    record_figure(
        "hostile strings", "HTML/JS in title, location, text, url", 1, "escaped in report"
    )
    record_figure("hostile strings", "path traversal in posting id", 1, "never used as a path")
