"""spaCy's tokenizer special cases, moved out of the table that switches its cache off.

spaCy's tokenizer remembers how it split each whitespace-delimited chunk, but once a special case
has matched in a text (`We're` -> `We` `'re`, `C++`), it stops remembering for the rest of that
text: the flag that keeps a chunk holding a special case out of the cache is never cleared
(spaCy 3.8.18; explosion/spaCy#13950, open). Three postings in four hit one, mostly
contractions, so their later chunks were split afresh every time they were met, in every
posting. Over the real corpus a second pass of the tokenizer, every chunk met before, still
split 126,518 chunks.

What moves, so that spaCy's own affix handling gives the same tokens without the table:

* **One token** (`C++`, `o'clock`): a `token_match` that knows exactly these strings (spaCy asks
  it where it would look the special case up, and keeps a match whole), and a suffix search that
  finds no suffix in them.
* **Several tokens, split at the end** (`We're` -> `We` `'re`, `don't` -> `do` `n't`,
  `Can't've` -> `Ca` `n't` `'ve`): the suffix search answers the last token for exactly this
  string; the rest is then split as before (and `Can't` is itself moved).

What stays: a special case starting where spaCy's prefix search matches (`:)`, `'em`), whose
tokens do not make up the string, or that spaCy also looks for after tokenizing (its "special
matcher": cases holding an affix, infix or space, such as `e.g.` or `and/or`) unless that
lookup could only give the same tokens back (`it's` -> `it` `'s`, which the suffix rules split
alike) and cannot overlap a case that changes tokens; and a case split at the end that a
prefix in front of it could hide: in ":3pm" the table splits the prefix `:` off and `3pm` ends
the search, but moved, `pm` would come off in the same step and the table be asked for `:3`,
an emoticon that stays, so `3pm` stays too (found in review, from "(:3pm").

Then it is checked, on the tokenizer as rewritten: every moved case, tokenised alone, gives its
own tokens (`y'all` would not, and stays), and what the special matcher looks for is what it
looked for before. If that does not hold the tokenizer is left as it was. Over every posting of
the real corpus and of synthetic 10k and 100k the tokens are identical (text and offsets).
Only the tokens' NORM differs (the table's `'re` reads "are"): build_pipeline moves nothing
when the extractor may read NORM.

Tokenizer.to_bytes saves the table that is left and the plain suffix pattern, so a tokenizer
loaded from bytes keeps moved contractions whole; nothing here serialises a tokenizer (each
worker builds its own) and pickling keeps the rewritten searches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.attrs import ORTH
from spacy.tokenizer import Tokenizer

_TAIL = re.compile(r".+", re.DOTALL)
_CHECK_ROUNDS = 5  # cases put back change how others split, so every round checks them all


class _SpecialToken:
    """`token_match`: whether the string is one of the moved one-token special cases."""

    def __init__(self, strings: frozenset[str]) -> None:
        self.strings = strings
        # What Tokenizer.to_bytes saves of a token_match; loaded, `.match` answers the same.
        alternatives = sorted(strings, key=len, reverse=True)
        self.__self__ = re.compile("(?:" + "|".join(map(re.escape, alternatives)) + r")\Z")

    def __call__(self, string: str) -> bool:
        return string in self.strings


class _SpecialSuffix:
    """`suffix_search`: the last token of a moved several-token special case, nothing in a
    moved one-token case, else what `inner` finds."""

    def __init__(
        self,
        inner: Callable[[str], re.Match[str] | None],
        last_token: Mapping[str, int],
        whole: frozenset[str],
    ) -> None:
        self.inner = inner
        self.last_token = dict(last_token)
        self.whole = whole
        # Tokenizer.to_bytes saves `suffix_search.__self__.pattern`: the plain pattern.
        self.__self__ = getattr(inner, "__self__", None)

    def __call__(self, string: str) -> re.Match[str] | None:
        length = self.last_token.get(string)
        if length is not None:
            return _TAIL.match(string, len(string) - length)
        if string in self.whole:
            return None
        return self.inner(string)


@dataclass(frozen=True)
class MovedSpecials:
    """What move_special_cases did: the special cases moved, and those left in the table."""

    one_token: frozenset[str]
    split_at_end: frozenset[str]
    kept: frozenset[str]


def move_special_cases(tokenizer: Tokenizer) -> MovedSpecials | None:
    """Rewrite `tokenizer` in place so that the special cases it can give without its table
    no longer stop it caching (see the module docstring). None, and the tokenizer unchanged,
    when it already has a token_match or the rewrite cannot be shown to give the same tokens."""
    if tokenizer.token_match is not None:
        return None
    rules = {string: list(substrings) for string, substrings in tokenizer.rules.items()}
    tokens_of = {string: _orths(substrings) for string, substrings in rules.items()}
    original_suffix = tokenizer.suffix_search
    plain_before = _plain_tokenizer(tokenizer)
    looked_for_after = {s for s in rules if _in_special_matcher(tokenizer, s)}
    patterns_before = {s: _texts(plain_before(s)) for s in looked_for_after}

    movable = {
        s
        for s, tokens in tokens_of.items()
        if "".join(tokens) == s
        and not tokenizer.find_prefix(s)
        and (s not in looked_for_after or patterns_before[s] == tokens)
    }
    # A lookup that gives the same tokens back can still, by matching first, keep one that
    # changes tokens from matching where they overlap; such cases stay.
    changing = [
        patterns_before[s] for s in looked_for_after - movable if patterns_before[s] != tokens_of[s]
    ]
    movable -= {s for s in movable & looked_for_after if _may_overlap(tokens_of[s], changing)}

    for _ in range(_CHECK_ROUNDS):
        # Every round: a case put back may be what a prefix plus another moved case spells.
        movable -= _behind_a_prefix(tokenizer, movable, tokens_of, frozenset(rules) - movable)
        _install(tokenizer, rules, movable, tokens_of, original_suffix)
        wrong = {s for s in movable if _texts(tokenizer(s)) != tokens_of[s]}
        # A case left in the table but split anew on the way ("Id." now passing through the
        # moved "Id") would be looked for as other tokens: the moved cases inside it go back.
        plain_after = _plain_tokenizer(tokenizer)
        kept_looked_for = looked_for_after - movable
        changed = [s for s in kept_looked_for if _texts(plain_after(s)) != patterns_before[s]]
        if not wrong and not changed:
            break
        movable -= wrong | {m for m in movable if any(m in s for s in changed)}
    else:
        _restore(tokenizer, rules, original_suffix)
        return None
    kept = frozenset(rules) - movable
    return MovedSpecials(
        one_token=frozenset(s for s in movable if len(tokens_of[s]) == 1),
        split_at_end=frozenset(s for s in movable if len(tokens_of[s]) > 1),
        kept=kept,
    )


def _behind_a_prefix(
    tokenizer: Tokenizer,
    movable: set[str],
    tokens_of: dict[str, list[str]],
    kept: frozenset[str],
) -> set[str]:
    """Cases split at the end that a prefix can hide. With the table, a prefix P before a case s
    ("(" before "don't") is split off and s ends the search; moved, the same step also splits
    s's last token off and then asks the table for P plus the rest of s (":" + "3" in
    ":3pm"), which a case left there can answer. Such cases stay: each case left is tried as
    P plus the front of a moved case, with P what the prefix search takes off P + s."""
    by_front: dict[str, list[str]] = {}
    for s in movable:
        if len(tokens_of[s]) > 1:
            by_front.setdefault(s[: -len(tokens_of[s][-1])], []).append(s)
    hidden = set()
    for kept_case in kept:
        for cut in range(1, len(kept_case)):
            prefix = kept_case[:cut]
            for s in by_front.get(kept_case[cut:], ()):
                if tokenizer.find_prefix(prefix + s) == len(prefix):
                    hidden.add(s)
    return hidden


def _install(
    tokenizer: Tokenizer,
    rules: dict[str, list[dict[Any, Any]]],
    movable: set[str],
    tokens_of: dict[str, list[str]],
    original_suffix: Callable[[str], re.Match[str] | None],
) -> None:
    one_token = frozenset(s for s in movable if len(tokens_of[s]) == 1)
    last_token = {s: len(tokens_of[s][-1]) for s in movable if len(tokens_of[s]) > 1}
    # Each setter reloads the whole table (and spaCy's matcher built from it): emptied first,
    # it is loaded once, with the new searches.
    tokenizer.rules = {}
    tokenizer.suffix_search = _SpecialSuffix(original_suffix, last_token, one_token)
    tokenizer.token_match = _SpecialToken(one_token)
    tokenizer.rules = {s: subs for s, subs in rules.items() if s not in movable}


def _restore(
    tokenizer: Tokenizer,
    rules: dict[str, list[dict[Any, Any]]],
    original_suffix: Callable[[str], re.Match[str] | None],
) -> None:
    tokenizer.rules = {}
    tokenizer.token_match = None
    tokenizer.suffix_search = original_suffix
    tokenizer.rules = rules


def _plain_tokenizer(tokenizer: Tokenizer) -> Tokenizer:
    """The same searches with no special cases: what spaCy's special matcher is built from."""
    return Tokenizer(
        tokenizer.vocab,
        rules={},
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )


def _in_special_matcher(tokenizer: Tokenizer, string: str) -> bool:
    """spaCy's own test for adding a special case to the matcher it runs after tokenizing."""
    return bool(
        not tokenizer.faster_heuristics
        or tokenizer.find_prefix(string)
        or tokenizer.find_infix(string)
        or tokenizer.find_suffix(string)
        or " " in string
    )


def _may_overlap(tokens: Sequence[str], others: Sequence[Sequence[str]]) -> bool:
    """Whether a match of `tokens` could share a token with a match of any of `others`: one
    holds the other, or an end of one is the start of the other."""
    mine = tuple(tokens)
    for other in others:
        theirs = tuple(other)
        if mine[0] not in theirs and mine[-1] not in theirs and theirs[0] not in mine:
            continue  # every way to overlap puts an end of one inside the other
        for a, b in ((mine, theirs), (theirs, mine)):
            if _holds(a, b) or any(a[-k:] == b[:k] for k in range(1, min(len(a), len(b)) + 1)):
                return True
    return False


def _holds(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    width = len(inner)
    return any(outer[i : i + width] == inner for i in range(len(outer) - width + 1))


def _orths(substrings: Sequence[Mapping[Any, Any]]) -> list[str]:
    return [str(sub[ORTH] if ORTH in sub else sub["ORTH"]) for sub in substrings]


def _texts(doc: Any) -> list[str]:
    return [token.text for token in doc]
