"""Every source skillpulse knows, by the `kind` used in skillpulse.toml. Add a source here."""

from __future__ import annotations

from extractors.sources import (
    ashby,
    greenhouse,
    hn,
    jsonl,
    jsonld,
    lever,
    smartrecruiters,
    workable,
)
from extractors.sources.base import Source

SOURCES: dict[str, Source] = {
    source.kind: source
    for source in (
        greenhouse.SOURCE,
        lever.SOURCE,
        ashby.SOURCE,
        workable.SOURCE,
        smartrecruiters.SOURCE,
        hn.SOURCE,
        jsonld.SOURCE,
        jsonl.SOURCE,
    )
}


def get_source(kind: str) -> Source:
    try:
        return SOURCES[kind]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise KeyError(f"unknown source kind {kind!r}; known kinds: {known}") from None
