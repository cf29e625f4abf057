"""extend_groups: new copies dated after a block's stored ones get exactly the groups that the
whole-block rule (duplicate_groups over stored and new copies together) gives them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from warehouse import duplicates
from warehouse.duplicates import (
    EXACT_BLOCK,
    PERMUTATIONS,
    WINDOW,
    Copies,
    StoredPostings,
    duplicate_groups,
    extend_groups,
)

DAY = 86_400 * 1_000_000
WINDOW_US = WINDOW // timedelta(microseconds=1)
WORDS = [f"w{i}" for i in range(100)]


def _text(changed: tuple[int, ...] = ()) -> str:
    return " ".join("changed" if i in changed else w for i, w in enumerate(WORDS))


def _copies(rows: list[tuple[str, str, int, str]]) -> Copies:
    """rows: (posting_key, block, posted_at in microseconds, content_hash)."""
    return Copies(
        posting_key=[r[0] for r in rows],
        block=[r[1] for r in rows],
        posted_at=[r[2] for r in rows],
        content_hash=[r[3] for r in rows],
    )


def _stored_state(
    stored_rows: list[tuple[str, str, int, str]],
    stored_groups: dict[str, str],
    new_from: dict[str, int] | None = None,
) -> StoredPostings:
    """What the build hands extend_groups: for each stored text of a block, the group its
    latest copy joined and when that group's first copy was posted; with `new_from`, only for
    blocks with new copies, and only the groups begun within the window before the block's
    first new copy."""
    posted = {key: at for key, _, at, _ in stored_rows}
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    for key, block, at, content_hash in stored_rows:
        if (block, content_hash) not in latest or (at, key) > latest[(block, content_hash)]:
            latest[(block, content_hash)] = (at, key)
    state = StoredPostings([], [], [], [])
    for (block, content_hash), (_, key) in sorted(latest.items()):
        group = stored_groups[key]
        if new_from is not None and (
            block not in new_from or new_from[block] - posted[group] > WINDOW_US
        ):
            continue
        state.block.append(block)
        state.content_hash.append(content_hash)
        state.first_at.append(posted[group])
        state.group_key.append(group)
    return state


def _split_and_extend(
    stored_rows: list[tuple[str, str, int, str]],
    new_rows: list[tuple[str, str, int, str]],
    texts: dict[str, str],
    only_open: bool,
) -> tuple[dict[str, str], dict[str, str]]:
    """(the whole-block rule's groups of the new copies, extend_groups' groups of them)."""
    whole = duplicate_groups(_copies(stored_rows + new_rows), texts)
    stored_groups = duplicate_groups(_copies(stored_rows), texts)
    # the stored copies' groups do not move when later copies arrive
    assert {k: whole[k] for k in stored_groups} == stored_groups
    new_from: dict[str, int] = {}
    for _, block, at, _ in new_rows:
        new_from[block] = min(at, new_from.get(block, at))
    state = _stored_state(stored_rows, stored_groups, new_from if only_open else None)
    distinct: dict[str, set[str]] = {}
    for _, block, _, content_hash in stored_rows + new_rows:
        distinct.setdefault(block, set()).add(content_hash)
    large = {block: len(hashes) > EXACT_BLOCK for block, hashes in distinct.items()}
    extended = extend_groups(_copies(new_rows), texts, state, large)
    return {key: whole[key] for key, *_ in new_rows}, extended


def test_new_copies_join_open_stored_postings_and_not_closed_ones() -> None:
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    texts = {f"h{i}": _text((i,)) if i else _text() for i in range(4)}
    texts["other"] = "an unrelated ad " * 20
    stored = [
        ("s1", "acme|mle", start, "h0"),
        ("s2", "acme|mle", start + 10 * DAY, "h1"),  # near copy of s1's text: joins s1
        ("s3", "acme|mle", start + 20 * DAY, "other"),
        ("s4", "globex|mle", start, "h0"),
    ]
    new = [
        ("n1", "acme|mle", start + 85 * DAY, "h2"),  # near copy, within 90 days of s1: s1
        ("n2", "acme|mle", start + 95 * DAY, "h0"),  # s1's window closed: a new posting
        ("n3", "acme|mle", start + 96 * DAY, "h1"),  # joins n2, the open posting of h0's text
        ("n4", "acme|mle", start + 100 * DAY, "other"),  # s3 is still open (80 days)
        ("n5", "globex|mle", start + 200 * DAY, "h3"),  # s4 closed long ago
        ("n6", "initech|mle", start, "h0"),  # a block with nothing stored
    ]
    for only_open in (False, True):
        whole, extended = _split_and_extend(stored, new, texts, only_open)
        assert extended == whole
        assert extended == {
            "n1": "s1",
            "n2": "n2",
            "n3": "n2",
            "n4": "s3",
            "n5": "n5",
            "n6": "n6",
        }


def test_without_the_stored_state_new_copies_would_start_their_own_postings() -> None:
    # The check above would pass for a rule that ignored `stored` only if no new copy joined
    # a stored posting; this pins that the state is what makes n1 join s1.
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    texts = {"h0": _text(), "h1": _text((5,))}
    new = _copies([("n1", "acme|mle", start + DAY, "h1")])
    stored = StoredPostings(["acme|mle"], ["h0"], [start], ["s1"])
    assert extend_groups(new, texts, stored, {"acme|mle": False}) == {"n1": "s1"}
    empty = StoredPostings([], [], [], [])
    assert extend_groups(new, texts, empty, {"acme|mle": False}) == {"n1": "n1"}


@pytest.mark.parametrize("seed", range(12))
def test_random_blocks_extend_exactly_as_the_whole_rule_groups(seed: int) -> None:
    rng = random.Random(seed)
    start = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    # A few base ads per block, each copy a verbatim or lightly edited repost of one, so that
    # identical texts, near copies (one or two words changed) and distinct ads all occur.
    texts: dict[str, str] = {}
    stored: list[tuple[str, str, int, str]] = []
    new: list[tuple[str, str, int, str]] = []
    for b in range(6):
        block = f"company{b}|title"
        bases = [rng.sample(range(100, 1000), 1) for _ in range(rng.randint(1, 3))]
        cut = start + rng.randint(100, 600) * DAY  # stored copies up to it, new ones after
        for c in range(rng.randint(1, 25)):
            base = rng.choice(bases)[0]
            edits = tuple(rng.sample(range(100), rng.choice([0, 0, 1, 2, 6])))
            content_hash = f"b{base}-{'.'.join(map(str, sorted(edits)))}"
            texts[content_hash] = f"base{base} " + _text(edits)
            if rng.random() < 0.6:
                stored.append((f"s{b}-{c}", block, cut - rng.randint(0, 60) * DAY, content_hash))
            else:
                new.append((f"n{b}-{c}", block, cut + rng.randint(1, 120) * DAY, content_hash))
    assert new and stored
    for only_open in (False, True):
        whole, extended = _split_and_extend(stored, new, texts, only_open)
        assert extended == whole
    # Not vacuous: new copies both join postings begun by stored copies and begin their own.
    stored_keys = {key for key, *_ in stored}
    assert any(group in stored_keys for group in whole.values())
    assert any(group not in stored_keys for group in whole.values())


def test_a_large_block_accepts_only_pairs_lsh_proposes_when_extended(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    vocabulary = [f"v{i}" for i in range(5000)]
    start = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    texts = {
        f"t{i:03d}": " ".join(rng.choice(vocabulary) for _ in range(150))
        for i in range(EXACT_BLOCK + 10)
    }
    # Only t000's posting is still open to the repost: the others began 200 days before it.
    stored = [
        (f"p{i:03d}", "bigco|eng", start if h == "t000" else start - 200 * DAY, h)
        for i, h in enumerate(sorted(texts))
    ]
    words = texts["t000"].split()
    words[75] = "changed"
    texts["repost"] = " ".join(words)
    new = [("repost", "bigco|eng", start + DAY, "repost")]
    whole, extended = _split_and_extend(stored, new, texts, only_open=True)
    assert extended == whole == {"repost": "p000"}
    # Signatures that never share a band: LSH proposes nothing, so a large block accepts no
    # pair, though extend_groups is handed only two of its texts (the repost, and t000).
    monkeypatch.setattr(
        duplicates,
        "_signatures",
        lambda sets: np.arange(len(sets) * PERMUTATIONS, dtype=np.uint64).reshape(
            len(sets), PERMUTATIONS
        ),
    )
    whole, extended = _split_and_extend(stored, new, texts, only_open=True)
    assert extended == whole == {"repost": "repost"}
