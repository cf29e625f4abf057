"""Documentation coverage, COMMENT ON escaping, salary support, and the Parquet export."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from wh_factory import P, build, land, query

from warehouse.docs import parse_readme, sql_literal
from warehouse.export import exported_tables
from warehouse.sqlfiles import models

ANALYST_LAYERS = ("marts", "reports")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> Path:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("docs") / "warehouse.duckdb"
    land(
        db,
        [
            P(
                "a",
                "2024-01-01",
                ["python", "aws"],
                salary_min=100,
                salary_max=120,
                salary_currency="usd",
            ),
            P("b", "2024-02-01", ["pyspark"]),
        ],
        small_taxonomy,
    )
    build(db, small_taxonomy)
    return db


def test_every_analyst_table_and_column_is_documented(warehouse: Path) -> None:
    docs = parse_readme()
    for model in models():
        if model.layer not in ANALYST_LAYERS:
            continue
        assert model.name in docs and docs[model.name].description, model.name
        columns = [
            r[0]
            for r in query(
                warehouse,
                "select column_name from duckdb_columns() where table_name = ?",
                [model.name],
            )
        ]
        assert set(docs[model.name].columns) == set(columns), model.name


def test_comments_are_applied(warehouse: Path) -> None:
    (table_comment,) = query(
        warehouse, "select comment from duckdb_tables() where table_name = 'fct_postings'"
    )[0]
    assert table_comment.startswith("Distinct job postings")
    assert table_comment.endswith(
        "Grain: one row per posting_id (a distinct posting, however "
        "many nights or sources showed it)"
    )
    assert query(
        warehouse,
        "select comment from duckdb_columns() "
        "where table_name = 'fct_skill_demand_monthly' and column_name = 'share'",
    ) == [("postings_with_skill / postings.",)]


@pytest.mark.parametrize(
    "text",
    [
        "it's",
        "'; drop table t; --",
        "back\\slash \\' and ''doubled''",
        "line one\nline two -- not a comment",
        "unicode: × ≥ é",
    ],
)
def test_comment_literal_round_trips(text: str) -> None:
    con = duckdb.connect()
    con.execute("create table t (a integer)")
    con.execute(f"comment on table t is {sql_literal(text)}")
    con.execute(f"comment on column t.a is {sql_literal(text)}")
    assert con.execute("select comment from duckdb_tables() where table_name = 't'").fetchall() == [
        (text,)
    ]
    assert con.execute(
        "select comment from duckdb_columns() where table_name = 't'"
    ).fetchall() == [(text,)]
    con.close()
    with pytest.raises(ValueError):
        sql_literal("nul\x00")


def test_salary_needs_five_postings(warehouse: Path) -> None:
    assert query(warehouse, "select count(*) from rpt_salary_by_skill") == [(0,)]


def test_export_writes_one_parquet_per_table(warehouse: Path, tmp_path: Path) -> None:
    from skillpulse.cli import app

    out = tmp_path / "parquet"
    out.mkdir()
    (out / "fct_postings.parquet").write_bytes(b"old export")  # an earlier export's: replaced
    result = CliRunner().invoke(app, ["export", "--parquet", str(out), "--db", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in out.iterdir()) == exported_tables()
    assert "fct_postings" in exported_tables() and "rpt_skill_trends" in exported_tables()
    rows = (
        duckdb.connect()
        .execute("select count(*) from read_parquet(?)", [str(out / "fct_postings.parquet")])
        .fetchall()
    )
    assert rows == [(2,)]
    assert [p.name for p in tmp_path.iterdir()] == ["parquet"]  # no scratch left behind
