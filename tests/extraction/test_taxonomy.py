"""The taxonomy and rules files: valid, complete for the core ids, versioned with their rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors.skills import check_taxonomy
from extractors.skills.evaluation import CORE_IDS
from extractors.skills.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy


def test_bundled_taxonomy_passes_the_checker() -> None:
    assert check_taxonomy.validate(DEFAULT_TAXONOMY_PATH) == []


def test_every_core_id_is_present_with_over_300_skills() -> None:
    taxonomy = load_taxonomy()
    assert set(CORE_IDS) <= set(taxonomy.skills)
    assert len(taxonomy.skills) >= 300
    assert taxonomy.rules, "the bundled taxonomy names its rules file"


@pytest.mark.parametrize(
    ("child", "parents"),
    [
        ("pyspark", {"spark"}),
        ("langchain", {"llm"}),
        ("llamaindex", {"llm"}),
        ("rag", {"llm"}),
        ("eks", {"kubernetes", "aws"}),
        ("ml-infrastructure", {"mlops", "machine-learning"}),
    ],
)
def test_children_imply_parents(child: str, parents: set[str]) -> None:
    assert parents <= load_taxonomy().ancestors(child)


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    taxonomy = tmp_path / "taxonomy.toml"
    rules = tmp_path / "rules.toml"
    shutil.copy(DEFAULT_TAXONOMY_PATH, taxonomy)
    shutil.copy(DEFAULT_TAXONOMY_PATH.with_name("rules.toml"), rules)
    return taxonomy, rules


def test_a_rules_edit_is_a_new_taxonomy_version(tmp_path: Path) -> None:
    taxonomy, rules = _copy(tmp_path)
    before = load_taxonomy(taxonomy).version
    assert before == load_taxonomy().version
    rules.write_text(rules.read_text() + "\n# tightened\n")
    assert load_taxonomy(taxonomy).version != before


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        ('[[rule]]\nskill = "no-such-skill"\n', "unknown skill"),
        ('[[rule]]\nskill = "go"\ngate = "sometimes"\n', "gate"),
        ('[[rule]]\nskill = "go"\ncorroborate_skills = ["nope"]\n', "nope"),
    ],
)
def test_bad_rules_are_rejected(tmp_path: Path, addition: str, message: str) -> None:
    taxonomy, rules = _copy(tmp_path)
    rules.write_text(rules.read_text() + "\n" + addition)
    with pytest.raises(ValueError, match=message):
        load_taxonomy(taxonomy)
    assert check_taxonomy.validate(taxonomy)


def test_missing_rules_file_is_an_error(tmp_path: Path) -> None:
    taxonomy, rules = _copy(tmp_path)
    rules.unlink()
    with pytest.raises(ValueError, match="rules file"):
        load_taxonomy(taxonomy)
