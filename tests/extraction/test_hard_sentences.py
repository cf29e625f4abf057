"""The hand-written hard sentences: every ambiguous word, in both senses, on the real pipeline."""

from __future__ import annotations

import pytest

from extractors.skills.evaluation import CORE_IDS, HARD_SET, evaluate, hard_cases, read_jsonl

CASES = hard_cases(HARD_SET)


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_hard_sentence(skill_extractor, case) -> None:  # type: ignore[no-untyped-def]
    found = set(skill_extractor.extract(case.text, case.case_id).skills)
    assert case.expected <= found, f"missed {sorted(case.expected - found)}"
    assert not (case.forbidden & found), f"false {sorted(case.forbidden & found)}"
    # The expected list is complete for the core ids: nothing else from the core may appear.
    assert not ((found & set(CORE_IDS)) - case.expected)


def test_hard_sentences_cover_every_ambiguous_word() -> None:
    rows = list(read_jsonl(HARD_SET))
    topics = {row["topic"] for row in rows}
    words = {
        "r", "go", "java", "cpp", "spark", "regression", "clustering", "trees", "cv", "ml", "tf",
        "pandas", "jax", "llm", "kafka", "scala", "communication", "problem-solving",
        "open-source", "url",
    }  # fmt: skip
    assert words <= topics
    assert len(CASES) >= 100
    # Each word has at least one sentence where it must not count.
    negatives = {row["topic"] for row in rows if row["forbidden"]}
    assert words - {"java"} <= negatives


def test_hard_sentences_score_above_the_bar(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    micro = evaluate(skill_extractor, CASES, "hard").micro
    assert micro.precision >= 0.95
    assert micro.f1 >= 0.95
