"""Models built side by side (warehouse.scheduling) start only once what they read is built.

Real DuckDB throughout: a model started before a model it reads had committed would fail with
"table … does not exist", so a build that succeeds proves the order, and the tables it leaves
prove what ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from warehouse import scheduling
from warehouse.build import BuildError, _create
from warehouse.scheduling import build_side_by_side
from warehouse.sqlfiles import SqlModel

# Enough rows that the first model is still running when the others are handed out.
SLOW_ROWS = 3_000_000


def _model(name: str, sql: str) -> SqlModel:
    return SqlModel(name, "marts", Path(f"{name}.sql"), f"-- grain: test\n{sql}")


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}


def _wait_for_table(con: duckdb.DuckDBPyConnection, name: str, seconds: float = 20) -> set[str]:
    """The tables once `name` is among them (or once the deadline passed)."""
    deadline = time.monotonic() + seconds
    tables = _tables(con)
    while name not in tables and time.monotonic() < deadline:
        time.sleep(0.01)
        tables = _tables(con)
    return tables


def _finishes(call: Callable[[], object], seconds: float = 60) -> object:
    """call() in a thread: a scheduler that waits for ever fails the test instead of hanging it."""
    outcome: list[tuple[str, object]] = []

    def run() -> None:
        try:
            outcome.append(("returned", call()))
        except BaseException as exc:
            outcome.append(("raised", exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    how, value = outcome[0]
    if how == "raised":
        assert isinstance(value, BaseException)
        raise value
    return value


def _recording(started: list[str]) -> Callable[[duckdb.DuckDBPyConnection, SqlModel], None]:
    """_create, remembering which models were started."""

    def build_one(cursor: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
        started.append(model.name)
        _create(cursor, model)

    return build_one


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "scratch.duckdb"))
    yield connection
    connection.close()


def test_a_model_starts_after_every_model_it_reads(con: duckdb.DuckDBPyConnection) -> None:
    chain = [
        _model("slow_base", f"select range as n from range({SLOW_ROWS}) order by n desc"),
        _model("on_base", "select count(*) as n from slow_base"),
        _model("independent", "select 7 as n"),
        _model("on_both", "select (select n from on_base) + (select n from independent) as n"),
    ]

    seconds = _finishes(lambda: build_side_by_side(con, chain, _create, threads=3))

    assert set(seconds) == {"slow_base", "on_base", "independent", "on_both"}  # type: ignore[arg-type]
    assert con.execute("select n from on_both").fetchall() == [(SLOW_ROWS + 7,)]


def test_models_not_reading_the_meanwhile_step_run_during_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    seen_during_meanwhile: list[set[str]] = []

    def meanwhile() -> None:
        # The independent model must get built while this waits for it (at most 20 s).
        with con.cursor() as looking:
            seen_during_meanwhile.append(_wait_for_table(looking, "independent"))
        con.execute("create table made_meanwhile as select 40 as n")

    models = [
        _model("reads_meanwhile", "select n + 2 as n from made_meanwhile"),
        _model("independent", "select 1 as n"),
    ]

    _finishes(
        lambda: build_side_by_side(
            con, models, _create, 2, meanwhile=meanwhile, meanwhile_makes=["made_meanwhile"]
        )
    )

    assert seen_during_meanwhile == [{"independent"}]
    assert con.execute("select n from reads_meanwhile").fetchall() == [(42,)]


def test_a_failing_model_is_named_and_nothing_reading_it_starts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    started: list[str] = []
    models = [
        _model("broken", "select * from no_such_table"),
        _model("on_broken", "select * from broken"),
        _model("independent", "select 1 as n"),
    ]

    with pytest.raises(BuildError, match=r"broken\.sql \(marts\) failed: .*no_such_table"):
        _finishes(lambda: build_side_by_side(con, models, _recording(started), threads=2))

    assert "broken" in started and "on_broken" not in started


def test_a_failing_meanwhile_step_is_raised_and_its_readers_never_start(
    con: duckdb.DuckDBPyConnection,
) -> None:
    started: list[str] = []

    def meanwhile() -> None:
        # Fail only once the workers have had the chance to take whatever they may.
        with con.cursor() as looking:
            _wait_for_table(looking, "independent")
        raise RuntimeError("duplicates failed on block 'acme|engineer'")

    models = [
        _model("reads_meanwhile", "select * from made_meanwhile"),
        _model("independent", "select 1 as n"),
    ]

    with pytest.raises(RuntimeError, match="duplicates failed on block 'acme\\|engineer'"):
        _finishes(
            lambda: build_side_by_side(
                con,
                models,
                _recording(started),
                2,
                meanwhile=meanwhile,
                meanwhile_makes=["made_meanwhile"],
            )
        )

    assert started == ["independent"]
    assert not any(thread.name.startswith("build-model") for thread in threading.enumerate())


def test_models_waiting_on_each_other_fail_instead_of_hanging(
    con: duckdb.DuckDBPyConnection,
) -> None:
    models = [
        _model("first", "select * from second"),
        _model("second", "select * from first"),
    ]

    with pytest.raises(
        RuntimeError, match="models wait on each other or on nothing: first, second"
    ):
        _finishes(lambda: build_side_by_side(con, models, _create, threads=2))


def _out_of_memory(model: SqlModel) -> BuildError:
    """What _run raises when DuckDB runs out of its memory limit in `model`."""
    error = BuildError(f"{model.path.name} ({model.layer}) failed: Out of Memory Error")
    error.__cause__ = duckdb.OutOfMemoryException("could not allocate block of size 256.0 KiB")
    return error


def test_a_model_out_of_memory_beside_others_is_built_again_once_none_runs(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    running: set[str] = set()
    beside: list[tuple[str, set[str]]] = []  # each start, with what was running then
    lock = threading.Lock()
    first_try_failed = threading.Event()
    queued_alone = threading.Event()
    queue_alone = scheduling._Board.again_alone

    def again_alone(board: scheduling._Board, model: SqlModel, seconds: float) -> None:
        queue_alone(board, model, seconds)
        queued_alone.set()

    # "busy" must still be running once "hungry" is queued to run alone, or the free thread
    # could rightly take "independent" first.
    monkeypatch.setattr(scheduling._Board, "again_alone", again_alone)

    def build_one(cursor: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
        with lock:
            beside.append((model.name, set(running)))
            running.add(model.name)
        try:
            if model.name == "busy":
                # Still running when "hungry" runs out beside it and is queued to run alone.
                assert queued_alone.wait(20)
            if model.name == "hungry" and not first_try_failed.is_set():
                deadline = time.monotonic() + 20
                while "busy" not in running and time.monotonic() < deadline:
                    time.sleep(0.01)
                first_try_failed.set()
                raise _out_of_memory(model)
            _create(cursor, model)
        finally:
            with lock:
                running.discard(model.name)

    models = [
        _model("busy", "select 1 as n"),
        _model("hungry", "select 2 as n"),
        _model("on_hungry", "select n + 40 as n from hungry"),
        _model("independent", "select 3 as n"),
    ]

    seconds = _finishes(lambda: build_side_by_side(con, models, build_one, threads=2))

    assert con.execute("select n from on_hungry").fetchall() == [(42,)]
    hungry_starts = [others for name, others in beside if name == "hungry"]
    assert hungry_starts == [{"busy"}, set()]
    # Nothing started between the failure and the second try: "independent" came after it.
    order = [name for name, _ in beside]
    assert order.index("independent") > len(order) - 1 - order[::-1].index("hungry")
    assert "hungry (out of memory beside others)" in seconds  # type: ignore[operator]


def test_a_model_out_of_memory_alone_fails_the_build(con: duckdb.DuckDBPyConnection) -> None:
    started: list[str] = []

    def build_one(cursor: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
        started.append(model.name)
        if model.name == "hungry":
            raise _out_of_memory(model)
        _create(cursor, model)

    models = [_model("hungry", "select 2 as n"), _model("on_hungry", "select * from hungry")]

    with pytest.raises(BuildError, match=r"hungry\.sql \(marts\) failed: Out of Memory"):
        _finishes(lambda: build_side_by_side(con, models, build_one, threads=2))

    # The first try is not known to be alone (the other thread could have started a model),
    # so it is tried once more alone, and never a third time.
    assert started == ["hungry", "hungry"]
