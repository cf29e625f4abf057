"""skillpulse.toml: the [http], [storage] and [[sources]] tables, checked and typed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from extractors.http import HttpSettings
from extractors.sources.base import SourceConfig
from extractors.sources.registry import KINDS

_HTTP_KEYS = {
    "user_agent",
    "timeout_s",
    "max_retries",
    "min_delay_s",
    "max_bytes",
    "max_body_s",
    "max_retry_after_s",
    "obey_robots",
}
_DEFAULT_BOARD = {"hn": "whoishiring"}
# Extra keys each source kind understands in its [[sources]] entry, besides kind/board/base_url.
SOURCE_OPTIONS: dict[str, frozenset[str]] = {
    "greenhouse": frozenset(),
    "lever": frozenset({"page_size"}),
    "ashby": frozenset(),
    "workable": frozenset(),
    "smartrecruiters": frozenset({"page_size"}),
    "hn": frozenset({"months", "since"}),
    "jsonld": frozenset({"urls"}),
    "jsonl": frozenset({"path"}),
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ConfigError(ValueError):
    """The configuration is wrong; the message names the file, table and key."""


@dataclass(frozen=True)
class Storage:
    db: Path
    reports: Path


@dataclass(frozen=True)
class Config:
    http: HttpSettings
    storage: Storage
    sources: list[SourceConfig] = field(default_factory=list)


def load_config(path: Path) -> Config:
    """Read skillpulse.toml; relative storage paths are taken from the current directory."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(document, str(path))


def parse_config(document: dict, origin: str = "config") -> Config:
    http = _http_settings(document.get("http", {}), origin)
    storage_table = document.get("storage", {})
    storage = Storage(
        db=Path(storage_table.get("db", "data/warehouse.duckdb")),
        reports=Path(storage_table.get("reports", "data/reports")),
    )
    sources = [
        _source(entry, f"{origin}: [[sources]] #{index}")
        for index, entry in enumerate(document.get("sources", []), start=1)
    ]
    return Config(http=http, storage=storage, sources=sources)


def _http_settings(table: dict, origin: str) -> HttpSettings:
    unknown = set(table) - _HTTP_KEYS
    if unknown:
        raise ConfigError(f"{origin}: unknown [http] keys {sorted(unknown)}")
    if "user_agent" in table and (
        not isinstance(table["user_agent"], str) or not table["user_agent"].strip()
    ):
        raise ConfigError(f"{origin}: [http] user_agent must be a non-empty string")
    for key in (
        "timeout_s",
        "min_delay_s",
        "max_retry_after_s",
        "max_retries",
        "max_bytes",
        "max_body_s",
    ):
        value = table.get(key)
        if value is None:
            continue
        whole = key in ("max_retries", "max_bytes")
        allowed = int if whole else int | float
        if isinstance(value, bool) or not isinstance(value, allowed) or value < 0:
            kind = "a whole number" if whole else "a number"
            raise ConfigError(f"{origin}: [http] {key} must be {kind} >= 0, got {value!r}")
    for key in ("timeout_s", "max_body_s"):
        if key in table and table[key] == 0:
            raise ConfigError(f"{origin}: [http] {key} must be more than 0")
    if "obey_robots" in table and not isinstance(table["obey_robots"], bool):
        raise ConfigError(f"{origin}: [http] obey_robots must be true or false")
    return HttpSettings(**table)


def _source(entry: object, where: str) -> SourceConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} is not a table")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where} has kind {kind!r}; expected one of {sorted(KINDS)}")
    where = f"{where} ({kind})"
    board = entry.get("board") or _DEFAULT_BOARD.get(kind)
    if not board or not isinstance(board, str):
        raise ConfigError(f"{where} needs a board")
    base_url = entry.get("base_url")
    if base_url is not None and (
        not isinstance(base_url, str) or not base_url.startswith(("http://", "https://"))
    ):
        raise ConfigError(
            f"{where}: base_url must start with http:// or https://, got {base_url!r}"
        )
    options = {k: v for k, v in entry.items() if k not in ("kind", "board", "base_url")}
    unknown = set(options) - SOURCE_OPTIONS.get(kind, frozenset())
    if unknown:
        known = sorted(SOURCE_OPTIONS.get(kind, frozenset())) or "none"
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; {kind} options: {known}")
    _check_options(kind, options, where)
    return SourceConfig(kind=kind, board=board, base_url=base_url, options=options)


def _check_options(kind: str, options: dict, where: str) -> None:
    months, since = options.get("months"), options.get("since")
    if months is not None and (
        isinstance(months, bool) or not isinstance(months, int) or months < 1
    ):
        raise ConfigError(f"{where}: months must be a whole number >= 1, got {months!r}")
    if since is not None and (not isinstance(since, str) or not _MONTH.match(since)):
        raise ConfigError(f"{where}: since must be a 'YYYY-MM' string, got {since!r}")
    page_size = options.get("page_size")
    if page_size is not None and (
        isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 100
    ):
        raise ConfigError(f"{where}: page_size must be a whole number from 1 to 100")
    if kind == "jsonld":
        urls = options.get("urls")
        if not isinstance(urls, list) or not urls:
            raise ConfigError(f"{where}: urls must be a non-empty list of page URLs")
        for url in urls:
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ConfigError(f"{where}: urls entry {url!r} is not an http(s) URL")


def dump_config(document: dict) -> str:
    """Write a configuration dict as skillpulse.toml text (the subset of TOML it uses)."""
    lines: list[str] = []
    for table in ("http", "storage"):
        if table in document:
            lines.append(f"[{table}]")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in document[table].items())
            lines.append("")
    for source in document.get("sources", []):
        lines.append("[[sources]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in source.items())
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
