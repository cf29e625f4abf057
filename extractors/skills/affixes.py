"""spaCy's affix searches, with exact shortcuts for the strings where they cannot match.

spaCy's tokenizer remembers how it split each whitespace-delimited chunk, so only chunks it has
not met yet are split afresh, but those are most of the work of a cold pass: real postings
bring ~130k distinct chunks per 17k. Splitting one ran the suffix pattern (eighty-seven
alternatives, each ending in `$`, tried at every position of the chunk) and the infix pattern
(tried at every position too) at ~6 µs each, against ~0.6 µs for the anchored prefix pattern
(measured over the 95k distinct chunks of 10k synthetic postings).

The suffix and infix shortcuts answer exactly as the plain patterns do, for every string,
and the letters shortcut changes no token:

* Suffixes. A match ends at the end of the string (or before a final newline), so an
  alternative matching at most `w` characters starts in the last `w + 1`. Searching from there
  (`pattern.search(string, pos)`: lookbehinds still see the characters before `pos`) finds the
  same leftmost match, unless an alternative with no bound on its length (`\\.\\.+`) matches;
  then the whole string is searched as before.
* Suffixes, by their last character. A match that ends at the end of the string ends with its
  last character, so only the alternatives that can end with that character can match at all
  (a final newline aside, where `$` lets a match end one character early). Which characters
  each alternative can end with is read off its parse tree; for each last character met, a
  pattern of just the alternatives that can end with it (in their order, so the same one wins)
  is compiled once and searched from the reach. Most words end in a letter that no alternative
  ends with ("e", "y": nothing is searched) or only a few do (the units' "km", "'s"), so the
  search tries one to three alternatives at each position instead of eighty-seven.
* Infixes. When every alternative consumes at least one character and, outside its lookarounds,
  never an ASCII letter or digit, no infix lies in a string of only ASCII letters and digits,
  which is most words. That is read off each alternative's parse tree; anything the reading does
  not understand (a category such as `\\w`, a negated set, case-insensitive flags) counts as able
  to consume a letter, and the plain pattern is used.
* Words of letters only. When no prefix or suffix entry can match a run of ASCII letters and
  no infix entry can match inside one, spaCy would split nothing off such a chunk. A
  `token_match` (LettersWhole) says so before spaCy runs any of the searches or its URL match
  (which, with no infix found, keeps the chunk whole either way). A special case of letters
  only ("dont" -> "do" "nt") is answered as before.

The parse trees come from `re._parser`, the standard library's own regex parser (private, but
what `re.compile` runs); where it is missing or fails, the plain patterns are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

try:
    from re import _constants as _sre
    from re import _parser
except ImportError:  # pragma: no cover - Python 3.11+ has both
    _parser = None  # type: ignore[assignment]

SuffixSearch = Callable[[str], "re.Match[str] | None"]
SuffixSearchFrom = Callable[[str, int], "re.Match[str] | None"]
_Ranges = tuple[tuple[int, int], ...]  # code point ranges, both ends included
InfixFinditer = Callable[[str], Iterable["re.Match[str]"]]

_UNBOUNDED = 1 << 16  # a width at least this large means "no bound" (the parser caps it)
# _SuffixShortcut's ways of searching a string, by its last character.
_FROM_REACH, _NO_MATCH, _WHOLE = 0, 1, 2
# Last characters remembered; strings ending in any other are searched with every alternative
# (_whole): a text of every code point would otherwise keep a million entries, or work out
# each one's alternatives again and again.
_MAX_ENDINGS = 4096
_MAX_SUBSETS = 256  # patterns of a few alternatives compiled
_ASCII_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_ALNUM = _ASCII_LETTERS | frozenset(b"0123456789")
_NEVER = re.compile(r"(?!)")  # what a tokenizer saves as a token_match that only ever defers


class _Shortcut:
    """A search that answers as `pattern`'s own method would. Callable objects rather than
    closures, so a tokenizer holding them still pickles, and Tokenizer.to_bytes, which saves
    `search.__self__.pattern`, saves the plain pattern (a tokenizer loaded from it answers the
    same, without the shortcut)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.__self__ = pattern


class _SuffixShortcut(_Shortcut):
    def __init__(
        self,
        pattern: re.Pattern[str],
        pieces: Sequence[str],
        reach: int,
        loose: re.Pattern[str] | None,
        endings: Sequence[_Ranges | None],
        unbounded: Sequence[bool],
    ) -> None:
        super().__init__(pattern)
        self._search = pattern.search
        self._reach = reach
        self._loose = None if loose is None else loose.search
        self._pieces = tuple(pieces)
        self._endings = tuple(endings)  # per alternative: the characters it can end with
        self._unbounded = tuple(unbounded)
        # What to search a string ending in a given character with: (mode, search).
        self._by_last: dict[str, tuple[int, SuffixSearchFrom | None]] = {}
        self._subsets: dict[tuple[int, ...], SuffixSearchFrom] = {}

    def __call__(self, string: str) -> re.Match[str] | None:
        if string:
            last = string[-1]
            entry = self._by_last.get(last)
            if entry is None:
                if len(self._by_last) >= _MAX_ENDINGS:
                    return self._whole(string)
                entry = self._by_last[last] = self._by_last_character(last)
            mode, search = entry
            if mode == _FROM_REACH:
                start = len(string) - self._reach
                return search(string, start if start > 0 else 0)  # type: ignore[misc]
            if mode == _NO_MATCH:
                return None
        return self._whole(string)

    def _whole(self, string: str) -> re.Match[str] | None:
        """Every alternative: from the reach, or over the whole string when an unbounded
        alternative matches."""
        start = len(string) - self._reach
        if start <= 0 or (self._loose is not None and self._loose(string)):
            return self._search(string)
        return self._search(string, start)

    def _by_last_character(self, last: str) -> tuple[int, SuffixSearchFrom | None]:
        """How to search a string ending in `last`: with the alternatives whose last character
        can be `last`, or (a final newline, an unbounded alternative) as _whole does."""
        code = ord(last)
        able = tuple(
            i
            for i, ranges in enumerate(self._endings)
            if ranges is None or any(low <= code <= high for low, high in ranges)
        )
        if last == "\n" or any(self._unbounded[i] for i in able):
            entry: tuple[int, SuffixSearchFrom | None] = (_WHOLE, None)
        elif not able:
            entry = (_NO_MATCH, None)
        elif len(able) == len(self._pieces):
            entry = (_FROM_REACH, self._search)
        elif (search := self._subsets.get(able)) is not None:
            entry = (_FROM_REACH, search)
        elif len(self._subsets) < _MAX_SUBSETS:
            search = re.compile("|".join(self._pieces[i] + "$" for i in able)).search
            self._subsets[able] = search
            entry = (_FROM_REACH, search)
        else:
            # Too many subsets compiled: every alternative, still from the reach, since no
            # unbounded alternative can end with `last`.
            entry = (_FROM_REACH, self._search)
        return entry


class _InfixShortcut(_Shortcut):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(pattern)
        self._finditer = pattern.finditer

    def __call__(self, string: str) -> Iterator[re.Match[str]]:
        if string.isascii() and string.isalnum():
            return iter(())
        return self._finditer(string)


class LettersWhole:
    """`token_match`: True for a string of ASCII letters only that is no special case, where
    letters_stay_whole has shown that the tokenizer's affix searches would keep it whole
    anyway; every other string gets `inner`'s answer (False without one). The tokens are the
    same as without it; only the searches are skipped.

    spaCy asks token_match before it searches a new chunk for a prefix, a suffix, a URL or
    infixes, and keeps the chunk whole when it answers yes. Words of letters only were 142k
    of the 328k strings it asked about in a cold pass over the 17k real postings. Special
    cases are left to `inner` because some are moved out of spaCy's table and split by the
    suffix search instead ("dont" -> "do" "nt", extractors/skills/specials.py).
    A case still in the table is found either way: spaCy's _split_affixes asks token_match
    before the table, but _attach_tokens then looks the string up in the table first.

    Valid only with the searches it was proven for: a tokenizer whose prefix, suffix or infix
    search is replaced afterwards needs token_match set back to `inner`. Tokenizer.explain,
    which this project never calls, labels such words TOKEN_MATCH instead of TOKEN."""

    def __init__(self, inner: Callable[[str], object] | None, special_cases: Iterable[str]) -> None:
        # Tokenizer.to_bytes saves `token_match.__self__.pattern`: inner's, or one that never
        # matches. An inner without one, which to_bytes could not save either, is refused.
        self.__self__ = _NEVER if inner is None else inner.__self__  # type: ignore[attr-defined]
        self.inner = inner
        self.special_cases = frozenset(special_cases)

    def __call__(self, string: str) -> bool:
        if string.isascii() and string.isalpha() and string not in self.special_cases:
            return True
        return self.inner is not None and bool(self.inner(string))


def letters_stay_whole(
    prefixes: Sequence[str], suffixes: Sequence[str], infixes: Sequence[str]
) -> bool:
    """Whether a tokenizer with these affix entries splits nothing off a string of ASCII letters
    only: no prefix or suffix entry can match a non-empty run of them, and no infix entry can
    match inside one. Read off each entry's parse tree; what the reading does not follow
    (categories, negated sets, case-insensitive parts, global flags) counts as able to."""
    joined = (
        compile_prefix_regex(prefixes),
        compile_suffix_regex(suffixes),
        compile_infix_regex(infixes),
    )
    if not all(_without_global_flags(pattern) for pattern in joined):
        return False
    return all(
        _never_letters_only(piece) for piece in [*prefixes, *suffixes] if piece.strip()
    ) and all(_needs_a_symbol(piece) for piece in infixes if piece.strip())


def suffix_search(entries: Sequence[str]) -> SuffixSearch:
    """What spacy.util.compile_suffix_regex(entries).search returns, searching only the end of
    the string when no unbounded alternative matches."""
    pattern = compile_suffix_regex(entries)
    pieces = [piece for piece in entries if piece.strip()]
    widths = _anchored_widths(pieces) if pieces and _without_global_flags(pattern) else None
    if widths is None:
        return pattern.search
    bounded = [w for w in widths if w < _UNBOUNDED]
    unbounded = [p for p, w in zip(pieces, widths, strict=True) if w >= _UNBOUNDED]
    # +1: `$` also matches before a final newline, so a match may end one character early.
    reach = max(bounded, default=0) + 1
    loose = re.compile("|".join(p + "$" for p in unbounded)) if unbounded else None
    # A pattern of some alternatives numbers its groups apart from the whole one, so a back
    # reference ("\\1") would name another group: without groups, no dispatch.
    endings = [_last_characters(piece) if not pattern.groups else None for piece in pieces]
    return _SuffixShortcut(
        pattern,
        pieces,
        reach,
        loose,
        endings,
        [w >= _UNBOUNDED for w in widths],
    )


def infix_finditer(entries: Sequence[str]) -> InfixFinditer:
    """What spacy.util.compile_infix_regex(entries).finditer yields, skipping strings of only
    ASCII letters and digits when no alternative can match inside one."""
    pattern = compile_infix_regex(entries)
    pieces = [piece for piece in entries if piece.strip()]
    if (
        not pieces
        or not _without_global_flags(pattern)
        or not all(_needs_a_symbol(piece) for piece in pieces)
    ):
        return pattern.finditer
    return _InfixShortcut(pattern)


def _without_global_flags(pattern: re.Pattern[str]) -> bool:
    """Whether the joined pattern has no flag beyond a str pattern's own. The first entry may
    open with global flags ("(?m)", "(?i)", "(?x)") that then apply to every alternative, while
    each alternative is read here on its own: "(?m)" lets `$` match before any newline."""
    return pattern.flags == re.UNICODE


def _anchored_widths(pieces: Sequence[str]) -> list[int] | None:
    """Each alternative's longest match, or None unless every alternative is anchored at the
    end: `piece + "$"` ends in `$` only when `piece` has no `|` of its own at the top ("a|bc"
    would leave "a" free to match anywhere)."""
    if _parser is None:
        return None
    widths = []
    for piece in pieces:
        try:
            parsed = _parser.parse(piece + "$")
        except (re.error, RecursionError):
            return None
        items = list(parsed)
        if not items or items[-1] != (_sre.AT, _sre.AT_END):
            return None
        widths.append(parsed.getwidth()[1])
    return widths


def _case_sensitive_tree(piece: str) -> Any | None:
    """`piece`'s parse tree; None without the parser, for a piece that does not parse, and for
    one that ignores case, which the readings here do not follow ("k" also matches the Kelvin
    sign)."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(piece)
    except (re.error, RecursionError):
        return None
    return None if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE else parsed


def _last_characters(piece: str) -> _Ranges | None:
    """The characters a match of `piece` can end with, as code point ranges; None when that is
    not known (the reading gives up as _may_consume_alnum does) or a match may be empty."""
    parsed = _case_sensitive_tree(piece)
    if parsed is None:
        return None
    ranges, may_be_empty = _sequence_ends(list(parsed))
    return None if ranges is None or may_be_empty else tuple(ranges)


def _sequence_ends(items: list[tuple[Any, Any]]) -> tuple[list[tuple[int, int]] | None, bool]:
    """(the ranges the sequence's last consumed character lies in, whether it may consume
    nothing), read from its end back to the first item that must consume a character."""
    ranges: list[tuple[int, int]] = []
    for op, value in reversed(items):
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # consumes nothing: the character before it ends the match
        found, may_be_empty = _item_ends(op, value)
        if found is None:
            return None, True
        ranges += found
        if not may_be_empty:
            return ranges, False
    return ranges, True


def _item_ends(op: Any, value: Any) -> tuple[list[tuple[int, int]] | None, bool]:
    """_sequence_ends for one parsed item; (None, True) when the reading gives up."""
    if op is _sre.LITERAL:
        return [(value, value)], False
    if op is _sre.IN:
        ranges = []
        for member, bounds in value:
            if member is _sre.LITERAL:
                ranges.append((bounds, bounds))
            elif member is _sre.RANGE:
                ranges.append(bounds)
            else:  # NEGATE, CATEGORY (\w, \d, ...): not read
                return None, True
        return ranges, False
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = value
        if add_flags & _sre.SRE_FLAG_IGNORECASE:
            return None, True
        return _sequence_ends(list(pattern))
    if op is _sre.BRANCH:
        ranges, may_be_empty = [], False
        for branch in value[1]:
            found, empty = _sequence_ends(list(branch))
            if found is None:
                return None, True
            ranges += found
            may_be_empty = may_be_empty or empty
        return ranges, may_be_empty
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        least, most, pattern = value
        if most == 0:
            return [], True
        found, empty = _sequence_ends(list(pattern))
        return (None, True) if found is None else (found, empty or least == 0)
    return None, True  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, atomic groups...: not read


def _needs_a_symbol(piece: str) -> bool:
    """Whether every match of `piece` consumes at least one character and none of them is an
    ASCII letter or digit (lookarounds may test anything; they consume nothing)."""
    parsed = _case_sensitive_tree(piece)
    if parsed is None or parsed.getwidth()[0] < 1:
        return False
    return not _may_consume_alnum(list(parsed))


def _never_letters_only(piece: str) -> bool:
    """Whether no non-empty match of `piece` lies in a string of ASCII letters only. An empty
    prefix or suffix splits nothing off (spaCy takes its length, 0)."""
    parsed = _case_sensitive_tree(piece)
    if parsed is None:
        return False
    return parsed.getwidth()[1] == 0 or _holds_a_non_letter(list(parsed))


def _holds_a_non_letter(items: list[tuple[Any, Any]]) -> bool:
    """Whether every match of the sequence needs a character that is not an ASCII letter: one
    it consumes, or one a lookaround asserts (a lookaround reads the same string)."""
    return any(_item_holds_a_non_letter(op, value) for op, value in items)


def _item_holds_a_non_letter(op: Any, value: Any) -> bool:
    if op is _sre.LITERAL:
        return value not in _ASCII_LETTERS
    if op is _sre.IN:
        return not _set_may_hold(value, _ASCII_LETTERS)
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = value
        return not add_flags & _sre.SRE_FLAG_IGNORECASE and _holds_a_non_letter(list(pattern))
    if op is _sre.BRANCH:
        return all(_holds_a_non_letter(list(branch)) for branch in value[1])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        least, _most, pattern = value
        return least >= 1 and _holds_a_non_letter(list(pattern))
    if op is _sre.ASSERT:  # a lookahead or lookbehind that must match
        _direction, pattern = value
        return _holds_a_non_letter(list(pattern))
    return False  # ANY, NOT_LITERAL, CATEGORY, AT, negative lookarounds...: not relied on


def _may_consume_alnum(items: list[tuple[Any, Any]]) -> bool:
    for op, value in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue
        if op is _sre.LITERAL:
            if value in _ASCII_ALNUM:
                return True
        elif op is _sre.IN:
            if _set_may_hold(value, _ASCII_ALNUM):
                return True
        elif op is _sre.BRANCH:
            if any(_may_consume_alnum(list(branch)) for branch in value[1]):
                return True
        elif op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, pattern = value
            if add_flags & _sre.SRE_FLAG_IGNORECASE or _may_consume_alnum(list(pattern)):
                return True
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            if _may_consume_alnum(list(value[2])):
                return True
        else:  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, atomic groups...: it may
            return True
    return False


def _set_may_hold(members: list[tuple[Any, Any]], codes: frozenset[int]) -> bool:
    """Whether a character set may hold one of these code points."""
    for op, value in members:
        if op is _sre.LITERAL:
            if value in codes:
                return True
        elif op is _sre.RANGE:
            low, high = value
            if any(low <= code <= high for code in codes):
                return True
        else:  # NEGATE, CATEGORY (\w, \d, ...), and anything else: it may
            return True
    return False
