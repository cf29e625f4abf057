"""Pipeline glue: the build guard, and which source failures are worth a retry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.http import FetchError, HttpStatusError, ResponseTooLarge, RobotsDisallowed
from extractors.skills.taxonomy import load_taxonomy
from extractors.sources.base import SourceError
from skillpulse import pipeline
from skillpulse.cli import app
from warehouse.paths import WarehousePaths

FIXTURE = Path(__file__).parent / "fixtures" / "postings" / "small.jsonl"


def test_build_refuses_when_texts_lack_this_taxonomys_extraction(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    db = tmp_path / "warehouse.duckdb"
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            "--input",
            str(FIXTURE),
            "--db",
            str(db),
            "--taxonomy",
            str(small_taxonomy_path),
        ],
    )
    assert result.exit_code == 0, result.output
    published = db.read_bytes()

    edited = tmp_path / "edited.toml"
    edited.write_text(small_taxonomy_path.read_text() + "\n# an edit changes the version\n")
    taxonomy = load_taxonomy(edited)
    with pytest.raises(
        pipeline.StaleExtractions, match=r"3 stored posting texts have no extraction"
    ):
        pipeline.build(WarehousePaths.for_db(db), "guard-test", taxonomy)
    assert db.read_bytes() == published


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (HttpStatusError("HTTP 503 from u", 503), True),
        (HttpStatusError("HTTP 429 from u", 429), True),
        (HttpStatusError("HTTP 404 from u", 404), False),
        (FetchError("timed out after 1s: u"), True),
        (RobotsDisallowed("robots.txt disallows u"), False),
        (ResponseTooLarge("u is over the cap"), False),
        (SourceError("u did not return JSON"), False),
    ],
)
def test_is_transient_retries_only_failures_that_may_pass(
    error: Exception, transient: bool
) -> None:
    assert pipeline.is_transient(error) is transient


def test_fail_run_closes_the_run_log_row_as_failed_with_the_error(
    tmp_path: Path, small_taxonomy
) -> None:
    from warehouse import raw_store

    con = raw_store.open_raw(tmp_path / "w.raw.duckdb")
    try:
        started = pipeline.start_run(con, "run-1", "nightly", small_taxonomy)
        pipeline.fail_run(con, "run-1", "nightly", started, small_taxonomy, OSError("disk full"))
        rows = con.execute(
            "select run_id, status, message, finished_at is not null from raw_runs"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("run-1", "failed", "OSError: disk full", True)]


# Every ingest used to import pandas (1.1-1.7 s) through the landing frames and the seeds; a
# re-run on unchanged input is mostly start-up, so a stray import is a third of it. pyarrow
# (~0.04 s) and numpy (~0.08 s) are for the duplicates step, which such a re-run never runs;
# requests (~0.1 s) is for collecting, which an ingest of a file never does (spaCy imports it
# too, in whichever process extracts: here, for a first run this small, the ingest's own).
_INGEST_REPORTING_IMPORTS = """
import sys
from skillpulse.cli import main

sys.argv = ["skillpulse", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert not exit.code, f"ingest exited with {exit.code}"
print("imported:", sorted({"numpy", "pandas", "pyarrow", "requests"} & set(sys.modules)))
"""


def test_an_ingest_never_imports_pandas_and_its_rerun_not_numpy_pyarrow_or_requests(
    tmp_path: Path, small_taxonomy_path: Path
) -> None:
    db = tmp_path / "warehouse.duckdb"
    arguments = ["ingest", "--input", str(FIXTURE), "--db", str(db)]
    arguments += ["--taxonomy", str(small_taxonomy_path)]
    imported = {}
    for run in ("first", "re-run"):
        done = subprocess.run(
            [sys.executable, "-c", _INGEST_REPORTING_IMPORTS, *arguments],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{run}: {done.stdout}\n{done.stderr}"
        imported[run] = done.stdout.splitlines()[-1]
    # The first run's duplicates step reads its copies through Arrow.
    first = "imported: ['numpy', 'pyarrow', 'requests']"
    assert imported == {"first": first, "re-run": "imported: []"}
