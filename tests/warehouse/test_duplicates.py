"""The duplicate rule on its own: blocks, the 0.9 shingle Jaccard threshold, the 90-day anchor."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from warehouse.duplicates import EXACT_BLOCK, Copies, duplicate_groups, jaccard, shingles

WORDS = [f"w{i}" for i in range(120)]


def _text(changed: tuple[int, ...] = ()) -> str:
    return " ".join("changed" if i in changed else w for i, w in enumerate(WORDS))


def _groups(rows: list[tuple[str, str, str, str]]) -> dict[str, str]:
    """rows: (posting_key, block, posted date, text) → posting_key: group key."""
    copies = Copies(
        posting_key=[r[0] for r in rows],
        block=[r[1] for r in rows],
        posted_at=[_microseconds(r[2]) for r in rows],
        content_hash=[f"h-{r[3]}" for r in rows],
    )
    texts = {f"h-{r[3]}": r[3] for r in rows}
    return duplicate_groups(copies, texts)


def _microseconds(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) * 1_000_000


def test_jaccard_of_five_word_shingles() -> None:
    base = shingles(_text())
    assert len(base) == 116
    assert jaccard(base, shingles(_text((60,)))) == 111 / 121  # 0.917: same ad
    assert jaccard(base, shingles(_text((59, 60)))) == 110 / 122  # 0.902: same ad
    assert jaccard(base, shingles(_text((20, 60, 100)))) == 101 / 131  # 0.771: different


def test_threshold_block_and_window() -> None:
    groups = _groups(
        [
            ("a", "acme|mle", "2024-01-01", _text()),
            ("b", "acme|mle", "2024-01-05", _text((60,))),  # J 0.917 → a
            ("c", "acme|mle", "2024-01-06", _text((20, 60, 100))),  # J 0.771 → new
            ("d", "globex|mle", "2024-01-02", _text()),  # other block → new
            ("e", "acme|mle", "2024-03-31", _text()),  # 90 days after a → a
            ("f", "acme|mle", "2024-04-01", _text()),  # 91 days after a → new
            ("g", "acme|mle", "2024-04-02", _text((60,))),  # joins f, not the closed a
        ]
    )
    assert groups == {"a": "a", "b": "a", "c": "c", "d": "d", "e": "a", "f": "f", "g": "f"}


def test_result_does_not_depend_on_input_order() -> None:
    rows = [
        ("k1", "x|y", "2024-01-01", _text()),
        ("k2", "x|y", "2024-01-01", _text((60,))),
        ("k3", "x|y", "2024-02-01", _text((61,))),
    ]
    assert _groups(rows) == _groups(list(reversed(rows))) == {"k1": "k1", "k2": "k1", "k3": "k1"}


def test_large_block_uses_lsh_and_still_finds_the_repost() -> None:
    rng = random.Random(7)
    vocabulary = [f"v{i}" for i in range(5000)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(150)) for _ in range(EXACT_BLOCK + 20)]
    rows = [(f"p{i:03d}", "bigco|engineer", "2024-01-01", t) for i, t in enumerate(texts)]
    words = texts[0].split()
    words[75] = "changed"
    rows.append(("repost", "bigco|engineer", "2024-01-10", " ".join(words)))
    groups = _groups(rows)
    assert groups["repost"] == "p000"
    assert sum(1 for key, group in groups.items() if key == group) == EXACT_BLOCK + 20
