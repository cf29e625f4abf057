"""The nightly flow's same-day cache key: one per source, whatever characters its fields hold."""

from __future__ import annotations

from extractors.sources.base import SourceConfig
from flows.nightly import _same_day_source_key


def _key(config: SourceConfig) -> str:
    return _same_day_source_key(None, {"config": config})  # type: ignore[arg-type]


def test_sources_whose_fields_read_alike_when_joined_get_their_own_keys() -> None:
    joined_alike = [
        SourceConfig("greenhouse", "a|b", "http://x"),
        SourceConfig("greenhouse", "a", "b|http://x"),
    ]
    assert _key(joined_alike[0]) != _key(joined_alike[1])


def test_one_source_keeps_its_key_within_a_day_and_options_count() -> None:
    plain = SourceConfig("lever", "acme", None, {"pages": 2})
    assert _key(plain) == _key(SourceConfig("lever", "acme", None, {"pages": 2}))
    assert _key(plain) != _key(SourceConfig("lever", "acme", None, {"pages": 3}))
    assert _key(plain) != _key(SourceConfig("lever", "acme", None, {"pages": "2"}))
    assert _key(SourceConfig("hn", "who", None, {"tags": ["a"]})) != _key(
        SourceConfig("hn", "who", None, {"tags": "['a']"})
    )
    assert _key(plain).startswith("collect-")
