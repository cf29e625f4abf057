"""Helpers for killing real `skillpulse` processes and comparing the warehouses they leave."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.sqlfiles import models

REPO = Path(__file__).resolve().parents[2]
# Columns that hold a run id or a wall-clock time: the only things two equal runs may differ in.
VOLATILE = {
    "run_id",
    "last_seen_run_id",
    "parsed_at",
    "built_at",
    "extracted_at",
    "started_at",
    "finished_at",
    "duration_s",
}
RUN_LOGS = {
    "pipeline_runs",
    "source_runs",
    "fct_rejects",
    "stg_runs",
    "stg_source_runs",
    "stg_rejects",
}
SKILLS = ["Python", "PyTorch", "Kubernetes", "k8s", "AWS", "Apache Spark", "PySpark", "SQL"]


def synthetic_postings(path: Path, n: int, bad_every: int = 400, seed: int = 7) -> int:
    """n JSONL lines of invented postings; every `bad_every`-th line is broken. Returns #bad."""
    rng = random.Random(seed)
    bad = 0
    with path.open("w", encoding="utf-8") as handle:
        for i in range(1, n + 1):
            if i % bad_every == 0:
                handle.write(f'{{"id": "broken-{i}", "text": \n')
                bad += 1
                continue
            month = 1 + i % 12
            day = 1 + i % 28
            skills = ", ".join(rng.sample(SKILLS, 3))
            record = {
                "id": f"p{i}",
                "title": rng.choice(["ML Engineer", "Data Scientist", "MLOps Engineer"]),
                "company": f"Company {i % 97}",
                "posted_at": f"2025-{month:02d}-{day:02d}",
                "seen_at": f"2025-{month:02d}-{day:02d}T06:00:00Z",
                "text": f"Company {i % 97} | ML Engineer | Remote\nWe use {skills}.\n"
                + "You will build and ship models. " * rng.randint(1, 12),
            }
            handle.write(json.dumps(record) + "\n")
    return bad


def ingest_command(jsonl: Path, db: Path, taxonomy: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from skillpulse.cli import app; app()",
        "ingest",
        "--input",
        str(jsonl),
        "--db",
        str(db),
        "--taxonomy",
        str(taxonomy),
    ]


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,  # type: ignore[arg-type]
    )


def start(command: list[str], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[arg-type]
    )


class Spooled:
    """A child process whose output goes to temporary files, not pipes.

    kill_when and timed_run poll a child without reading it: through a pipe, a child that
    wrote more than the pipe holds (64 KB) would block there, never reach the point a test
    waits for, and the test would hang or miss its kill point. A file never fills.
    """

    def __init__(self, command: list[str]) -> None:
        # Outlives this call: finished() reads and closes it once the child has ended.
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=self._stderr, text=True
        )
        self.pid = self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def finished(self, timeout_s: float = 30) -> tuple[int, str]:
        """Its exit code and stderr, once it has ended (waiting up to `timeout_s`)."""
        returncode = self.process.wait(timeout=timeout_s)
        self._stderr.seek(0)
        stderr = self._stderr.read()
        self._stderr.close()
        return returncode, stderr


def kill_when(
    child: Spooled, ready: Callable[[], bool], delay_s: float, timeout_s: float = 60
) -> bool:
    """SIGKILL the child `delay_s` after `ready()` first holds; False if it ended before that
    (or `ready()` never held), saying why on stdout, which pytest shows when a test fails."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if child.poll() is not None or time.monotonic() > deadline:
            _report_missed(child, "before it was ready")
            return False
        time.sleep(0.01)
    time.sleep(delay_s)
    if child.poll() is not None:
        _report_missed(child, f"within {delay_s} s of being ready")
        return False
    os.kill(child.pid, signal.SIGKILL)
    child.finished()
    return True


def _report_missed(child: Spooled, when: str) -> None:
    """Print why a kill point was missed: the child's exit code and the end of its stderr."""
    if child.poll() is None:
        print(f"kill point missed: pid {child.pid} still running, never ready; left running")
        return
    returncode, stderr = child.finished()
    print(f"kill point missed: pid {child.pid} ended {when}, exit code {returncode}")
    print(stderr[-2000:])


def lock_held(db: Path, pid: int) -> Callable[[], bool]:
    """The run lock file holds the child's pid once the child owns the warehouse."""
    lock = db.with_name(f".{db.stem}.lock")

    def ready() -> bool:
        try:
            return lock.read_text().strip() == str(pid)
        except OSError:
            return False

    return ready


def building(db: Path, pid: int) -> Callable[[], bool]:
    """A scratch warehouse under .build/ exists once the build stage has started."""
    build_dir = db.parent / ".build"
    return lambda: build_dir.is_dir() and any(build_dir.glob("warehouse-*.duckdb"))


@dataclass(frozen=True)
class StageSeconds:
    """How long one uninterrupted run spent where the kill points aim."""

    before_build: float  # from taking the run lock to starting the build: read, land, extract
    build: float  # from starting the build to the run's end


def timed_run(
    command: list[str], db: Path, timeout_s: float = 600
) -> tuple[int, str, StageSeconds]:
    """Run `command` to its end, watching for its run lock and its build's scratch file (as
    the kill points do); its exit code, its stderr and how long it spent in each stage."""
    child = Spooled(command)
    holds_lock, builds = lock_held(db, child.pid), building(db, child.pid)
    locked_at = build_at = None
    deadline = time.monotonic() + timeout_s
    while child.poll() is None:
        now = time.monotonic()
        if now > deadline:
            child.process.kill()
            raise AssertionError(f"the run did not end within {timeout_s} s; killed")
        if locked_at is None and holds_lock():
            locked_at = now
        if build_at is None and builds():
            build_at = now
        time.sleep(0.005)
    ended_at = time.monotonic()
    returncode, stderr = child.finished()
    if locked_at is None or build_at is None:
        raise AssertionError(f"the run showed no lock or no build, stderr: {stderr[-2000:]}")
    return returncode, stderr, StageSeconds(build_at - locked_at, ended_at - build_at)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    cursor = con.execute(f"select * from {table} limit 0")
    return [d[0] for d in cursor.description if d[0] not in VOLATILE]


def warehouse_tables(db: Path) -> dict[str, list[tuple]]:
    """Every mart, report and intermediate table, volatile columns dropped, rows sorted.

    The run logs are compared by what a rerun must reproduce: the last run's source_runs row,
    the last run's pipeline_runs row, and the set of rejected records (each run logs its own).
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables: dict[str, list[tuple]] = {}
        for model in models():
            if model.name in RUN_LOGS:
                continue
            columns = ", ".join(f'"{c}"' for c in _columns(con, model.name))
            tables[model.name] = con.execute(
                f"select {columns} from {model.name} order by all"
            ).fetchall()
        last = con.execute("select run_id from pipeline_runs order by started_at desc limit 1")
        (last_run,) = last.fetchone()  # type: ignore[misc]
        for log in ("source_runs", "pipeline_runs"):
            columns = ", ".join(f'"{c}"' for c in _columns(con, log) if c != "postings_extracted")
            tables[f"{log} (last run)"] = con.execute(
                f"select {columns} from {log} where run_id = ? order by all", [last_run]
            ).fetchall()
        columns = ", ".join(f'"{c}"' for c in _columns(con, "fct_rejects"))
        tables["fct_rejects (distinct records)"] = con.execute(
            f"select distinct {columns} from fct_rejects order by all"
        ).fetchall()
        return tables
    finally:
        con.close()


def run_statuses(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select status from pipeline_runs order by started_at").fetchall()
    finally:
        con.close()
    return [row[0] for row in rows]
