"""What the command line refuses, in one line and before it harms anything: a --db that is not
a DuckDB database, an export folder holding other files, a missing taxonomy, a raw store given
to `report`, a named corpus that cannot be read, a file whose every line is rejected, and
`serve` with no Prefect server to schedule on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.sources.jsonl import decode_record
from skillpulse.cli import app

runner = CliRunner()
GOOD_LINE = '{"id": "a1", "text": "Python and SQL for an ML engineer."}\n'


def _ingest(tmp_path: Path, taxonomy: Path, *extra: str) -> list[str]:
    source = tmp_path / "postings.jsonl"
    source.write_text(GOOD_LINE, encoding="utf-8")
    return ["ingest", "--input", str(source), "--taxonomy", str(taxonomy), *extra]


@pytest.mark.parametrize("which", ["the input itself", "a text file", "a folder"])
def test_ingest_refuses_a_db_that_is_not_a_duckdb_database(
    tmp_path: Path, small_taxonomy_path: Path, which: str
) -> None:
    args = _ingest(tmp_path, small_taxonomy_path)
    source = Path(args[2])
    if which == "the input itself":
        db = source
    elif which == "a text file":
        db = tmp_path / "notes.txt"
        db.write_text("my notes\n", encoding="utf-8")
    else:
        db = tmp_path / "folder"
        (db / "inside").mkdir(parents=True)
    before = db.read_bytes() if db.is_file() else sorted(db.iterdir())
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 2, result.output
    reason = "would write over the input" if db == source else "is not a DuckDB database"
    assert reason in result.output
    assert (db.read_bytes() if db.is_file() else sorted(db.iterdir())) == before
    assert source.read_text(encoding="utf-8") == GOOD_LINE


def test_ingest_into_an_existing_warehouse_still_runs(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    args = [*_ingest(tmp_path, small_taxonomy_path), "--db", str(db)]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 distinct postings" in result.output


def test_ingest_of_a_file_whose_every_line_is_rejected_fails(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    csv = tmp_path / "export.csv"
    csv.write_text("id,text\n1,Python\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["ingest", "--input", str(csv), "--db", str(tmp_path / "w.duckdb"),
         "--taxonomy", str(small_taxonomy_path)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "failed  jsonl/export: every line was rejected (2); nothing landed" in result.output


def test_a_missing_taxonomy_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    args = _ingest(tmp_path, missing, "--db", str(tmp_path / "w.duckdb"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"taxonomy {missing} could not be loaded" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_timings_into_a_folder_that_does_not_exist_yet(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    timings = tmp_path / "new" / "t.json"
    args = _ingest(tmp_path, small_taxonomy_path, "--db", str(tmp_path / "w.duckdb"))
    result = runner.invoke(app, [*args, "--timings", str(timings)])
    assert result.exit_code == 0, result.output
    assert '"build"' in timings.read_text(encoding="utf-8")


def test_export_refuses_a_folder_that_holds_other_files(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    db = tmp_path / "data" / "w.duckdb"
    assert (
        runner.invoke(app, _ingest(tmp_path, small_taxonomy_path, "--db", str(db))).exit_code == 0
    )
    held = sorted(p.name for p in db.parent.iterdir())
    result = runner.invoke(app, ["export", "--db", str(db), "--parquet", str(db.parent)])
    assert result.exit_code == 2
    assert "holds what an export did not write" in result.output
    assert sorted(p.name for p in db.parent.iterdir()) == held  # the warehouse is still there
    assert not list(tmp_path.glob("**/*.parquet"))


def test_report_on_a_raw_store_says_it_is_not_a_warehouse(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    assert (
        runner.invoke(app, _ingest(tmp_path, small_taxonomy_path, "--db", str(db))).exit_code == 0
    )
    raw = tmp_path / "w.raw.duckdb"
    result = runner.invoke(app, ["report", "--db", str(raw), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert f"report failed: {raw}: it has no fct_postings table" in result.output
    assert "Traceback" not in result.output


def test_evaluate_fails_on_a_named_corpus_it_cannot_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "x", "text": "a"}\n[1, 2]\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--corpus", str(corpus)])
    assert result.exit_code == 2
    assert f"--corpus {corpus}: {corpus}:2: expected a JSON object, got list" in result.output
    absent = runner.invoke(app, ["evaluate", "--corpus", str(tmp_path / "absent.jsonl")])
    assert absent.exit_code == 2
    assert "no postings corpus at" in absent.output


def test_a_broken_line_gives_one_reason_with_or_without_its_line_end() -> None:
    line = b'{"id": "b", "text": "Go and Rust'
    reasons = []
    for raw in (line, line + b"\n", line + b"\r\n"):
        with pytest.raises(ValueError) as caught:
            decode_record(raw)
        reasons.append(str(caught.value))
    assert reasons == ["broken JSON at column 21: Unterminated string starting at"] * 3


def test_run_help_shows_the_config_tables() -> None:
    result = runner.invoke(app, ["run", "--help"])
    # The help is drawn in a box and wrapped: read its words in order.
    words = result.output.replace("│", " ").split()
    assert "[http], [storage] and [[sources]]." in " ".join(words)


def test_serve_without_a_prefect_server_refuses(tmp_path: Path) -> None:
    config = tmp_path / "skillpulse.toml"
    config.write_text(
        f'[storage]\ndb = "{tmp_path / "w.duckdb"}"\nreports = "{tmp_path / "r"}"\n'
        f'[[sources]]\nkind = "jsonl"\nboard = "x"\npath = "{tmp_path / "in.jsonl"}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")  # no profile naming a server either
    done = subprocess.run(
        [sys.executable, "-m", "skillpulse", "serve", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "serve needs a Prefect server to schedule on" in done.stderr
