"""The public interface others rely on: extract, extract_many, extract_parallel, invariants."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.skills.matcher import Extraction, from_plain, to_plain

TEXTS = [
    ("a", "Python, R and Go on AWS."),
    ("b", "Send your CV; we use Spark and Kafka."),
    ("c", ""),
    ("d", "Machine learning (ML) with PyTorch; regression testing by QA."),
] * 5


def test_extract_many_keeps_input_order(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    results = list(skill_extractor.extract_many(iter(TEXTS), batch_size=3))
    assert [r.doc_id for r in results] == [doc_id for doc_id, _ in TEXTS]
    assert results[0] == skill_extractor.extract(TEXTS[0][1], "a")


def test_extract_parallel_matches_extract_many(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    serial = list(skill_extractor.extract_many(TEXTS))
    parallel = list(skill_extractor.extract_parallel(TEXTS, processes=2, chunk_size=3))
    assert parallel == serial


def test_plain_tuples_round_trip(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    result = skill_extractor.extract("Python and SQL", "x")
    assert isinstance(result, Extraction)
    assert from_plain(to_plain(result)) == result


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Python",
                "R.",
                "Go",
                "go-to",
                "C/C++",
                "R&D",
                " ",
                "\n",
                "ML/CV",
                "Spark",
                "é",
                "https://x.io/go",
                "regression",
                "testing",
                ",",
                "\u200b",
                "open source",
                "our",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_mention_text_always_matches_offsets(skill_extractor, text: str) -> None:  # type: ignore[no-untyped-def]
    mentions = skill_extractor.extract(text).mentions
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    # raw_mentions has no key: one row per text x start x skill rests on mentions never
    # overlapping, in start order.
    for before, after in pairwise(mentions):
        assert before.end <= after.start
