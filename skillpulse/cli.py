"""The `skillpulse` command line: demo, run, ingest, extract, reextract, report."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="skillpulse: check the ML-engineer roadmap against what job postings ask for.",
)
console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[Path, typer.Option("--db", help="The published warehouse file.")]
TaxonomyOption = Annotated[
    Path | None, typer.Option("--taxonomy", help="A taxonomy TOML other than the bundled one.")
]


@contextmanager
def _progress(description: str) -> Iterator[callable]:  # type: ignore[valid-type]
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task_id = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task_id, completed=done, total=total)

        yield update


def _print_summary(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


def _run_flow(config_path: Path, taxonomy: Path | None) -> int:
    """Run the nightly flow through Prefect and print its summary; the exit code."""
    from flows.nightly import SourcesFailed, nightly

    state = nightly(str(config_path), str(taxonomy) if taxonomy else None, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, SourcesFailed):
        _print_summary(result.summary.lines())
        console.print(f"[red]{result}[/red]")
        return 1
    if isinstance(result, BaseException):
        console.print(f"[red]nightly run failed: {type(result).__name__}: {result}[/red]")
        return 1
    _print_summary(result.lines())
    return 0


@app.command()
def demo(
    data_dir: Annotated[
        Path, typer.Option("--data", help="Where the demo writes its files.")
    ] = Path("data"),
) -> None:
    """Run the whole pipeline offline on the bundled sample, through Prefect.

    A local server on 127.0.0.1 replays the bundled Greenhouse, Lever, Ashby and Hacker News
    payloads to the real collectors; the warehouse lands in DATA/warehouse.duckdb and the report
    in DATA/reports/latest.html.
    """
    from skillpulse.config import dump_config
    from skillpulse.demo.server import ReplayServer, sample_sources

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(data_dir / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    with ReplayServer() as server:
        config_path = data_dir / "demo.toml"
        config_path.write_text(
            dump_config(
                {
                    "http": {
                        "user_agent": "skillpulse-demo/0.1 (+mailto:demo@example.org)",
                        "timeout_s": 10,
                        "max_retries": 2,
                        "min_delay_s": 0.0,
                    },
                    "storage": {
                        "db": str(data_dir / "warehouse.duckdb"),
                        "reports": str(data_dir / "reports"),
                    },
                    "sources": sample_sources(server.url),
                }
            ),
            encoding="utf-8",
        )
        code = _run_flow(config_path, None)
    raise typer.Exit(code)


@app.command()
def run(
    config: Annotated[
        Path, typer.Option("--config", help="skillpulse.toml with [http], [storage], [[sources]].")
    ] = Path("skillpulse.toml"),
    taxonomy: TaxonomyOption = None,
) -> None:
    """Run the nightly flow on the configured sources (exits 1 if any source failed)."""
    from skillpulse.config import ConfigError, load_config

    try:
        load_config(config)
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    raise typer.Exit(_run_flow(config, taxonomy))


@app.command()
def ingest(
    input: Annotated[
        Path,
        typer.Option(
            "--input",
            help="JSONL of postings: id, text, and optionally source, title, company, posted_at, seen_at, url.",
        ),
    ],
    db: DbOption = Path("data/warehouse.duckdb"),
    taxonomy: TaxonomyOption = None,
) -> None:
    """Load postings from a JSONL file, extract skills and rebuild the warehouse.

    Each bad line is rejected with its line number and reason (kept in fct_rejects); good lines
    still land. Re-ingesting the same file adds nothing.
    """
    from extractors.skills.matcher import SkillExtractor
    from extractors.skills.taxonomy import load_taxonomy
    from skillpulse import pipeline
    from warehouse import raw_store
    from warehouse.lock import RunLock, RunLocked
    from warehouse.paths import WarehousePaths

    if not input.is_file():
        console.print(f"[red]no such input file: {input}[/red]")
        raise typer.Exit(2)
    started = time.perf_counter()
    paths = WarehousePaths.for_db(db)
    paths.ensure_dirs()
    tax = load_taxonomy(taxonomy)
    run_id = pipeline.new_run_id("ingest")
    try:
        with RunLock(paths.lock):
            con = raw_store.open_raw(paths.raw)
            try:
                started_at = pipeline.start_run(con, run_id, "ingest", tax)
                with _progress("reading postings") as progress:
                    outcome = pipeline.ingest_jsonl(con, run_id, input, progress)
                extractor = SkillExtractor(tax)
                with _progress("extracting skills") as progress:
                    extracted = pipeline.extract_pending(con, extractor, progress=progress)
                pipeline.finish_run(
                    con, run_id, "ingest", started_at, tax, [outcome], outcome.landed, extracted
                )
            finally:
                con.close()
            console.print("building the warehouse…")
            pipeline.build(paths, run_id, tax)
    except RunLocked as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(3) from None
    total, top = pipeline.top_skills(paths.db)
    summary = pipeline.RunSummary(
        run_id,
        "ingest",
        paths.db,
        None,
        outcome.landed,
        extracted,
        [outcome],
        top,
        total,
        time.perf_counter() - started,
    )
    _print_summary(summary.lines())
    for reject in outcome.parsed.rejects[:20]:
        console.print(f"  rejected {input.name} {reject.record_ref}: {reject.reason}")
    if len(outcome.parsed.rejects) > 20:
        console.print(f"  … and {len(outcome.parsed.rejects) - 20} more in fct_rejects")
    raise typer.Exit(1 if outcome.status == "failed" else 0)


@app.command()
def extract(
    input: Annotated[Path, typer.Option("--input", help='JSONL lines {"id", "text"}.')],
    output: Annotated[
        Path, typer.Option("--output", help='JSONL lines {"id", "skills", "mentions"}.')
    ],
    taxonomy: TaxonomyOption = None,
) -> None:
    """Extract skills from texts without touching any warehouse.

    Each output line holds the posting-level skill set (parents included) and every mention with
    its character offsets, matched text and section. Bad input lines are reported on stderr with
    their line number and skipped.
    """
    from extractors.skills.matcher import SkillExtractor
    from extractors.skills.taxonomy import load_taxonomy

    extractor = SkillExtractor(load_taxonomy(taxonomy))
    rejected = 0

    def records() -> Iterator[tuple[str, str]]:
        nonlocal rejected
        with input.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode("utf-8"))
                    if not isinstance(record, dict):
                        raise ValueError("expected a JSON object")
                    if not isinstance(record.get("text"), str):
                        raise ValueError("missing or non-string 'text'")
                    if record.get("id") is None:
                        raise ValueError("missing 'id'")
                except (ValueError, UnicodeDecodeError) as exc:
                    rejected += 1
                    console.print(f"{input}:{number}: rejected: {exc}")
                    continue
                yield str(record["id"]), record["text"]

    output.parent.mkdir(parents=True, exist_ok=True)
    scratch = output.with_suffix(output.suffix + ".tmp")
    written = 0
    with scratch.open("w", encoding="utf-8") as out:
        for result in extractor.extract_many(records()):
            out.write(
                json.dumps(
                    {
                        "id": result.doc_id,
                        "skills": list(result.skills),
                        "mentions": [
                            {
                                "skill": m.skill,
                                "start": m.start,
                                "end": m.end,
                                "text": m.text,
                                "section": m.section,
                                "rule": m.rule,
                            }
                            for m in result.mentions
                        ],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            written += 1
    scratch.replace(output)
    console.print(f"extracted {written} records to {output}; {rejected} rejected")


@app.command()
def report(
    db: DbOption = Path("data/warehouse.duckdb"),
    out: Annotated[Path, typer.Option("--out", help="Directory for the HTML report.")] = Path(
        "data/reports"
    ),
) -> None:
    """Render the HTML trend report from the warehouse alone (read-only)."""
    from reports.render import render_report

    if not db.is_file():
        console.print(f"[red]no warehouse at {db}; run `skillpulse ingest` or `run` first[/red]")
        raise typer.Exit(2)
    files = render_report(db, out)
    typer.echo(f"report: {files.report}\nlatest: {files.latest}\nindex:  {files.index}")


def main() -> None:  # pragma: no cover
    sys.exit(app())
