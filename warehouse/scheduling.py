"""Building SQL models side by side: each model starts once every model it reads is built.

Most models of a small warehouse run on one core: DuckDB splits a scan by row groups of
122,880 rows, so a 17k-posting table is one task, and several models are single-threaded
steps even at a million postings. Built one after another, the build used 1.3 of the two
cores on the real corpus (sampled from /proc/stat). Independent models (fct_postings beside
int_posting_skills__expanded, the weekly, monthly and quarterly marts, most reports) now run
in a few threads, each on its own cursor: DuckDB releases the GIL while it executes, so they
really run together, and beside Python work in the calling thread (the duplicates step, whose
output most models read; the models that do not read it run meanwhile).

Every model is still one `CREATE TABLE … AS` in its own autocommitted transaction, started only
after the models it reads have committed, so each table is exactly what the one-by-one order
produced; only the order of unrelated models changes.

Models running together share one DuckDB memory limit. Which ones meet depends on how fast each
runs, so a model that fits alone can run out beside others (fct_skill_demand_by_segment at a
million postings, once the models before it got faster). Such a model, its statement rolled
back, is built again once nothing else runs, and nothing new starts until it has; out of memory
alone, it fails the build as any error does. (A first try that happened to run alone is not
known to have, so a model too large for the limit is tried twice before it fails.) The
`meanwhile` step is not retried: it runs once, beside whatever models run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence

import duckdb

from warehouse.sqlfiles import SqlModel

BuildOne = Callable[[duckdb.DuckDBPyConnection, SqlModel], None]

_log = logging.getLogger("skillpulse")


class _Board:
    """What is built, what may start next, and the first failure; shared by the threads."""

    def __init__(self, to_run: Sequence[SqlModel], outside: Collection[str]) -> None:
        names = {model.name for model in to_run} | set(outside)
        self._waits_for = {model.name: model.reads(names) for model in to_run}
        self._queue = list(to_run)  # not started yet, in build order (the tie-break)
        self._alone: list[SqlModel] = []  # out of memory beside others: to build with none
        self._built: set[str] = set()
        self._outside_pending = set(outside)
        self._running = 0
        self._running_alone = False
        self._changed = threading.Condition()
        self.failure: BaseException | None = None
        self.seconds: dict[str, float] = {}

    def take(self) -> tuple[SqlModel, bool] | None:
        """The next model whose inputs are built, and whether it runs alone; None once nothing
        is left to start (or a model failed)."""
        with self._changed:
            while True:
                if self.failure is not None or not (self._queue or self._alone):
                    return None
                if self._running_alone:
                    pass  # nothing starts beside a model running alone
                elif self._alone:
                    # Nothing new starts until what runs has finished and this has run alone.
                    if not self._running and not self._outside_pending:
                        self._running += 1
                        self._running_alone = True
                        return self._alone.pop(0), True
                else:
                    for index, model in enumerate(self._queue):
                        if self._waits_for[model.name] <= self._built:
                            self._running += 1
                            return self._queue.pop(index), False
                    if not self._running and not self._outside_pending:
                        stuck = ", ".join(m.name for m in self._queue)
                        raise RuntimeError(f"models wait on each other or on nothing: {stuck}")
                self._changed.wait()

    def done(self, name: str, seconds: float) -> None:
        with self._changed:
            self._running -= 1
            self._running_alone = False
            self._built.add(name)
            self.seconds[name] = seconds
            self._changed.notify_all()

    def again_alone(self, model: SqlModel, seconds: float) -> None:
        """`model` ran out of memory beside other models: build it again once none runs."""
        with self._changed:
            self._running -= 1
            self._alone.append(model)
            self.seconds[f"{model.name} (out of memory beside others)"] = seconds
            self._changed.notify_all()

    def built_outside(self, names: Collection[str]) -> None:
        with self._changed:
            self._built |= set(names)
            self._outside_pending -= set(names)
            self._changed.notify_all()

    def fail(self, exc: BaseException) -> None:
        """Start nothing more; models already running finish (DuckDB cannot stop one midway
        without interrupting its whole connection) and the first failure is what is raised."""
        with self._changed:
            if self.failure is None:
                self.failure = exc
            self._changed.notify_all()


def build_side_by_side(
    con: duckdb.DuckDBPyConnection,
    to_run: Sequence[SqlModel],
    build_one: BuildOne,
    threads: int,
    meanwhile: Callable[[], None] | None = None,
    meanwhile_makes: Collection[str] = (),
) -> dict[str, float]:
    """Build `to_run` with `build_one` in `threads` threads, each model once the models of
    `to_run` it reads are built; return each model's own seconds (they overlap).

    `meanwhile` runs in this thread while they do, and makes the tables `meanwhile_makes`:
    models reading any of those wait for it. A failure, in a model or in `meanwhile`, starts
    nothing more, waits for the models already running and is raised; tables already built
    stay in the database (the caller's scratch file, discarded on failure). A model failing
    while `meanwhile` runs is raised when `meanwhile` returns (it is not interrupted).
    """
    board = _Board(to_run, meanwhile_makes if meanwhile is not None else ())
    cursors = [con.cursor() for _ in range(max(1, threads))]
    workers = [
        threading.Thread(
            target=_work, args=(board, cursor, build_one), name=f"build-model-{n}", daemon=True
        )
        for n, cursor in enumerate(cursors)
    ]
    for worker in workers:
        worker.start()
    try:
        if meanwhile is not None:
            meanwhile()
            board.built_outside(meanwhile_makes)
    except BaseException as exc:
        board.fail(exc)
        raise
    finally:
        for worker in workers:
            worker.join()
        for cursor in cursors:
            cursor.close()
    if board.failure is not None:
        raise board.failure
    return board.seconds


def _work(board: _Board, cursor: duckdb.DuckDBPyConnection, build_one: BuildOne) -> None:
    try:
        while (taken := board.take()) is not None:
            model, alone = taken
            started = time.perf_counter()
            try:
                build_one(cursor, model)
            except Exception as exc:
                if alone or not _out_of_memory(exc):
                    raise
                _log.warning(
                    "%s ran out of DuckDB's memory limit beside other models; "
                    "building it again once none runs",
                    model.name,
                )
                board.again_alone(model, time.perf_counter() - started)
                continue
            board.done(model.name, time.perf_counter() - started)
    except BaseException as exc:  # raised in the calling thread, by build_side_by_side
        board.fail(exc)


def _out_of_memory(exc: BaseException) -> bool:
    """Whether DuckDB ran out of its memory limit: the error itself, or what it was raised from."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, duckdb.OutOfMemoryException):
            return True
        cause = cause.__cause__
    return False
