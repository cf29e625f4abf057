"""The `skillpulse` command line: demo, run, ingest, extract, reextract, report."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from skillpulse.progress import step

T = TypeVar("T")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="skillpulse: check the ML-engineer roadmap against what job postings ask for.",
)
console = Console(stderr=True, soft_wrap=True)


@app.callback()
def _defaults() -> None:
    # Prefect's telemetry heartbeat contends for the ephemeral server's SQLite file and adds
    # nothing for a local pipeline; users can still turn it on in their environment.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


DbOption = Annotated[Path, typer.Option("--db", help="The published warehouse file.")]
TaxonomyOption = Annotated[
    Path | None, typer.Option("--taxonomy", help="A taxonomy TOML other than the bundled one.")
]

ProcessesOption = Annotated[
    int,
    typer.Option(
        "--processes",
        min=0,
        help="Worker processes for extraction (and for parsing an ingest's file): 1 = this "
        "process only; 0 (default) = min(2, CPUs) when at least 10,000 texts are pending (for "
        "parsing, when the file has 8 MB or more), else 1.",
    ),
]


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_summary(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


def _refuse(message: str, code: int = 2) -> NoReturn:
    """End the command with one red line (the message printed as text: a path or a TOML error
    may hold brackets that Rich would read as markup) and this exit code."""
    from rich.markup import escape

    console.print(f"[red]{escape(message)}[/red]")
    raise typer.Exit(code)


def _input_file(path: Path) -> Path:
    """`path`, when it is a file to read; otherwise the command ends saying why."""
    if path.is_dir():
        _refuse(f"{path} is a folder, not an input file")
    if not path.is_file():
        _refuse(f"no such input file: {path}")
    return path


def _taxonomy(path: Path | None):  # type: ignore[no-untyped-def]
    """The taxonomy to extract with; a missing or invalid file ends the command in one line."""
    from extractors.skills.taxonomy import load_taxonomy

    try:
        return load_taxonomy(path)
    except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        _refuse(f"taxonomy {path or '(bundled)'} could not be loaded: {exc}")


def _warehouse_target(db: Path, *inputs: Path):  # type: ignore[no-untyped-def]
    """The WarehousePaths a run will write, once their folders exist; the command ends instead
    when the build's rename would destroy something: the input itself, or, where no raw store
    says the path is a warehouse's, a folder or a file that is not a DuckDB database (a notes
    file given as --db). Beside a raw store, an unreadable warehouse is a lost published copy,
    which the build replaces from the store; a damaged raw store fails the run, as it did."""
    from warehouse.files import may_hold_database
    from warehouse.paths import WarehousePaths

    paths = WarehousePaths.for_db(db)
    for source in inputs:
        if source.resolve() in (paths.db.resolve(), paths.raw.resolve()):
            _refuse(f"--db {db} would write over the input {source}")
    if not paths.raw.exists() and not may_hold_database(paths.db):
        _refuse(f"{paths.db} exists and is not a DuckDB database; it is left as it is")
    try:
        paths.ensure_dirs()
    except OSError as exc:
        _refuse(f"the warehouse's folders could not be made beside {paths.db}: {exc}")
    return paths


def _storage_errors() -> tuple[type[BaseException], ...]:
    """What a full disk, an unreadable database file or a failing build raise."""
    import duckdb

    from skillpulse.pipeline import StaleExtractions
    from warehouse.build import BuildError

    return (duckdb.Error, OSError, BuildError, StaleExtractions)


def _storage_failed(command: str, paths, run_id: str, exc: BaseException) -> NoReturn:  # type: ignore[no-untyped-def]
    """One clear message instead of a traceback, the run logged failed (if the raw store can
    still be written), exit 1. A failed build never reaches the publish, so the last good
    warehouse is still the published one."""
    import duckdb

    kept = (
        f"nothing was published; {paths.db} still holds the last good warehouse"
        if paths.db.exists()
        else "nothing was published"
    )
    console.print(f"[red]{command} failed: {type(exc).__name__}: {exc}\n{kept}[/red]")
    # Only a store that exists: connecting would create one, not atomically (raw_store.
    # open_raw), and a full disk would leave it half-written.
    if paths.raw.is_file():
        with contextlib.suppress(Exception):
            con = duckdb.connect(str(paths.raw))
            try:
                con.execute(
                    "update raw_runs set status = 'failed', finished_at = now(), message = ? "
                    "where run_id = ?",
                    [f"{type(exc).__name__}: {exc}", run_id],
                )
            finally:
                con.close()
    raise typer.Exit(1)


@contextlib.contextmanager
def _failures_logged(command: str, paths, run_id: str) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Inside the run lock: a storage failure ends the command with one clear line and its run
    logged failed while no other run can have the raw store open."""
    try:
        yield
    except _storage_errors() as exc:
        _storage_failed(command, paths, run_id, exc)


def _task_runner(dask: str | None):  # type: ignore[no-untyped-def]
    """None for Prefect's default thread pool; a DaskTaskRunner for --dask local|tcp://…"""
    if not dask:
        return None
    from prefect_dask import DaskTaskRunner

    if dask == "local":
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True}
        )
    if dask.startswith("tcp://"):
        return DaskTaskRunner(address=dask)
    raise typer.BadParameter("--dask takes 'local' or a scheduler address tcp://HOST:PORT")


def _run_flow(
    config_path: Path, taxonomy: Path | None, dask: str | None = None, refetch: bool = False
) -> int:
    """Run the nightly flow through Prefect and print its summary; the exit code."""
    from flows.nightly import SourcesFailed, nightly

    runner = _task_runner(dask)
    flow = nightly.with_options(task_runner=runner) if runner else nightly
    state = flow(str(config_path), str(taxonomy) if taxonomy else None, refetch, return_state=True)
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
        code = _run_flow(config_path, None, refetch=True)
    raise typer.Exit(code)


@app.command()
def run(
    config: Annotated[
        Path,
        typer.Option(
            "--config", help="skillpulse.toml with \\[http], \\[storage] and \\[\\[sources]]."
        ),
    ] = Path("skillpulse.toml"),
    taxonomy: TaxonomyOption = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run tasks on Dask: 'local' starts a LocalCluster, tcp://HOST:PORT uses an existing scheduler.",
        ),
    ] = None,
    refetch: Annotated[
        bool, typer.Option("--refetch", help="Fetch again sources already collected today.")
    ] = False,
) -> None:
    """Run the nightly flow on the configured sources (exits 1 if any source failed)."""
    _checked_config(config, taxonomy)
    raise typer.Exit(_run_flow(config, taxonomy, dask, refetch))


def _checked_config(config: Path, taxonomy: Path | None) -> None:
    """End the command in one line, before any run starts, when the config, its warehouse path
    or a taxonomy given by path would make the run fail (the bundled one is checked by the
    suite, and loading it here would only load it twice)."""
    from skillpulse.config import ConfigError, load_config

    try:
        settings = load_config(config)
    except ConfigError as exc:
        _refuse(str(exc))
    if taxonomy is not None:
        _taxonomy(taxonomy)
    _warehouse_target(settings.storage.db)


@app.command()
def serve(
    config: Annotated[
        Path, typer.Option("--config", help="skillpulse.toml the scheduled runs use.")
    ] = Path("skillpulse.toml"),
    cron: Annotated[str, typer.Option("--cron", help="When to run (cron syntax).")] = "0 3 * * *",
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone of the cron schedule.")
    ] = "UTC",
) -> None:
    """Serve the `nightly` deployment on its schedule from this process (no work pool needed).

    Runs until interrupted; each scheduled run executes the nightly flow with --config. Needs a
    Prefect server that outlives this process (PREFECT_API_URL): Prefect's temporary one cannot
    schedule.
    """
    from prefect.schedules import Cron
    from prefect.settings import PREFECT_API_URL

    from flows.nightly import nightly

    _checked_config(config, None)
    if not PREFECT_API_URL.value():
        # Prefect only warns and then serves a schedule that never runs.
        _refuse(
            "serve needs a Prefect server to schedule on: start one with `prefect server "
            "start` and set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api), or use a work "
            "pool (README)"
        )

    nightly.serve(
        name="nightly",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"config_path": str(config.resolve())},
        description="skillpulse: collect, extract, build and report, every night.",
    )


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
    processes: ProcessesOption = 0,
    timings: Annotated[
        Path | None,
        typer.Option(
            "--timings",
            help="Write seconds per stage (parse, load, extract, build, and each build step) "
            "as JSON here.",
        ),
    ] = None,
) -> None:
    """Load postings from a JSONL file, extract skills and rebuild the warehouse.

    Each bad line is rejected with its line number and reason (kept in fct_rejects); good lines
    still land, and a file whose every line is rejected fails (exit 1). A posting is known by
    its source, the file's name and its id: ingesting the same file again, or a newer file of
    the same name, adds only what changed, while the same ids in a file of another name (a
    dated name each night) are other postings.
    """
    from skillpulse import pipeline
    from warehouse import raw_store
    from warehouse.lock import RunLock, RunLocked

    _input_file(input)
    started = time.perf_counter()
    if timings is not None:
        # Checked before the run: the file is written after the warehouse is published.
        try:
            timings.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _refuse(f"--timings {timings}: its folder could not be made: {exc}")
    tax = _taxonomy(taxonomy)
    paths = _warehouse_target(db, input)
    run_id = pipeline.new_run_id("ingest")
    stages: dict[str, float] = {}
    try:
        with RunLock(paths.lock), _failures_logged("ingest", paths, run_id):
            con = raw_store.open_raw(paths.raw)
            try:
                started_at = pipeline.start_run(con, run_id, "ingest", tax)
                # The workers start while postings land, once enough new ones have (WarmPool).
                with pipeline.WarmPool(tax, processes or None) as warm:
                    with step("reading postings") as progress:
                        outcome = pipeline.ingest_jsonl(
                            con,
                            run_id,
                            input,
                            progress,
                            stages,
                            chunk_landed=warm.landed,
                            processes=processes or None,
                        )
                    stages["peak_rss_mb_after_load"] = _peak_rss_mb()
                    tick = time.perf_counter()
                    # Given the taxonomy, extract_pending builds a matcher (importing spaCy)
                    # only when texts are pending and it extracts in this process.
                    with step("extracting skills") as progress:
                        extracted = pipeline.extract_pending(
                            con,
                            tax,
                            progress=progress,
                            processes=processes or None,
                            pool=warm.pool,
                        )
                stages["extract"] = time.perf_counter() - tick
                stages["peak_rss_mb_after_extract"] = _peak_rss_mb()
                pipeline.finish_run(
                    con, run_id, "ingest", started_at, tax, [outcome], outcome.landed, extracted
                )
            finally:
                con.close()
            tick = time.perf_counter()
            with step("building the warehouse"):
                built = pipeline.build(paths, run_id, tax)
            stages["build"] = time.perf_counter() - tick
            stages.update({f"build: {name}": s for name, s in built.steps.items()})
            stages["peak_rss_mb_after_build"] = _peak_rss_mb()
    except RunLocked as exc:
        _refuse(str(exc), 3)
    except _storage_errors() as exc:  # taking the lock itself failed
        _storage_failed("ingest", paths, run_id, exc)
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
    # The load's counts (skillpulse.landing.ingest_jsonl): a re-run shows it re-did nothing.
    typer.echo(
        f"  landing: {int(stages.get('postings_new', 0))} new, "
        f"{int(stages.get('postings_changed', 0))} changed, "
        f"{int(stages.get('postings_unchanged', 0))} unchanged postings"
    )
    if timings is not None:
        stages["total"] = time.perf_counter() - started
        timings.write_text(json.dumps(stages, indent=2) + "\n", encoding="utf-8")
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

    _input_file(input)
    extractor = SkillExtractor(_taxonomy(taxonomy))
    rejected: list[int] = []

    def records() -> Iterator[tuple[str, str]]:
        for record in _jsonl_records(input, rejected, needs_id=True):
            yield str(record["id"]), record["text"]

    scratch = output.with_suffix(output.suffix + ".tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        written = _write_extractions(scratch, extractor.extract_many(records()))
        scratch.replace(output)
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        _refuse(f"{output} could not be written: {exc}")
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    console.print(f"extracted {written} records to {output}; {len(rejected)} rejected")


def _write_extractions(path: Path, results: Iterator) -> int:  # type: ignore[type-arg]
    """Write one JSON line per extraction result to `path`; how many."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for result in results:
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
    return written


@app.command()
def report(
    db: DbOption = Path("data/warehouse.duckdb"),
    out: Annotated[Path, typer.Option("--out", help="Directory for the HTML report.")] = Path(
        "data/reports"
    ),
) -> None:
    """Render the HTML trend report from the warehouse alone (read-only)."""
    from reports.render import render_report

    files = _read_warehouse("report", db, lambda: render_report(db, out))
    typer.echo(f"report: {files.report}\nlatest: {files.latest}\nindex:  {files.index}")


def _jsonl_records(path: Path, rejected: list[int], needs_id: bool) -> Iterator[dict]:
    """The JSON objects of a JSONL file with a string 'text' (and an 'id' if `needs_id`). Any
    other line is named on the console by its number, with the reason, added to `rejected` and
    skipped."""
    from extractors.sources.jsonl import decode_record

    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = decode_record(raw)
                if not isinstance(record.get("text"), str):
                    raise ValueError("missing or non-string 'text'")
                if needs_id and record.get("id") is None:
                    raise ValueError("missing 'id'")
            except ValueError as exc:
                rejected.append(number)
                console.print(f"{path}:{number}: rejected: {exc}")
                continue
            yield record


def _read_warehouse(command: str, db: Path, read: Callable[[], T]) -> T:
    """Run a read-only command; a missing or unreadable warehouse is one clear line, exit 2."""
    import duckdb

    from reports.gather import NotAWarehouse
    from warehouse.files import OutputNotWritten

    if not db.is_file():
        _refuse(f"no warehouse at {db}; run `skillpulse ingest` or `run` first")
    try:
        return read()
    except OutputNotWritten as exc:  # an OSError, but of the output, not the warehouse
        _refuse(f"{command} failed: {exc}")
    except NotAWarehouse as exc:
        _refuse(f"{command} failed: {db}: {exc}")
    except (duckdb.Error, OSError) as exc:
        _refuse(f"{command} failed: {db} could not be read: {exc}")


@app.command()
def export(
    parquet: Annotated[
        Path, typer.Option("--parquet", help="Directory for one Parquet file per mart/report.")
    ],
    db: DbOption = Path("data/warehouse.duckdb"),
) -> None:
    """Export every mart and report table to Parquet (read-only; the directory swaps in whole)."""
    from warehouse.export import export_parquet

    files = _read_warehouse("export", db, lambda: export_parquet(db, parquet))
    typer.echo(f"exported {len(files)} tables to {parquet}")


@app.command()
def reextract(
    db: DbOption = Path("data/warehouse.duckdb"),
    taxonomy: TaxonomyOption = None,
    processes: ProcessesOption = 0,
) -> None:
    """Re-extract skills from stored postings with the current taxonomy and rebuild; no fetching.

    Texts already extracted with this taxonomy version are skipped, so after a taxonomy or rules
    edit only the new version is computed; older versions' mentions stay in the raw store.
    """
    from skillpulse import pipeline
    from warehouse import raw_store
    from warehouse.lock import RunLock, RunLocked
    from warehouse.paths import WarehousePaths

    paths = WarehousePaths.for_db(db)
    if not paths.raw.is_file():
        _refuse(f"no raw store at {paths.raw}; run `skillpulse ingest` first")
    started = time.perf_counter()
    tax = _taxonomy(taxonomy)
    run_id = pipeline.new_run_id("reextract")
    try:
        with RunLock(paths.lock), _failures_logged("reextract", paths, run_id):
            con = raw_store.open_raw(paths.raw)
            try:
                started_at = pipeline.start_run(con, run_id, "reextract", tax)
                with step(f"extracting with taxonomy {tax.version}") as progress:
                    extracted = pipeline.extract_pending(
                        con, tax, progress=progress, processes=processes or None
                    )
                pipeline.finish_run(con, run_id, "reextract", started_at, tax, [], 0, extracted)
            finally:
                con.close()
            pipeline.build(paths, run_id, tax)
    except RunLocked as exc:
        _refuse(str(exc), 3)
    except _storage_errors() as exc:  # taking the lock itself failed
        _storage_failed("reextract", paths, run_id, exc)
    typer.echo(
        f"taxonomy {tax.version}: {extracted} texts extracted, warehouse {paths.db} rebuilt "
        f"({time.perf_counter() - started:.1f}s)"
    )


@app.command()
def candidates(
    db: Annotated[
        Path | None, typer.Option("--db", help="Read postings from this warehouse's raw store.")
    ] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help='Or read JSONL lines {"id", "text"}.')
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many terms to list.")] = 50,
    min_postings: Annotated[
        int, typer.Option("--min-postings", help="Ignore terms named by fewer postings.")
    ] = 3,
    taxonomy: TaxonomyOption = None,
) -> None:
    """List recurring tool-like terms that match no taxonomy skill, ranked by postings, for review."""
    import duckdb

    from extractors.skills.discovery import discover
    from extractors.skills.matcher import SkillExtractor
    from warehouse.paths import WarehousePaths

    if (db is None) == (input is None):
        _refuse("give exactly one of --db or --input")
    if input is not None:
        _input_file(input)
        rejected: list[int] = []
        texts = [record["text"] for record in _jsonl_records(input, rejected, needs_id=False)]
        if rejected:
            lines = "line" if len(rejected) == 1 else "lines"
            console.print(f"{len(rejected)} {lines} of {input} rejected")
    else:
        raw = WarehousePaths.for_db(db).raw  # type: ignore[arg-type]
        if not raw.is_file():
            _refuse(f"no raw store at {raw}")
        try:
            con = duckdb.connect(str(raw), read_only=True)
            try:
                rows = con.execute(
                    "select any_value(text) from raw_postings group by content_hash"
                ).fetchall()
            finally:
                con.close()
        except duckdb.Error as exc:
            # A running ingest holds the raw store's write lock, which a reader cannot share.
            _refuse(f"{raw} could not be read (is a run writing it?): {exc}")
        texts = [row[0] or "" for row in rows]
    extractor = SkillExtractor(_taxonomy(taxonomy))
    found = discover(extractor, texts, top=top, min_postings=min_postings)
    typer.echo(f"{len(texts)} postings; {len(found)} candidate terms (postings, signals, example)")
    for rank, term in enumerate(found, start=1):
        typer.echo(
            f"{rank:>4}. {term.term:<24}{term.postings:>6}  {','.join(term.signals):<28}{term.example}"
        )


@app.command()
def evaluate(
    corpus: Annotated[
        Path | None,
        typer.Option("--corpus", help="JSONL with the labelled postings' texts (default: shared)."),
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="Also list every miss.")] = False,
    taxonomy: TaxonomyOption = None,
) -> None:
    """Precision, recall and F1 per core skill on the labelled dev postings and hard sentences."""
    from extractors.skills.evaluation import dev_cases, hard_cases
    from extractors.skills.evaluation import evaluate as score
    from extractors.skills.matcher import SkillExtractor

    tax = _taxonomy(taxonomy)
    extractor = SkillExtractor(tax)
    typer.echo(f"taxonomy {tax.version}")
    sets = [("hard sentences", hard_cases())]
    try:
        sets.insert(0, ("dev postings", dev_cases(corpus=corpus)))
    except (OSError, ValueError) as exc:
        if corpus is not None:  # asked for by name: a failure, not a set to skip
            _refuse(f"--corpus {corpus}: {exc}")
        console.print(f"[yellow]dev postings skipped: {exc}[/yellow]")
    for name, cases in sets:
        report = score(extractor, cases, name)
        typer.echo("\n".join(report.lines()))
        if errors:
            for case_id, kind, skill in report.errors:
                typer.echo(f"  {kind} {skill:<18} {case_id}")
        typer.echo("")


# What a shell reports for a process SIGTERM ended (Ctrl-C exits 130, through typer).
SIGTERM_EXIT = 128 + signal.SIGTERM
_sigterm_received = False


def main() -> None:  # pragma: no cover
    # SIGTERM (timeout, systemctl stop, an orchestrator) ends a command as Ctrl-C does, by an
    # exception: with blocks and finally clauses run, so worker pools are stopped, connections
    # closed and the run lock released. Python's default ends the process on the spot, and an
    # ingest's spawned workers ran on under PID 1.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        sys.exit(app())
    except BaseException:
        # DuckDB raises its own error in place of an exception the handler raised mid-query
        # (RuntimeError "Query interrupted" for 3 of 16 SIGTERMs at random points of an
        # ingest; once in 40 a duckdb.Error, and the run is logged failed): the exit code
        # still says SIGTERM. Ctrl-C meets the same errors.
        if _sigterm_received:
            sys.exit(SIGTERM_EXIT)
        raise


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    global _sigterm_received
    _sigterm_received = True
    # A second SIGTERM ends the process at once, clean-up or not (a clean-up that hangs can
    # still be stopped); its workers end with it (extractors.workers.end_with_parent).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise SystemExit(SIGTERM_EXIT)
