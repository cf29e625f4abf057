"""The tokenizer's suffix and infix shortcuts (extractors/skills/affixes.py) answer exactly as
the plain patterns do, and are used only for patterns they can prove it for."""

from __future__ import annotations

import inspect
import pickle
import re

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.util import compile_infix_regex, compile_suffix_regex

from extractors.skills.affixes import (
    LettersWhole,
    _last_characters,
    infix_finditer,
    letters_stay_whole,
    suffix_search,
)
from extractors.skills.matcher import (
    _BULLET_PREFIXES,
    _INFIXES,
    _INVISIBLE,
    build_pipeline,
    lexeme_attributes,
)
from extractors.skills.taxonomy import load_taxonomy
from tests.extraction.counting import Counting

# The very entries build_pipeline gives the tokenizer.
DEFAULTS = spacy.blank("en").Defaults
PREFIXES = [*DEFAULTS.prefixes, *_INVISIBLE, *_BULLET_PREFIXES]
SUFFIXES = [*DEFAULTS.suffixes, *_INVISIBLE]
INFIXES = [*DEFAULTS.infixes, *_INVISIBLE, *_INFIXES]
PLAIN_SUFFIX = compile_suffix_regex(SUFFIXES).search
PLAIN_INFIX = compile_infix_regex(INFIXES).finditer
FAST_SUFFIX = suffix_search(SUFFIXES)
FAST_INFIX = infix_finditer(INFIXES)
# build_pipeline's tokenizer, and the same with spaCy's plain patterns for the same entries;
# spaCy's special cases left in its table, as they would be split by the patterns swapped here
# (tests/extraction/test_specials.py compares moving them with leaving them).
FAST_PIPELINE = build_pipeline(move_specials=False)
PLAIN_PIPELINE = build_pipeline(move_specials=False)
PLAIN_PIPELINE.tokenizer.suffix_search = PLAIN_SUFFIX
PLAIN_PIPELINE.tokenizer.infix_finditer = PLAIN_INFIX
PLAIN_PIPELINE.tokenizer.token_match = None

# Characters the affix patterns care about, and letters and digits around them.
ALPHABET = "aZ9k0sS.,;:!?'’\"()[]+-–#/%$€²°…\n\u200b™é"


def spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


def is_plain(search: object) -> bool:
    """A compiled pattern's own bound method, not a shortcut around it."""
    return inspect.isbuiltin(search) and isinstance(getattr(search, "__self__", None), re.Pattern)


def test_both_shortcuts_are_in_use_for_the_pipelines_patterns() -> None:
    assert is_plain(PLAIN_SUFFIX) and is_plain(PLAIN_INFIX)
    assert not is_plain(FAST_SUFFIX) and not is_plain(FAST_INFIX)
    assert not is_plain(FAST_PIPELINE.tokenizer.suffix_search)
    assert not is_plain(FAST_PIPELINE.tokenizer.infix_finditer)
    assert isinstance(FAST_PIPELINE.tokenizer.token_match, LettersWhole)
    # With the special cases moved, the suffix search asks the shortcut for everything else.
    moved = build_pipeline(lexeme_attributes(load_taxonomy())).tokenizer.suffix_search
    assert moved.inner.__class__ is FAST_SUFFIX.__class__


@pytest.mark.parametrize(
    ("chunk", "suffix"),
    [
        ("Python,", ","),
        ("10km", "km"),
        ("1000mbar", "mbar"),  # the widest bounded suffixes, in chunks longer than they reach
        ("120km/h", "km/h"),
        ("Alexandria 3km²", "km²"),
        ("5GB", "GB"),
        ("Apple's", "'s"),
        ("wow" + "." * 40, "." * 40),  # the unbounded alternative, longer than any bound
        ("x" * 30 + "..", ".."),
        ("word", None),
        ("C++", None),
        ("abc)\n", ")"),  # `$` before a final newline
        ("a cup, 2اكواب\n", "اكواب"),  # the widest bounded suffix (5 characters), before one
        ("°C.", "."),
        ("20°", "°"),
        ("e", None),
        ("", None),
    ],
)
def test_suffix_search_finds_what_the_plain_pattern_finds(chunk: str, suffix: str | None) -> None:
    plain = PLAIN_SUFFIX(chunk)
    fast = FAST_SUFFIX(chunk)
    assert (plain.group() if plain else None) == suffix
    assert (fast.span() if fast else None) == (plain.span() if plain else None)


@pytest.mark.parametrize(
    ("chunk", "infixes"),
    [
        ("Python", []),
        ("HTML5", []),
        ("e-mail", ["-"]),
        ("HTML+CSS", ["+"]),
        ("C#/Java", ["#", "/"]),
        ("10-20", ["-"]),
        ("a..b", [".."]),
        ("naïve-ish", ["-"]),
        ("abc\u200bdef", ["\u200b"]),
    ],
)
def test_infix_finditer_finds_what_the_plain_pattern_finds(chunk: str, infixes: list[str]) -> None:
    assert [m.group() for m in PLAIN_INFIX(chunk)] == infixes
    assert spans(FAST_INFIX(chunk)) == spans(PLAIN_INFIX(chunk))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_both_shortcuts_agree_with_the_plain_patterns_on_any_string(chunk: str) -> None:
    plain = PLAIN_SUFFIX(chunk)
    fast = FAST_SUFFIX(chunk)
    assert (fast.span() if fast else None) == (plain.span() if plain else None)
    assert spans(FAST_INFIX(chunk)) == spans(PLAIN_INFIX(chunk))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *("Python", "10km", "e-mail", "C#/Java", "HTML+CSS", "..", "...", ",", "'s"),
                *("(", ")", " ", "\n", "™", "x", "\u200b", "R.", "3.5GB", "naïve", "-"),
                *("dont", "Im", "Id", "gonna", "US", "$", "km", "10", "ABC"),
                "https://a.io/x",
            ]
        ),
        max_size=30,
    )
)
def test_the_pipeline_tokenizes_as_with_the_plain_patterns(pieces: list[str]) -> None:
    text = "".join(pieces)
    tokens = [(t.idx, t.text) for t in FAST_PIPELINE.make_doc(text)]
    assert tokens == [(t.idx, t.text) for t in PLAIN_PIPELINE.make_doc(text)]


@pytest.mark.parametrize(
    "piece",
    [
        r"(?<=[a-z])x(?=[a-z])",  # consumes a letter
        r"[0-9]",  # a digit
        r"\w",  # a category: not read, so it may
        r"[^-]",  # a negated set may hold anything
        r"(?i:\u212a)",  # the Kelvin sign matches "k" without case
        r"(?=-)",  # consumes nothing: an empty match could fall anywhere
        r".",
    ],
)
def test_infix_shortcut_is_refused_for_a_pattern_that_could_match_inside_a_word(
    piece: str,
) -> None:
    finditer = infix_finditer([*INFIXES, piece])
    assert is_plain(finditer)
    assert finditer.__self__.pattern == compile_infix_regex([*INFIXES, piece]).pattern  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("piece", "endings"),
    [
        ("km", ((ord("m"), ord("m")),)),
        (r"(?<=[0-9])(?:km|mm)", ((ord("m"), ord("m")), (ord("m"), ord("m")))),
        ("[a-c]", ((ord("a"), ord("c")),)),
        ("ab?", ((ord("b"), ord("b")), (ord("a"), ord("a")))),  # "b" may be left out
        (r"\)(?=x)", ((ord(")"), ord(")")),)),  # a lookahead consumes nothing
        ("x*", None),  # may match nothing: then any character ends the match
        (r"\w", None),  # a category: not read
        ("[^a]", None),  # a negated set
        ("(?i:k)", None),  # "K" and the Kelvin sign too
        (r"(a)\1", None),  # a back reference
    ],
)
def test_last_characters_are_read_off_the_pattern_or_left_unknown(
    piece: str, endings: tuple[tuple[int, int], ...] | None
) -> None:
    assert _last_characters(piece) == endings


def test_suffix_search_runs_only_the_alternatives_that_can_end_with_the_last_character() -> None:
    entries = [r"(?<=[0-9])(?:km|m)", "'s", r"\)", r"\.\.+"]
    search = suffix_search(entries)
    plain = compile_suffix_regex(entries).search
    every_alternative: list[str] = []
    whole = search._search  # type: ignore[attr-defined]

    def counted(string: str, *pos: int) -> re.Match[str] | None:
        every_alternative.append(string)
        return whole(string, *pos)

    search._search = counted  # type: ignore[attr-defined]
    # Only "(?<=[0-9])(?:km|m)" ends in "m", only "'s" in "s", only "\\)" in ")"; none in "n" or
    # "e", so "Python" and "code" are answered without a search.
    for chunk in ["Python", "10km", "python", "code", "Apple's", "C++)"]:
        found = search(chunk)
        assert (found.span() if found else None) == (m.span() if (m := plain(chunk)) else None)
    assert every_alternative == []
    # A final newline, and the unbounded "..+", still search every alternative.
    for chunk in ["abc)\n", "wow..."]:
        found = search(chunk)
        assert (found.span() if found else None) == (m.span() if (m := plain(chunk)) else None)
    assert every_alternative == ["abc)\n", "wow..."]


def test_suffix_search_agrees_with_the_plain_pattern_for_every_last_character() -> None:
    # One shortcut for all of them: past its first few thousand last characters it stops
    # remembering and searches as without the dispatch.
    search = suffix_search(SUFFIXES)
    for code in [*range(0x3400), *range(0xFF00, 0x10000), 0x1F600, 0x10FFFF]:
        if 0xD800 <= code <= 0xDFFF:
            continue
        character = chr(code)
        for chunk in (character, "x9" + character, "20°" + character, "beyond reach" + character):
            fast, plain = search(chunk), PLAIN_SUFFIX(chunk)
            assert (fast.span() if fast else None) == (plain.span() if plain else None), chunk


def test_suffix_search_with_only_unbounded_alternatives_still_answers_exactly() -> None:
    search = suffix_search([r"\.\.+", r"!+"])
    plain = re.compile(r"\.\.+$|!+$").search
    for chunk in ["a...", "b!!!", "x" * 20 + "!" * 30, "plain", ""]:
        fast = search(chunk)
        assert (fast.span() if fast else None) == (m.span() if (m := plain(chunk)) else None)


def test_suffix_shortcut_is_refused_for_an_alternative_not_anchored_at_the_end() -> None:
    # "a|bc" + "$" leaves "a" free to match anywhere, which no reach from the end can cover.
    search = suffix_search(["a|bc", "!"])
    assert is_plain(search)
    found = search("xxaxxxxx")
    assert found is not None and found.span() == (2, 3)


@pytest.mark.parametrize(
    ("entries", "chunk"),
    [
        (["(a)x", r"(b)\1"], "zbb"),  # in a pattern without "(a)x", "\1" would name "(b)"
        (["(a)x", r"(b)?(?(1)c|d)"], "bc"),
        ([" "], "abc"),  # only blank entries: the plain pattern matches the empty string
    ],
)
def test_suffix_search_answers_as_the_plain_pattern_with_groups_or_blank_entries(
    entries: list[str], chunk: str
) -> None:
    fast, plain = suffix_search(entries)(chunk), compile_suffix_regex(entries).search(chunk)
    assert (fast.span() if fast else None) == (plain.span() if plain else None)


@pytest.mark.parametrize(
    ("entries", "chunk"),
    [
        (["(?i)x", "y"], "aY"),  # the first entry's flags apply to every alternative
        (["(?m)x", "y"], "x\nzzz"),  # `$` before any newline: a match far from the end
        (["(?x)a", "b c"], "zbc"),  # "b c" reads "bc"
        (["(?s)x", ".a"], "b\na"),
    ],
)
def test_shortcuts_are_refused_for_entries_with_global_flags(
    entries: list[str], chunk: str
) -> None:
    search, finditer = suffix_search(entries), infix_finditer(entries)
    assert is_plain(search) and is_plain(finditer)
    assert search(chunk) is not None


def test_the_tokenizer_still_saves_and_pickles_with_the_shortcuts() -> None:
    text = "Python, C#/Java; 10km wow.... e-mail"
    tokens = [t.text for t in FAST_PIPELINE.make_doc(text)]
    # to_bytes saves the plain patterns; a tokenizer loaded from them answers the same.
    loaded = spacy.blank("en").tokenizer.from_bytes(FAST_PIPELINE.tokenizer.to_bytes())
    assert [t.text for t in loaded(text)] == tokens
    assert is_plain(loaded.suffix_search) and is_plain(loaded.infix_finditer)
    assert loaded.token_match is not None and loaded.token_match("Python") is None
    unpickled = pickle.loads(pickle.dumps(FAST_PIPELINE.tokenizer))
    assert [t.text for t in unpickled(text)] == tokens
    assert not is_plain(unpickled.suffix_search) and not is_plain(unpickled.infix_finditer)


@pytest.mark.parametrize(
    ("chunk", "tokens"),
    [
        ("-MySQL,", ["-", "MySQL", ","]),
        ("--Fast", ["--", "Fast"]),
        ("•Github", ["•", "Github"]),
        ("‣Java", ["‣", "Java"]),
        ("⁃Go", ["⁃", "Go"]),
        ("∙AWS", ["∙", "AWS"]),
        # A hyphen before anything but a letter is not a bullet; inside a word it never was.
        ("-5", ["-5"]),
        ("--", ["--"]),
        ("post-processing", ["post", "-", "processing"]),
    ],
)
def test_a_bullet_glued_to_its_item_splits_off(chunk: str, tokens: list[str]) -> None:
    assert [t.text for t in FAST_PIPELINE.make_doc(chunk)] == tokens


def test_a_new_chunk_of_letters_only_is_kept_whole_without_the_affix_searches() -> None:
    nlp = build_pipeline(lexeme_attributes(load_taxonomy()))
    tokenizer = nlp.tokenizer
    searches = {}
    for name in ("prefix_search", "suffix_search", "infix_finditer", "url_match"):
        searches[name] = Counting(getattr(tokenizer, name))
        setattr(tokenizer, name, searches[name])
    for counting in searches.values():
        counting.asked.clear()  # setting a search re-reads the special cases with it
    assert [t.text for t in tokenizer("Python engineers wanted")] == [
        "Python",
        "engineers",
        "wanted",
    ]
    assert all(not counting.asked for counting in searches.values())
    # A word with anything but ASCII letters is searched as before, and so is a special case
    # the suffix search splits ("dont" -> "do" "nt", moved out of spaCy's table).
    assert [t.text for t in tokenizer("naïve (Spark) dont")] == [
        *("naïve", "(", "Spark", ")", "do", "nt"),
    ]
    assert searches["prefix_search"].asked == ["naïve", "(Spark)", "dont"]
    assert searches["infix_finditer"].asked == ["naïve"]


# Special cases of letters only: moved out of the table (split by the suffix search), and left
# in it ("Id" -> "I" "d").
LETTER_CASES = ["dont", "Dont", "Im", "Id", "gonna", "cannot", "Cant", "yall", "Cantve"]
AROUND_THEM = [
    *("Python", "x", "We're", "C++", "e.g.", "10", "km", "US", "$"),
    *("(", ")", " ", "\n", ",", ".", "'", "-", ":", "'s", "…", "\u200b"),
]
WITH_LETTERS_WHOLE = build_pipeline(lexeme_attributes(load_taxonomy())).tokenizer
WITHOUT_LETTERS_WHOLE = build_pipeline(lexeme_attributes(load_taxonomy())).tokenizer
WITHOUT_LETTERS_WHOLE.token_match = WITHOUT_LETTERS_WHOLE.token_match.inner


def test_special_cases_of_letters_only_split_as_before() -> None:
    text = "(dont) Im gonna (Id) cannot, Cantve yall"
    assert [t.text for t in WITH_LETTERS_WHOLE(text)] == [
        *("(", "do", "nt", ")", "I", "m", "gon", "na", "(", "I", "d", ")"),
        *("can", "not", ",", "Ca", "nt", "ve", "y", "all"),
    ]


EVERY_SPECIAL_CASE = sorted(build_pipeline(move_specials=False).tokenizer.rules)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*LETTER_CASES, *AROUND_THEM]), st.sampled_from(EVERY_SPECIAL_CASE)
        ),
        max_size=20,
    ).map("".join)
)
def test_the_same_tokens_with_and_without_letters_kept_whole(text: str) -> None:
    assert isinstance(WITH_LETTERS_WHOLE.token_match, LettersWhole)
    assert [(t.idx, t.text) for t in WITH_LETTERS_WHOLE(text)] == [
        (t.idx, t.text) for t in WITHOUT_LETTERS_WHOLE(text)
    ]


@pytest.mark.parametrize(
    ("prefix", "suffix", "infix"),
    [
        ("US\\$", None, None),  # letters, then a character that is none
        (r"(?=[0-9])", None, None),  # matches only empty: splits nothing off
        (None, r"(?<=[0-9])(?:km|m)", None),  # letters, after a digit a lookbehind asks for
        (None, r"'s", None),
        (None, r"(?:x|y)+\.", None),
        (None, None, r"(?<=[a-z])-(?=[a-z])"),
    ],
)
def test_letters_stay_whole_with_entries_that_need_another_character(
    prefix: str | None, suffix: str | None, infix: str | None
) -> None:
    assert letters_stay_whole(
        [*PREFIXES, *([prefix] if prefix else [])],
        [*SUFFIXES, *([suffix] if suffix else [])],
        [*INFIXES, *([infix] if infix else [])],
    )


@pytest.mark.parametrize(
    ("prefix", "suffix", "infix"),
    [
        ("[A-Z]{2}", None, None),  # "ABc": "AB" comes off
        ("a?", None, None),  # may match "a"
        (r"(?i:\u212a)", None, None),  # the Kelvin sign matches "k" without case
        (r"\w", None, None),  # a category: not read, so it may
        ("[^-.]", None, None),  # a negated set may hold anything
        ("[^-]", None, None),  # so may any character but one
        (r"(?:\$|x)", None, None),  # one branch of letters is enough
        (r"(x)?(?(1)y|\$)", None, None),  # a conditional group: not read
        (None, "ing", None),
        (None, r"(?<=[a-z])s", None),  # a lookbehind that letters satisfy
        (None, r"(?<![0-9])km", None),  # a negative lookaround is not relied on
        (None, None, r"(?<=[a-z])(?=[A-Z])"),  # an empty infix splits "camelCase"
        (None, None, "x"),
        (None, "(?i)\\$", None),  # global flags: they apply to every alternative
    ],
)
def test_letters_stay_whole_is_refused_for_entries_that_may_split_letters(
    prefix: str | None, suffix: str | None, infix: str | None
) -> None:
    assert not letters_stay_whole(
        [*([prefix] if prefix else []), *PREFIXES],
        [*([suffix] if suffix else []), *SUFFIXES],
        [*([infix] if infix else []), *INFIXES],
    )


def test_the_refusal_is_warranted_a_prefix_of_letters_splits_a_word() -> None:
    assert letters_stay_whole(PREFIXES, SUFFIXES, INFIXES)
    nlp = spacy.blank("en")
    nlp.tokenizer.prefix_search = re.compile("^[A-Z]{2}").search
    assert [t.text for t in nlp.tokenizer("ABc")] == ["AB", "c"]
    assert not letters_stay_whole(["[A-Z]{2}"], [], [])
