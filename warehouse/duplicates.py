"""Which sourced copies are the same job posting: computed in Python at build time.

The rule (documented in sql/README.md, "Counting a posting once"):

* Copies are compared only inside a block: the same folded company and folded title
  (sql/macros/folded_name.sql: lower case, only the letters, marks and digits of any script;
  a missing value folds to ''). Blocking keeps the work linear
  in the number of postings; the pairwise part only ever sees one company's ads for one title.
* Two copies are the same ad when their texts are identical, or when the Jaccard similarity of
  their 5-word shingle sets is >= 0.9 (reposts are rarely byte-identical: a changed date line,
  a fixed typo).
* A posting is anchored at its first copy: later copies join it while they are posted within 90
  days of that first copy. An ad still reposted after 90 days counts again, as a new posting,
  which is what "newly posted in a month" should mean for an ad that keeps being advertised.
* Copies are visited in (posted_at, posting_key) order and each joins the earliest open
  posting it matches, so the result does not depend on load order.

Large blocks use MinHash signatures with LSH banding only to find candidate pairs; every
candidate is then checked with the exact shingle Jaccard, so the rule above stays exact for
any pair LSH proposes (and blocks of up to EXACT_BLOCK distinct texts compare all pairs).

How it is computed (the step was ~2/3 of a million-posting build) changes no decision: a pair
is accepted exactly when the size bound and the exact Jaccard on the shingle strings accept it
(and, in a large block, when the two MinHash signatures share a band, i.e. LSH proposes it).
Those pairs are looked for among the candidates of an exact prefix filter over hash keys of the
shingles (_prefix_candidates), which contain every pair that could be accepted, so shingle
strings are built only for candidates' texts and only accepted pairs' texts are signed.
Measured at 1M postings, old vs new back to back on a quiet 2-core machine: 165 s -> 114 s CPU
(161 s -> 106 s wall) for the whole step. What was left then was mostly lower-casing and
splitting words (~30%) and the shingle keys (~25%); strings are built for ~15% of the texts.
Splitting words without the pattern (_words, tenth session) took about a third off its part.
The prefix filter then moved to numpy arrays of polynomial keys, taking shared keys rarest
first (twelfth session): the step over the 1M store's batches in one process, 66.5 s -> 56.9 s,
with the same groups; splitting words was then most of what was left. Since the seventeenth
session the prefix filter reads hashes of the words computed by numpy over many texts' code
points at once (_word_hashes), word strings are built only for candidates' texts, and one
prefix filter runs over ~CANDIDATE_TEXTS texts of many blocks: the step's CPU in one process,
median of interleaved runs, 5.8 -> 4.0 s on 100k synthetic postings and 0.99 -> 0.78 s on the
real corpus (word hashes alone: 5.8 -> 4.5 s and 0.99 -> 0.89 s), with the same groups.

Copies come in as plain lists (Copies) and groups go out as a dict, so this module needs
neither pandas nor pyarrow: the build imports it without pandas, and for it a worker process
(warehouse.build groups batches of whole blocks in two processes when there are enough
copies) imports nothing but numpy and the standard library.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import combinations, groupby
from operator import itemgetter

import numpy as np

SHINGLE_WORDS = 5
JACCARD_THRESHOLD = 0.9
WINDOW = timedelta(days=90)
EXACT_BLOCK = 64  # up to this many distinct texts per block, compare every pair exactly
PERMUTATIONS = 64
BANDS = 16  # 16 bands x 4 rows: P(candidate | J=0.9) ~ 1 - 4e-8
_PRIME = (1 << 61) - 1
_WORD = re.compile(r"\w+")

COPY_COLUMNS = ("posting_key", "block", "posted_at", "content_hash")  # what the rule reads
_WINDOW_MICROSECONDS = WINDOW // timedelta(microseconds=1)


def shingles(text: str) -> frozenset[str]:
    """Every 5-word window of the lower-cased words (the whole text if shorter).

    Kept as strings, so the Jaccard below is exact (no hash collisions).
    """
    return _shingles_of(_words(text))


# Bytes kept by _words' split: ASCII word characters, and every byte of a multi-byte UTF-8
# character (decided by the \w+ pattern afterwards); every other ASCII byte becomes a space.
_KEEP_WORD_BYTES = bytes(
    c if c >= 0x80 or _WORD.fullmatch(chr(c)) else ord(" ") for c in range(256)
)


def _words(text: str) -> list[str]:
    r"""The \w+ words of the lower-cased text, as _WORD.findall would give them.

    Splitting with bytes.translate and str.split is 1.4-1.7x faster than the pattern on whole
    postings (measured on 20k postings, real and synthetic: 0.67 -> 0.49 s and 1.15 -> 0.67 s),
    and gives the same words: ASCII non-word characters and whitespace are \W, so every \w+
    run lies inside one piece, and a piece holding a non-ASCII character is split by the
    pattern itself. surrogatepass, because a JSON string may hold a lone surrogate.
    """
    lowered = text.lower()
    pieces = (
        lowered.encode("utf-8", "surrogatepass")
        .translate(_KEEP_WORD_BYTES)
        .decode("utf-8", "surrogatepass")
        .split()
    )
    if lowered.isascii():
        return pieces
    words: list[str] = []
    for piece in pieces:
        if piece.isascii():
            words.append(piece)
        else:
            words.extend(_WORD.findall(piece))
    return words


# Characters read at once by _word_hashes: bounds its per-character scratch arrays (about 40
# bytes a character) to ~40 MB however many texts are hashed (up to twice that for a chunk of
# texts whose lower case is longer, such as "İ" everywhere; a longer single text is read
# alone), and its cached tables of powers (16 bytes for each of twice as many) to 32 MB.
_HASH_CHUNK_CHARS = 1 << 20
_CHAR_MULTIPLIER = 0x100000001B3  # odd, so invertible mod 2**64
_ASTRAL = 0x10000


@cache
def _bmp_word_characters() -> np.ndarray:
    r"""Whether each code point of the Basic Multilingual Plane is \w to the re module (~15 ms)."""
    return np.fromiter(
        (_WORD.fullmatch(chr(c)) is not None for c in range(_ASTRAL)), dtype=bool, count=_ASTRAL
    )


def _powers(count: int) -> tuple[np.ndarray, np.ndarray]:
    """M ** (0 .. count - 1) and M ** -(0 .. count - 1) mod 2**64, M = _CHAR_MULTIPLIER.

    Up to 2 * _HASH_CHUNK_CHARS they are cut from tables built once per process; a longer
    count (one huge text) gets tables of its own, so it leaves nothing behind.
    """
    if count > 2 * _HASH_CHUNK_CHARS:
        return _power_tables(count)
    powers, inverse_powers = _cached_power_tables(2 * _HASH_CHUNK_CHARS)
    return powers[:count], inverse_powers[:count]


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    tables = []
    for base in (_CHAR_MULTIPLIER, pow(_CHAR_MULTIPLIER, -1, 1 << 64)):
        steps = np.full(size, base, dtype=np.uint64)
        steps[0] = 1
        tables.append(np.cumprod(steps))
    return tables[0], tables[1]


_cached_power_tables = cache(_power_tables)


def _word_hashes(texts: Sequence[str]) -> list[np.ndarray]:
    r"""For each text, a 64-bit hash of each of its words, in order: the words _words gives
    (\w+ runs of the lower-cased text), never built as strings.

    Building every word as a string and hashing each with hash() was half the step (100k
    synthetic postings in one process: 2.7 of 5.7 CPU s; most of those texts hold a non-ASCII
    character, which sends them down _words' slow path). Here each text is lower-cased by
    str.lower as in _words, and the rest is numpy over the code points of many texts at once:
    \w is looked up per code point (the BMP in a table, the rare astral ones by the pattern), a
    word is a run of \w code points, and its hash is a polynomial in its code points, mixed.
    Equal words get equal hashes, so a shingle's key (below) is a function of the shingle;
    unequal words may collide, which only merges shingles (see _prefix_candidates).
    """
    result: list[np.ndarray] = []
    first = 0
    while first < len(texts):
        last, chars = first, 0
        while last < len(texts) and (
            last == first or chars + len(texts[last]) <= _HASH_CHUNK_CHARS
        ):
            chars += len(texts[last]) + 1
            last += 1
        result.extend(_word_hashes_of_chunk(texts[first:last]))
        first = last
    return result


def _word_hashes_of_chunk(texts: Sequence[str]) -> list[np.ndarray]:
    lowered = [text.lower() for text in texts]
    # One code point per str character (surrogatepass: a JSON string may hold a lone
    # surrogate); "\0", not \w, ends each text's last word.
    points = np.frombuffer("\0".join(lowered).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _bmp_word_characters()
    astral = points >= _ASTRAL
    if astral.any():
        outside = np.unique(points[astral])
        wordy = outside[[_WORD.fullmatch(chr(c)) is not None for c in outside.tolist()]]
        is_word = np.where(astral, np.isin(points, wordy), table[np.minimum(points, _ASTRAL - 1)])
    else:
        is_word = table[points]
    at = np.flatnonzero(is_word)  # where the word characters are
    opens = np.ones(len(at), dtype=bool)
    np.not_equal(at[1:] - at[:-1], 1, out=opens[1:])
    starts = np.flatnonzero(opens)  # each word's first character, as an index into `at`
    if not len(starts):
        return [np.zeros(0, dtype=np.uint64) for _ in texts]
    ends = np.append(starts[1:], len(at)) - 1
    # Word k's hash is sum (c_i + 1) * M ** (i - start_k) over its characters, M the multiplier:
    # one running sum over every word character, differenced at each word's ends and shifted
    # back to the word's start by M's inverse power.
    powers, inverse_powers = _powers(len(at))
    running = points[at].astype(np.uint64)
    running += np.uint64(1)
    running *= powers
    np.cumsum(running, out=running)
    hashes = running[ends]
    hashes[1:] -= running[starts[1:] - 1]
    hashes *= inverse_powers[starts]
    # Mixed, so short words' hashes (a letter: a small number) reach the high bits that the
    # shingle keys keep.
    hashes ^= hashes >> np.uint64(31)
    hashes *= np.uint64(0xFF51AFD7ED558CCD)
    hashes ^= hashes >> np.uint64(29)
    text_ends = np.cumsum(np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + 1)
    words_before = np.searchsorted(at[starts], text_ends)
    return np.split(hashes, words_before[:-1])


def _shingles_of(words: list[str]) -> frozenset[str]:
    if len(words) < SHINGLE_WORDS:
        return frozenset({" ".join(words)})
    return frozenset(map(" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _too_different_in_size(small: int, large: int) -> bool:
    """Jaccard >= t needs min/max size >= t: pairs failing this skip the set work.

    The very float test the rule has always used, so exactly the same pairs are skipped."""
    return small < JACCARD_THRESHOLD * large


_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_ROWS = PERMUTATIONS // BANDS
# Shingle values hashed per numpy call in _signatures: bounds its (values x 64) uint64 scratch
# to ~32 MB however many sets are signed at once.
_SIGNATURE_CHUNK = 1 << 16
# The exact search for similar pairs in large blocks (_prefix_candidates) uses a threshold a
# little below JACCARD_THRESHOLD, so no float rounding at the boundary can make it miss a pair.
_PREFIX_THRESHOLD = 0.89
# Texts (of whole blocks) per prefix filter in duplicate_groups. One call per block paid numpy's
# cost per call ~11,000 times per 100k postings; one call for a whole batch of 20k copies sorted
# millions of keys at once and was no faster. 256-1,024 were best (100k synthetic, one process).
CANDIDATE_TEXTS = 512


def _signatures(sets: Sequence[frozenset[str]]) -> np.ndarray:
    """The MinHash signature of each set, one row per set (PERMUTATIONS uint64 values).

    Row k is min over the shingles s of set k of (a*crc32(s) + b) mod p, with the arithmetic
    batched over many sets rather than one numpy call per text.
    """
    # crc32 is stable across processes (hash() is salted). a*x + b wraps in uint64, which is
    # still a fixed function of x; its collisions only add LSH candidates (checked exactly).
    values: list[int] = []
    starts: list[int] = []
    for shingle_set in sets:
        starts.append(len(values))
        values.extend(zlib.crc32(s.encode()) for s in shingle_set)
        if not shingle_set:  # never happens (a text has at least its one short shingle)
            values.append(0)
    all_values = np.array(values, dtype=np.uint64)
    bounds = [*starts, len(values)]
    signatures = np.empty((len(sets), PERMUTATIONS), dtype=np.uint64)
    first = 0
    while first < len(sets):
        last = first + 1  # whole sets per chunk, at least one
        while last < len(sets) and bounds[last + 1] - bounds[first] <= _SIGNATURE_CHUNK:
            last += 1
        hashed = (np.outer(all_values[bounds[first] : bounds[last]], _A) + _B) % _PRIME
        offsets = np.asarray(starts[first:last], dtype=np.intp) - starts[first]
        signatures[first:last] = np.minimum.reduceat(hashed, offsets, axis=0)
        first = last
    return signatures


def _prefix_candidates(
    words: Sequence[np.ndarray], block_of: np.ndarray | None = None
) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, of texts of the same block (as their words' hashes, _word_hashes)
    among which is every such pair with shingle Jaccard >= t. `block_of` numbers each text's
    block when the texts are of several (None: all of one).

    Prefix filtering, exact for t = _PREFIX_THRESHOLD. Put the shingles in any total order that
    every text agrees on; if J(A, B) >= t then |A - B| <= (1 - t) |A| <= (1 - t) m, where
    m = max(words - 4, 1) >= |A|. Every shingle of A before the first one shared with B belongs
    to A - B, so that shared shingle is among A's first m - floor(t m) + 1, and likewise among
    B's: pairing only texts that share a shingle from their prefixes misses no similar pair.
    This holds for any key k(s) standing for the shingle, collisions included (they only merge
    shingles, so a text has fewer keys and pairs more), so no shingle string is built: k is a
    polynomial in the words' hashes, vectorised over the block (_shingle_key_table).
    The order is rarest first: by how many texts of the block have the key, then by the key.
    A key no other text has comes first and can pair nothing, so a text whose prefix is all
    such keys is skipped, which is most texts; after them, a boilerplate sentence that every ad
    of a company repeats comes last and pairs none of them. (Ordering shared keys by hash
    alone let such sentences into many prefixes: at 1M postings the candidates of one batch
    ranged from 3,000 to 27,000 pairs with the hash seed, against ~3,200 whatever the seed.)
    The order of keys with equal counts may differ with the hash function; the pairs accepted
    from the candidates never do.
    Many blocks are filtered at once (numpy's cost per call, paid per block, was a third of the
    step: most blocks hold two or three texts). Each key is then salted with its text's block,
    so texts share keys only within a block and every count above is a count within one; a
    pair across blocks that a salted collision proposes is dropped at the end.
    """
    if len(words) < 2:
        return set()
    counts = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    texts, keys = _shingle_key_table(words, counts, block_of)
    # Runs of one key (the table is in key order) are the texts that have it.
    run_starts = np.flatnonzero(_run_starts(keys))
    run_lengths = np.diff(np.append(run_starts, len(keys)))
    texts_with_key = np.repeat(run_lengths, run_lengths)
    shared = texts_with_key > 1

    most = np.maximum(counts - SHINGLE_WORDS + 1, 1)
    prefix = most - np.floor(_PREFIX_THRESHOLD * most).astype(np.int64) + 1
    unshared = np.bincount(texts[~shared], minlength=len(words))
    room = prefix - unshared  # prefix places left for shared keys, after the unshared ones

    in_play = shared & (room[texts] > 0)
    texts, keys, texts_with_key = texts[in_play], keys[in_play], texts_with_key[in_play]
    # Each text's shared keys, rarest first; the first `room` of them are its prefix.
    order = np.lexsort((keys, texts_with_key, texts))
    texts, keys = texts[order], keys[order]
    place = np.arange(len(texts)) - np.searchsorted(texts, texts)
    in_prefix = place < room[texts]
    texts, keys = texts[in_prefix], keys[in_prefix]

    order = np.lexsort((texts, keys))
    texts, keys = texts[order], keys[order]
    bounds = np.flatnonzero(_run_starts(keys))[1:]
    candidates: set[tuple[int, int]] = set()
    for sharing in np.split(texts, bounds):
        if len(sharing) > 1:
            ids = sharing.tolist()
            candidates.update(combinations(ids, 2))
    if block_of is not None:
        blocks = block_of.tolist()
        candidates = {(i, j) for i, j in candidates if blocks[i] == blocks[j]}
    return candidates


_KEY_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd, so each step is one-to-one mod 2**64
_ALL_BITS = (1 << 64) - 1


def _shingle_key_table(
    words: Sequence[np.ndarray], counts: np.ndarray, block_of: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(text, key) of each distinct shingle key of each text, sorted by key, then text;
    `words` holds each text's word hashes and `counts` their number; with `block_of`, each
    key is salted with its text's block.

    A 5-word shingle's key is the polynomial of its words' hashes mod 2**64; a text of fewer
    than 5 words has one shingle, the whole text, keyed by hash() of its word hashes' bytes. The
    low bits of every key are cleared to hold the text's number beside it, so one sort of one
    uint64 array orders the table and drops each text's repeated keys.
    """
    text_bits = max(1, (len(words) - 1).bit_length())
    shift = np.uint64(text_bits)
    total = int(counts.sum())
    word_hashes = np.concatenate(words) if total else np.zeros(0, dtype=np.uint64)
    text_of_word = np.repeat(np.arange(len(words), dtype=np.uint64), counts)
    salts = None if block_of is None else _block_salts(block_of)
    parts = []
    last = total - SHINGLE_WORDS + 1  # windows starting at 0 .. last - 1
    if last > 0:
        keys = word_hashes[:last].copy()
        for offset in range(1, SHINGLE_WORDS):
            keys *= _KEY_MULTIPLIER
            keys += word_hashes[offset : last + offset]
        inside_one_text = text_of_word[:last] == text_of_word[SHINGLE_WORDS - 1 :]
        keys, window_texts = keys[inside_one_text], text_of_word[:last][inside_one_text]
        if salts is not None:
            keys ^= salts[window_texts]
        parts.append((keys >> shift << shift) | window_texts)
    short = np.flatnonzero(counts < SHINGLE_WORDS)
    if len(short):
        whole = np.fromiter(
            (hash(words[i].tobytes()) & _ALL_BITS for i in short), dtype=np.uint64, count=len(short)
        )
        if salts is not None:
            whole ^= salts[short]
        parts.append((whole >> shift << shift) | short.astype(np.uint64))
    table = np.sort(np.concatenate(parts))
    table = table[_run_starts(table)]
    return (table & np.uint64((1 << text_bits) - 1)).astype(np.int64), table >> shift


def _block_salts(block_of: np.ndarray) -> np.ndarray:
    """A 64-bit salt per text, the same for texts of one block, spread over the high bits."""
    salts = (block_of.astype(np.uint64) + np.uint64(1)) * _KEY_MULTIPLIER
    salts ^= salts >> np.uint64(29)
    return salts


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Whether each value of a sorted array differs from the one before it (the first does)."""
    starts = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts


def similar_texts(
    texts: Mapping[str, str],
    candidates: set[tuple[int, int]] | None = None,
    large_block: bool | None = None,
) -> dict[str, set[str]]:
    """For each text (by content hash), the other texts with shingle Jaccard >= threshold.

    Blocks of up to EXACT_BLOCK texts accept every such pair; larger blocks only those that
    MinHash LSH (16 bands of 4 rows) proposes, as they always have. `candidates` may hold the
    block's _prefix_candidates, indices into the sorted content hashes, found for many blocks
    at once (duplicate_groups). `large_block` says which of the two the block is when `texts`
    are only some of its texts (extend_groups); None: these are all of them.
    """
    keys = sorted(texts)
    if large_block is None:
        large_block = len(keys) > EXACT_BLOCK
    similar: dict[str, set[str]] = {k: set() for k in keys}
    # The old code built every text's shingle strings and tried every pair (or every LSH
    # candidate). The accepted pairs are exactly those passing the exact test (size bound, then
    # Jaccard on the strings), so they are looked for only among the prefix-filter candidates,
    # which include every pair that could pass; only their texts get shingle strings. Building
    # strings for every text of a multi-text block was ~60% of the step.
    if candidates is None:
        candidates = _prefix_candidates(_word_hashes([texts[k] for k in keys]))
    # Once per text, not once per pair it is in: on the real corpus, 10,718 sets were built
    # for the 3,295 texts that needed one.
    sets = {i: shingles(texts[keys[i]]) for i in {i for pair in candidates for i in pair}}
    accepted: list[tuple[int, int]] = []
    for i, j in candidates:
        small, large = sorted((len(sets[i]), len(sets[j])))
        if not _too_different_in_size(small, large) and (
            jaccard(sets[i], sets[j]) >= JACCARD_THRESHOLD
        ):
            accepted.append((i, j))
    if large_block and accepted:
        # Large blocks accept a pair only when LSH proposes it: when the two MinHash signatures
        # agree on a band. Only texts of pairs already accepted are signed (signing every text
        # of every large block was ~40% of the step).
        signed = sorted({i for pair in accepted for i in pair})
        row_of = {i: row for row, i in enumerate(signed)}
        bands = _signatures([sets[i] for i in signed]).reshape(len(signed), BANDS, _ROWS)
        accepted = [
            (i, j) for i, j in accepted if (bands[row_of[i]] == bands[row_of[j]]).all(axis=1).any()
        ]
    for i, j in accepted:
        similar[keys[i]].add(keys[j])
        similar[keys[j]].add(keys[i])
    return similar


def _visit_block(
    copies: list[tuple[str, str, int]],
    texts: Mapping[str, str],
    candidates: set[tuple[int, int]],
    window: int,
    out_groups: dict[str, str],
    stored: Mapping[str, tuple[int, str]] | None = None,
    large_block: bool | None = None,
) -> None:
    """Record the group key of each copy (posting_key, content_hash, posted_at as an integer)
    of one block, given in (posted_at, posting_key) order; `candidates` as similar_texts takes
    them. `stored` carries on from copies visited by an earlier build (extend_groups): content
    hash -> (first_at, key) of the latest posting holding it, as the visit below leaves it."""
    distinct = {content_hash for _, content_hash, _ in copies}
    if stored:
        distinct.update(stored)
    similar: dict[str, set[str]] = (
        similar_texts({h: texts[h] for h in distinct}, candidates, large_block)
        if len(distinct) > 1
        else {}
    )
    # content_hash -> (first_at, key) of the latest posting holding a copy of that text;
    # tuples compare as the rule orders postings (earliest first copy, then posting_key).
    latest_group_with: dict[str, tuple[int, str]] = dict(stored) if stored else {}
    for key, content_hash, posted_at in copies:
        match: tuple[int, str] | None = None
        for other in (content_hash, *similar.get(content_hash, ())):
            group = latest_group_with.get(other)
            if group is None or posted_at - group[0] > window:
                continue
            if match is None or group < match:
                match = group
        if match is None:
            match = (posted_at, key)
        latest_group_with[content_hash] = match
        out_groups[key] = match[1]


@dataclass(frozen=True)
class Copies:
    """Copies of postings as columns of plain lists, one row per copy, in any order.

    Plain lists, so a batch pickles to a worker process that imports neither pandas nor
    pyarrow.
    """

    posting_key: list[str]
    block: list[str]  # folded company | folded title
    # Microseconds since the epoch (UTC), DuckDB's own resolution; never null (stg_postings
    # falls back to first_seen_at, which is NOT NULL).
    posted_at: list[int]
    content_hash: list[str]

    def __len__(self) -> int:
        return len(self.posting_key)


def _candidates_by_block(
    words: Sequence[np.ndarray], block_of: list[int]
) -> dict[int, set[tuple[int, int]]]:
    """_prefix_candidates of each block, by block number, as indices into the block's texts;
    `words` are the texts' word hashes, each block's texts together, `block_of` their blocks.

    One prefix filter runs over whole blocks of about CANDIDATE_TEXTS texts, the word hashes
    over all of them (the caller's one _word_hashes call): numpy's cost per call would otherwise
    be paid per block, and most blocks hold two or three texts.
    """
    first_of_block: dict[int, int] = {}  # block number -> index of its first text
    for index, number in enumerate(block_of):
        first_of_block.setdefault(number, index)
    candidates: dict[int, set[tuple[int, int]]] = {}
    start = 0
    while start < len(block_of):
        end = min(start + CANDIDATE_TEXTS, len(block_of))
        while end < len(block_of) and block_of[end] == block_of[end - 1]:
            end += 1  # whole blocks
        numbers = np.array(block_of[start:end], dtype=np.int64)
        for i, j in _prefix_candidates(words[start:end], numbers):
            number = block_of[start + i]
            first = first_of_block[number]
            candidates.setdefault(number, set()).add((start + i - first, start + j - first))
        start = end
    return candidates


def duplicate_groups(copies: Copies, texts: Mapping[str, str]) -> dict[str, str]:
    """Map every posting_key to the posting_key of the first copy of its posting.

    `texts` maps content_hash to text, and needs only the hashes of blocks holding more than
    one distinct text. A posting alone in its group maps to itself.
    """
    return _group_blocks(copies, texts, {}, {})


@dataclass(frozen=True)
class StoredPostings:
    """For blocks that only gained copies dated after every copy an earlier build grouped: each
    stored text's latest posting (the posting its latest copy joined) that may still be open to
    the new copies, as columns of plain lists. A text whose latest posting began more than
    WINDOW before the block's first new copy can take no new copy, and may be left out."""

    block: list[str]
    content_hash: list[str]
    first_at: list[int]  # the posting's first copy's posted_at, microseconds since the epoch
    group_key: list[str]  # that first copy's posting_key: the posting's group key


def extend_groups(
    new_copies: Copies,
    texts: Mapping[str, str],
    stored: StoredPostings,
    large_blocks: Mapping[str, bool],
) -> dict[str, str]:
    """The group keys of copies appended to blocks an earlier build grouped: exactly what
    duplicate_groups over the whole blocks would give them, the stored copies keeping theirs.

    Copies are visited in (posted_at, posting_key) order, so when every new copy of a block
    comes after every stored one (the caller's promise) the stored copies' visits, and so their
    groups, are the same as before, and the rule's state after them is, for each text, the
    posting its latest copy joined: `stored`. Visiting the new copies from that state gives
    what the whole visit would. `large_blocks` says, for every block of `new_copies`, whether it
    has more than EXACT_BLOCK distinct texts with the new ones (which pairs it accepts depends
    on that; the caller recomputes a block that crosses the line instead). `texts` needs the
    new copies' and `stored`'s texts of every block where they are not all one text.
    """
    by_block: dict[str, dict[str, tuple[int, str]]] = {}
    for block, content_hash, first_at, group_key in zip(
        stored.block, stored.content_hash, stored.first_at, stored.group_key, strict=True
    ):
        by_block.setdefault(block, {})[content_hash] = (first_at, group_key)
    return _group_blocks(new_copies, texts, by_block, large_blocks)


def _group_blocks(
    copies: Copies,
    texts: Mapping[str, str],
    stored_by_block: Mapping[str, Mapping[str, tuple[int, str]]],
    large_blocks: Mapping[str, bool],
) -> dict[str, str]:
    """duplicate_groups, each block carrying on from its stored state where it has one."""
    # Sorting by block only gathers each block's copies (blocks are independent); within one,
    # the rule visits them by posted_at, then posting_key (unique, so content_hash never
    # decides), strings compared by code point. The build's stream arrives sorted within each
    # block, so the sort mostly merges runs.
    rows = sorted(
        zip(copies.block, copies.posted_at, copies.posting_key, copies.content_hash, strict=True)
    )
    groups: dict[str, str] = {}
    blocks: list[tuple[str, list[tuple[str, str, int]]]] = []
    # The distinct texts of every block with several, each block's in sorted order (the
    # indices similar_texts reads candidates in), and which block each belongs to.
    compared: list[str] = []
    block_of: list[int] = []
    for name, run in groupby(rows, key=itemgetter(0)):
        block = list(run)
        before = stored_by_block.get(name, {})
        if len(block) == 1 and not before:
            key = block[0][2]
            groups[key] = key
            continue
        distinct = sorted({content_hash for _, _, _, content_hash in block} | before.keys())
        if len(distinct) > 1:
            compared.extend(distinct)
            block_of.extend([len(blocks)] * len(distinct))
        blocks.append((name, [(key, content_hash, at) for _, at, key, content_hash in block]))
    candidates = _candidates_by_block(_word_hashes([texts[h] for h in compared]), block_of)
    for number, (name, block_copies) in enumerate(blocks):
        _visit_block(
            block_copies,
            texts,
            candidates.get(number, set()),
            _WINDOW_MICROSECONDS,
            groups,
            stored_by_block.get(name),
            large_blocks.get(name),
        )
    return groups
