"""Names from config and from runs never become paths or URLs unchecked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from conftest import RawServer, http_head, record_figure

from extractors.http import HttpSettings
from extractors.sources.base import SourceConfig
from skillpulse.pipeline import build, collect_source
from warehouse.paths import WarehousePaths
from warehouse.raw_store import open_raw

HTTP = HttpSettings(timeout_s=2.0, max_retries=0, min_delay_s=0.0, backoff_factor=0.0)
HOSTILE_BOARDS = ["../../admin", "acme?token=stolen#", "acme/../../admin", "a b%2e/c"]
KINDS = {
    "greenhouse": "/v1/boards/{}/jobs",
    "lever": "/v0/postings/{}",
    "ashby": "/posting-api/job-board/{}",
    "workable": "/api/v1/widget/accounts/{}",
    "smartrecruiters": "/v1/companies/{}/postings",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_board_names_stay_one_quoted_url_segment(kind: str) -> None:
    requested: list[str] = []

    def not_found(conn, target):  # type: ignore[no-untyped-def]
        requested.append(target.split("?", 1)[0])
        conn.sendall(http_head("404 Not Found", {"Content-Length": "0"}))

    with RawServer() as server:
        server.default = not_found
        for board in HOSTILE_BOARDS:
            outcome = collect_source(SourceConfig(kind, board, server.url), HTTP)
            assert outcome.status == "failed"

    # e.g. "../../admin" is asked for as /v1/boards/..%2F..%2Fadmin/jobs, never as /v1/admin/jobs
    expected = [KINDS[kind].format(quote(board, safe="")) for board in HOSTILE_BOARDS]
    assert [path for path in requested if path != "/robots.txt"] == expected
    record_figure(
        "hostile strings",
        f"hostile board names in {kind} URLs",
        len(HOSTILE_BOARDS),
        "percent-quoted",
    )


@pytest.mark.parametrize("board", [".", "..", " "])
def test_dot_boards_are_refused_before_any_request(board: str) -> None:
    outcome = collect_source(SourceConfig("greenhouse", board, "http://127.0.0.1:9"), HTTP)
    assert outcome.status == "failed"
    assert "not a usable board name" in (outcome.error or "")


def test_a_hostile_run_id_never_leaves_the_build_directory(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    paths = WarehousePaths.for_db(tmp_path / "wh" / "warehouse.duckdb")
    open_raw(paths.raw).close()
    run_id = "../../../escaped; rm -rf ~ $(id)\n"

    build(paths, run_id, small_taxonomy)

    everything = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert everything == [
        "wh",
        "wh/.build",
        "wh/warehouse.duckdb",
        "wh/warehouse.raw.duckdb",
    ]
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        assert con.execute("select run_id from raw_build_info").fetchall() == [(run_id,)]
    finally:
        con.close()
    record_figure("hostile strings", "path traversal in run id", 1, "sanitised in build file name")
