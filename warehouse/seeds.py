"""Reference tables from outside the raw store (the taxonomy, the build's facts), as the build
loads them: typed columns and rows of plain Python values.

Not DataFrames or Arrow tables: building either imports pandas, 1.1–1.7 s of a re-run that
otherwise has nothing to do (see warehouse/raw_store.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Seed:
    """A table: (column name, DuckDB type) pairs, and rows in that column order."""

    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[object, ...], ...]

    def load(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        """Create table `name` holding these rows, in order."""
        typed = ", ".join(f'"{column}" {kind}' for column, kind in self.columns)
        con.execute(f"create table {name} ({typed})")
        with con.appender(name) as appender:
            appender.append_rows(self.rows)

    def without(self, dropped: Sequence[str]) -> Seed:
        """The same table without the named columns."""
        kept = [i for i, (column, _) in enumerate(self.columns) if column not in dropped]
        return Seed(
            tuple(self.columns[i] for i in kept),
            tuple(tuple(row[i] for i in kept) for row in self.rows),
        )

    def canonical(self) -> str:
        """Columns, types and rows as one string: equal exactly when the tables are equal
        (datetimes spelled by str(), which is ISO 8601)."""
        return json.dumps([self.columns, self.rows], default=str)
