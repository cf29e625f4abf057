"""A process whose worker pools are up ends, and its workers end with it, however it ends.

Spawned workers (extraction, parsing, the build's duplicates step) and multiprocessing's
resource tracker used to outlive a SIGKILLed parent (the OOM killer) for good, re-parented to
PID 1, and a SIGTERMed `skillpulse ingest` (timeout, systemctl stop) did not stop its pools.
Real processes throughout: a parent script starts a real pool and blocks, or a real ingest.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import psutil
import pytest
from conftest import record_figure
from killing import REPO, synthetic_postings

pytestmark = pytest.mark.slow

# Starts one kind of pool, writes the pids of its workers to argv[2] once they are up, and
# blocks. A pool started from a thread that ends is the case PR_SET_PDEATHSIG gets wrong (it
# fires when the thread that spawned a process ends): those workers must outlive that thread.
_PARENT = """
import os, sys, threading, time
from pathlib import Path

from extractors.workers import wait_until_started


def ready(pids):
    Path(sys.argv[2] + ".tmp").write_text(" ".join(map(str, sorted(pids))))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    time.sleep(600)


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "extraction":
        from extractors.skills.pool import ExtractorPool
        from extractors.skills.taxonomy import load_taxonomy

        pool = ExtractorPool(load_taxonomy(Path(sys.argv[3])), processes=2)
        ready(pool.wait_until_started())
    elif kind == "parsing":
        from skillpulse.parsing import ParsePool

        pool = ParsePool(2)
        ready(wait_until_started(pool._executor, 2))
    elif kind == "parsing, from a thread that has ended":
        from skillpulse.parsing import ParsePool

        pools = []

        def spawn():
            pools.append(ParsePool(2))
            wait_until_started(pools[0]._executor, 2)  # each worker is watching its parent

        spawner = threading.Thread(target=spawn)
        spawner.start()
        spawner.join()
        ready(wait_until_started(pools[0]._executor, 2))
    elif kind == "duplicates":
        from warehouse.build import _grouped_batches
        from warehouse.duplicates import Copies

        def batches():
            yield Copies([], [], [], []), {}  # grouped here while the worker starts
            # Time for the worker to start (0.3-0.5 s), as the pool does not tell. One not yet
            # started when its parent dies ends as it starts (end_with_parent's first check).
            time.sleep(1.5)
            ready([])
            yield Copies([], [], [], []), {}

        for _ in _grouped_batches(batches(), processes=2):
            pass
"""

# Processes seen below a parent, by pid, with their command lines.
_Seen = dict[int, tuple[psutil.Process, str]]

KINDS = ["extraction", "parsing", "parsing, from a thread that has ended", "duplicates"]


def _alive(process: psutil.Process) -> bool:
    # A worker that died re-parented to PID 1 may stay a zombie until it is reaped.
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _descendants(pid: int, seen: _Seen) -> None:
    """Add each process below `pid` to `seen`, by pid, with its command line."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for child in children:
        if child.pid not in seen:
            with contextlib.suppress(psutil.NoSuchProcess):
                seen[child.pid] = (child, " ".join(child.cmdline()))


def _survivors(seen: _Seen, timeout_s: float = 10) -> list[str]:
    """Those of `seen` still running after `timeout_s`, described; killed then, so that a
    failing test leaves none behind."""
    deadline = time.monotonic() + timeout_s
    while (alive := [p for p, _ in seen.values() if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    return [f"{p.pid} ({seen[p.pid][1][-70:]})" for p in alive]


def _wait_for(
    condition: Callable[[], bool],
    process: subprocess.Popen[bytes] | subprocess.Popen[str],
    seen: _Seen,
    stderr: IO[str],
    failure: str,
    timeout_s: float,
) -> None:
    """Poll `condition` until it holds; if `process` ends first or time runs out, stop it and
    what it started and fail with `failure` and the end of its stderr."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process, seen)
            stderr.seek(0)
            pytest.fail(f"{failure}: {stderr.read()[-3000:]!r}")
        time.sleep(0.01)


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str], seen: _Seen) -> None:
    """Kill `process` and what it started: a test that fails leaves nothing running."""
    _descendants(process.pid, seen)
    process.kill()
    process.wait()
    _survivors(seen, timeout_s=0)


@pytest.mark.parametrize("kind", KINDS)
def test_workers_end_when_their_parent_is_killed_9(
    kind: str, tmp_path: Path, small_taxonomy_path: Path
) -> None:
    ready = tmp_path / "ready"
    # Output to files, not pipes: workers that outlived the parent would hold a pipe open.
    seen: _Seen = {}
    with tempfile.TemporaryFile() as stderr:
        parent = subprocess.Popen(
            [sys.executable, "-c", _PARENT, kind, str(ready), str(small_taxonomy_path)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        _wait_for(ready.exists, parent, seen, stderr, "the parent's pool never started", 60)
    _descendants(parent.pid, seen)
    # The workers, and the resource tracker they keep open, are all of its children.
    assert {int(pid) for pid in ready.read_text().split()} <= set(seen)
    spawned = [pid for pid, (_, line) in seen.items() if "--multiprocessing-fork" in line]
    assert len(spawned) == (1 if kind == "duplicates" else 2), seen

    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)

    left = _survivors(seen)
    assert not left, f"still running 10 s after their parent was killed: {left}"
    record_figure("process", f"SIGKILL of a process whose {kind} workers are up", 1, "none left")


def _spawned_niceness(seen: _Seen) -> set[int]:
    """The niceness of the spawned workers still running among `seen`."""
    niceness = set()
    for process, line in seen.values():
        if "--multiprocessing-fork" in line and _alive(process):
            with contextlib.suppress(psutil.NoSuchProcess):
                niceness.add(process.nice())
    return niceness


def test_sigterm_mid_extraction_exits_143_and_leaves_no_process(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    jsonl = tmp_path / "postings.jsonl"
    synthetic_postings(jsonl, 20_000)  # 8 MB: extracting it takes a second or two
    command = [
        sys.executable,
        "-m",
        "skillpulse",
        "ingest",
        "--input",
        str(jsonl),
        "--db",
        str(tmp_path / "warehouse.duckdb"),
        "--taxonomy",
        str(small_taxonomy_path),
        "--processes",
        "2",
    ]
    seen: _Seen = {}
    with tempfile.TemporaryFile("w+") as stderr:
        ingest = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr)

        # Extracting: every spawned worker running is an extraction worker (niceness 12,
        # extractors.skills.pool), the parsing workers (niceness 3) stopped with the landing.
        def extracting() -> bool:
            _descendants(ingest.pid, seen)
            return _spawned_niceness(seen) == {12}

        _wait_for(
            extracting,
            ingest,
            seen,
            stderr,
            "the ingest never extracted in its workers",
            120,
        )

        os.kill(ingest.pid, signal.SIGTERM)
        while ingest.poll() is None:  # what it starts while it stops is its child too
            _descendants(ingest.pid, seen)
            time.sleep(0.01)
        left = _survivors(seen)
        stderr.seek(0)
        # The exit code, and the processes still running 10 s after it exited.
        assert (ingest.returncode, left) == (128 + signal.SIGTERM, []), stderr.read()[-3000:]
    record_figure("process", "SIGTERM of an ingest while it extracts", 1, "exit 143, none left")
