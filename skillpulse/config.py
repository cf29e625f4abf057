"""skillpulse.toml: the [http], [storage] and [[sources]] tables, checked and typed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from extractors.http import HttpSettings
from extractors.sources.base import SourceConfig
from extractors.sources.registry import SOURCES

_HTTP_KEYS = {"user_agent", "timeout_s", "max_retries", "min_delay_s", "max_bytes", "obey_robots"}
_DEFAULT_BOARD = {"hn": "whoishiring"}


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
    http_table = document.get("http", {})
    unknown = set(http_table) - _HTTP_KEYS
    if unknown:
        raise ConfigError(f"{origin}: unknown [http] keys {sorted(unknown)}")
    try:
        http = HttpSettings(**http_table)
    except TypeError as exc:
        raise ConfigError(f"{origin}: [http] {exc}") from exc
    storage_table = document.get("storage", {})
    storage = Storage(
        db=Path(storage_table.get("db", "data/warehouse.duckdb")),
        reports=Path(storage_table.get("reports", "data/reports")),
    )
    sources = []
    for index, entry in enumerate(document.get("sources", []), start=1):
        kind = entry.get("kind")
        if kind not in SOURCES:
            raise ConfigError(
                f"{origin}: [[sources]] #{index} has kind {kind!r}; expected one of {sorted(SOURCES)}"
            )
        board = entry.get("board") or _DEFAULT_BOARD.get(kind)
        if not board:
            raise ConfigError(f"{origin}: [[sources]] #{index} ({kind}) needs a board")
        options = {k: v for k, v in entry.items() if k not in ("kind", "board", "base_url")}
        sources.append(
            SourceConfig(
                kind=kind, board=str(board), base_url=entry.get("base_url"), options=options
            )
        )
    return Config(http=http, storage=storage, sources=sources)


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
