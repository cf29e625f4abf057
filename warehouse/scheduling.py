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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence

import duckdb

from warehouse.sqlfiles import SqlModel

BuildOne = Callable[[duckdb.DuckDBPyConnection, SqlModel], None]


class _Board:
    """What is built, what may start next, and the first failure; shared by the threads."""

    def __init__(self, to_run: Sequence[SqlModel], outside: Collection[str]) -> None:
        names = {model.name for model in to_run} | set(outside)
        self._waits_for = {model.name: model.reads(names) for model in to_run}
        self._queue = list(to_run)  # not started yet, in build order (the tie-break)
        self._built: set[str] = set()
        self._outside_pending = set(outside)
        self._running = 0
        self._changed = threading.Condition()
        self.failure: BaseException | None = None
        self.seconds: dict[str, float] = {}

    def take(self) -> SqlModel | None:
        """The next model whose inputs are built; None once nothing is left to start (or a
        model failed)."""
        with self._changed:
            while True:
                if self.failure is not None or not self._queue:
                    return None
                for index, model in enumerate(self._queue):
                    if self._waits_for[model.name] <= self._built:
                        self._running += 1
                        return self._queue.pop(index)
                if not self._running and not self._outside_pending:
                    stuck = ", ".join(m.name for m in self._queue)
                    raise RuntimeError(f"models wait on each other or on nothing: {stuck}")
                self._changed.wait()

    def done(self, name: str, seconds: float) -> None:
        with self._changed:
            self._running -= 1
            self._built.add(name)
            self.seconds[name] = seconds
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
        while (model := board.take()) is not None:
            started = time.perf_counter()
            build_one(cursor, model)
            board.done(model.name, time.perf_counter() - started)
    except BaseException as exc:  # raised in the calling thread, by build_side_by_side
        board.fail(exc)
