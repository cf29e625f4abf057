"""Shared pieces of the benchmarks: the machine, load, timing, memory of a process tree."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
REAL_CORPUS = REPO.parent / "shared" / "data" / "postings_real.jsonl"
DEFAULT_DATA = Path(os.environ.get("SKILLPULSE_BENCH_DIR", "/tmp/skillpulse-bench"))
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, object]:
    import duckdb
    import spacy

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "duckdb": duckdb.__version__,
    }


def load() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass
class Timed:
    seconds: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


# A benchmark variant: `prepare` builds it (untimed) and returns what to time and how to close it.
Prepared = tuple[Callable[[], object], Callable[[], None]]
Prepare = Callable[[], Prepared]


def interleaved(variants: list[tuple[str, Prepare]], repeat: int) -> dict[str, Timed]:
    """Median of `repeat` round-robin passes per variant (A, B, C, A, B, C, ...), so drifting
    load on a shared machine hits every variant alike. Each variant is a `prepare` returning
    (run, close): every pass prepares afresh, untimed, times run() only, then closes, so every
    pass starts from the same cold state (see benchmarks/extraction.py for why)."""
    out = {name: Timed() for name, _ in variants}
    for _ in range(repeat):
        for name, prepare in variants:
            run, close = prepare()
            try:
                started = time.perf_counter()
                run()
                out[name].seconds.append(time.perf_counter() - started)
            finally:
                close()
            out[name].loads.append(load())
    return out


def _pss(proc: psutil.Process) -> int:
    """Proportional set size (shared pages split between their sharers), else RSS."""
    try:
        return proc.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return proc.memory_info().rss


# Reading a process's PSS makes the kernel walk its page tables, and the reader pays: 25 ms of
# CPU per read of a 1.4 GB process on this machine (measured), so a tree read ten times a
# second took 0.12-0.17 of a core from the 17k and 100k ingests it measured, and more at 1M,
# on a 2-CPU machine the ingest keeps busy; extraction alone, the ratio's denominator, ran
# unsampled. RSS is one read of /proc/<pid>/statm (finding the tree's processes, every tick,
# reads each process's /proc/<pid>/stat: about 1.4 ms). So RSS is read every tick, and PSS only
# when the tree's RSS could hold a new peak (PSS <= RSS) and no more often than keeps its reads
# under PSS_CPU_SHARE of one core.
PSS_CPU_SHARE = 0.02


class TreeMemory:
    """Peak memory of a process and all its descendants, sampled every `every` s: the summed PSS
    (shared pages split between their sharers; with extraction workers the whole tree is what
    the machine must hold, and summing RSS counts pages shared between processes more than
    once), the summed RSS (an upper bound of the PSS, read at every tick), and the RSS of the
    largest single process. The single-process peak is sampled because
    getrusage(RUSAGE_CHILDREN) reports a child's high-water mark, which Linux starts at the
    parent's RSS when it forks, so a benchmark process holding a million texts made every
    child look 4 GB large. The sampler's own CPU time is kept, to show what measuring cost.
    """

    def __init__(self, pid: int, every: float = 0.1, pss_share: float = PSS_CPU_SHARE) -> None:
        self.pid = pid
        self.every = every
        self.pss_share = pss_share
        self.peak_pss_sum_bytes = 0
        self.peak_rss_sum_bytes = 0
        self.largest_bytes = 0
        self.pss_reads = 0
        self.sampler_cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        cpu_started = time.thread_time()
        try:
            self._sample_until_stopped()
        finally:
            self.sampler_cpu_seconds = time.thread_time() - cpu_started

    def _sample_until_stopped(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        next_pss_at = 0.0
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            resident: list[psutil.Process] = []
            rss_sum = 0
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    rss = proc.memory_info().rss
                    resident.append(proc)
                    rss_sum += rss
                    self.largest_bytes = max(self.largest_bytes, rss)
            self.peak_rss_sum_bytes = max(self.peak_rss_sum_bytes, rss_sum)
            now = time.monotonic()
            if rss_sum > self.peak_pss_sum_bytes and now >= next_pss_at:
                started = time.thread_time()
                total = 0
                for proc in resident:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        total += _pss(proc)
                self.peak_pss_sum_bytes = max(self.peak_pss_sum_bytes, total)
                # The PSS is read after the RSS: memory that grew in between is in the PSS and
                # not yet in the RSS, and the summed RSS must still bound the PSS reported.
                self.peak_rss_sum_bytes = max(self.peak_rss_sum_bytes, total)
                self.pss_reads += 1
                next_pss_at = now + (time.thread_time() - started) / self.pss_share
            self._stop.wait(self.every)


def run_measured(command: list[str], log: Path) -> dict[str, object]:
    """Run a command: wall seconds, rc, and TreeMemory's peaks (MB) and CPU seconds."""
    started = time.perf_counter()
    loads = [load()]
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        with TreeMemory(proc.pid) as memory:
            rc = proc.wait()
    seconds = time.perf_counter() - started
    loads.append(load())
    return {
        "seconds": seconds,
        "rc": rc,
        "peak_tree_pss_mb": memory.peak_pss_sum_bytes / 2**20,
        "peak_tree_rss_sum_mb": memory.peak_rss_sum_bytes / 2**20,
        "peak_child_rss_mb": memory.largest_bytes / 2**20,
        "pss_reads": memory.pss_reads,
        "sampler_cpu_s": memory.sampler_cpu_seconds,
        "load": loads,
    }


def save(results: Path, key: str, value: object) -> None:
    data = json.loads(results.read_text()) if results.is_file() else {}
    data[key] = value
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(data, indent=1, default=str))


def loaded(results: Path) -> dict:
    return json.loads(results.read_text()) if results.is_file() else {}


def read_texts(path: Path, limit: int | None = None) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts
