"""Worker process pools as the pipeline runs them: spawned, all started at once, stopped at once.

Used by the extraction pool (extractors.skills.pool) and the parsing pool (skillpulse.parsing);
the duplicates step's workers (warehouse.build) use end_with_parent too.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any


def processes_worth(work: int, minimum: int) -> int:
    """Processes worth running `work` in: min(2, CPUs) from `minimum` units of it, else 1.

    Two, not every CPU: the pipeline is measured and tuned on two cores (docs/BENCHMARKS.md);
    below `minimum` a worker's start-up costs more than it saves.
    """
    return min(2, os.cpu_count() or 1) if work >= minimum else 1


def started_executor(
    processes: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    niceness: int = 0,
) -> ProcessPoolExecutor:
    """An executor whose `processes` workers are already starting, `niceness` steps below this
    process's CPU priority (os.nice).

    Spawned, not forked: the caller usually holds a DuckDB connection and its buffers, and a
    forked worker would inherit both (measured: forked workers showed the parent's 780 MB as
    their own RSS at 1M postings; forking also copies DuckDB threads that may hold locks).
    An executor, not multiprocessing.Pool: when a worker dies, Pool replaces it and the lost
    task's result never comes, so a run hung for good; the executor fails its futures with
    BrokenProcessPool instead. The executor spawns a worker only when a task finds none idle,
    so one no-op per process starts them all now, and none starts late on the critical path.
    Each worker ends when this process does, however it ends (end_with_parent).
    """
    executor = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        # The submits below spawn every worker, in this thread: what Parent.here() records.
        initargs=(Parent.here(), niceness, initializer, initargs),
    )
    try:
        for _ in range(processes):
            executor.submit(_started)
    except BaseException:
        stop_now(executor)  # a worker that could not start must not leave the others running
        raise
    return executor


def wait_until_started(
    executor: ProcessPoolExecutor, processes: int, timeout_s: float = 120.0
) -> set[int]:
    """Block until `processes` distinct workers of `executor` have each run a task, so every
    one has run its initializer; returns their pids. Raises TimeoutError after `timeout_s`.

    A task goes to whichever worker is free first: a worker still in its initializer (an
    extraction worker builds its matcher, about a second) takes none, so a few tiny warm-up
    tasks can all be done by the first worker up while the other is still starting.
    """
    deadline = time.monotonic() + timeout_s
    answered: set[int] = set()
    while True:
        rounds = [executor.submit(os.getpid) for _ in range(processes)]
        # Bounded too: with every worker stuck in its initializer no task would ever end.
        with contextlib.suppress(TimeoutError):
            answered.update(
                future.result(timeout=max(0.0, deadline - time.monotonic())) for future in rounds
            )
        if len(answered) >= processes:
            return answered
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"{len(answered)} of {processes} worker processes started in {timeout_s:g} s"
            )
        time.sleep(0.02)


def stop_now(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now, busy or not: nobody will read what they are working on."""
    # Python 3.11 has no public way to stop busy workers (3.14 adds terminate_workers), and
    # shutdown(wait=True) would wait for every task in flight, however long it takes.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    results = getattr(executor, "_result_queue", None)  # shutdown drops the executor's reference
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
    # A worker stopped while sending a result (a parsed chunk is megabytes) leaves the
    # executor's thread waiting for the rest of it, and the interpreter joins that thread at
    # exit: a failed 1M ingest hung there for good. This process never writes results, and its
    # copy of the writing end was the last one open: closed, the read ends, and the thread
    # winds the executor down as broken.
    if results is not None:
        results._writer.close()


@dataclass(frozen=True)
class Parent:
    """The process that spawns a pool's workers, as they watch it (end_with_parent)."""

    pid: int
    # Whether its main thread spawns them. PR_SET_PDEATHSIG fires when the thread that spawned
    # a process ends, not its whole process: a pool spawned from a thread that ends before the
    # pool does (a Prefect task's, say) would have its workers killed under it.
    main_thread: bool

    @classmethod
    def here(cls) -> Parent:
        """This process, spawning workers from the current thread."""
        return cls(os.getpid(), threading.current_thread() is threading.main_thread())


# linux/prctl.h: the signal a process gets when the thread that spawned it ends.
_PR_SET_PDEATHSIG = 1
# How often a worker without PR_SET_PDEATHSIG looks at its parent pid: it outlives a SIGKILLed
# parent by at most this long, for a wake-up costing microseconds.
_PARENT_POLL_S = 0.5


def end_with_parent(parent: Parent) -> None:
    """Make this worker process end as soon as `parent` ends, however it ends. The first thing
    every worker initializer does (started_executor, warehouse.build's duplicates workers).

    A parent ending by an exception (Ctrl-C, SIGTERM through skillpulse.cli) stops its workers
    itself (stop_now). A parent that is SIGKILLed (the OOM killer) cannot: its workers, waiting
    for a next task that never comes, and the resource tracker they keep open, ran on for good
    under PID 1, each with its memory (an extraction worker's matcher and spaCy). On Linux the
    kernel kills the worker with its parent (PR_SET_PDEATHSIG); elsewhere, or when a thread
    other than the parent's main thread spawns it, a daemon thread polls for the parent's end.
    """
    if parent.main_thread and _killed_with_parent():
        # A parent that died before the request took hold sends no signal: this process has
        # been re-parented already.
        if os.getppid() != parent.pid:
            os._exit(1)
        return
    threading.Thread(
        target=_watch_parent, args=(parent.pid,), name="watch-parent", daemon=True
    ).start()


def _killed_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when the thread that spawned it ends; False where
    prctl is not there or refuses."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    # SIGKILL, not SIGTERM: nothing a worker holds needs cleaning up (its results are no
    # longer wanted), and no signal handler or busy C call can put it off. Unsigned longs,
    # as the variadic prctl reads them.
    no_arg = ctypes.c_ulong(0)
    return prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), no_arg, no_arg, no_arg) == 0


def _watch_parent(parent_pid: int) -> None:
    # A process whose parent ends is re-parented (to PID 1 or a subreaper): its parent pid
    # changes then, and only then.
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_S)
    os._exit(1)


def _start_worker(
    parent: Parent,
    niceness: int,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
) -> None:
    end_with_parent(parent)
    if niceness and hasattr(os, "nice"):  # POSIX only
        os.nice(niceness)
    if initializer is not None:
        initializer(*initargs)


def _started() -> None:
    """Nothing: the first task a worker takes, once its initializer has run."""
