"""End-to-end ingest (JSONL → built marts), the nightly re-run over the same input, a nightly
run with 1% new postings, and extraction alone over the same texts.

`skillpulse ingest` runs in a subprocess, three times into the same warehouse: the first run
lands, extracts and builds everything (it is repeated into fresh warehouses when several
ratio pairs are asked for: ingest_runs); the second, over the same file, finds every posting
already landed with the same content hash, extracts nothing and rebuilds the marts; the third
lands a nightly batch of new postings (1% of the corpus, synthetic, posted in the month after
the latest stored posting) and extracts and builds what that changes: what a nightly run with
new postings costs once the history is stored. The batch's company names are drawn as the
corpus's are, so many match stored companies (at 1M, 1,952 of the batch's 3,192, whose blocks
hold 195,173 stored postings), as reposts do: their duplicate blocks are recomputed.

Per run: wall time, the stage timings the CLI writes with --timings, peak memory of the whole
process tree (parent plus workers: summed PSS, read within a CPU budget, and summed RSS, read
every 0.1 s, which bounds it from above), of the largest single process (RSS, every 0.1 s), the
memory sampler's own CPU seconds (benchmarks.common.TreeMemory), the raw store's and the
warehouse's sizes on disk. "other" is the wall time outside
the four stages: interpreter start-up, imports, opening the stores and the closing summary.
Right after each first run, benchmarks.extraction_alone times the same worker pool extracting
every distinct text of the raw store with nothing else running: the ratio's denominator.

The command is `python -m skillpulse` run from the checkout being measured: the same entry the
`skillpulse` script runs (skillpulse/__main__.py), so its spawned workers import what a user's
workers import. Until the fourteenth session it was `python -c`, whose workers import no main
module at all, while the script's workers imported the whole command line (typer, rich).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from benchmarks import corpus as synthetic
from benchmarks.common import REPO, run_measured
from warehouse.paths import WarehousePaths

NIGHTLY_SHARE = 0.01  # a nightly batch's new postings, as a share of the stored corpus
NIGHTLY_SEED = 20261122
RUN_KINDS = ("first", "re-run, same input", "nightly, 1% new postings")


def ingest_runs(
    corpus: Path, workdir: Path, taxonomy: Path, processes: int = 0, pairs: int = 1
) -> dict[str, object]:
    """`pairs` first runs, each into a fresh warehouse and followed at once by extraction alone
    over its raw store (the ratio's numerator and denominator, adjacent in time); the last
    warehouse then gets the other two runs of RUN_KINDS.

    Several pairs, because this shared machine's speed drifts by ±25% within minutes: one
    first run timed in a slow stretch and extraction alone in a fast one (or the other way
    round) moved the published ratio by 0.3-0.4 between runs of the same code. The report
    gives the median of the pairs' ratios, and each pair.
    """
    pairs = max(1, pairs)
    out: dict[str, object] = {"corpus": str(corpus), "runs": [], "pairs": []}
    for pair in range(1, pairs + 1):
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        db = workdir / "warehouse.duckdb"
        raw = WarehousePaths.for_db(db).raw
        first = _ingest(corpus, db, taxonomy, processes, 1, RUN_KINDS[0])
        alone = extraction_alone(raw, taxonomy)
        out["pairs"].append(  # type: ignore[union-attr]
            {"first_seconds": first["seconds"], "alone_seconds": alone["seconds"]}
        )
        if pair == pairs:
            out["runs"].append(first)  # type: ignore[union-attr]
            out["extraction_alone"] = alone
    for number, kind in enumerate(RUN_KINDS[1:], start=2):
        source = corpus
        if kind == RUN_KINDS[2]:
            source, out["nightly_postings"] = nightly_batch(db, workdir / "nightly.jsonl")
        out["runs"].append(_ingest(source, db, taxonomy, processes, number, kind))  # type: ignore[union-attr]
    return out


def _ingest(
    source: Path, db: Path, taxonomy: Path, processes: int, number: int, kind: str
) -> dict[str, object]:
    """One `skillpulse ingest` of `source` into `db`, measured; raises if it failed."""
    workdir = db.parent
    raw = WarehousePaths.for_db(db).raw
    timings = workdir / f"timings-{number}.json"
    command = [
        sys.executable,
        "-m",
        "skillpulse",
        "ingest",
        "--input",
        str(source),
        "--db",
        str(db),
        "--taxonomy",
        str(taxonomy),
        "--processes",
        str(processes),
        "--timings",
        str(timings),
    ]
    measured = run_measured(command, workdir / f"ingest-{number}.log")
    measured["kind"] = kind
    measured["stages"] = json.loads(timings.read_text()) if timings.is_file() else {}
    # The raw store is its file and, beside it, the payload bodies (warehouse.payload_files).
    measured["raw_mb"] = _size_mb(raw) + sum(
        _size_mb(body) for body in raw.with_suffix(".payloads").rglob("*")
    )
    measured["warehouse_mb"] = _size_mb(db)
    if measured["rc"] != 0 or not measured["stages"]:
        raise RuntimeError(f"ingest run {number} failed; see {workdir}/ingest-{number}.log")
    return measured


def nightly_batch(db: Path, out: Path) -> tuple[Path, int]:
    """NIGHTLY_SHARE of the postings stored in warehouse `db` as new synthetic postings (their
    own ids, company names drawn as the corpus's are, all posted in the month after the latest
    stored posting), written to `out`."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored, latest = con.execute(
            "select count(*), max(posted_date) from fct_postings"
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    if latest is None:
        raise RuntimeError(f"{db} holds no postings with a date to follow with a nightly batch")
    after = date(latest.year + latest.month // 12, latest.month % 12 + 1, 1)
    postings = max(1, round(stored * NIGHTLY_SHARE))
    synthetic.generate(
        postings, out, seed=NIGHTLY_SEED, first_month=after, months=1, id_prefix="nightly-"
    )
    return out, postings


def extraction_alone(raw: Path, taxonomy: Path) -> dict[str, object]:
    """benchmarks.extraction_alone in a subprocess, over the raw store the ingest built."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.extraction_alone",
        "--raw",
        str(raw),
        "--taxonomy",
        str(taxonomy),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"extraction alone failed on {raw}:\n{done.stderr}")
    return json.loads(done.stdout)


STAGES = ("parse", "load", "extract", "build")


def _ratio(result: dict, first: dict) -> str:
    """The target's ratio as the report states it: one pair's, or the median of several."""
    alone = result.get("extraction_alone")
    if not alone:
        return ""
    texts = (
        f"{alone['texts']:,} texts in {alone['processes']} worker process(es), start-up included"
    )
    pairs = result.get("pairs") or []
    if len(pairs) < 2:
        return (
            f"**ingest / extraction alone = {first['seconds'] / alone['seconds']:.2f}×** "
            f"({first['seconds']:.1f} s; extraction alone {alone['seconds']:.1f} s for {texts}); "
        )
    ratios = [pair["first_seconds"] / pair["alone_seconds"] for pair in pairs]
    listed = ", ".join(
        f"{pair['first_seconds']:.1f} / {pair['alone_seconds']:.1f} s = {ratio:.2f}×"
        for pair, ratio in zip(pairs, ratios, strict=True)
    )
    return (
        f"**ingest / extraction alone = {statistics.median(ratios):.2f}×**, the median of "
        f"{len(pairs)} pairs, each a first run into a fresh warehouse and then extraction "
        f"alone over its {texts}, right after it ({listed}; the table's first run is the "
        "last pair's); "
    )


def _size_mb(path: Path) -> float:
    return path.stat().st_size / 2**20 if path.is_file() else 0.0


def _memory_cells(run: dict) -> str:
    """Peak tree PSS, peak summed RSS, largest single RSS, sampler CPU: '—' for what a result
    from before the twentieth session did not record (its tree PSS was sampled every tick)."""
    pss = run.get("peak_tree_pss_mb", run.get("peak_tree_rss_mb"))
    rss_sum = run.get("peak_tree_rss_sum_mb")
    sampler = run.get("sampler_cpu_s")
    return " | ".join(
        (
            f"{pss:,.0f}",
            "—" if rss_sum is None else f"{rss_sum:,.0f}",
            f"{run['peak_child_rss_mb']:,.0f}",
            "—" if sampler is None else f"{sampler:.1f}",
        )
    )


def render(results: dict[str, dict]) -> str:
    lines = [
        "| corpus | run | wall s | parse s | load s | extract s | build s | other s | "
        "peak memory, tree (PSS, MB) | peak summed RSS, tree (MB) | "
        "peak RSS, largest single process (MB) | memory sampler CPU s | "
        "raw store MB (file + payload files) | "
        "warehouse MB | load avg (start→end) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    notes = [
        "- **parse** is the time the landing process spent reading the file and waiting for "
        "parsed chunks: from 8 MB of input, worker processes parse beside the load "
        "(BENCHMARKS.md item 36), so only what they did not hide shows here."
    ]
    for label, result in results.items():
        runs = result.get("runs", [])
        for index, run in enumerate(runs, start=1):
            stages = run.get("stages", {})
            # Interpreter start-up, imports, opening the stores and the closing summary.
            other = run["seconds"] - sum(stages.get(s, 0.0) for s in STAGES)
            # Results from before the nightly run was added have no kind: first, then re-run.
            kind = run.get("kind") or RUN_KINDS[min(index, 2) - 1]
            lines.append(
                f"| {label} | {kind} | "
                f"{run['seconds']:.1f} | {stages.get('parse', 0):.1f} | {stages.get('load', 0):.1f} | "
                f"{stages.get('extract', 0):.1f} | {stages.get('build', 0):.1f} | {other:.1f} | "
                f"{_memory_cells(run)} | "
                f"{run['raw_mb']:,.0f} | {run['warehouse_mb']:,.0f} | "
                f"{run['load'][0]:.1f}→{run['load'][1]:.1f} |"
            )
        if len(runs) < 2:
            continue
        first, second = runs[0], runs[1]
        ratio = _ratio(result, first)
        nightly = ""
        if len(runs) > 2 and runs[2].get("kind") == RUN_KINDS[2]:
            third = runs[2]
            nightly = (
                f" **Nightly with {result.get('nightly_postings', 0):,} new postings = "
                f"{third['seconds'] / first['seconds']:.0%} of the first run** "
                f"({third['seconds']:.1f} s, of which build "
                f"{third.get('stages', {}).get('build', 0):.1f} s)."
            )
        notes.append(
            f"- {label}: {ratio}**re-run / first run = "
            f"{second['seconds'] / first['seconds']:.0%}** ({second['seconds']:.1f} s).{nightly}"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"
