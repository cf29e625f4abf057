"""The extraction commands: extract, evaluate, candidates, reextract (on a tiny warehouse)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from extractors.skills import evaluation
from extractors.skills.evaluation import HARD_SET
from extractors.skills.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy
from skillpulse.cli import app

POSTINGS = Path(__file__).parents[1] / "fixtures" / "postings" / "small.jsonl"
runner = CliRunner()


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_extract_output_has_sections_and_rules(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        [{"id": "p1", "text": "Acme | Remote\nRequirements:\n- Go and Python\n- Send your CV"}],
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text())
    assert record["skills"] == ["go", "python"]
    assert {m["section"] for m in record["mentions"]} == {"requirements"}
    assert all(m["rule"] for m in record["mentions"])


def test_evaluate_scores_hard_sentences_without_the_corpus(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A fresh clone without ../shared: nowhere to find the corpus, and none named.
    monkeypatch.setattr(evaluation, "CORPUS_CANDIDATES", (tmp_path / "missing.jsonl",))
    result = runner.invoke(app, ["evaluate"])
    assert result.exit_code == 0, result.output
    cases = sum(1 for line in HARD_SET.read_text(encoding="utf-8").splitlines() if line.strip())
    assert f"hard sentences: {cases} cases, micro P" in result.output
    assert "dev postings skipped" in result.output


def test_candidates_lists_unknown_tools_by_posting_count(tmp_path: Path) -> None:
    rows = [
        {"id": str(i), "text": f"Stack: Python, Dagsterix, Postgres and ClickWidget{i % 2}."}
        for i in range(4)
    ]
    source = _write(tmp_path / "in.jsonl", rows)
    result = runner.invoke(app, ["candidates", "--input", str(source), "--min-postings", "2"])
    assert result.exit_code == 0, result.output
    terms = [
        line.split()[1] for line in result.output.splitlines() if line[:5].strip().endswith(".")
    ]
    assert terms[0] == "Dagsterix"  # named by all four postings, so ranked first
    assert "Python" not in terms and "Postgres" not in terms


def test_candidates_names_bad_lines_and_ranks_the_good_ones(tmp_path: Path) -> None:
    text = "Stack: Python, Dagsterix and Postgres."
    good = [json.dumps({"id": str(i), "text": text}) for i in range(2)]
    huge_number = '{"id": ' + "1" * 5000 + ', "text": "We run Dagsterix."}'
    lines = [good[0], "not json", "[1, 2]", '{"id": "x"}', "[" * 100_000 + "]" * 100_000]
    lines += [huge_number, good[1]]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["candidates", "--input", str(source), "--min-postings", "2"])
    assert result.exit_code == 0, result.output
    lines_out = result.output.splitlines()
    named = [line.split(": rejected: ") for line in lines_out if ": rejected: " in line]
    assert [(where.rsplit(":", 1)[1], reason) for where, reason in named] == [
        ("2", "broken JSON at column 1: Expecting value"),
        ("3", "expected a JSON object, got list"),
        ("4", "missing or non-string 'text'"),
        ("5", "broken JSON: nested too deeply"),
        (
            "6",
            "broken JSON: Exceeds the limit (4300 digits) for integer string conversion: value "
            "has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
        ),
    ]
    assert "5 lines of" in result.output and "2 postings;" in result.output
    assert "Dagsterix" in result.output


def test_reextract_recomputes_with_a_new_taxonomy_version(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    ingest = runner.invoke(app, ["ingest", "--input", str(POSTINGS), "--db", str(db)])
    assert ingest.exit_code in (0, 1), ingest.output
    # A taxonomy edit: a copy of the bundled files with one more alias for NumPy.
    taxonomy = tmp_path / "taxonomy.toml"
    shutil.copy(DEFAULT_TAXONOMY_PATH.with_name("rules.toml"), tmp_path / "rules.toml")
    text = DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8")
    taxonomy.write_text(text.replace('aliases = ["numpy"]', 'aliases = ["numpy", "num-py"]'))
    new_version = load_taxonomy(taxonomy).version
    assert new_version != load_taxonomy().version

    result = runner.invoke(app, ["reextract", "--db", str(db), "--taxonomy", str(taxonomy)])
    assert result.exit_code == 0, result.output
    assert new_version in result.output
    con = duckdb.connect(str(db), read_only=True)
    versions = con.execute("select distinct taxonomy_version from stg_mentions").fetchall()
    con.close()
    assert versions == [(new_version,)]
    raw = duckdb.connect(str(db.with_name("warehouse.raw.duckdb")), read_only=True)
    kept = raw.execute("select count(distinct taxonomy_version) from raw_extractions").fetchone()
    raw.close()
    assert kept == (2,)  # the old version's extractions stay for traceability
