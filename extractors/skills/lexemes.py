"""Exact shortcuts for two of spaCy's English lexeme attribute getters, LIKE_NUM and LIKE_URL.

spaCy runs each attribute getter once per word it meets for the first time; a cold pass over
the real corpus meets ~75k. There LIKE_NUM took 0.08 s and LIKE_URL 0.04 s, more than the other
five attributes the extractor reads together (rules.toml tests both; discovery reads LIKE_NUM).
Most words are letters only, or hold no dot, where each getter's answer needs one lookup:

* like_num: for a word of letters only, spaCy's tests for digits, fractions and "21st" cannot
  hold (no character is both a letter and a digit, and none lower-cases into a digit:
  tests/extraction/test_lexemes.py checks every code point), so only its number-word and
  ordinal lookups remain.
* like_url: with no dot in the word, spaCy's answer is whether it starts with "http://" or
  "https://"; every other branch needs a dot.

Every other word goes to spaCy's own getter, so the answers are spaCy's for every string.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from spacy.lang import lex_attrs as common
from spacy.lang.en import lex_attrs as english

# spaCy's own English word lists (private names: importing this fails if they move, and
# test_lexemes compares every answer with spaCy's getters).
_NUMBER_WORDS = frozenset(english._num_words) | frozenset(english._ordinal_words)


def like_num(text: str) -> bool:
    """spacy.lang.en.lex_attrs.like_num, answered by one lookup for a word of letters only."""
    if text.isalpha():
        return text.lower() in _NUMBER_WORDS
    return english.like_num(text)


def like_url(text: str) -> bool:
    """spacy.lang.lex_attrs.like_url, answered without its tests for a word with no dot."""
    if text and "." not in text:
        return text.startswith(("http://", "https://"))
    return common.like_url(text)


_SHORTCUTS: dict[Callable[[str], object], Callable[[str], object]] = {
    english.like_num: like_num,
    common.like_url: like_url,
}


def with_shortcuts(
    getters: Mapping[int, Callable[[str], object]],
) -> dict[int, Callable[[str], object]]:
    """`getters` (a Vocab's lex_attr_getters) with spaCy's like_num and like_url swapped for
    the shortcuts above; every other getter is kept."""
    return {attr: _SHORTCUTS.get(getter, getter) for attr, getter in getters.items()}
