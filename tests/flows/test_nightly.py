"""The nightly flow under Prefect's own engine, against a local server replaying the sample."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from prefect_api import run_log_messages

from skillpulse.config import dump_config
from skillpulse.demo.server import ReplayServer, sample_sources

pytestmark = pytest.mark.flow

# The sample: 79 board postings (2 unlisted on Ashby are skipped) and 869 HN comments, of which
# two Greenhouse/Lever cross-posts and one HN repost are the same postings.
SAMPLE_LANDED = 929
SAMPLE_DISTINCT = 926


def _config(tmp_path: Path, base_url: str, extra_sources: list[dict] | None = None) -> Path:
    path = tmp_path / "skillpulse.toml"
    path.write_text(
        dump_config(
            {
                "http": {
                    "user_agent": "skillpulse-test/0.1",
                    "timeout_s": 5,
                    "max_retries": 1,
                    "min_delay_s": 0.0,
                },
                "storage": {
                    "db": str(tmp_path / "data" / "warehouse.duckdb"),
                    "reports": str(tmp_path / "data" / "reports"),
                },
                "sources": sample_sources(base_url) + (extra_sources or []),
            }
        ),
        encoding="utf-8",
    )
    return path


def _artifact_markdown(flow_run_id: object) -> str:
    """The run's artifacts, read straight from the Prefect REST API of the test harness."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={
            "artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}},
            "limit": 10,
            "offset": 0,
            "sort": "CREATED_DESC",
        },
    )
    response.raise_for_status()
    ours = [a for a in response.json() if a["key"] == "skillpulse-nightly-summary"]
    assert len(ours) == 1
    return str(ours[0]["data"])


def test_nightly_lands_what_succeeded_and_fails_the_run_for_a_broken_source(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.nightly import SourcesFailed, nightly

    with ReplayServer() as server:
        broken = {"kind": "greenhouse", "board": "no-such-board", "base_url": server.url}
        config = _config(tmp_path, server.url, [broken])
        state = nightly(str(config), refetch=True, return_state=True)

    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, SourcesFailed)
    assert "greenhouse/no-such-board" in str(error) and "HTTP 404" in str(error)

    markdown = _artifact_markdown(state.state_details.flow_run_id)
    assert "| greenhouse | no-such-board | failed |" in markdown
    assert f"distinct postings in the warehouse: **{SAMPLE_DISTINCT}**" in markdown

    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from fct_postings").fetchone() == (SAMPLE_DISTINCT,)
        statuses = dict(con.execute("select board, status from source_runs").fetchall())
        assert statuses["no-such-board"] == "failed"
        assert statuses["whoishiring"] == "ok"
        assert con.execute("select status, sources_failed from pipeline_runs").fetchall() == [
            ("partial", 1)
        ]
    finally:
        con.close()
    assert (tmp_path / "data" / "reports" / "latest.html").is_file()


def test_nightly_run_twice_adds_no_postings(prefect_harness: None, tmp_path: Path) -> None:
    from flows.nightly import nightly

    with ReplayServer() as server:
        config = _config(tmp_path, server.url)
        first = nightly(str(config), refetch=True, return_state=True)
        # what a run killed while writing a payload body leaves
        stray = tmp_path / "data" / "warehouse.raw.payloads" / "ab" / f"ab{'0' * 62}.zlib.1.partial"
        stray.parent.mkdir(exist_ok=True)
        stray.write_bytes(b"half a body")
        second = nightly(str(config), refetch=True, return_state=True)
    assert first.is_completed() and second.is_completed()
    # the second run swept it, and says so in its own run log, not only on stderr
    assert not stray.exists()
    swept = [
        m for m in run_log_messages(second.state_details.flow_run_id, "removed") if "removed" in m
    ]
    assert swept == [
        "removed payload files an earlier run left when it stopped: 1 half-written, "
        "0 whole but never recorded (landing those payloads again writes them again)"
    ]
    raw = duckdb.connect(str(tmp_path / "data" / "warehouse.raw.duckdb"), read_only=True)
    try:
        assert raw.execute("select count(*) from raw_postings").fetchone() == (SAMPLE_LANDED,)
        runs = raw.execute(
            "select postings_landed, postings_extracted from raw_runs order by started_at"
        ).fetchall()
    finally:
        raw.close()
    # The second run sees every posting again but has no new text to extract.
    assert runs == [(SAMPLE_LANDED, runs[0][1]), (SAMPLE_LANDED, 0)]
    assert runs[0][1] > 900
