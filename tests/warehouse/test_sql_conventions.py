"""Meta-test: every SQL file follows the conventions in sql/README.md, and every model builds.

Stem = object name, the layer's prefix (or a named exception), `-- name:`/`-- grain:`/`-- reads:`
headers, no own CREATE, and reads only from its own or earlier layers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wh_factory import P, build, land, query

from warehouse.sqlfiles import SQL_DIR, macros, models, raw_ddl

PREFIXES = {
    "raw": ("raw_",),
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("dim_", "fct_"),
    "reports": ("rpt_",),
}
MART_EXCEPTIONS = {"source_runs", "pipeline_runs"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> Path:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("conventions") / "warehouse.duckdb"
    land(db, [P("a", "2024-01-01", ["pyspark", "aws"])], small_taxonomy)
    build(db, small_taxonomy)
    return db


def test_every_sql_file_is_named_prefixed_and_has_a_grain() -> None:
    every = raw_ddl() + macros() + models()
    assert len({m.name for m in every}) == len(every)
    for model in every:
        lines = model.sql.splitlines()
        assert lines[0] == f"-- name: {model.path.stem}", model.path
        assert re.search(r"^-- grain: .+", model.sql, re.M), model.path
        assert re.search(r"^-- reads: .+", model.sql, re.M), model.path
        if model.layer in PREFIXES:
            allowed = PREFIXES[model.layer]
            assert model.name.startswith(allowed) or (
                model.layer == "marts" and model.name in MART_EXCEPTIONS
            ), model.path
        if model.layer not in ("raw", "macros"):
            # the runner supplies `create table <stem> as`; files hold only the query
            assert not re.search(r"^\s*create\b", model.sql, re.M | re.I), model.path
            assert model.grain.startswith("one row per"), model.path
    assert {p.stem for p in SQL_DIR.glob("*/*.sql")} == {m.name for m in every}


def test_every_model_builds(warehouse: Path) -> None:
    built = {row[0] for row in query(warehouse, "select table_name from duckdb_tables()")}
    assert {m.name for m in models()} <= built


def test_models_read_only_earlier_layers() -> None:
    order = ["raw", "staging", "intermediate", "marts", "reports"]
    names = {m.name: m.layer for m in raw_ddl() + models()}
    for model in models():
        for other in model.reads(names):
            assert order.index(names[other]) <= order.index(model.layer), (model.name, other)
