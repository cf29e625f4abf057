"""The lexeme getter shortcuts (extractors/skills/lexemes.py) answer exactly as spaCy's own."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import LIKE_NUM, LIKE_URL
from spacy.lang import lex_attrs as common
from spacy.lang.en import lex_attrs as english

from extractors.skills.lexemes import like_num, like_url
from extractors.skills.matcher import build_pipeline, lexeme_attributes
from extractors.skills.taxonomy import load_taxonomy

WORDS = [
    *("one", "Twelve", "hundred", "first", "Twentieth", "ten", "tenth", "once", "eleventh"),
    *("1st", "22nd", "10,000", "3.5", "-5", "±2", "~10", "1/2", "12/24/36", "x/y"),
    *("Python", "naïve", "Ⅻ", "٣", "²", "ⅷ", "ǅ", "İ", "k8s", "100k", "v2", "-", "."),
    *("http://x", "https://a/b", "http:", "www.x", "www.", "example.com", "a@b.com"),
    *(".com", "python.", "localhost:8080", "foo.bar:80/x", "api.io/", "ftp://x.y", "x"),
]


def test_no_letter_is_a_digit_or_lower_cases_into_one() -> None:
    # What like_num's shortcut rests on, for every code point.
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if character.isalpha():
            assert not character.isdigit(), hex(code)
            assert not any(c.isdigit() for c in character.lower()), hex(code)


@pytest.mark.parametrize("word", WORDS)
def test_shortcuts_answer_as_spacy_does(word: str) -> None:
    assert like_num(word) == english.like_num(word)
    assert like_url(word) == common.like_url(word)


def test_words_on_both_sides_of_each_shortcut() -> None:
    assert [like_num(w) for w in ("one", "Tenth", "Python", "10,000", "1/2")] == [
        True,
        True,
        False,
        True,
        True,
    ]
    assert [like_url(w) for w in ("https://a", "python", "example.com", "a@b.com")] == [
        True,
        False,
        True,
        False,
    ]


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="aZé1٣/.,:@-+±~ht ps w", max_size=12),
        st.sampled_from(WORDS).flatmap(
            lambda w: st.tuples(st.just(w), st.text(alphabet=".:/1a", max_size=3)).map("".join)
        ),
    )
)
def test_shortcuts_agree_with_spacy_on_any_word(word: str) -> None:
    assert like_num(word) == english.like_num(word)
    if word:  # spaCy's like_url reads word[0]: it is never asked about an empty word
        assert like_url(word) == common.like_url(word)


def test_the_pipeline_uses_the_shortcuts() -> None:
    getters = build_pipeline(lexeme_attributes(load_taxonomy())).vocab.lex_attr_getters
    assert getters[LIKE_NUM] is like_num
    assert getters[LIKE_URL] is like_url
