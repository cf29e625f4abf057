"""A tokenizer search that records what it is asked, for tests that count spaCy's calls."""

from __future__ import annotations


class Counting:
    """Wraps one of the tokenizer's searches and records the strings it is asked about."""

    def __init__(self, search: object) -> None:
        self.search = search
        self.asked: list[str] = []

    def __call__(self, string: str) -> object:
        self.asked.append(string)
        return self.search(string)  # type: ignore[operator]
