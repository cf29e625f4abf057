"""The source registry: every kind resolves to its source, imported only when asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from extractors.sources.registry import KINDS, get_source

REPO = Path(__file__).parents[2]


def test_every_registered_kind_resolves_to_the_source_reading_that_kind() -> None:
    assert sorted(KINDS) == [
        "ashby",
        "greenhouse",
        "hn",
        "jsonl",
        "jsonld",
        "lever",
        "smartrecruiters",
        "workable",
    ]
    for kind in KINDS:
        assert get_source(kind).kind == kind


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown source kind 'indeed'; known kinds: ashby, "):
        get_source("indeed")


def test_a_parsing_worker_imports_neither_http_nor_html_nor_duckdb() -> None:
    # What a parsing worker loads to parse a JSONL payload (skillpulse.parsing.parse_ahead):
    # none of requests, BeautifulSoup or DuckDB, which only collecting and landing use.
    script = (
        "import sys\n"
        "from skillpulse.parsing import parse_ahead\n"
        "from extractors.sources.registry import get_source\n"
        "get_source('jsonl')\n"
        "print(sorted({'requests', 'bs4', 'duckdb'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
