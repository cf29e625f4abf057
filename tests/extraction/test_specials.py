"""spaCy's special cases moved out of its table (extractors/skills/specials.py): the same tokens
as with the table, and chunks after a special case are cached again."""

from __future__ import annotations

import pickle
import re

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokenizer import Tokenizer

from extractors.skills.matcher import build_pipeline, lexeme_attributes
from extractors.skills.specials import _may_overlap, move_special_cases
from extractors.skills.taxonomy import load_taxonomy
from tests.extraction.counting import Counting

# The attributes the extractor reads, as SkillExtractor builds its pipeline.
ATTRIBUTES = lexeme_attributes(load_taxonomy())
MOVED = build_pipeline(ATTRIBUTES)
TABLE = build_pipeline(ATTRIBUTES, move_specials=False)
# What a posting holds, around spaCy's special cases: moved ones, ones that stay, and the
# characters the affix patterns split on.
PIECES = [
    *("We're", "we’re", "don't", "Can't've", "it's", "It’s", "C++", "o'clock", "10am", "Id"),
    *("Id.", "y'all", "e.g.", "and/or", ":)", "):", "'s", "R.", "c.", "Inc.", "—", " ", "("),
    *(")", ",", ".", "/", "-", "'", '"', ":", "\n", "Python", "x", "9"),
]
EVERY_SPECIAL_CASE = sorted(TABLE.tokenizer.rules)


def tokens(tokenizer: Tokenizer, text: str) -> list[tuple[int, str, str]]:
    return [(t.idx, t.text, t.whitespace_) for t in tokenizer(text)]


def test_the_same_tokens_as_with_the_table_for_literal_text() -> None:
    text = (
        "We're hiring (don't apply), it's C++/Java e.g. R. and/or :) y'all Can't've — "
        'Location (Remote): 10am "we’re" x/and/or Id. Id (:3pm ):3pm [:1am (9am-5pm):3pm'
    )
    assert tokens(MOVED.tokenizer, text) == tokens(TABLE.tokenizer, text)
    assert [t.text for t in MOVED.tokenizer("We're (don't")] == ["We", "'re", "(", "do", "n't"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(PIECES), st.sampled_from(EVERY_SPECIAL_CASE)), max_size=14
    ).map("".join)
)
def test_the_same_tokens_as_with_the_table_for_any_composition(text: str) -> None:
    assert tokens(MOVED.tokenizer, text) == tokens(TABLE.tokenizer, text)


def test_the_same_tokens_for_every_moved_case_between_affixes() -> None:
    # Random compositions rarely put a prefix right before a moved case ("(:3pm", found in
    # review), so every moved case meets every one-character affix on either side, and behind
    # "(" and one (where a case left, "(:", keeps spaCy from merging ":" "3" afterwards).
    moved = move_special_cases(spacy.blank("en").tokenizer)
    assert moved is not None
    affixes = [c for c in "()[]{}<>:;.,!?'\"-_/\\*+#=&%$@^~|`’‘“”—–…" if c.strip()]
    for case in sorted(moved.split_at_end | moved.one_token):
        for text in [t for a in affixes for t in (a + case, case + a, "(" + a + case)]:
            assert tokens(MOVED.tokenizer, text) == tokens(TABLE.tokenizer, text), text


def test_chunks_after_a_special_case_are_split_only_once() -> None:
    text = "We're hiring: zyxwvut, qwertzu."
    counts = {}
    for name, nlp in (
        ("moved", build_pipeline(ATTRIBUTES)),
        ("table", build_pipeline(ATTRIBUTES, move_specials=False)),
    ):
        counting = Counting(nlp.tokenizer.suffix_search)
        nlp.tokenizer.suffix_search = counting  # type: ignore[assignment]
        nlp.tokenizer(text)
        counting.asked.clear()
        nlp.tokenizer(text)  # every chunk met before
        counts[name] = len(counting.asked)
    # "hiring:", "zyxwvut,", "qwertzu." once each; the letters left are kept whole unasked.
    assert counts == {"moved": 0, "table": 3}


def test_what_moves_and_what_stays() -> None:
    moved = move_special_cases(spacy.blank("en").tokenizer)
    assert moved is not None
    assert {"C++", "o'clock"} <= moved.one_token
    assert {"We're", "don't", "Can't've", "it's", "10am"} <= moved.split_at_end
    # Starting with a prefix (":)"), looked for again after tokenizing as other tokens ("e.g.",
    # "and/or"), not tokenised to itself alone ("y'all" -> "y" "'" "all"), or a moved case inside
    # one that stays would change what spaCy looks for ("Id." holds "Id"), or a prefix in front
    # could let a case left answer for the rest ("(:" in "(:3pm").
    assert {":)", "e.g.", "and/or", "y'all", "Id", "Id.", "3pm", "1am"} <= moved.kept
    assert not (moved.one_token | moved.split_at_end) & moved.kept


def test_nothing_moves_where_the_extractor_may_read_norm() -> None:
    # The table's cases set NORM ("'re" reads "are"); moved ones leave the word's own.
    assert set(MOVED.tokenizer.rules) < set(EVERY_SPECIAL_CASE)
    assert MOVED.tokenizer.token_match.inner is not None
    for nlp in (build_pipeline([*ATTRIBUTES, "NORM"]), build_pipeline()):  # every attribute
        assert sorted(nlp.tokenizer.rules) == EVERY_SPECIAL_CASE
        assert nlp.tokenizer.token_match.inner is None


def test_a_tokenizer_with_its_own_token_match_is_left_alone() -> None:
    tokenizer = spacy.blank("en").tokenizer
    tokenizer.token_match = re.compile(r"\d+-\d+").match
    rules = dict(tokenizer.rules)
    assert move_special_cases(tokenizer) is None
    assert tokenizer.rules == rules and [t.text for t in tokenizer("We're")] == ["We", "'re"]


def test_overlap_between_looked_for_token_sequences() -> None:
    assert _may_overlap(["it", "'s"], [["'s", "x"]])  # an end of one starts the other
    assert _may_overlap(["'s"], [["it", "'s", "x"]])  # one holds the other
    assert _may_overlap(["a", "b"], [["x", "a"]])
    assert not _may_overlap(["c", "."], [["e.g", "."]])  # "." is an end of both: never shared
    assert not _may_overlap(["it", "'s"], [["e.g", "."], [":", ")"]])


def test_the_tokenizer_still_pickles_with_the_moved_cases() -> None:
    text = "We're hiring (don't apply), it's C++ y'all"
    unpickled = pickle.loads(pickle.dumps(MOVED.tokenizer))
    assert tokens(unpickled, text) == tokens(MOVED.tokenizer, text)
    assert type(unpickled.token_match).__name__ == "LettersWhole"
    assert type(unpickled.token_match.inner).__name__ == "_SpecialToken"
