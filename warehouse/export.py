"""Export the analyst tables (marts and reports) to Parquet, one file per table.

Files are written into a scratch directory beside the target and only then renamed into place,
so a reader never sees a half-written export. The warehouse is opened read-only: an export can
run while analysts are connected. The swap replaces the whole target folder, so a folder that
holds anything but an earlier export's files is refused, not emptied.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.files import OutputNotWritten
from warehouse.sqlfiles import models

EXPORTED_LAYERS = ("marts", "reports")


def exported_tables() -> list[str]:
    return sorted(m.name for m in models() if m.layer in EXPORTED_LAYERS)


def export_parquet(db: Path, out_dir: Path) -> list[Path]:
    """Write `<table>.parquet` for every mart and report table into out_dir; the files.

    Raises OutputNotWritten, writing nothing, when out_dir holds anything else (the swap would
    delete it: `--parquet data` held the warehouse itself) or cannot be written."""
    out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputNotWritten(
            f"{out_dir} is a file, not a folder for the export; it is left as it is"
        )
    tables = exported_tables()
    ours = {f"{table}.parquet" for table in tables}
    # What the folder holds that an export did not write.
    foreign = (
        sorted(entry.name for entry in out_dir.iterdir() if entry.name not in ours)
        if out_dir.is_dir()
        else []
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise OutputNotWritten(
            f"{out_dir} holds what an export did not write ({shown}); an export replaces its "
            "whole folder, so give it an empty or new one"
        )
    scratch = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
    except OSError as exc:
        raise OutputNotWritten(f"{out_dir} could not be written: {exc}") from exc
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in tables:
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
