"""The nightly flow on a Dask LocalCluster gives the same warehouse as the default runner."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from prefect_api import run_log_messages

from skillpulse.config import dump_config
from skillpulse.demo.server import ReplayServer, sample_sources

pytestmark = pytest.mark.flow

# Everything but the moments things happened: run ids and wall-clock timestamps differ by design.
COMPARED = {
    "fct_postings": "* exclude (first_seen_at, last_seen_at)",
    "fct_posting_skills": "*",
    "fct_skill_demand_monthly": "*",
    "dim_skills": "*",
    "rpt_roadmap": "*",
    "stg_mentions": "* exclude (taxonomy_version)",
}


def _write_config(root: Path, base_url: str) -> Path:
    path = root / "skillpulse.toml"
    path.write_text(
        dump_config(
            {
                "http": {"timeout_s": 5, "max_retries": 1, "min_delay_s": 0.0},
                "storage": {"db": str(root / "warehouse.duckdb"), "reports": str(root / "reports")},
                "sources": sample_sources(base_url),
            }
        ),
        encoding="utf-8",
    )
    return path


def test_dask_local_cluster_builds_the_same_warehouse_row_for_row(
    prefect_harness: None, tmp_path: Path
) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.nightly import nightly

    with ReplayServer() as server:
        default_root, dask_root = tmp_path / "default", tmp_path / "dask"
        default_root.mkdir()
        dask_root.mkdir()
        default_state = nightly(
            str(_write_config(default_root, server.url)), refetch=True, return_state=True
        )
        # What a run killed while writing a payload body leaves: the Dask run's first task
        # sweeps it, in a worker process, and says so in the run's log.
        stray = dask_root / "warehouse.raw.payloads" / "ab" / f"ab{'0' * 62}.zlib.1.partial"
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"half a body")
        on_dask = nightly.with_options(
            task_runner=DaskTaskRunner(
                cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True}
            )
        )
        dask_state = on_dask(
            str(_write_config(dask_root, server.url)), refetch=True, return_state=True
        )
    assert default_state.is_completed() and dask_state.is_completed()
    assert not stray.exists()
    swept = [
        m
        for m in run_log_messages(dask_state.state_details.flow_run_id, "removed")
        if "removed" in m
    ]
    assert swept == [
        "removed payload files an earlier run left when it stopped: 1 half-written, "
        "0 whole but never recorded (landing those payloads again writes them again)"
    ]

    con = duckdb.connect()
    try:
        con.execute(f"attach '{default_root / 'warehouse.duckdb'}' as a (read_only)")
        con.execute(f"attach '{dask_root / 'warehouse.duckdb'}' as b (read_only)")
        for table, columns in COMPARED.items():
            rows = con.execute(f"select count(*) from a.{table}").fetchone()[0]  # type: ignore[index]
            only_a = con.execute(
                f"select count(*) from (select {columns} from a.{table} except all select {columns} from b.{table})"
            ).fetchone()
            only_b = con.execute(
                f"select count(*) from (select {columns} from b.{table} except all select {columns} from a.{table})"
            ).fetchone()
            assert rows > 0, table
            assert only_a == (0,) and only_b == (0,), table
    finally:
        con.close()
