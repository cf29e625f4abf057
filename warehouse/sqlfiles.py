"""The SQL models in sql/: one object per file, named by the file stem, built layer by layer.

A model reads only its own or earlier layers: raw → staging → intermediate → marts → reports.
models() lists them in that order, and within a layer after the models they name. The build
(warehouse.scheduling) starts each model once the models it names are built, so that list is
only its tie-break: a model that does not read the duplicates may run before a staging model
that does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = ("staging", "intermediate", "marts", "reports")
MACRO_DIR = "macros"


@dataclass(frozen=True)
class SqlModel:
    name: str
    layer: str
    path: Path
    sql: str

    @property
    def grain(self) -> str:
        """The '-- grain: …' header line, which every model must have."""
        for line in self.sql.splitlines():
            if line.lower().startswith("-- grain:"):
                return line.split(":", 1)[1].strip()
        return ""

    @property
    def code(self) -> str:
        """The SQL with its -- comments removed: what names in it really refer to."""
        return re.sub(r"--[^\n]*", "", self.sql)

    def reads(self, names: Iterable[str]) -> set[str]:
        """Which of `names` (tables, models) this model's SQL refers to, other than itself."""
        code = self.code
        return {
            name
            for name in names
            if name != self.name and re.search(rf"\b{re.escape(name)}\b", code)
        }

    @property
    def body(self) -> str:
        """The SQL without a trailing semicolon, ready to wrap in CREATE TABLE … AS."""
        return self.sql.strip().rstrip(";").strip()


def raw_ddl(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    return [
        SqlModel(path.stem, "raw", path, path.read_text(encoding="utf-8"))
        for path in sorted((sql_dir / "raw").glob("*.sql"))
    ]


def macros(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    """SQL macros, created before any model so every layer can use them."""
    return [
        SqlModel(path.stem, MACRO_DIR, path, path.read_text(encoding="utf-8"))
        for path in sorted((sql_dir / MACRO_DIR).glob("*.sql"))
    ]


def models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    """Every model in build order."""
    ordered: list[SqlModel] = []
    for layer in LAYERS:
        layer_models = {
            path.stem: SqlModel(path.stem, layer, path, path.read_text(encoding="utf-8"))
            for path in sorted((sql_dir / layer).glob("*.sql"))
        }
        graph = {name: model.reads(layer_models) for name, model in layer_models.items()}
        ordered.extend(layer_models[name] for name in TopologicalSorter(graph).static_order())
    return ordered
