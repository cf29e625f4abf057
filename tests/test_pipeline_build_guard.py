"""Building refuses to publish a warehouse whose taxonomy has no extractions yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.skills.taxonomy import load_taxonomy
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
