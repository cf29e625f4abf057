"""Every source skillpulse knows, by the `kind` used in skillpulse.toml. Add a source here."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.sources.base import Source

# kind -> the module whose SOURCE reads it. A source's module is imported when it is first
# asked for: a JSONL ingest and each of its parsing workers then import the JSONL reader only,
# not every source's HTML handling (BeautifulSoup) with it; a parsing worker's imports fell
# from 0.21-0.24 s to ~0.1 s with this and payload_files' DuckDB import moved out of the way.
_MODULES: dict[str, str] = {
    "greenhouse": "extractors.sources.greenhouse",
    "lever": "extractors.sources.lever",
    "ashby": "extractors.sources.ashby",
    "workable": "extractors.sources.workable",
    "smartrecruiters": "extractors.sources.smartrecruiters",
    "hn": "extractors.sources.hn",
    "jsonld": "extractors.sources.jsonld",
    "jsonl": "extractors.sources.jsonl",
}
KINDS: tuple[str, ...] = tuple(_MODULES)


def get_source(kind: str) -> Source:
    try:
        module = _MODULES[kind]
    except KeyError:
        known = ", ".join(sorted(_MODULES))
        raise KeyError(f"unknown source kind {kind!r}; known kinds: {known}") from None
    source: Source = import_module(module).SOURCE
    if source.kind != kind:
        raise RuntimeError(f"{module}.SOURCE reads kind {source.kind!r}, registered as {kind!r}")
    return source
