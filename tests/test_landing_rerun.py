"""An ingest passes over the payloads it has landed whole before (raw_store.landed_whole):
it neither parses nor stages them, and stores what landing them again would have stored."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from extractors.sources import jsonl
from extractors.sources.base import ParseResult, Payload, SourceConfig
from skillpulse import landing, parsing
from skillpulse.outcome import SourceOutcome
from warehouse import payload_files, raw_store


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:  # type: ignore[misc]
    con = raw_store.open_raw(tmp_path / "w.raw.duckdb")
    yield con
    con.close()


@pytest.fixture
def parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first line of each payload parsed in this process, in order; two lines a payload."""
    monkeypatch.setattr(jsonl, "LINES_PER_PAYLOAD", 2)
    parsed: list[int] = []
    real_parse = jsonl.JsonlFile.parse

    def recording(self: jsonl.JsonlFile, payload: Payload) -> ParseResult:
        parsed.append(int(payload.url.rsplit("#line=", 1)[1]))
        return real_parse(self, payload)

    monkeypatch.setattr(jsonl.JsonlFile, "parse", recording)
    return parsed


def _write(path: Path, lines: list[dict[str, object] | str]) -> Path:
    text = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def _ingest(
    con: duckdb.DuckDBPyConnection, run_id: str, path: Path, processes: int = 1
) -> dict[str, float]:
    timings: dict[str, float] = {}
    landing.ingest_jsonl(con, run_id, path, timings=timings, processes=processes)
    return {k: v for k, v in timings.items() if k.startswith("postings_")}


def _counts(new: int, changed: int, unchanged: int) -> dict[str, float]:
    return {"postings_new": new, "postings_changed": changed, "postings_unchanged": unchanged}


FOUR = [{"id": f"p{i}", "title": "ML Engineer", "text": f"Python job {i}."} for i in range(1, 5)]


@pytest.fixture
def four_landed(con: duckdb.DuckDBPyConnection, tmp_path: Path, parsed_lines: list[int]) -> Path:
    """postings.jsonl holding FOUR (two payloads), landed by run-1; parsed_lines then cleared."""
    source = _write(tmp_path / "postings.jsonl", FOUR)
    _ingest(con, "run-1", source)
    parsed_lines.clear()
    return source


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        """
        select source_posting_id, text, payload_sha256, parsed_at, first_seen_at, last_seen_at,
            last_seen_run_id
        from raw_postings order by source_posting_id
        """
    ).fetchall()


def _last_seen_by_board(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "select board, last_seen_run_id, count(*) from raw_postings group by all order by all"
    ).fetchall()


def _fetched_at(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, datetime]:
    return dict(
        con.execute(
            "select payload_sha256, fetched_at from raw_fetches where run_id = ?", [run_id]
        ).fetchall()
    )


def test_a_rerun_parses_nothing_and_moves_only_the_bookkeeping(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, parsed_lines: list[int]
) -> None:
    source = _write(tmp_path / "postings.jsonl", FOUR)
    assert _ingest(con, "run-1", source) == _counts(4, 0, 0)
    assert parsed_lines == [1, 3]
    before = _rows(con)
    parsed_lines.clear()

    assert _ingest(con, "run-2", source) == _counts(0, 0, 4)
    assert parsed_lines == []
    after = _rows(con)
    fetched = _fetched_at(con, "run-2")
    assert sorted(fetched) == sorted(_fetched_at(con, "run-1"))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in after] == [r[:5] for r in before]
    # Seen again when this run read its payload; parsed_at keeps when it was parsed.
    assert [(r[5], r[6]) for r in after] == [(fetched[str(r[2])], "run-2") for r in before]
    assert all(a[5] > b[5] for a, b in zip(after, before, strict=True))
    assert con.execute(
        "select url, postings, dated_postings, rejects from raw_payload_landings order by url"
    ).fetchall() == [
        (f"{source.resolve().as_uri()}#line=1", 2, 0, 0),
        (f"{source.resolve().as_uri()}#line=3", 2, 0, 0),
    ]


def test_a_payload_with_a_reject_is_landed_again_so_the_run_records_its_reject(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, parsed_lines: list[int]
) -> None:
    source = _write(tmp_path / "postings.jsonl", [FOUR[0], '{"id": "p9", "text": ', *FOUR[1:]])
    _ingest(con, "run-1", source)
    parsed_lines.clear()
    assert _ingest(con, "run-2", source) == _counts(0, 0, 4)
    assert parsed_lines == [1]
    assert con.execute("select run_id, record_ref from raw_rejects order by run_id").fetchall() == [
        ("run-1", "line 2"),
        ("run-2", "line 2"),
    ]


def test_a_payload_landed_by_other_code_is_landed_again(
    con: duckdb.DuckDBPyConnection,
    four_landed: Path,
    parsed_lines: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(landing, "landing_code", lambda: "landing a fixed parser")
    assert _ingest(con, "run-2", four_landed) == _counts(0, 0, 4)
    assert parsed_lines == [1, 3]
    assert con.execute(
        "select landing_code, count(*) from raw_payload_landings group by all order by all"
    ).fetchall() == sorted([(landing.code_digest(ROOT), 2), ("landing a fixed parser", 2)])


ROOT = Path(landing.__file__).resolve().parents[1]


def test_the_landing_code_changes_with_a_parser_and_not_with_the_skill_matcher(
    tmp_path: Path,
) -> None:
    for relative in ("extractors/sources/jsonl.py", "extractors/skills/matcher.py"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes((ROOT / relative).read_bytes())
    code = landing.code_digest(tmp_path)
    assert code.startswith("landing ") and len(code) == len("landing ") + 16
    with (tmp_path / "extractors/skills/matcher.py").open("a") as matcher:
        matcher.write("# a matcher change re-extracts; it does not land payloads again\n")
    assert landing.code_digest(tmp_path) == code
    with (tmp_path / "extractors/sources/jsonl.py").open("a") as parser:
        parser.write("# a parser change\n")
    assert landing.code_digest(tmp_path) != code
    assert landing.landing_code() == landing.code_digest(ROOT)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_key_another_payload_took_is_landed_again_in_turn_as_a_full_landing_would(
    con: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    parsed_lines: list[int],
    monkeypatch: pytest.MonkeyPatch,
    processes: int,
) -> None:
    monkeypatch.setattr(jsonl, "LINES_PER_PAYLOAD", 1)
    old = {"id": "p1", "title": "ML Engineer", "text": "Python, the old text."}
    new = {"id": "p1", "title": "Senior Data Scientist", "text": "Python, the new text."}
    source = _write(tmp_path / "postings.jsonl", [old, FOUR[1], new])
    assert _ingest(con, "run-1", source, processes) == _counts(2, 1, 0)
    parsed_lines.clear()
    # Line 1 no longer holds p1 (line 3 does), so it lands again and changes p1 back; line 3
    # then finds p1 taken, in this run's open group, and lands in full too (with workers, it
    # was handed out unparsed before line 1 landed, so this process parses and labels it).
    assert _ingest(con, "run-2", source, processes) == _counts(0, 2, 1)
    if processes == 1:
        assert parsed_lines == [1, 3]
    assert con.execute(
        "select source_posting_id, text, role_family, seniority from raw_postings order by all"
    ).fetchall() == [
        ("p1", "Python, the new text.", "data-scientist", "senior"),
        ("p2", "Python job 2.", "ml-engineer", "unknown"),
    ]


def test_a_change_undone_lands_every_payload_again_and_then_passes_over_them(
    con: duckdb.DuckDBPyConnection,
    four_landed: Path,
    parsed_lines: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_parse = jsonl.JsonlFile.parse  # the fixture's recording parse

    def shouting(self: jsonl.JsonlFile, payload: Payload) -> ParseResult:
        result = real_parse(self, payload)
        result.postings[:] = [replace(p, title=(p.title or "").upper()) for p in result.postings]
        return result

    # A parser change, landed in full...
    with monkeypatch.context() as changed:
        changed.setattr(jsonl.JsonlFile, "parse", shouting)
        changed.setattr(landing, "landing_code", lambda: "landing shouting titles")
        assert _ingest(con, "run-2", four_landed) == _counts(0, 4, 0)
    titles = "select distinct title from raw_postings"
    assert con.execute(titles).fetchall() == [("ML ENGINEER",)]
    parsed_lines.clear()
    # ... then undone: the first code's landings are recorded, but the rows are not theirs.
    assert _ingest(con, "run-3", four_landed) == _counts(0, 4, 0)
    assert parsed_lines == [1, 3]
    assert con.execute(titles).fetchall() == [("ML Engineer",)]
    parsed_lines.clear()
    assert _ingest(con, "run-4", four_landed) == _counts(0, 0, 4)
    assert parsed_lines == []


def test_passing_over_one_file_leaves_the_same_postings_of_another_file_alone(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, parsed_lines: list[int]
) -> None:
    # The same bytes under two names: two boards, the same payloads.
    first = _write(tmp_path / "first.jsonl", FOUR)
    second = _write(tmp_path / "second.jsonl", FOUR)
    _ingest(con, "run-1", first)
    _ingest(con, "run-2", second)
    parsed_lines.clear()
    assert _ingest(con, "run-3", first) == _counts(0, 0, 4)
    assert parsed_lines == []
    assert _last_seen_by_board(con) == [("first", "run-3", 4), ("second", "run-2", 4)]


def test_postings_with_their_own_seen_at_keep_it_and_a_mixed_payload_lands_in_full(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, parsed_lines: list[int]
) -> None:
    seen = "2025-05-01T00:00:00Z"
    dated = [{**FOUR[0], "seen_at": seen}, {**FOUR[1], "seen_at": seen}]
    mixed = [{**FOUR[2], "seen_at": seen}, FOUR[3]]
    source = _write(tmp_path / "postings.jsonl", dated + mixed)
    _ingest(con, "run-1", source)
    before = {r[0]: r for r in _rows(con)}
    parsed_lines.clear()
    assert _ingest(con, "run-2", source) == _counts(0, 0, 4)
    assert parsed_lines == [3]
    after = {r[0]: r for r in _rows(con)}
    for pid in ("p1", "p2"):
        assert after[pid][5] == before[pid][5] == datetime.fromisoformat(seen)
        assert (after[pid][3], after[pid][6]) == (before[pid][3], "run-2")
    assert after["p4"][5] > before["p4"][5]
    assert after["p4"][3] > before["p4"][3]  # landed in full: parsed again


def test_a_payload_whose_body_file_is_gone_is_landed_again_and_its_file_written(
    con: duckdb.DuckDBPyConnection, four_landed: Path, parsed_lines: list[int]
) -> None:
    folder = four_landed.parent / "w.raw.payloads"
    first_sha = con.execute(
        "select payload_sha256 from raw_payload_landings where url like '%#line=1'"
    ).fetchone()[0]  # type: ignore[index]
    payload_files.body_path(folder, first_sha).unlink()
    parsed_lines.clear()
    assert _ingest(con, "run-2", four_landed) == _counts(0, 0, 4)
    assert parsed_lines == [1]
    assert raw_store.payload_body(con, first_sha) == b"\n".join(
        json.dumps(record).encode() for record in FOUR[:2]
    )


def test_the_pool_hands_back_a_payload_passed_over_in_its_turn_unparsed() -> None:
    def payload(n: int) -> Payload:
        body = json.dumps({"id": f"p{n}", "title": "ML Engineer", "text": "Python."}).encode()
        return Payload(
            "jsonl", "b", "jsonl", f"file:///b.jsonl#line={n}", datetime.now(), 200, "x", body
        )

    payloads = [payload(n) for n in range(1, 7)]
    with parsing.ParsePool(processes=2, window=2) as pool:
        got = list(pool.parse("jsonl", payloads, passed_over=lambda p: p.url[-1] in "136"))
    assert [item.payload.url[-1] for item in got] == ["1", "2", "3", "4", "5", "6"]
    assert [
        None if item.parsed is None else item.parsed.postings[0].source_posting_id for item in got
    ] == [
        None,
        "p2",
        None,
        "p4",
        "p5",
        None,
    ]


def test_a_posting_first_seen_later_than_this_fetch_gets_the_earlier_time(
    con: duckdb.DuckDBPyConnection, four_landed: Path, parsed_lines: list[int]
) -> None:
    # As a store written on a machine whose clock ran ahead leaves it.
    ahead = datetime.fromisoformat("2099-01-01T00:00:00+00:00")
    con.execute("update raw_postings set first_seen_at = ?, last_seen_at = ?", [ahead, ahead])
    parsed_lines.clear()
    assert _ingest(con, "run-2", four_landed) == _counts(0, 0, 4)
    assert parsed_lines == []
    fetched = _fetched_at(con, "run-2")
    assert [(r[4], r[5]) for r in _rows(con)] == [(fetched[str(r[2])], ahead) for r in _rows(con)]


def test_a_link_to_a_landed_file_lands_its_postings_under_its_own_name(
    con: duckdb.DuckDBPyConnection, four_landed: Path, parsed_lines: list[int]
) -> None:
    # The link's chunks have the file's bytes and url (the resolved path), on another board.
    link = four_landed.with_name("latest.jsonl")
    link.symlink_to(four_landed)
    assert _ingest(con, "run-2", link) == _counts(4, 0, 0)
    assert parsed_lines == [1, 3]
    parsed_lines.clear()
    assert _ingest(con, "run-3", link) == _counts(0, 0, 4)
    assert parsed_lines == []
    assert _last_seen_by_board(con) == [("latest", "run-3", 4), ("postings", "run-1", 4)]


def test_the_same_file_in_another_folder_lands_in_full_once(
    con: duckdb.DuckDBPyConnection, four_landed: Path, parsed_lines: list[int]
) -> None:
    # Same bytes and board, another url: what a parse reads (a reject's line, a page's
    # address) is the url's, so only a landing from this url is taken as whole.
    moved = four_landed.parent / "moved" / four_landed.name
    moved.parent.mkdir()
    moved.write_bytes(four_landed.read_bytes())
    assert _ingest(con, "run-2", moved) == _counts(0, 0, 4)
    assert parsed_lines == [1, 3]
    parsed_lines.clear()
    assert _ingest(con, "run-3", moved) == _counts(0, 0, 4)
    assert parsed_lines == []


def test_a_payload_whose_key_a_later_page_of_its_outcome_took_is_not_whole(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, parsed_lines: list[int]
) -> None:
    old = {"id": "p1", "title": "ML Engineer", "text": "Python, the old text."}
    new = {"id": "p1", "title": "ML Engineer", "text": "Python, the new text."}
    source = _write(tmp_path / "postings.jsonl", [old, FOUR[1], new, FOUR[3]])
    # Collected as one outcome of two pages, as the nightly flow lands a jsonl source: p1 is
    # stored from the second page, so the first page's rows are p2 alone.
    payloads = list(jsonl.SOURCE.fetch(SourceConfig(kind="jsonl", board=str(source))))
    parsed = ParseResult()
    for payload in payloads:
        parsed.postings.extend(jsonl.SOURCE.parse(payload).postings)
    outcome = SourceOutcome("jsonl", "postings", "ok", payloads=payloads, parsed=parsed)
    landing.land_outcome(con, "run-1", outcome)
    assert con.execute(
        "select url, postings from raw_payload_landings order by url"
    ).fetchall() == [(payloads[0].url, 2), (payloads[1].url, 2)]
    # The second page changes; a full ingest then leaves p1 as the first page has it.
    _write(source, [old, FOUR[1], FOUR[2], FOUR[3]])
    parsed_lines.clear()
    assert _ingest(con, "run-2", source) == _counts(1, 1, 2)
    assert parsed_lines == [1, 3]
    assert con.execute(
        "select text from raw_postings where source_posting_id = 'p1'"
    ).fetchall() == [("Python, the old text.",)]


def test_postings_seen_again_count_toward_the_commit_group(
    con: duckdb.DuckDBPyConnection, four_landed: Path
) -> None:
    payloads = list(jsonl.SOURCE.fetch(SourceConfig(kind="jsonl", board=str(four_landed))))
    reader = con.cursor()

    def committed_run_ids() -> list[tuple[object, ...]]:
        return reader.execute(
            "select distinct last_seen_run_id from raw_postings order by all"
        ).fetchall()

    # Groups of 3 rows: the first payload's 2 postings leave the group open, the second's
    # fill it, and it commits as that landing ends.
    with raw_store.GroupedCommits(con, rows_per_commit=3) as commits:
        for payload, committed in zip(payloads, [[("run-1",)], [("run-2",)]], strict=True):
            seen = raw_store.see_payload_again(
                con, "run-2", landing.payload_row(payload), landing.landing_code(), commits
            )
            assert seen == raw_store.LandCounts(unchanged=2)
            assert committed_run_ids() == committed
    reader.close()
