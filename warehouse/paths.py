"""Where a warehouse's files live, all derived from the published database path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WarehousePaths:
    """`db` is what analysts open; `raw` is the pipeline's private store of record beside it."""

    db: Path

    @classmethod
    def for_db(cls, db: str | Path) -> WarehousePaths:
        return cls(Path(db).expanduser().resolve())

    @property
    def raw(self) -> Path:
        return self.db.with_name(f"{self.db.stem}.raw.duckdb")

    @property
    def build_dir(self) -> Path:
        return self.db.parent / ".build"

    @property
    def lock(self) -> Path:
        return self.db.with_name(f".{self.db.stem}.lock")

    def ensure_dirs(self) -> None:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self.build_dir.mkdir(parents=True, exist_ok=True)
