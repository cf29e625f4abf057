"""Landing postings into the raw store: one row per key, re-landing is a cheap last_seen update.

raw_postings has no primary key (its index made landing super-linear), so these tests are what
guarantees one row per (source, board, source_posting_id) under repeated and overlapping input.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from extractors.skills.mentions import MentionColumns
from skillpulse import landing
from warehouse import raw_store
from warehouse.files import wal_of

T0 = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
T1 = datetime(2025, 3, 2, 6, 0, tzinfo=UTC)
T2 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)


def posting(
    pid: str, seen: datetime, run_id: str = "run-1", text: str | None = None, **fields: object
) -> dict[str, object]:
    """One unclassified posting row, as skillpulse.landing builds them."""
    text = text if text is not None else f"posting {pid}: we use Python"
    row: dict[str, object] = {
        "source": "jsonl",
        "board": "test",
        "source_posting_id": pid,
        "title": "ML Engineer",
        "company": "Acme",
        "location": None,
        "workplace": None,
        "posted_at": T0,
        "text": text,
        "url": None,
        "salary_min": None,
        "salary_max": None,
        "salary_currency": None,
        "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "payload_sha256": None,
        "role_family": None,
        "seniority": None,
        "parsed_at": seen,
        "first_seen_at": seen,
        "last_seen_at": seen,
        "last_seen_run_id": run_id,
    }
    row.update(fields)
    return row


class CountingClassifier:
    """landing.classify_postings, remembering which posting ids it was asked about."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, postings: list[raw_store.Unlabelled]) -> list[tuple[str, str]]:
        self.seen.extend(p.source_posting_id for p in postings)
        return landing.classify_postings(postings)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:  # type: ignore[misc]
    con = raw_store.open_raw(tmp_path / "w.raw.duckdb")
    yield con
    con.close()


def land(
    con: duckdb.DuckDBPyConnection,
    rows: list[dict[str, object]],
    classify: CountingClassifier,
    run_id: str = "run-1",
    rejects: list[tuple] | None = None,
) -> raw_store.LandCounts:
    return raw_store.land_source_result(
        con, run_id, None, [], postings_of(rows), rejects or [], classify=classify
    )


def postings_of(records: list[dict[str, object]]) -> list[tuple]:
    return raw_store.as_rows(records, raw_store.POSTING_COLUMNS)


def payloads_of(*records: dict[str, object]) -> list[tuple]:
    return raw_store.as_rows(records, raw_store.PAYLOAD_COLUMNS)


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        """
        select source_posting_id, title, text, role_family, seniority, first_seen_at,
            last_seen_at, last_seen_run_id
        from raw_postings order by source_posting_id
        """
    ).fetchall()


def keys_are_unique(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        """
        select count(*) = count(distinct (source, board, source_posting_id)) from raw_postings
        """
    ).fetchone()
    return bool(row and row[0])


def test_the_same_batch_twice_lands_once_and_only_moves_last_seen(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    first = land(con, [posting("a", T0), posting("b", T0)], classify)
    assert (first.new, first.changed, first.unchanged) == (2, 0, 0)
    assert sorted(classify.seen) == ["a", "b"]
    before = stored(con)

    again = land(con, [posting("a", T1, "run-2"), posting("b", T1, "run-2")], classify, "run-2")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    assert sorted(classify.seen) == ["a", "b"], "an unchanged posting was classified again"
    after = stored(con)
    assert len(after) == 2 and keys_are_unique(con)
    for old, new in zip(before, after, strict=True):
        assert new[:6] == old[:6]  # id, title, text, labels, first_seen: untouched
        assert new[6:] == (T1, "run-2")  # last_seen and its run moved


def test_repeated_and_overlapping_batches_never_duplicate_a_key(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    # One batch naming a key twice (the later copy wins), then batches overlapping it.
    land(con, [posting("a", T0, text="old a"), posting("b", T0), posting("a", T0, text="new a")],
         classify)  # fmt: skip
    land(con, [posting("b", T1), posting("c", T1)], classify)
    land(con, [posting("c", T2), posting("d", T2), posting("a", T2, text="new a")], classify)
    land(con, [posting("a", T2, text="new a"), posting("d", T2)], classify)
    assert keys_are_unique(con)
    rows = stored(con)
    assert [r[0] for r in rows] == ["a", "b", "c", "d"]
    assert rows[0][2] == "new a"
    assert [r[5] for r in rows] == [T0, T0, T1, T2]  # first_seen kept
    assert [r[6] for r in rows] == [T2, T1, T2, T2]  # last_seen moved


def test_a_changed_text_updates_the_posting_and_classifies_it_again(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    land(con, [posting("a", T0, title="Senior ML Engineer"), posting("b", T0)], classify)
    changed = land(
        con,
        [
            posting("a", T1, "run-2", title="Senior ML Engineer", text="a new text"),
            posting("b", T1, "run-2", title="Data Scientist Intern"),
        ],
        classify,
        "run-2",
    )
    assert (changed.new, changed.changed, changed.unchanged) == (0, 2, 0)
    assert classify.seen == ["a", "b", "a", "b"]
    rows = stored(con)
    assert rows[0][:5] == ("a", "Senior ML Engineer", "a new text", "ml-engineer", "senior")
    assert rows[1][:5] == (
        "b",
        "Data Scientist Intern",
        "posting b: we use Python",
        "data-scientist",
        "intern",
    )
    assert [r[5:] for r in rows] == [(T0, T1, "run-2"), (T0, T1, "run-2")]
    hashes = con.execute("select content_hash from raw_postings order by all").fetchall()
    assert (hashlib.sha256(b"a new text").hexdigest(),) in hashes


def test_a_changed_company_updates_the_posting_but_keeps_its_labels(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    land(con, [posting("a", T0)], classify)
    counts = land(con, [posting("a", T1, company="Acme GmbH")], classify)
    assert (counts.new, counts.changed, counts.unchanged) == (0, 1, 0)
    assert classify.seen == ["a"]  # title and text are what the labels come from
    assert con.execute("select company, role_family from raw_postings").fetchall() == [
        ("Acme GmbH", "ml-engineer")
    ]


def test_a_posting_seen_earlier_than_we_knew_moves_first_seen_back(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    land(con, [posting("a", T1)], classify)
    land(con, [posting("a", T0, "run-old")], classify, "run-old")
    assert stored(con)[0][5:7] == (T0, T1)


def test_labels_given_by_the_caller_are_kept(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    land(con, [posting("a", T0, role_family="other", seniority="lead")], classify)
    assert classify.seen == []
    relabelled = land(con, [posting("a", T1, role_family="data-scientist", seniority="lead")],
                      classify)  # fmt: skip
    assert relabelled.changed == 1
    assert stored(con)[0][3:5] == ("data-scientist", "lead")


def test_labels_computed_ahead_go_only_to_new_postings_and_changed_titles_or_texts(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    land(con, [posting("a", T0), posting("b", T0), posting("c", T0)], classify)
    assert [row[3:5] for row in stored(con)] == [("ml-engineer", "unknown")] * 3

    # Ahead labels that differ from what is stored, for every row: "a" is unchanged and keeps
    # its stored labels, "b" has a new title and "c" a new company (not a classifier input),
    # "d" is new.
    rows = [
        posting("a", T1, "run-2"),
        posting("b", T1, "run-2", title="Staff Data Scientist"),
        posting("c", T1, "run-2", company="Acme GmbH"),
        posting("d", T1, "run-2"),
    ]
    counts = raw_store.land_source_result(
        con, "run-2", None, [], postings_of(rows), [],
        labels_ahead=[("other", "intern")] * 4,
    )  # fmt: skip
    assert (counts.new, counts.changed, counts.unchanged) == (1, 2, 1)
    assert [(row[0], *row[3:5]) for row in stored(con)] == [
        ("a", "ml-engineer", "unknown"),
        ("b", "other", "intern"),
        ("c", "ml-engineer", "unknown"),
        ("d", "other", "intern"),
    ]
    assert classify.seen == ["a", "b", "c"]  # the first landing's only

    with pytest.raises(ValueError, match="1 labels computed ahead for 2 postings"):
        raw_store.land_source_result(
            con, "run-3", None, [], postings_of(rows[:2]), [], labels_ahead=[("other", "lead")]
        )
    with pytest.raises(ValueError, match="1 labels computed ahead for 0 postings"):
        raw_store.land_source_result(con, "run-3", None, [], [], [], labels_ahead=[("a", "b")])


def test_a_reject_is_recorded_again_by_a_rerun(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()

    def rejects(run_id: str) -> list[tuple]:
        return raw_store.as_rows(
            [
                {
                    "run_id": run_id,
                    "source": "jsonl",
                    "board": "test",
                    "record_ref": "line 3",
                    "reason": "broken JSON",
                    "raw": "{",
                }
            ],
            raw_store.REJECT_COLUMNS,
        )

    land(con, [posting("a", T0)], classify, "run-1", rejects("run-1"))
    land(con, [posting("a", T1, "run-2")], classify, "run-2", rejects("run-2"))
    assert con.execute("select run_id, record_ref from raw_rejects order by all").fetchall() == [
        ("run-1", "line 3"),
        ("run-2", "line 3"),
    ]


def test_a_failing_batch_lands_nothing(con) -> None:  # type: ignore[no-untyped-def]
    def broken(postings: list[raw_store.Unlabelled]) -> list[tuple[str, str]]:
        raise RuntimeError("classifier crashed")

    assert_one_posting_lands_nothing(con, RuntimeError, classify=broken)


def assert_one_posting_lands_nothing(
    con: duckdb.DuckDBPyConnection,
    expected: type[BaseException],
    classify: raw_store.Classifier | None = None,
) -> None:
    """Landing one payload with one posting raises `expected` and leaves every table empty."""
    with pytest.raises(expected):
        raw_store.land_source_result(
            con,
            "run-1",
            None,
            payloads_of(_payload_row("p1", b"{}")),
            postings_of([posting("a", T0)]),
            [],
            classify=classify,
        )
    for table in ("raw_payloads", "raw_fetches", "raw_postings"):
        assert con.execute(f"select count(*) from {table}").fetchone() == (0,), table


def test_reingesting_a_file_classifies_nothing_and_keeps_one_row_per_posting(
    tmp_path: Path, classified_here: list[str]
) -> None:
    source = tmp_path / "postings.jsonl"
    lines = [
        {"id": f"p{i}", "title": "ML Engineer", "text": f"posting {i}: PyTorch"} for i in range(7)
    ]
    lines.append({"id": "p3", "title": "ML Engineer", "text": "posting 3: PyTorch"})  # a repeat
    source.write_text(
        "\n".join(json.dumps(line) for line in lines) + "\n" + '{"id": "bad", "text": \n',
        encoding="utf-8",
    )
    classified = classified_here
    con = raw_store.open_raw(tmp_path / "w.raw.duckdb")
    try:
        first: dict[str, float] = {}
        outcome = landing.ingest_jsonl(con, "run-1", source, timings=first)
        assert outcome.landed == 7
        assert (first["postings_new"], first["postings_unchanged"]) == (7, 0)
        assert sorted(classified) == [f"p{i}" for i in range(7)]

        again: dict[str, float] = {}
        landing.ingest_jsonl(con, "run-2", source, timings=again)
        assert (again["postings_new"], again["postings_changed"]) == (0, 0)
        assert again["postings_unchanged"] == 7
        assert len(classified) == 7, "the re-run classified postings again"
        assert con.execute("select count(*) from raw_postings").fetchone() == (7,)
        assert keys_are_unique(con)
        assert con.execute(
            "select distinct last_seen_run_id, role_family from raw_postings"
        ).fetchall() == [("run-2", "ml-engineer")]
        assert con.execute("select run_id from raw_rejects order by all").fetchall() == [
            ("run-1",),
            ("run-2",),
        ]
    finally:
        con.close()


def has_primary_key(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_constraints() where table_name = ? "
        "and constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchone()
    return bool(row and row[0])


def test_a_store_made_with_the_old_primary_key_is_rebuilt_without_it(tmp_path: Path) -> None:
    path = tmp_path / "old.raw.duckdb"
    old = duckdb.connect(str(path))
    columns = ", ".join(f"{c} varchar" for c in raw_store.POSTING_COLUMNS)
    old.execute(
        f"create table raw_postings ({columns}, primary key (source, board, source_posting_id))"
    )
    row = {k: (str(v) if v is not None else None) for k, v in posting("a", T0).items()}
    row.update(role_family="other", seniority="unknown")
    old.execute(
        f"insert into raw_postings values ({', '.join('?' for _ in row)})", list(row.values())
    )
    old.close()
    con = raw_store.open_raw(path)
    try:
        assert not has_primary_key(con, "raw_postings")
        assert con.execute(
            "select source_posting_id, role_family from raw_postings"
        ).fetchall() == [("a", "other")]
        assert {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()} >= {
            "raw_postings",
            "raw_payloads",
        }
        assert "raw_postings_keyed" not in {
            r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()
        }
    finally:
        con.close()


def test_a_store_whose_creation_was_cut_short_is_created_again(tmp_path: Path) -> None:
    """What a run killed while DuckDB created the store leaves is the working file (bytes that
    are no database) and perhaps its WAL; the next open makes the store and removes both."""
    path = tmp_path / "warehouse.raw.duckdb"
    creating = tmp_path / "warehouse.raw.duckdb.creating"
    creating.write_bytes(b"\x00" * 100)
    (tmp_path / "warehouse.raw.duckdb.creating.wal").write_bytes(b"half a log")
    con = raw_store.open_raw(path)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert {"raw_postings", "raw_payloads", "raw_mentions", "raw_extractions"} <= tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.raw.duckdb"]


def test_a_store_path_that_is_a_dangling_symlink_gets_its_store_at_the_target(
    tmp_path: Path,
) -> None:
    (tmp_path / "disk").mkdir()
    link = tmp_path / "warehouse.raw.duckdb"
    link.symlink_to(tmp_path / "disk" / "raw.duckdb")
    # DuckDB keeps a store's log beside the path it opens, here the link: one left there by a
    # store that is gone is set aside, not replayed into the new one.
    wal_of(link).write_bytes(b"a log of a store that is gone")
    raw_store.open_raw(link).close()
    assert link.is_symlink()
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["raw.duckdb"]
    assert [p.name.split("-")[0] for p in tmp_path.glob("warehouse.raw.duckdb.wal*")] == [
        "warehouse.raw.duckdb.wal.orphaned"
    ]
    con = duckdb.connect(str(tmp_path / "disk" / "raw.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw_postings").fetchone() == (0,)
    finally:
        con.close()


def test_an_existing_file_that_is_not_a_store_is_refused_not_replaced(tmp_path: Path) -> None:
    """Only a working file is ever thrown away: a file at the store's own path is the user's."""
    path = tmp_path / "warehouse.raw.duckdb"
    path.write_bytes(b"someone else's data")
    with pytest.raises(duckdb.Error, match="not a valid DuckDB database file"):
        raw_store.open_raw(path)
    assert path.read_bytes() == b"someone else's data"


def _payload_row(sha: str, body: bytes) -> dict[str, object]:
    return {
        "payload_sha256": sha,
        "source": "jsonl",
        "board": "test",
        "kind": "jsonl",
        "url": "file:///x.jsonl#line=1",
        "content_type": "application/x-ndjson",
        "body": body,
        "fetched_at": T0,
        "status": 200,
    }


def test_a_payload_body_is_stored_compressed_in_a_file_and_read_back_exactly(
    con, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    body = b'{"id": "a", "text": "caf\xc3\xa9 \\u0000 Python"}\n' * 500
    payloads = payloads_of(_payload_row("p1", body), _payload_row("p1", body))
    for run_id in ("run-1", "run-2"):
        raw_store.land_source_result(con, run_id, None, payloads, [], [])
    stored_body, encoding = con.execute("select body, body_encoding from raw_payloads").fetchone()
    assert (stored_body, encoding) == (b"", "zlib-file")
    files = sorted(p for p in (tmp_path / "w.raw.payloads").rglob("*") if p.is_file())
    assert files == [tmp_path / "w.raw.payloads" / "p1" / "p1.zlib"]
    assert len(files[0].read_bytes()) < len(body) // 10
    assert raw_store.payload_body(con, "p1") == body
    assert con.execute("select count(*) from raw_payloads").fetchone() == (1,)
    assert con.execute("select run_id from raw_fetches order by 1").fetchall() == [
        ("run-1",),
        ("run-2",),
    ]
    with pytest.raises(KeyError, match="no payload nope"):
        raw_store.payload_body(con, "nope")


def test_an_in_memory_store_keeps_the_compressed_body_in_its_row() -> None:
    from warehouse.sqlfiles import raw_ddl

    con = duckdb.connect()
    for model in raw_ddl():
        con.execute(model.sql)
    body = b'{"id": "a", "text": "Python"}\n' * 200
    raw_store.land_source_result(con, "run-1", None, payloads_of(_payload_row("p1", body)), [], [])
    stored_body, encoding = con.execute("select body, body_encoding from raw_payloads").fetchone()
    assert encoding == "zlib"
    assert 0 < len(stored_body) < len(body) // 10
    assert raw_store.payload_body(con, "p1") == body


def test_a_batch_that_fails_after_its_body_is_written_leaves_no_row_and_lands_later(
    con, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    body = b'{"id": "a"}\n'
    textless = {**posting("a", T0), "text": None}  # raw_postings.text is NOT NULL
    with pytest.raises(duckdb.ConstraintException):
        raw_store.land_source_result(
            con, "run-1", None, payloads_of(_payload_row("p1", body)), postings_of([textless]), []
        )
    assert con.execute("select count(*) from raw_payloads").fetchone() == (0,)
    assert con.execute("select count(*) from raw_fetches").fetchone() == (0,)
    # The complete file no row names is reused when the payload lands again.
    assert (tmp_path / "w.raw.payloads" / "p1" / "p1.zlib").is_file()
    raw_store.land_source_result(
        con,
        "run-2",
        None,
        payloads_of(_payload_row("p1", body)),
        postings_of([posting("a", T0, role_family="other", seniority="unknown")]),
        [],
    )
    assert raw_store.payload_body(con, "p1") == body
    assert con.execute("select count(*) from raw_postings").fetchone() == (1,)


def test_a_body_that_cannot_be_written_fails_the_batch_and_lands_nothing(
    con, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "w.raw.payloads").write_text("a file where the folder should be")
    assert_one_posting_lands_nothing(con, OSError)


def test_a_payload_name_that_is_not_a_plain_name_never_becomes_a_path(tmp_path: Path) -> None:
    from warehouse import payload_files

    for hostile in ("../outside", "a/b", "", "p1\x00"):
        with pytest.raises(ValueError, match="not a payload name"):
            payload_files.body_path(tmp_path, hostile)


def test_payloads_stored_before_compression_read_back_as_received(tmp_path: Path) -> None:
    path = tmp_path / "old.raw.duckdb"
    old = duckdb.connect(str(path))
    old.execute(
        """
        create table raw_payloads (
            payload_sha256 varchar primary key, source varchar not null, board varchar not null,
            kind varchar not null, url varchar not null, content_type varchar,
            body blob not null, first_fetched_at timestamptz not null
        )
        """
    )
    old.execute(
        "insert into raw_payloads values ('old', 'jsonl', 't', 'jsonl', 'u', null, ?, ?)",
        [b"as received", T0],
    )
    old.close()
    con = raw_store.open_raw(path)
    try:
        assert raw_store.payload_body(con, "old") == b"as received"
        raw_store.land_source_result(
            con, "run-1", None, payloads_of(_payload_row("new", b"fresh body")), [], []
        )
        assert raw_store.payload_body(con, "new") == b"fresh body"
        assert con.execute(
            "select payload_sha256, body_encoding from raw_payloads order by 1"
        ).fetchall() == [("new", "zlib-file"), ("old", "identity")]
    finally:
        con.close()


def mentions_of(texts: list[str], *found: tuple[str, str, int]) -> MentionColumns:
    """A batch of these texts with these (content_hash, skill_id, start_char) mentions."""
    return MentionColumns.of(
        texts,
        [
            (text, skill_id, start, start + 6, "Python", "body", "alias")
            for text, skill_id, start in found
        ],
    )


def stored_mentions(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute(
        "select content_hash, skill_id, start_char from raw_mentions order by all"
    ).fetchall()


def test_a_batch_landed_twice_keeps_one_row_per_mention(con) -> None:  # type: ignore[no-untyped-def]
    batch = mentions_of(
        ["h1", "h2", "h3"], ("h1", "python", 0), ("h1", "sql", 10), ("h2", "python", 3)
    )
    raw_store.land_extractions(con, "v1", batch)
    raw_store.land_extractions(con, "v1", batch)
    assert stored_mentions(con) == [("h1", "python", 0), ("h1", "sql", 10), ("h2", "python", 3)]
    assert con.execute("select content_hash from raw_extractions order by all").fetchall() == [
        ("h1",),
        ("h2",),
        ("h3",),
    ]


def test_only_texts_not_yet_extracted_land_their_mentions(con) -> None:  # type: ignore[no-untyped-def]
    raw_store.land_extractions(con, "v1", mentions_of(["h1"], ("h1", "python", 0)))
    # h1 again with a different answer (say, a worker retried): the first extraction stands.
    raw_store.land_extractions(
        con, "v1", mentions_of(["h1", "h2"], ("h1", "java", 5), ("h2", "sql", 1))
    )
    assert stored_mentions(con) == [("h1", "python", 0), ("h2", "sql", 1)]


def test_mentions_land_column_for_column_whatever_their_text(con) -> None:  # type: ignore[no-untyped-def]
    found = [
        ("h2", "rust", 2_000_000_000, 2_000_000_006, "🚀 Rust", "about us", "alias"),
        ("h1", "c++", 0, 3, "C++", "body", "alias"),
        ("h1", "pandas", 7, 13, "pändas\x00'; drop table raw_mentions; --", "body", "gated#1"),
        ("h2", "c++", 5, 8, "", "body", "alias"),
    ]
    raw_store.land_extractions(con, "v3", MentionColumns.of(["h1", "h2"], found), known_new=True)
    assert con.execute(
        "select * from raw_mentions order by content_hash, start_char"
    ).fetchall() == [
        ("h1", "v3", "c++", 0, 3, "C++", "body", "alias"),
        (
            "h1",
            "v3",
            "pandas",
            7,
            13,
            "pändas\x00'; drop table raw_mentions; --",
            "body",
            "gated#1",
        ),
        ("h2", "v3", "c++", 5, 8, "", "body", "alias"),
        ("h2", "v3", "rust", 2_000_000_000, 2_000_000_006, "🚀 Rust", "about us", "alias"),
    ]


def test_a_store_whose_mentions_had_the_old_primary_key_is_rebuilt_without_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.raw.duckdb"
    old = duckdb.connect(str(path))
    old.execute(
        """
        create table raw_mentions (
            content_hash varchar not null, taxonomy_version varchar not null,
            skill_id varchar not null, start_char integer not null, end_char integer not null,
            surface varchar not null, section varchar not null, rule varchar not null,
            primary key (content_hash, taxonomy_version, start_char, skill_id)
        )
        """
    )
    old.execute(
        "insert into raw_mentions values ('h1', 'v1', 'python', 0, 6, 'Python', 'body', 'alias')"
    )
    old.close()
    con = raw_store.open_raw(path)
    try:
        assert not has_primary_key(con, "raw_mentions")
        assert stored_mentions(con) == [("h1", "python", 0)]
        assert "raw_mentions_keyed" not in {
            r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()
        }
    finally:
        con.close()


def test_a_row_the_store_refuses_fails_with_the_stores_own_reason(con) -> None:  # type: ignore[no-untyped-def]
    # Labelled, so no classifier runs: the first error is raw_postings' NOT NULL on text. The
    # staged tables must not be dropped in the aborted transaction, which would raise "the
    # transaction is aborted" in place of the reason.
    refused = posting("a", T0, role_family="other", seniority="unknown")
    refused["text"] = None
    with pytest.raises(duckdb.ConstraintException, match=r"raw_postings\.\"?text"):
        land(con, [refused], CountingClassifier())
    assert con.execute("select count(*) from raw_postings").fetchone() == (0,)
    with pytest.raises(duckdb.ConstraintException, match=r"raw_mentions\.\"?skill_id"):
        raw_store.land_extractions(
            con, "v1", MentionColumns.of(["h1"], [("h1", None, 0, 6, "Python", "body", "alias")])
        )
    assert con.execute("select count(*) from raw_extractions").fetchone() == (0,)


def test_a_payload_file_lost_with_its_row_kept_comes_back_when_the_body_lands_again(
    con, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import shutil

    body = b'{"id": "a"}\n' * 50
    raw_store.land_source_result(con, "run-1", None, payloads_of(_payload_row("p1", body)), [], [])
    shutil.rmtree(tmp_path / "w.raw.payloads")  # a store copied without its payload folder
    with pytest.raises(FileNotFoundError):
        raw_store.payload_body(con, "p1")
    raw_store.land_source_result(con, "run-2", None, payloads_of(_payload_row("p1", body)), [], [])
    assert raw_store.payload_body(con, "p1") == body
    assert con.execute("select count(*) from raw_payloads").fetchone() == (1,)


def test_a_body_compressed_ahead_is_written_as_given_and_reads_back_exactly(
    con, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from warehouse import payload_files

    body = b'{"id": "a", "text": "Python"}\n' * 40
    # Another zlib level than payload_files.compress: bytes the landing could not have made.
    ahead = zlib.compress(body, 9)
    assert ahead != payload_files.compress(body)
    raw_store.land_source_result(
        con,
        "run-1",
        None,
        payloads_of(_payload_row("p1", body)),
        [],
        [],
        compressed_bodies={"p1": ahead},
    )
    assert payload_files.body_path(tmp_path / "w.raw.payloads", "p1").read_bytes() == ahead
    assert raw_store.payload_body(con, "p1") == body


def committed(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """What another connection reads: only what has committed."""
    reader = con.cursor()
    try:
        return reader.execute(sql).fetchall()
    finally:
        reader.close()


def committed_postings(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        pid for (pid,) in committed(con, "select source_posting_id from raw_postings order by 1")
    ]


def committed_mentions(con: duckdb.DuckDBPyConnection) -> int:
    return committed(con, "select count(*) from raw_mentions")[0][0]


def test_grouped_landings_commit_together_once_the_group_holds_enough_rows(con) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    with raw_store.GroupedCommits(con, rows_per_commit=3) as commits:
        for pid in ("a", "b"):
            raw_store.land_source_result(
                con,
                "run-1",
                None,
                [],
                postings_of([posting(pid, T0)]),
                [],
                classify=classify,
                commits=commits,
            )
        assert committed_postings(con) == []  # two rows of three: still open
        raw_store.land_source_result(
            con,
            "run-1",
            None,
            [],
            postings_of([posting("c", T0)]),
            [],
            classify=classify,
            commits=commits,
        )
        assert committed_postings(con) == ["a", "b", "c"]
        raw_store.land_extractions(
            con, "v1", mentions_of(["h1"], ("h1", "python", 0)), commits=commits
        )
        assert committed_mentions(con) == 0
    # The block's end commits what is open.
    assert committed_mentions(con) == 1


def test_a_checkpoint_runs_between_groups_and_is_refused_inside_one(con) -> None:  # type: ignore[no-untyped-def]
    with raw_store.GroupedCommits(con, rows_per_commit=10) as commits:
        commits.checkpoint()  # nothing open: DuckDB checkpoints
        raw_store.land_extractions(
            con, "v1", mentions_of(["h1"], ("h1", "python", 0)), commits=commits
        )
        # Inside the open group DuckDB would refuse, and then roll the group back at commit.
        with pytest.raises(RuntimeError, match="open group"):
            commits.checkpoint()
    assert committed_mentions(con) == 1


def test_a_failed_landing_rolls_back_its_group_and_an_error_between_landings_keeps_it(
    con,
) -> None:  # type: ignore[no-untyped-def]
    classify = CountingClassifier()
    refused = posting("x", T0, role_family="other", seniority="unknown")
    refused["text"] = None

    def land_in(commits: raw_store.GroupedCommits, *rows: dict[str, object]) -> None:
        raw_store.land_source_result(
            con,
            "run-1",
            None,
            [],
            postings_of(list(rows)),
            [],
            classify=classify,
            commits=commits,
        )

    with raw_store.GroupedCommits(con, rows_per_commit=2) as commits:
        land_in(commits, posting("a", T0), posting("b", T0))  # a whole group: committed
        land_in(commits, posting("c", T0))
        with pytest.raises(duckdb.ConstraintException, match=r"raw_postings\.\"?text"):
            land_in(commits, refused)
        # The failure took c, in the same open group, with it; the next landing starts afresh.
        land_in(commits, posting("d", T0))
    assert committed_postings(con) == ["a", "b", "d"]

    with (
        pytest.raises(OSError, match="unreadable chunk"),
        raw_store.GroupedCommits(con, rows_per_commit=10) as commits,
    ):
        land_in(commits, posting("e", T0))
        raise OSError("unreadable chunk")  # say, the input file failed between chunks
    assert committed_postings(con) == ["a", "b", "d", "e"]


def test_a_run_starting_sweeps_the_body_files_a_stopped_run_left_and_keeps_the_rest(
    con, tmp_path: Path, small_taxonomy, caplog
) -> None:  # type: ignore[no-untyped-def]
    from skillpulse.runlog import start_run

    body = b'{"id": "a", "text": "Python"}\n' * 50
    raw_store.land_source_result(con, "run-1", None, payloads_of(_payload_row("p1", body)), [], [])
    folder = tmp_path / "w.raw.payloads"
    # What a killed run leaves: a body written before its row committed, a half-written one.
    (folder / "q2").mkdir()
    (folder / "q2" / "q2.zlib").write_bytes(b"whole, never recorded")
    (folder / "p1" / "p1.zlib.4242.partial").write_bytes(b"half")
    # Never named by write_body, so never ours to delete.
    (folder / "notes.txt").write_text("kept")
    (folder / "q2" / "README").write_text("kept")
    (folder / "backup").mkdir()
    (folder / "backup" / "zz.zlib").write_bytes(b"kept")

    with caplog.at_level("WARNING", logger="skillpulse"):
        start_run(con, "run-2", "ingest", small_taxonomy)

    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert left == ["backup/zz.zlib", "notes.txt", "p1/p1.zlib", "q2/README"]
    assert raw_store.payload_body(con, "p1") == body
    assert "1 half-written, 1 whole but never recorded" in caplog.text


def test_a_run_starting_with_nothing_left_behind_removes_nothing_and_says_nothing(
    con, tmp_path: Path, small_taxonomy, caplog
) -> None:  # type: ignore[no-untyped-def]
    from skillpulse.runlog import start_run
    from warehouse import payload_files

    raw_store.land_source_result(
        con, "run-1", None, payloads_of(_payload_row("p1", b"x" * 100)), [], []
    )
    with caplog.at_level("WARNING", logger="skillpulse"):
        start_run(con, "run-2", "ingest", small_taxonomy)
    assert caplog.text == ""
    assert (tmp_path / "w.raw.payloads" / "p1" / "p1.zlib").is_file()
    assert payload_files.sweep(tmp_path / "absent", set()) == payload_files.Swept(0, 0)


def test_a_batch_known_new_marks_every_text_and_lands_every_mention(con) -> None:  # type: ignore[no-untyped-def]
    raw_store.land_extractions(
        con,
        "v1",
        mentions_of(["h1", "h2", "h1"], ("h1", "python", 0), ("h2", "sql", 4)),
        known_new=True,
    )
    assert con.execute(
        "select content_hash, taxonomy_version from raw_extractions order by 1"
    ).fetchall() == [("h1", "v1"), ("h2", "v1")]
    assert con.execute(
        "select content_hash, skill_id, start_char from raw_mentions order by 1"
    ).fetchall() == [("h1", "python", 0), ("h2", "sql", 4)]


def test_a_batch_known_new_that_is_not_fails_whole_and_doubles_nothing(con) -> None:  # type: ignore[no-untyped-def]
    raw_store.land_extractions(con, "v1", mentions_of(["h1"], ("h1", "python", 0)))
    with pytest.raises(duckdb.ConstraintException):
        raw_store.land_extractions(
            con,
            "v1",
            mentions_of(["h2", "h1"], ("h2", "sql", 4), ("h1", "python", 0)),
            known_new=True,
        )
    assert con.execute("select content_hash from raw_extractions").fetchall() == [("h1",)]
    assert con.execute("select content_hash, skill_id from raw_mentions").fetchall() == [
        ("h1", "python")
    ]
    # The connection lands the next batch as usual after the rollback.
    raw_store.land_extractions(con, "v1", mentions_of(["h3"], ("h3", "go", 2)), known_new=True)
    assert stored_mentions(con) == [("h1", "python", 0), ("h3", "go", 2)]


def test_an_empty_batch_touches_nothing(con, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def no_scan(*args: object) -> None:
        raise AssertionError("an empty batch registered arrays")

    monkeypatch.setattr(raw_store, "_scanned", no_scan)
    raw_store.land_extractions(con, "v1", MentionColumns.of([], []), known_new=True)
    raw_store.land_extractions(con, "v1", MentionColumns.of([], []))
    assert con.execute("select count(*) from raw_extractions").fetchone() == (0,)


def test_mentions_found_with_another_taxonomy_are_refused_before_anything_is_written(con) -> None:  # type: ignore[no-untyped-def]
    found = MentionColumns.of(
        ["h1"], [("h1", "python", 0, 6, "Python", "body", "alias")], taxonomy_version="v1"
    )
    with raw_store.GroupedCommits(con) as commits:
        raw_store.land_extractions(con, "v2", mentions_of(["h0"], ("h0", "go", 1)), commits)
        with pytest.raises(ValueError, match=r"found with taxonomy v1 cannot be stored as .* v2"):
            raw_store.land_extractions(con, "v2", found, commits)
    # Refused before the group was touched: the batch landed before it stays.
    assert stored_mentions(con) == [("h0", "go", 1)]
    raw_store.land_extractions(con, "v1", found)
    assert stored_mentions(con) == [("h0", "go", 1), ("h1", "python", 0)]


def test_a_mention_index_outside_the_batch_is_refused_before_anything_is_written(con) -> None:  # type: ignore[no-untyped-def]
    from array import array

    columns = mentions_of(["h1"], ("h1", "python", 0))
    columns.doc = array("i", [-1])  # would wrap to the last text in numpy
    with pytest.raises(ValueError, match=r"a mention's text index is outside the batch's 1"):
        raw_store.land_extractions(con, "v1", columns, known_new=True)
    columns.doc, columns.skill = array("i", [0]), array("i", [1])
    with pytest.raises(ValueError, match=r"a mention's skill index is outside the batch's 1"):
        raw_store.land_extractions(con, "v1", columns, known_new=True)
    assert con.execute("select count(*) from raw_extractions").fetchone() == (0,)


def test_a_sweep_leaves_what_write_body_never_makes_and_counts_what_it_cannot_remove(
    tmp_path: Path,
) -> None:
    from warehouse import payload_files

    folder = tmp_path / "payloads"
    (folder / "ab" / "abcd.zlib").mkdir(parents=True)  # a folder named like a body
    (folder / "ab" / "abff.zlib").write_bytes(b"unreferenced")
    (folder / "ab" / "abee.zlib.12.partial").write_bytes(b"half")
    (folder / "cd").mkdir()
    (folder / "cd" / "cd01.zlib").symlink_to(folder / "ab" / "abff.zlib")
    (folder / "ef").mkdir()
    (folder / "ef" / "ef02.zlib").write_bytes(b"unreferenced, in a folder we may not change")
    (folder / "ef").chmod(0o555)
    try:
        swept = payload_files.sweep(folder, stored=set())
    finally:
        (folder / "ef").chmod(0o755)
    assert (folder / "ab" / "abcd.zlib").is_dir()
    assert (folder / "cd" / "cd01.zlib").is_symlink()
    assert not (folder / "ab" / "abff.zlib").exists()
    assert not (folder / "ab" / "abee.zlib.12.partial").exists()
    if os.geteuid() == 0:  # root may change any folder: the file goes like the others
        assert swept == payload_files.Swept(partial=1, unreferenced=2, failed=0)
    else:
        assert swept == payload_files.Swept(partial=1, unreferenced=1, failed=1)


def test_a_write_ahead_log_left_without_its_store_is_kept_aside_and_a_store_created(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A store deleted without its WAL: DuckDB would replay the log into the new store and
    refuse it ("WAL does not match database file") on every later run."""
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("create table kept (x integer)")
    con.execute("insert into kept values (41), (42)")
    orphan = wal_of(old).read_bytes()
    con.close()
    path = tmp_path / "warehouse.raw.duckdb"
    wal_of(path).write_bytes(orphan)

    with caplog.at_level(logging.WARNING, logger="skillpulse"):
        raw_store.open_raw(path).close()
        raw_store.open_raw(path).close()  # and the run after that opens it as usual

    aside = [p for p in tmp_path.iterdir() if p.name.startswith("warehouse.raw.duckdb.wal.")]
    assert [p.name.split("-")[0] for p in aside] == ["warehouse.raw.duckdb.wal.orphaned"]
    assert aside[0].read_bytes() == orphan
    assert len(caplog.records) == 1
    assert str(aside[0]) in caplog.records[0].getMessage()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select count(*) from raw_postings").fetchone() == (0,)
    finally:
        con.close()


def test_posting_texts_are_stored_with_zstd(con) -> None:  # type: ignore[no-untyped-def]
    # What sql/raw/raw_postings.sql asks for: without it DuckDB picks DICT_FSST, slower to land
    # (docs/BENCHMARKS.md item 54).
    rows = [
        posting(f"p{i}", T0, text=f"posting {i}: we use Python and SQL " * 20) for i in range(300)
    ]
    land(con, rows, CountingClassifier())
    con.execute("checkpoint")
    used = con.execute(
        """
        select distinct compression from pragma_storage_info('raw_postings')
        where column_name = 'text' and segment_type = 'VARCHAR'
        """
    ).fetchall()
    assert used == [("ZSTD",)]
    assert [row[2] for row in stored(con)][:1] == ["posting 0: we use Python and SQL " * 20]
