"""Every way a server misbehaves, through the real collect → land → build path.

One module-scoped run collects two good boards and one board per fault into one raw store,
lands each outcome, and builds the warehouse. Each test then reads one fault's row in
`source_runs` (the published mart) and checks that nothing of the faulty board was stored,
while the good boards landed whole.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import RawServer, http_head, record_figure, reset

from extractors.http import HttpSettings
from extractors.skills.matcher import SkillExtractor
from extractors.sources.base import SourceConfig
from skillpulse.demo.server import Fault, ReplayServer
from skillpulse.pipeline import build, collect_source, extract_pending, land_outcome, new_run_id
from warehouse.paths import WarehousePaths
from warehouse.raw_store import open_raw

API_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
CAP = 1024 * 1024
HTTP = HttpSettings(
    user_agent="skillpulse-reliability/1.0 (+mailto:test@example.org)",
    timeout_s=1.0,
    max_retries=1,
    min_delay_s=0.0,
    max_bytes=CAP,
    max_retry_after_s=0.5,
    backoff_factor=0.01,
    max_body_s=2.0,
)
GOOD_JOB = {"id": 1, "title": "ML Engineer", "content": "&lt;p&gt;Python&lt;/p&gt;"}


def _send(conn: socket.socket, status: str, headers: dict[str, str], body: bytes) -> None:
    conn.sendall(http_head(status, headers) + body)


def connection_reset(conn: socket.socket, target: str) -> None:
    reset(conn)


def truncated_body(conn: socket.socket, target: str) -> None:
    body = json.dumps({"jobs": [GOOD_JOB] * 50}).encode()
    conn.sendall(
        http_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))})
        + body[: len(body) // 3]
    )
    reset(conn)


def slow_drip(conn: socket.socket, target: str) -> None:
    """Each byte arrives well inside the read timeout; the whole body would take minutes."""
    conn.sendall(http_head("200 OK", {"Content-Type": "application/json", "Content-Length": "600"}))
    for _ in range(600):
        conn.sendall(b" ")
        time.sleep(0.2)


def slow_headers(conn: socket.socket, target: str) -> None:
    time.sleep(2.5)
    _send(conn, "200 OK", {"Content-Length": "2"}, b"{}")


def html_instead_of_json(conn: socket.socket, target: str) -> None:
    body = b"<!doctype html><html><body><h1>Down for maintenance</h1></body></html>"
    _send(conn, "200 OK", {"Content-Type": "text/html", "Content-Length": str(len(body))}, body)


def json_of_the_wrong_shape(conn: socket.socket, target: str) -> None:
    _send(conn, "200 OK", {"Content-Type": "application/json", "Content-Length": "2"}, b"[]")


def empty_200(conn: socket.socket, target: str) -> None:
    _send(conn, "200 OK", {"Content-Type": "application/json", "Content-Length": "0"}, b"")


BOMB = gzip.compress(b"0" * (64 * CAP), compresslevel=9)  # 64 MiB of zeros in ~64 KiB


def gzip_bomb(conn: socket.socket, target: str) -> None:
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(BOMB)),
    }
    _send(conn, "200 OK", headers, BOMB)


def huge_declared(conn: socket.socket, target: str) -> None:
    headers = {"Content-Type": "application/json", "Content-Length": str(50 * CAP)}
    _send(conn, "200 OK", headers, b"[" * 1024)


def absurd_declared(conn: socket.socket, target: str) -> None:
    """A Content-Length of 5,000 digits (Python reads at most 4,300), then 2 MiB and a close."""
    headers = {"Content-Type": "application/json", "Content-Length": "9" * 5000}
    conn.sendall(http_head("200 OK", headers) + b" " * (2 * CAP))


def huge_undeclared(conn: socket.socket, target: str) -> None:
    """No Content-Length, body delimited by closing the connection: 4 MiB against a 1 MiB cap."""
    conn.sendall(http_head("200 OK", {"Content-Type": "application/json", "Connection": "close"}))
    chunk = b" " * 65536
    for _ in range(64):
        conn.sendall(chunk)


def redirect_loop(conn: socket.socket, target: str) -> None:
    _send(conn, "302 Found", {"Location": target, "Content-Length": "0"}, b"")


def invalid_utf8(conn: socket.socket, target: str) -> None:
    body = b'{"jobs": [{"id": 1, "title": "caf\xe9 \xff\xfe", "content": "x"}]}'
    _send(
        conn, "200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))}, body
    )


def bad_content_encoding(conn: socket.socket, target: str) -> None:
    body = json.dumps({"jobs": [GOOD_JOB]}).encode()
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(body)),
    }
    _send(conn, "200 OK", headers, body)


def lever_second_page_resets(conn: socket.socket, target: str) -> None:
    if "skip=0" in target:
        page = [{"id": "lv-1", "text": "ML Engineer", "descriptionPlain": "Python and PyTorch"}]
        body = json.dumps(page).encode()
        _send(
            conn,
            "200 OK",
            {"Content-Type": "application/json", "Content-Length": str(len(body))},
            body,
        )
    else:
        reset(conn)


@dataclass(frozen=True)
class RawFault:
    board: str
    handler: object
    error: str  # a fragment the per-source error must contain
    kind: str = "greenhouse"


RAW_FAULTS = [
    RawFault("reset", connection_reset, "connection reset by the server (1 retries)"),
    RawFault("truncated", truncated_body, "was cut off"),
    RawFault("drip", slow_drip, "took longer than 2.0s"),
    RawFault("slowheaders", slow_headers, "timed out after 1.0s"),
    RawFault("html", html_instead_of_json, "did not return JSON"),
    RawFault("shape", json_of_the_wrong_shape, "has no 'jobs' list"),
    RawFault("empty", empty_200, "did not return JSON"),
    RawFault("gzipbomb", gzip_bomb, f"over the {CAP}-byte cap (decoded)"),
    RawFault("hugedeclared", huge_declared, f"declares {50 * CAP} bytes, over the {CAP}-byte cap"),
    RawFault("hugeundeclared", huge_undeclared, f"over the {CAP}-byte cap"),
    RawFault("absurddeclared", absurd_declared, f"over the {CAP}-byte cap"),
    RawFault("redirectloop", redirect_loop, "TooManyRedirects"),
    RawFault("badutf8", invalid_utf8, "UnicodeDecodeError"),
    RawFault("badencoding", bad_content_encoding, "could not be decoded (Content-Encoding: gzip)"),
    RawFault(
        "lever2ndpage", lever_second_page_resets, "connection reset by the server", kind="lever"
    ),
]
# Status storms through the replay server's fault queues (always more faults than retries).
STORMS = {
    "storm429": (Fault(429, b"slow down"), "HTTP 429 from"),
    "storm429retryafter": (Fault(429, b"slow down", {"Retry-After": "1"}), "HTTP 429 from"),
    "storm500": (Fault(500, b"oops"), "HTTP 500 from"),
    "storm503": (Fault(503, b"unavailable", {"Retry-After": "0"}), "HTTP 503 from"),
}
GOOD = [("greenhouse", "fernhill", 2), ("ashby", "tessera", 2)]


def _path(fault: RawFault) -> str:
    if fault.kind == "lever":
        return f"/v0/postings/{fault.board}"
    return f"/v1/boards/{fault.board}/jobs"


@dataclass
class Night:
    db: Path
    seconds: dict[str, float]
    hits: dict[str, int]


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> Iterator[Night]:  # type: ignore[no-untyped-def]
    paths = WarehousePaths.for_db(tmp_path_factory.mktemp("faults") / "warehouse.duckdb")
    seconds: dict[str, float] = {}
    with ReplayServer(API_FIXTURES) as replay, RawServer() as raw:
        for fault in RAW_FAULTS:
            raw.route(_path(fault), fault.handler)  # type: ignore[arg-type]
        for board, (fault, _) in STORMS.items():
            replay.add_fault(f"/v1/boards/{board}/jobs", fault, times=10)
        configs = [SourceConfig(kind, board, replay.url) for kind, board, _ in GOOD[:1]]
        configs += [SourceConfig("greenhouse", board, replay.url) for board in STORMS]
        configs += [
            SourceConfig(f.kind, f.board, raw.url, {"page_size": 1} if f.kind == "lever" else {})
            for f in RAW_FAULTS
        ]
        configs += [SourceConfig(kind, board, replay.url) for kind, board, _ in GOOD[1:]]
        run_id = new_run_id("faults")
        con = open_raw(paths.raw)
        try:
            for config in configs:
                started = time.monotonic()
                outcome = collect_source(config, HTTP)
                seconds[config.board] = time.monotonic() - started
                land_outcome(con, run_id, outcome)
        finally:
            con.close()
        hits = dict(raw.hits) | {
            board: sum(1 for r in replay.requests if f"/boards/{board}/" in r) for board in STORMS
        }
    con = open_raw(paths.raw)
    try:
        extract_pending(con, SkillExtractor(small_taxonomy))
    finally:
        con.close()
    build(paths, run_id, small_taxonomy)
    yield Night(paths.db, seconds, hits)


def _query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _assert_failed_and_nothing_stored(night: Night, kind: str, board: str, fragment: str) -> None:
    rows = _query(
        night.db,
        "select status, postings, rejects, error from source_runs where source = ? and board = ?",
        [kind, board],
    )
    assert len(rows) == 1, rows
    status, postings, rejects, error = rows[0]
    assert status == "failed"
    assert (postings, rejects) == (0, 0)
    assert error.startswith(f"{kind}/{board}: "), error
    assert fragment in error, error
    assert "Traceback" not in error
    for table in ("raw_postings", "raw_fetches", "raw_rejects"):
        stored = _query(
            night.db, f"select count(*) from {table} where source = ? and board = ?", [kind, board]
        )
        assert stored == [(0,)], table


@pytest.mark.parametrize("fault", RAW_FAULTS, ids=[f.board for f in RAW_FAULTS])
def test_socket_fault_fails_its_source_clearly_and_stores_nothing(
    night: Night, fault: RawFault
) -> None:
    _assert_failed_and_nothing_stored(night, fault.kind, fault.board, fault.error)
    assert night.seconds[fault.board] < 8, "a fault must not stall the night"
    record_figure(
        "server", fault.board, night.hits.get(_path(fault), 0), "source failed, nothing stored"
    )


@pytest.mark.parametrize("board", list(STORMS))
def test_status_storm_fails_its_source_after_the_retries(night: Night, board: str) -> None:
    _assert_failed_and_nothing_stored(night, "greenhouse", board, STORMS[board][1])
    assert (
        STORMS[board][1] + " "
        in _query(night.db, "select error from source_runs where board = ?", [board])[0][0]
    )
    assert night.hits[board] == 1 + HTTP.max_retries
    record_figure("server", board, night.hits[board], "source failed, nothing stored")


def test_good_sources_land_whole_beside_the_faults(night: Night) -> None:
    for kind, board, expected in GOOD:
        assert _query(
            night.db,
            "select status, postings, error from source_runs where source = ? and board = ?",
            [kind, board],
        ) == [("ok", expected, None)]
        assert _query(
            night.db,
            "select count(*) from fct_postings where source = ? and board = ?",
            [kind, board],
        ) == [(expected,)]
    statuses = dict(_query(night.db, "select status, count(*) from source_runs group by 1"))
    assert statuses == {"ok": len(GOOD), "failed": len(RAW_FAULTS) + len(STORMS)}
    assert _query(night.db, "select count(*) from fct_postings") == [(4,)]
