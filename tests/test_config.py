"""skillpulse.toml: the shipped default loads, and each mistake is named by table and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.http import HttpSettings
from skillpulse.config import ConfigError, load_config, parse_config

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_default_config_loads() -> None:
    config = load_config(REPO_ROOT / "skillpulse.toml")

    assert config.http == HttpSettings(
        user_agent="skillpulse/0.1 (+mailto:you@example.org)",
        timeout_s=20,
        max_retries=3,
        min_delay_s=1.0,
    )
    assert config.storage.db == Path("data/warehouse.duckdb")
    assert config.storage.reports == Path("data/reports")
    kinds = {source.kind for source in config.sources}
    assert kinds == {"greenhouse", "ashby", "lever", "workable", "smartrecruiters", "hn"}
    boards = {(s.kind, s.board) for s in config.sources}
    assert {("greenhouse", "anthropic"), ("ashby", "openai"), ("lever", "spotify")} <= boards
    hn = next(s for s in config.sources if s.kind == "hn")
    assert (hn.board, hn.options) == ("whoishiring", {"months": 3})
    assert all(s.base_url is None for s in config.sources)


def test_options_and_base_url_are_carried_to_the_source() -> None:
    config = parse_config(
        {
            "sources": [
                {
                    "kind": "lever",
                    "board": "quillmark",
                    "base_url": "http://127.0.0.1:9",
                    "page_size": 50,
                },
                {"kind": "hn", "since": "2025-01"},
                {
                    "kind": "jsonld",
                    "board": "northbeam",
                    "urls": ["https://northbeam.example/jobs/1"],
                },
            ]
        }
    )

    lever, hn, jsonld = config.sources
    assert (lever.base_url, lever.options) == ("http://127.0.0.1:9", {"page_size": 50})
    assert (hn.board, hn.options) == ("whoishiring", {"since": "2025-01"})
    assert jsonld.options == {"urls": ["https://northbeam.example/jobs/1"]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"http": {"user_agnet": "x"}}, "config: unknown [http] keys ['user_agnet']"),
        ({"http": {"timeout_s": "20"}}, "config: [http] timeout_s must be a number >= 0, got '20'"),
        (
            {"http": {"max_retries": 1.5}},
            "config: [http] max_retries must be a whole number >= 0, got 1.5",
        ),
        ({"http": {"user_agent": ""}}, "config: [http] user_agent must be a non-empty string"),
        (
            {"sources": [{"kind": "indeed", "board": "x"}]},
            "config: [[sources]] #1 has kind 'indeed'; expected one of",
        ),
        (
            {"sources": [{"kind": "greenhouse"}]},
            "config: [[sources]] #1 (greenhouse) needs a board",
        ),
        (
            {"sources": [{"kind": "hn", "mnths": 3}]},
            "config: [[sources]] #1 (hn): unknown keys ['mnths']; hn options: ['months', 'since']",
        ),
        (
            {"sources": [{"kind": "hn", "months": 0}]},
            "config: [[sources]] #1 (hn): months must be a whole number >= 1, got 0",
        ),
        (
            {"sources": [{"kind": "hn", "since": "2025-1"}]},
            "config: [[sources]] #1 (hn): since must be a 'YYYY-MM' string, got '2025-1'",
        ),
        (
            {"sources": [{"kind": "jsonld", "board": "site"}]},
            "config: [[sources]] #1 (jsonld): urls must be a non-empty list of page URLs",
        ),
        (
            {"sources": [{"kind": "jsonld", "board": "site", "urls": ["careers.example/jobs"]}]},
            "config: [[sources]] #1 (jsonld): urls entry 'careers.example/jobs' is not an http(s) URL",
        ),
        (
            {"sources": [{"kind": "ashby", "board": "x", "base_url": "api.example"}]},
            "config: [[sources]] #1 (ashby): base_url must start with http:// or https://",
        ),
        (
            {"sources": [{"kind": "lever", "board": "x", "page_size": 500}]},
            "config: [[sources]] #1 (lever): page_size must be a whole number from 1 to 100",
        ),
    ],
)
def test_mistakes_are_named(document: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(document)
    assert str(raised.value).startswith(message)


def test_missing_and_broken_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such configuration file"):
        load_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[http\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_config(broken)
