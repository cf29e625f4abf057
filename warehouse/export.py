"""Export the analyst tables (marts and reports) to Parquet, one file per table.

Files are written into a scratch directory beside the target and only then renamed into place,
so a reader never sees a half-written export. The warehouse is opened read-only: an export can
run while analysts are connected.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.sqlfiles import models

EXPORTED_LAYERS = ("marts", "reports")


def exported_tables() -> list[str]:
    return sorted(m.name for m in models() if m.layer in EXPORTED_LAYERS)


def export_parquet(db: Path, out_dir: Path) -> list[Path]:
    """Write `<table>.parquet` for every mart and report table into out_dir; the files."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in exported_tables():
            # the table name comes from a SQL file stem; the path is a bound parameter
            con.execute(
                f"copy (select * from {table}) to ? (format parquet)",
                [str(scratch / f"{table}.parquet")],
            )
    except BaseException:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    con.close()
    # Swap directories: the old export moves aside, the new one takes its name, the old one goes.
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(scratch, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return sorted(out_dir.glob("*.parquet"))
