"""The fast paths of the duplicate rule decide exactly as the plain rule does.

Large blocks no longer sign every text and check LSH candidates; they find every exactly
similar pair (prefix filtering) and keep those LSH would have proposed. Small blocks scan pairs
in size order and stop at the size bound. These tests pin both against the plain definitions.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import combinations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from warehouse import duplicates
from warehouse.build import _microseconds
from warehouse.duplicates import (
    BANDS,
    EXACT_BLOCK,
    JACCARD_THRESHOLD,
    Copies,
    _prefix_candidates,
    _signatures,
    _word_hashes,
    _words,
    duplicate_groups,
    jaccard,
    shingles,
    similar_texts,
)

ROWS = 64 // BANDS


def _ad(rng: random.Random, words: int = 120) -> list[str]:
    return [f"v{rng.randrange(3000)}" for _ in range(words)]


def _edited(words: list[str], changes: int, rng: random.Random) -> list[str]:
    edited = list(words)
    for position in rng.sample(range(len(words)), changes):
        edited[position] = f"changed{position}"
    return edited


def _block(seed: int) -> dict[str, str]:
    """EXACT_BLOCK + 30 ads, with reposts of some at 0-6 changed words (around J = 0.9)."""
    rng = random.Random(seed)
    ads = [_ad(rng, rng.choice([40, 80, 120])) for _ in range(EXACT_BLOCK + 10)]
    for n in range(20):
        ads.append(_edited(ads[n], n % 7, rng))
    return {f"h{i:03d}": " ".join(words) for i, words in enumerate(ads)}


def _candidates(ads: list[list[str]]) -> set[tuple[int, int]]:
    """_prefix_candidates of ads given as word lists."""
    return _prefix_candidates(_word_hashes([" ".join(words) for words in ads]))


def _plain_similar(raw: dict[str, str]) -> dict[str, set[str]]:
    """The rule as it was written before: every pair, or LSH's candidates, checked exactly."""
    texts = {k: shingles(text) for k, text in raw.items()}
    keys = sorted(texts)
    if len(keys) <= EXACT_BLOCK:
        pairs = set(combinations(keys, 2))
    else:
        signature = dict(zip(keys, _signatures([texts[k] for k in keys]), strict=True))
        pairs = {
            (a, b)
            for a, b in combinations(keys, 2)
            if any(
                (
                    signature[a][band * ROWS : (band + 1) * ROWS]
                    == signature[b][band * ROWS : (band + 1) * ROWS]
                ).all()
                for band in range(BANDS)
            )
        }
    similar: dict[str, set[str]] = {k: set() for k in keys}
    for a, b in pairs:
        sa, sb = texts[a], texts[b]
        if min(len(sa), len(sb)) < JACCARD_THRESHOLD * max(len(sa), len(sb)):
            continue
        if jaccard(sa, sb) >= JACCARD_THRESHOLD:
            similar[a].add(b)
            similar[b].add(a)
    return similar


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_large_block_finds_exactly_the_pairs_lsh_proposed(seed: int) -> None:
    texts = _block(seed)
    assert len(texts) > EXACT_BLOCK
    fast = similar_texts(texts)
    assert fast == _plain_similar(texts)
    # reposts with up to 2 of ~120 words changed are the same ad; 3 or more changes are not
    assert sum(len(partners) for partners in fast.values()) > 0


@pytest.mark.parametrize("seed", [4, 5])
def test_small_block_scan_in_size_order_matches_every_pair(seed: int) -> None:
    texts = dict(list(_block(seed).items())[-EXACT_BLOCK:])
    assert similar_texts(texts) == _plain_similar(texts)


def test_prefix_filter_misses_no_similar_pair() -> None:
    rng = random.Random(11)
    base = [_ad(rng, 200) for _ in range(5)]
    ads = [*base, *(_edited(b, k, rng) for b in base for k in range(1, 9))]
    ads.append(["short", "ad"])  # fewer than 5 words: one shingle, the whole text
    ads.append(["short", "ad"])
    sets = [shingles(" ".join(words)) for words in ads]
    found = {frozenset(pair) for pair in _candidates(ads)}
    similar = [
        (i, j)
        for i, j in combinations(range(len(sets)), 2)
        if jaccard(sets[i], sets[j]) >= duplicates._PREFIX_THRESHOLD
    ]
    assert len(similar) >= 10  # the filter is really exercised
    assert all(frozenset(pair) in found for pair in similar)
    # and it stays a filter: far fewer candidates than pairs
    assert len(found) < len(sets) * (len(sets) - 1) // 4


@given(
    st.lists(
        st.lists(st.sampled_from(["x", "y", "z", "ml", "py"]), max_size=12)
        | st.lists(st.sampled_from(["x", "y"]), min_size=20, max_size=60),
        min_size=2,
        max_size=9,
    )
)
@example([[], [], ["x"]])  # texts without words share their one empty shingle
@example([["x", "y"], ["x", "y"], ["x", "y", "z", "x", "y"]])
def test_prefix_filter_misses_no_similar_pair_of_short_repetitive_texts(
    ads: list[list[str]],
) -> None:
    # A tiny vocabulary makes repeated shingles within a text, texts under 5 words and empty
    # ones: the cases where keys collapse or a text has a single shingle.
    sets = [shingles(" ".join(words)) for words in ads]
    found = _candidates(ads)
    assert all(i < j for i, j in found)
    for i, j in combinations(range(len(ads)), 2):
        if jaccard(sets[i], sets[j]) >= duplicates._PREFIX_THRESHOLD:
            assert (i, j) in found


def test_prefix_filter_finds_a_pair_at_the_edge_of_its_bound() -> None:
    # The bound is tight when one text contains the other: A has 100 shingles, B its first 89,
    # so J = 0.89 and A's 11 shingles of its own fill its prefix but for the last place (12).
    a = [f"w{i}" for i in range(104)]
    b = a[:93]
    assert len(shingles(" ".join(a))) == 100 and len(shingles(" ".join(b))) == 89
    assert _candidates([a, b]) == {(0, 1)}


def test_a_prefix_full_of_unshared_shingles_pairs_nothing() -> None:
    # A: 10 words, 6 shingles, prefix 6 - floor(0.89 * 6) + 1 = 2 places. Its first 5 shingles
    # (rarest first: no other text has them) fill both places, so the 6th, shared with B, is
    # out of it: J(A, B) = 1/6 can never reach the threshold.
    a = [f"w{i}" for i in range(10)]
    b = a[5:]
    assert _candidates([a, b]) == set()


def test_a_shared_shingle_just_past_the_prefix_pairs_nothing() -> None:
    # A: 10 words, 6 shingles, 2 prefix places, every shingle shared. Rarest first, A's
    # prefix is s1 (with X) and s2 (with Y); s6, shared by A, B and C, comes third, so A
    # pairs with neither B nor C; s3-s5, shared by the D copies too, come after it.
    a = [f"w{i}" for i in range(10)]
    x, y, b, c = a[0:5], a[1:6], a[5:10], a[5:10]
    d = a[2:9]  # shingles s3, s4, s5
    assert _candidates([a, x, y, b, c, d, d, d]) == {
        (0, 1), (0, 2), (3, 4), (5, 6), (5, 7), (6, 7),
    }  # fmt: skip


def test_prefix_filter_pairs_on_rare_shared_shingles_not_on_boilerplate() -> None:
    # 6 companies' ads under one block: all 24 repeat one boilerplate paragraph, each company's
    # 4 ads repeat its own paragraph, and every ad ends in 3 words of its own. The ads of a
    # company are near-duplicates (J ~ 0.90); ads of different companies share only the
    # boilerplate. Shingles are taken rarest first, so each ad's prefix holds its company's
    # shingles and never the boilerplate's: exactly the pairs within a company are candidates.
    # (Ordered by hash alone, boilerplate shingles fill most prefixes and pair every ad.)
    boilerplate = [f"b{i}" for i in range(80)]
    ads = [
        [
            *boilerplate,
            *(f"c{company}w{i}" for i in range(60)),
            *(f"a{company}{ad}u{i}" for i in range(3)),
        ]
        for company in range(6)
        for ad in range(4)
    ]
    within_company = {(i, j) for i, j in combinations(range(len(ads)), 2) if i // 4 == j // 4}
    assert _candidates(ads) == within_company
    sets = [shingles(" ".join(words)) for words in ads]
    assert all(jaccard(sets[i], sets[j]) >= JACCARD_THRESHOLD for i, j in within_company)


def test_signatures_are_the_per_text_minhash_in_any_chunking(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sets = [shingles("one two three four five six seven"), shingles("short text")]
    # pinned: LSH decides which pairs of a large block are compared, so these must never move
    assert _signatures(sets)[:, :3].tolist() == [
        [914539940721804506, 131482072743542063, 667503633831810965],
        [123068935929469695, 2063748515333155356, 1322625682421855465],
    ]
    rng = random.Random(3)
    many = [shingles(" ".join(_ad(rng, rng.randrange(1, 40)))) for _ in range(50)]
    whole = _signatures(many)
    monkeypatch.setattr(duplicates, "_SIGNATURE_CHUNK", 7)
    assert np.array_equal(_signatures(many), whole)


def test_the_window_ends_ninety_days_after_the_first_copy_to_the_microsecond() -> None:
    start = 1_704_067_200_000_000  # 2024-01-01 00:00 UTC
    ninety_days = 90 * 86_400 * 1_000_000
    copies = Copies(
        posting_key=["a", "b", "c"],
        block=["x|y"] * 3,
        posted_at=[start, start + ninety_days, start + ninety_days + 1],
        content_hash=["h"] * 3,
    )
    assert duplicate_groups(copies, {"h": "same text"}) == {"a": "a", "b": "a", "c": "c"}


def test_timestamps_reach_the_rule_as_exact_microseconds() -> None:
    # DuckDB hands timestamps over in microseconds; another unit is converted, never rounded.
    at = [datetime(2024, 3, 31, tzinfo=UTC), datetime(2024, 3, 31, 0, 0, 0, 1, tzinfo=UTC)]
    expected = [1_711_843_200_000_000, 1_711_843_200_000_001]
    for unit in ("us", "ns"):
        assert _microseconds(pa.array(at, pa.timestamp(unit, tz="UTC"))) == expected


# Every category, lone surrogates (Cs) included: st.text() leaves those out by default. The
# examples always run, whatever Hypothesis draws.
@given(st.text(st.characters(exclude_categories=())))
@example("Senior ML Engineer (Python/PyTorch), 5+ yrs; e-mail jobs@acme.io")
@example("naïve café: résumé\u00a0review\u2014fast\u2019s x_y_z 12\u00b3 \u0130stanbul")
@example("tabs\tand\nnewlines\x1fand\u2028separators\u3000here")
@example("lone \ud800 surrogate, \U0001f680 emoji and \u0301combining")
@example("")
@example("... --- !!!")
def test_words_are_the_patterns_words(text: str) -> None:
    assert duplicates._words(text) == duplicates._WORD.findall(text.lower())


def _hashes_by_word(texts: list[str]) -> dict[str, set[int]]:
    """Each word of the texts (as _words splits them) with every hash _word_hashes gave it."""
    seen: dict[str, set[int]] = {}
    for text, hashes in zip(texts, _word_hashes(texts), strict=True):
        words = _words(text)
        assert len(hashes) == len(words), text  # one hash per word, none lost or made up
        for word, value in zip(words, hashes.tolist(), strict=True):
            seen.setdefault(word, set()).add(value)
    return seen


# The same characters as test_words_are_the_patterns_words: lone surrogates, astral letters
# (\w to the pattern) and emoji (not), combining marks, İ (two characters lower-cased).
@given(st.lists(st.text(st.characters(exclude_categories=())), max_size=6))
@example(["naïve café: résumé\u00a0review\u2014fast", "\U0001d400\U0001d401 \U0001f680x \ud800y"])
@example(["\u0130stanbul \u0130", "", "... --- !!!", "ΣΑΣ σας"])
def test_word_hashes_are_one_per_word_and_equal_for_equal_words(texts: list[str]) -> None:
    assert all(len(values) == 1 for values in _hashes_by_word(texts).values())


def test_word_hashes_tell_words_apart_and_ignore_case_and_where_a_word_stands() -> None:
    texts = ["Spark spark SPARK", "a ab ba b", "sparks park"]
    by_word = {word: values.pop() for word, values in _hashes_by_word(texts).items()}
    assert sorted(by_word) == ["a", "ab", "b", "ba", "park", "spark", "sparks"]
    assert len(set(by_word.values())) == 7  # "ab" and "ba" included: order counts
    # Single letters already differ in the top 16 bits, which every shingle key keeps (its low
    # bits give way to the text's number); unmixed, their polynomials differ only below them.
    assert by_word["a"] >> 48 != by_word["b"] >> 48


def test_word_hashes_do_not_depend_on_how_texts_are_chunked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    texts = [" ".join(_ad(rng, rng.randrange(0, 30))) + " \U0001d400x" * (i % 2) for i in range(40)]
    whole = _word_hashes(texts)
    monkeypatch.setattr(duplicates, "_HASH_CHUNK_CHARS", 50)  # a text or two per chunk
    chunked = _word_hashes(texts)
    assert [h.tolist() for h in chunked] == [h.tolist() for h in whole]
    assert [len(h) for h in whole] == [len(_words(t)) for t in texts]


def _blocks_sharing_texts(seed: int) -> list[list[list[str]]]:
    """Three blocks as word lists: reposts within each, and the same ads again in other blocks
    (a company's ad under two titles), so that counted across blocks, keys' counts would
    change."""
    rng = random.Random(seed)
    ads = [_ad(rng, rng.choice([30, 60, 120])) for _ in range(12)]
    reposts = [_edited(ad, rng.randrange(0, 2), rng) for ad in ads]
    return [ads[:6] + reposts[:6], ads[3:9] + reposts[6:8], ads[:2] + ads[8:] + reposts[8:]]


def _filtered_together(blocks: list[list[list[str]]]) -> set[tuple[int, int, int]]:
    """_prefix_candidates of several blocks' texts in one call, as (block, i, j) within it."""
    texts = [" ".join(words) for ads in blocks for words in ads]
    block_of = np.repeat(np.arange(len(blocks)), [len(ads) for ads in blocks])
    first = np.concatenate(([0], np.cumsum([len(ads) for ads in blocks])))
    together = set()
    for i, j in _prefix_candidates(_word_hashes(texts), block_of):
        block = int(block_of[i])
        assert block_of[j] == block  # never a pair across blocks
        together.add((block, i - int(first[block]), j - int(first[block])))
    return together


@pytest.mark.parametrize("seed", range(6))
def test_blocks_filtered_together_miss_no_similar_pair_of_any_block(seed: int) -> None:
    blocks = _blocks_sharing_texts(seed)
    together = _filtered_together(blocks)
    similar = set()
    for number, ads in enumerate(blocks):
        sets = [shingles(" ".join(words)) for words in ads]
        for i, j in combinations(range(len(ads)), 2):
            if jaccard(sets[i], sets[j]) >= duplicates._PREFIX_THRESHOLD:
                similar.add((number, i, j))
    assert len(similar) >= 4  # the blocks do hold reposts
    assert similar <= together
    # And from those candidates, each block's similar texts are the plain rule's.
    for number, ads in enumerate(blocks):
        texts = {f"h{i:03d}": " ".join(words) for i, words in enumerate(ads)}  # list order
        own = {(i, j) for block, i, j in together if block == number}
        assert similar_texts(texts, own) == _plain_similar(texts)


def test_a_text_repeated_in_another_block_adds_no_candidate() -> None:
    # Found by search over random blocks. Counted across both blocks (keys unsalted), the
    # shingles A shares only with C, in another block, counted as shared and pushed A's and
    # B's prefixes onto keys they share with each other: one more candidate, (A, B). Counted
    # per block, as when each block is filtered alone, there is none.
    base = [
        "v21",
        "v22",
        "v36",
        "v34",
        "v11",
        "v37",
        "v4",
        "v33",
        "v23",
        "v9",
        "v28",
        "v18",
        "v12",
        "v13",
        "v7",
        "v32",
        "v16",
        "v10",
        "v32",
        "v17",
    ]
    a, b, c = list(base), list(base), list(base)
    a[1], b[19], c[12] = "x2", "x3", "x1"
    assert _candidates([a, b]) == set()
    assert _filtered_together([[a, b], [c]]) == set()


def test_groups_do_not_depend_on_how_many_blocks_are_filtered_at_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocks = [ads for seed in range(3) for ads in _blocks_sharing_texts(seed)]
    rows = [
        (f"k{number}-{i}", f"company|title{number}", i * 86_400_000_000, " ".join(words))
        for number, ads in enumerate(blocks)
        for i, words in enumerate(ads)
    ]
    copies = Copies(
        posting_key=[r[0] for r in rows],
        block=[r[1] for r in rows],
        posted_at=[r[2] for r in rows],
        content_hash=[f"h-{r[3]}" for r in rows],
    )
    texts = {f"h-{r[3]}": r[3] for r in rows}
    together = duplicate_groups(copies, texts)
    monkeypatch.setattr(duplicates, "CANDIDATE_TEXTS", 1)  # each block on its own
    assert duplicate_groups(copies, texts) == together
    assert sum(key != group for key, group in together.items()) >= 10  # reposts joined
