"""spaCy's suffix and infix searches, with exact shortcuts for the strings where they cannot match.

spaCy's tokenizer remembers how it split each whitespace-delimited chunk, so only chunks it has
not met yet are split afresh, but those are most of the work of a cold pass: real postings
bring ~130k distinct chunks per 17k. Splitting one ran the suffix pattern (about eighty
alternatives, each ending in `$`, tried at every position of the chunk) and the infix pattern
(tried at every position too) at ~6 µs each, against ~0.6 µs for the anchored prefix pattern
(measured over the 95k distinct chunks of 10k synthetic postings).

Both shortcuts return exactly what the plain pattern returns, for every string:

* Suffixes. A match ends at the end of the string (or before a final newline), so an
  alternative matching at most `w` characters starts in the last `w + 1`. Searching from there
  (`pattern.search(string, pos)`: lookbehinds still see the characters before `pos`) finds the
  same leftmost match, unless an alternative with no bound on its length (`\\.\\.+`) matches;
  then the whole string is searched as before.
* Infixes. When every alternative consumes at least one character and, outside its lookarounds,
  never an ASCII letter or digit, no infix lies in a string of only ASCII letters and digits,
  which is most words. That is read off each alternative's parse tree; anything the reading does
  not understand (a category such as `\\w`, a negated set, case-insensitive flags) counts as able
  to consume a letter, and the plain pattern is used.

The parse trees come from `re._parser`, the standard library's own regex parser (private, but
what `re.compile` runs); where it is missing or fails, the plain patterns are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from spacy.util import compile_infix_regex, compile_suffix_regex

try:
    from re import _constants as _sre
    from re import _parser
except ImportError:  # pragma: no cover - Python 3.11+ has both
    _parser = None  # type: ignore[assignment]

SuffixSearch = Callable[[str], "re.Match[str] | None"]
InfixFinditer = Callable[[str], Iterable["re.Match[str]"]]

_UNBOUNDED = 1 << 16  # a width at least this large means "no bound" (the parser caps it)
_ASCII_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class _Shortcut:
    """A search that answers as `pattern`'s own method would. Callable objects rather than
    closures, so a tokenizer holding them still pickles, and Tokenizer.to_bytes, which saves
    `search.__self__.pattern`, saves the plain pattern (a tokenizer loaded from it answers the
    same, without the shortcut)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.__self__ = pattern


class _SuffixShortcut(_Shortcut):
    def __init__(self, pattern: re.Pattern[str], reach: int, loose: re.Pattern[str] | None):
        super().__init__(pattern)
        self._search = pattern.search
        self._reach = reach
        self._loose = None if loose is None else loose.search

    def __call__(self, string: str) -> re.Match[str] | None:
        start = len(string) - self._reach
        if start <= 0 or (self._loose is not None and self._loose(string)):
            return self._search(string)
        return self._search(string, start)


class _InfixShortcut(_Shortcut):
    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(pattern)
        self._finditer = pattern.finditer

    def __call__(self, string: str) -> Iterator[re.Match[str]]:
        if string.isascii() and string.isalnum():
            return iter(())
        return self._finditer(string)


def suffix_search(entries: Sequence[str]) -> SuffixSearch:
    """What spacy.util.compile_suffix_regex(entries).search returns, searching only the end of
    the string when no unbounded alternative matches."""
    pattern = compile_suffix_regex(entries)
    pieces = [piece for piece in entries if piece.strip()]
    widths = _anchored_widths(pieces)
    if widths is None:
        return pattern.search
    bounded = [w for w in widths if w < _UNBOUNDED]
    unbounded = [p for p, w in zip(pieces, widths, strict=True) if w >= _UNBOUNDED]
    # +1: `$` also matches before a final newline, so a match may end one character early.
    reach = max(bounded, default=0) + 1
    loose = re.compile("|".join(p + "$" for p in unbounded)) if unbounded else None
    return _SuffixShortcut(pattern, reach, loose)


def infix_finditer(entries: Sequence[str]) -> InfixFinditer:
    """What spacy.util.compile_infix_regex(entries).finditer yields, skipping strings of only
    ASCII letters and digits when no alternative can match inside one."""
    pattern = compile_infix_regex(entries)
    pieces = [piece for piece in entries if piece.strip()]
    if not pieces or not all(_needs_a_symbol(piece) for piece in pieces):
        return pattern.finditer
    return _InfixShortcut(pattern)


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


def _needs_a_symbol(piece: str) -> bool:
    """Whether every match of `piece` consumes at least one character and none of them is an
    ASCII letter or digit (lookarounds may test anything; they consume nothing)."""
    if _parser is None:
        return False
    try:
        parsed = _parser.parse(piece)
    except (re.error, RecursionError):
        return False
    if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE or parsed.getwidth()[0] < 1:
        return False
    return not _may_consume_alnum(list(parsed))


def _may_consume_alnum(items: list[tuple[Any, Any]]) -> bool:
    for op, value in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue
        if op is _sre.LITERAL:
            if value in _ASCII_ALNUM:
                return True
        elif op is _sre.IN:
            if _set_may_hold_alnum(value):
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


def _set_may_hold_alnum(members: list[tuple[Any, Any]]) -> bool:
    for op, value in members:
        if op is _sre.LITERAL:
            if value in _ASCII_ALNUM:
                return True
        elif op is _sre.RANGE:
            low, high = value
            if any(low <= code <= high for code in _ASCII_ALNUM):
                return True
        else:  # NEGATE, CATEGORY (\w, \d, ...), and anything else: it may
            return True
    return False
