"""MentionColumns: a batch's mentions column by column, as workers send them and the store lands them."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from extractors.skills.mentions import MentionColumns


def test_values_are_coded_in_the_order_they_first_come() -> None:
    columns = MentionColumns.of(
        ["h1", "h2", "h3"],
        [
            ("h2", "sql", 4, 7, "SQL", "requirements", "alias"),
            ("h1", "python", 0, 6, "Python", "body", "alias"),
            ("h2", "python", 9, 15, "python", "body", "gated_alias+spark#2"),
        ],
    )
    assert columns.doc_ids == ["h1", "h2", "h3"]
    assert columns.skill_ids == ["sql", "python"]
    assert columns.sections == ["requirements", "body"]
    assert columns.rules == ["alias", "gated_alias+spark#2"]
    assert list(columns.doc) == [1, 0, 1]
    assert list(columns.skill) == [0, 1, 1]
    assert list(columns.section) == [0, 1, 1]
    assert list(columns.rule) == [0, 0, 1]
    assert (list(columns.start), list(columns.end)) == ([4, 0, 9], [7, 6, 15])
    assert len(columns) == 3
    assert columns.rows("v2") == [
        ("h2", "v2", "sql", 4, 7, "SQL", "requirements", "alias"),
        ("h1", "v2", "python", 0, 6, "Python", "body", "alias"),
        ("h2", "v2", "python", 9, 15, "python", "body", "gated_alias+spark#2"),
    ]


def test_a_text_named_twice_is_one_text_and_a_text_without_mentions_is_kept() -> None:
    columns = MentionColumns.of(["h1", "h2", "h1"], [])
    assert columns.doc_ids == ["h1", "h2"]
    assert len(columns) == 0
    assert columns.rows("v1") == []


def test_a_mention_of_a_text_outside_the_batch_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'h9', not one of the batch"):
        MentionColumns.of(["h1"], [("h9", "python", 0, 6, "Python", "body", "alias")])


def test_columns_built_by_hand_must_name_each_text_once_and_agree_in_length() -> None:
    with pytest.raises(ValueError, match="a text is named twice"):
        MentionColumns(doc_ids=["h1", "h1"])
    with pytest.raises(ValueError, match="0 doc values for 1 mentions"):
        MentionColumns(doc_ids=["h1"], surface=["Python"])


def test_columns_made_by_of_keep_their_version_and_values_through_pickling() -> None:
    columns = MentionColumns.of(
        ["h1"],
        [("h1", "c++", 3, 6, "C++", "body", "alias"), ("h1", "go", 8, 10, "Go", "body", "x")],
        taxonomy_version="2026.1+abc",
    )
    again = pickle.loads(pickle.dumps(columns))
    assert again.taxonomy_version == "2026.1+abc"
    assert again.rows("v1") == [
        ("h1", "v1", "c++", 3, 6, "C++", "body", "alias"),
        ("h1", "v1", "go", 8, 10, "Go", "body", "x"),
    ]


def test_a_batch_is_extracted_with_the_taxonomy_file_as_it_is_now(
    small_taxonomy_path: Path, tmp_path: Path
) -> None:
    from skillpulse.extraction import cached_extractor, extract_batch

    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(small_taxonomy_path.read_text(encoding="utf-8"), encoding="utf-8")
    batch = [("h1", "We use Python daily.")]
    first = extract_batch(batch, str(taxonomy))
    assert cached_extractor(str(taxonomy)) is cached_extractor(str(taxonomy))
    assert first.taxonomy_version is not None
    assert first.taxonomy_version.startswith("test.1+")
    assert [row[2] for row in first.rows("x")] == ["python"]
    # Edited while the process lives on (a served flow): the next batch uses the edit.
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8").replace('version = "test.1"', 'version = "test.20"'),
        encoding="utf-8",
    )
    assert extract_batch(batch, str(taxonomy)).taxonomy_version.startswith("test.20+")


def test_an_edit_to_the_rules_file_alone_is_seen_too(tmp_path: Path) -> None:
    from extractors.skills.taxonomy import DEFAULT_TAXONOMY_PATH
    from skillpulse.extraction import extract_batch

    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_bytes(DEFAULT_TAXONOMY_PATH.read_bytes())
    rules = tmp_path / "rules.toml"
    rules.write_bytes(DEFAULT_TAXONOMY_PATH.with_name("rules.toml").read_bytes())
    batch = [("h1", "We use Python daily.")]
    before = extract_batch(batch, str(taxonomy)).taxonomy_version
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = extract_batch(batch, str(taxonomy)).taxonomy_version
    assert before is not None and after is not None
    assert after != before
