"""Which sourced copies are the same job posting: computed in Python at build time.

The rule (documented in sql/README.md, "Counting a posting once"):

* Copies are compared only inside a block: the same folded company and folded title (lower
  case, letters and digits only; a missing value folds to ''). Blocking keeps the work linear
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
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd

SHINGLE_WORDS = 5
JACCARD_THRESHOLD = 0.9
WINDOW = timedelta(days=90)
EXACT_BLOCK = 64  # up to this many distinct texts per block, compare every pair exactly
PERMUTATIONS = 64
BANDS = 16  # 16 bands x 4 rows: P(candidate | J=0.9) ~ 1 - 4e-8
_PRIME = (1 << 61) - 1
_WORD = re.compile(r"\w+")

COLUMNS = ("posting_key", "duplicate_group_key")


def shingles(text: str) -> frozenset[str]:
    """Every 5-word window of the lower-cased words (the whole text if shorter).

    Kept as strings, so the Jaccard below is exact (no hash collisions).
    """
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return frozenset({" ".join(words)})
    return frozenset(map(" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)


def _signature(shingle_set: frozenset[str]) -> np.ndarray:
    # crc32 is stable across processes (hash() is salted) and 32 bits keep (a*x + b) within
    # uint64; its collisions only add LSH candidates, which the exact check removes.
    values = np.fromiter((zlib.crc32(s.encode()) for s in shingle_set), dtype=np.uint64)
    if values.size == 0:
        values = np.zeros(1, dtype=np.uint64)
    return ((np.outer(values, _A) + _B) % _PRIME).min(axis=0)


def similar_texts(texts: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    """For each text (by content hash), the other texts with shingle Jaccard >= threshold."""
    keys = sorted(texts)
    similar: dict[str, set[str]] = {k: set() for k in keys}
    if len(keys) <= EXACT_BLOCK:
        pairs = ((a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    else:
        rows = PERMUTATIONS // BANDS
        buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
        for key in keys:
            signature = _signature(texts[key])
            for band in range(BANDS):
                buckets[(band, signature[band * rows : (band + 1) * rows].tobytes())].append(key)
        candidates = {
            (a, b)
            for members in buckets.values()
            if len(members) > 1
            for i, a in enumerate(members)
            for b in members[i + 1 :]
        }
        pairs = iter(sorted(candidates))
    for a, b in pairs:
        sa, sb = texts[a], texts[b]
        # Jaccard >= t needs min/max size >= t: skip the set work for pairs that cannot match.
        if min(len(sa), len(sb)) < JACCARD_THRESHOLD * max(len(sa), len(sb)):
            continue
        if jaccard(sa, sb) >= JACCARD_THRESHOLD:
            similar[a].add(b)
            similar[b].add(a)
    return similar


@dataclass
class _Group:
    key: str
    first_at: pd.Timestamp


def duplicate_groups(postings: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """Map every posting_key to the posting_key of the first copy of its posting.

    `postings` has posting_key, block (folded company | folded title), posted_at and
    content_hash; `texts` maps content_hash to text, and needs only the hashes of blocks holding
    more than one distinct text. Returns one row per posting_key (a posting alone in its group
    maps to itself).
    """
    if postings.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    frame = postings.sort_values(["block", "posted_at", "posting_key"], kind="stable")
    rows = zip(
        frame["block"].tolist(),
        frame["posting_key"].tolist(),
        frame["content_hash"].tolist(),
        frame["posted_at"].tolist(),
        strict=True,
    )
    out_keys: list[str] = []
    out_groups: list[str] = []
    # itertools.groupby over sorted lists: pandas groupby costs ~50us a group, too slow at 1M.
    for _, block_rows in groupby(rows, key=itemgetter(0)):
        copies = list(block_rows)
        if len(copies) == 1:
            out_keys.append(copies[0][1])
            out_groups.append(copies[0][1])
            continue
        distinct = {content_hash for _, _, content_hash, _ in copies}
        similar = (
            similar_texts({h: shingles(texts[h]) for h in distinct})
            if len(distinct) > 1
            else {h: set() for h in distinct}
        )
        latest_group_with: dict[str, _Group] = {}
        for _, key, content_hash, posted_at in copies:
            match: _Group | None = None
            for other in (content_hash, *similar[content_hash]):
                group = latest_group_with.get(other)
                if group is None or posted_at - group.first_at > WINDOW:
                    continue
                if match is None or (group.first_at, group.key) < (match.first_at, match.key):
                    match = group
            if match is None:
                match = _Group(key, posted_at)
            latest_group_with[content_hash] = match
            out_keys.append(key)
            out_groups.append(match.key)
    return pd.DataFrame({"posting_key": out_keys, "duplicate_group_key": out_groups})
