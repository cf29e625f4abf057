"""The command line: every command documents itself, and ingest/extract behave on a small file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from skillpulse.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "postings" / "small.jsonl"
runner = CliRunner()


def _commands() -> list[str]:
    import typer.main

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_cli_has_the_walking_skeleton_commands() -> None:
    assert {"demo", "run", "ingest", "extract", "report"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_cli_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert len(result.output.strip().splitlines()) > 5


def test_cli_ingest_lands_good_lines_and_names_bad_ones(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    db = tmp_path / "warehouse.duckdb"
    args = [
        "ingest",
        "--input",
        str(FIXTURE),
        "--db",
        str(db),
        "--taxonomy",
        str(small_taxonomy_path),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 landed" in result.output
    assert "3 rejected" in result.output
    for expected in (
        "line 3: broken JSON",
        "line 5: impossible 'posted_at'",
        "line 6: missing, empty or non-string 'text'",
    ):
        assert expected in result.output

    con = duckdb.connect(str(db), read_only=True)
    postings = con.execute("select source_posting_id from fct_postings order by 1").fetchall()
    rejects = con.execute("select record_ref from fct_rejects order by 1").fetchall()
    skills = con.execute(
        "select posting_id, list(skill_id order by skill_id) from fct_posting_skills "
        "join fct_postings using (posting_id) where source_posting_id = 'a2' group by 1"
    ).fetchall()
    con.close()
    assert postings == [("a1",), ("a2",), ("a3",)]
    assert rejects == [("line 3",), ("line 5",), ("line 6",)]
    # PySpark implies Spark and Python; EKS implies Kubernetes and AWS.
    assert skills[0][1] == [
        "aws",
        "communication",
        "eks",
        "kubernetes",
        "pyspark",
        "python",
        "spark",
    ]


def test_cli_ingest_twice_adds_no_postings(tmp_path: Path, small_taxonomy_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    args = [
        "ingest",
        "--input",
        str(FIXTURE),
        "--db",
        str(db),
        "--taxonomy",
        str(small_taxonomy_path),
    ]
    assert runner.invoke(app, args).exit_code == 0
    timings = tmp_path / "timings.json"
    second = runner.invoke(app, [*args, "--timings", str(timings)])
    assert second.exit_code == 0
    assert "0 texts extracted this run" in second.output
    # the build's own steps are timed too; nothing the postings models read changed, so the
    # second build starts from the published warehouse instead of the raw store
    steps = {k for k in json.loads(timings.read_text()) if k.startswith("build: ")}
    assert {"build: fingerprint", "build: copy published warehouse", "build: publish"} <= steps
    assert "build: copy raw store" not in steps
    raw = duckdb.connect(str(tmp_path / "warehouse.raw.duckdb"), read_only=True)
    assert raw.execute("select count(*) from raw_postings").fetchone() == (3,)
    assert raw.execute("select count(*) from raw_payloads").fetchone() == (1,)
    raw.close()


def test_cli_ingest_rerun_with_nothing_pending_never_loads_spacy(tmp_path: Path) -> None:
    # Importing spaCy and building the matcher is most of a nightly re-run's fixed cost. The
    # bundled taxonomy, because it has context rules: validating them must not import spaCy.
    db = tmp_path / "warehouse.duckdb"
    script = (
        "import sys\n"
        "from skillpulse.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('SPACY_LOADED', 'spacy' in sys.modules)\n"
    )
    command = [
        sys.executable,
        "-c",
        script,
        "ingest",
        "--input",
        str(FIXTURE),
        "--db",
        str(db),
    ]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert "SPACY_LOADED True" in first.stdout, first.stdout + first.stderr
    assert "SPACY_LOADED False" in second.stdout, second.stdout + second.stderr
    assert "0 texts extracted this run" in second.stdout + second.stderr


def test_cli_extract_writes_skills_and_traceable_mentions(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    text = "Requirements:\n- Python and R.\n- EKS"
    nested = "[" * 100_000 + "]" * 100_000
    # The first line opens with a byte-order mark, as a Windows export's does.
    lines = ["\ufeff" + json.dumps({"id": "x", "text": text}), "not json", nested]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app,
        [
            "extract",
            "--input",
            str(source),
            "--output",
            str(out),
            "--taxonomy",
            str(small_taxonomy_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "in.jsonl:2: rejected" in result.output
    assert "in.jsonl:3: rejected: broken JSON: nested too deeply" in result.output
    assert "; 2 rejected" in result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["x"]
    assert lines[0]["skills"] == ["aws", "eks", "kubernetes", "python", "r"]
    for mention in lines[0]["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert mention["section"] == "requirements"


@pytest.mark.parametrize("command", ["report", "export"])
def test_cli_read_commands_name_an_unreadable_warehouse_in_one_line(
    tmp_path: Path, command: str
) -> None:
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(b"this is not a DuckDB file" * 100)
    target = (
        ["--out", str(tmp_path / "reports")]
        if command == "report"
        else [
            "--parquet",
            str(tmp_path / "parquet"),
        ]
    )
    result = runner.invoke(app, [command, "--db", str(db), *target])
    assert result.exit_code == 2
    assert f"{command} failed: {db} could not be read" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["report", "export"])
def test_cli_read_commands_name_a_missing_warehouse_in_one_line(
    tmp_path: Path, command: str
) -> None:
    db = tmp_path / "absent.duckdb"
    target = (
        ["--out", str(tmp_path / "r")]
        if command == "report"
        else ["--parquet", str(tmp_path / "p")]
    )
    result = runner.invoke(app, [command, "--db", str(db), *target])
    assert result.exit_code == 2
    assert f"no warehouse at {db}" in result.output
    assert not db.exists()


def test_spawned_workers_of_the_skillpulse_script_do_not_import_the_command_line(
    tmp_path: Path,
) -> None:
    # A spawned worker first re-imports what its parent ran as __main__: the generated
    # `skillpulse` script, whose only import is the [project.scripts] entry. That entry must
    # not pull in skillpulse.cli (typer, rich), which no worker uses.
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    module, function = pyproject["project"]["scripts"]["skillpulse"].split(":")
    script = tmp_path / "skillpulse_script.py"
    script.write_text(
        f"from {module} import {function}\n"
        "import sys\n"
        "\n"
        "def imported():\n"
        "    import sys\n"
        "    return sorted({'typer', 'rich', 'skillpulse.cli'} & set(sys.modules))\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    from extractors.workers import started_executor, stop_now\n"
        "    executor = started_executor(1)\n"
        "    print('WORKER', executor.submit(imported).result(timeout=120))\n"
        "    print('PARENT', imported())\n"
        "    stop_now(executor)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parents[1],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert done.returncode == 0, done.stderr
    assert "WORKER []" in done.stdout, done.stdout
    assert "PARENT []" in done.stdout, done.stdout


def test_python_dash_m_skillpulse_runs_the_command_line_and_keeps_its_exit_code(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "missing.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "skillpulse", "ingest", "--input", str(missing)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parents[1],
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"no such input file: {missing}" in done.stderr.replace("\n", "")
