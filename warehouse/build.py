"""Build the analyst warehouse from the raw store, then publish it with one atomic rename.

The build happens in a fresh file under `.build/`; the published `warehouse.duckdb` is never
opened for writing. Analysts holding read-only connections keep reading the old file (its inode
lives on until they close) and see the new one when they reconnect. A build killed at any point
leaves the published file untouched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.paths import WarehousePaths
from warehouse.sqlfiles import SqlModel, macros, models, raw_ddl

# Raw tables copied into the warehouse for lineage; payload bodies stay in the raw store.
_RAW_COPIES = {
    "raw_postings": "select * from raw_store.raw_postings",
    "raw_mentions": "select * from raw_store.raw_mentions",
    "raw_extractions": "select * from raw_store.raw_extractions",
    "raw_rejects": "select * from raw_store.raw_rejects",
    "raw_source_runs": "select * from raw_store.raw_source_runs",
    "raw_runs": "select * from raw_store.raw_runs",
    "raw_fetches": "select * from raw_store.raw_fetches",
}
REQUIRED_OBJECTS = (
    "fct_postings",
    "dim_skills",
    "fct_posting_skills",
    "fct_skill_demand_monthly",
    "rpt_roadmap",
    "source_runs",
)


class BuildError(RuntimeError):
    """A model failed to build; the message names the SQL file."""


@dataclass(frozen=True)
class BuildResult:
    db: Path
    seconds: float
    tables: dict[str, int]


def build_warehouse(
    paths: WarehousePaths,
    run_id: str,
    seeds: dict[str, pd.DataFrame],
) -> BuildResult:
    """Build every model into a scratch file and atomically replace the published warehouse.

    `seeds` are reference tables from outside the raw store (the taxonomy, build info), loaded
    as-is under their names before staging runs.
    """
    started = time.perf_counter()
    paths.ensure_dirs()
    scratch = paths.build_dir / f"warehouse-{_safe(run_id)}.duckdb"
    for leftover in paths.build_dir.glob("warehouse-*.duckdb*"):
        leftover.unlink()
    con = duckdb.connect(str(scratch))
    try:
        con.execute(f"attach '{_sql_path(paths.raw)}' as raw_store (read_only)")
        for table, select in _RAW_COPIES.items():
            con.execute(f"create table {table} as {select}")
        con.execute("detach raw_store")
        for name, frame in seeds.items():
            con.register("incoming_seed", frame)
            con.execute(f"create table {name} as select * from incoming_seed")
            con.unregister("incoming_seed")
        for macro in macros():
            _run(con, macro, macro.sql)
        for model in models():
            _run(con, model, f"create table {model.name} as {model.body}")
        tables = {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]  # type: ignore[index]
            for name in REQUIRED_OBJECTS
        }
        con.execute("checkpoint")
    finally:
        con.close()
    _publish(scratch, paths.db)
    return BuildResult(paths.db, time.perf_counter() - started, tables)


def _run(con: duckdb.DuckDBPyConnection, model: SqlModel, statement: str) -> None:
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        raise BuildError(f"{model.path.name} ({model.layer}) failed: {exc}") from exc


def _publish(scratch: Path, target: Path) -> None:
    with scratch.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(scratch, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _safe(run_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in run_id)[:80]


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


__all__ = ["BuildError", "BuildResult", "build_warehouse", "raw_ddl"]
