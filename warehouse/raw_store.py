"""The raw store of record (`<db>.raw.duckdb`): payloads, parsed postings, mentions, run logs.

Only the pipeline writes it, one run at a time. Every write is keyed by natural keys and made in
one transaction (an ingest's chunks and extraction batches share one per ROWS_PER_COMMIT rows,
GroupedCommits), so a killed run leaves either nothing or whole steps, and re-running a step
is a no-op.
Rows arrive as tuples in the column order named below and reach DuckDB through its Appender
into a temporary staging table, then one set-based statement per step; never row by row in SQL.
Mentions, by far the most rows, arrive column by column (MentionColumns) and reach DuckDB as
numpy arrays it reads whole. Not DataFrames or Arrow tables: building either from Python
objects imports pandas (pyarrow checks each input for pandas types), 1.1–1.7 s, a third of a
re-run on unchanged input.
"""

from __future__ import annotations

import contextlib
import logging
import os
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from warehouse import payload_files
from warehouse.files import remove_database, replace_durably, set_aside_wal, wal_of
from warehouse.sqlfiles import raw_ddl

if TYPE_CHECKING:
    import numpy as np

    from extractors.skills.mentions import MentionColumns

_log = logging.getLogger("skillpulse")

# The rows the landing functions take, column for column; sql/raw has the stored types.
# Mentions come as columns (MentionColumns); MENTION_COLUMNS names raw_mentions' own.
POSTING_COLUMNS = (
    "source",
    "board",
    "source_posting_id",
    "title",
    "company",
    "location",
    "workplace",
    "posted_at",
    "text",
    "url",
    "salary_min",
    "salary_max",
    "salary_currency",
    "content_hash",
    "payload_sha256",
    "role_family",
    "seniority",
    "parsed_at",
    "first_seen_at",
    "last_seen_at",
    "last_seen_run_id",
)
PAYLOAD_COLUMNS = (
    "payload_sha256",
    "source",
    "board",
    "kind",
    "url",
    "content_type",
    "body",
    "fetched_at",
    "status",
)
REJECT_COLUMNS = ("run_id", "source", "board", "record_ref", "reason", "raw")
PAYLOAD_LANDING_COLUMNS = (
    "payload_sha256",
    "url",
    "landing_code",
    "source",
    "board",
    "postings",
    "dated_postings",
    "rejects",
    "landed_at",
)
MENTION_COLUMNS = (
    "content_hash",
    "taxonomy_version",
    "skill_id",
    "start_char",
    "end_char",
    "surface",
    "section",
    "rule",
)
Row = Sequence[object]


def as_rows(records: Iterable[Mapping[str, object]], columns: Sequence[str]) -> list[tuple]:
    """Records keyed by column name as rows in `columns` order; a missing column is None."""
    return [tuple(record.get(c) for c in columns) for record in records]


# DuckDB's buffer pool defaults to 80% of RAM; the pipeline shares the machine with extraction
# workers and analysts, so its connections cap it (operators spill to disk beyond it). Measured
# in docs/BENCHMARKS.md; override with SKILLPULSE_DUCKDB_MEMORY_LIMIT (e.g. "4GB").
DEFAULT_MEMORY_LIMIT = "1GB"
# DuckDB checkpoints when the WAL passes 16 MB by default, and each checkpoint rewrites the
# primary-key indexes, so landing a million postings in 5,000-row chunks checkpointed every few
# chunks at a cost growing with the table (12.2 s to land 40k postings into a 100k store, 7.0 s
# with a 256 MB threshold). Un-checkpointed data is held in memory at several times the WAL's
# size (a 240 MB WAL: +1.6 GB RSS at 1M postings), so 64 MB is the compromise. Durability is
# unchanged: the WAL is on disk.
CHECKPOINT_THRESHOLD = "64MB"


def tune(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Apply the pipeline's DuckDB settings (memory limit, checkpoint threshold) to a writer."""
    limit = os.environ.get("SKILLPULSE_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    con.execute("set memory_limit = ?", [limit])
    con.execute("set checkpoint_threshold = ?", [CHECKPOINT_THRESHOLD])
    return con


def open_raw(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the raw store with every sql/raw table present."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # A log left without its store (deleted or moved without it) cannot be replayed into
        # a new one. DuckDB keeps it beside the path it is given, a symlink's own included.
        if (aside := set_aside_wal(path)) is not None:
            _log.warning(
                "%s had no database file beside it (the store was deleted or moved without "
                "it); kept as %s and a new store was created",
                wal_of(path),
                aside,
            )
        # A dangling symlink names where the store should be: create it there.
        _create_whole(path.resolve() if path.is_symlink() else path)
    con = tune(duckdb.connect(str(path)))
    for model in raw_ddl():
        con.execute(model.sql)
    for table in UNKEYED_TABLES:
        _drop_primary_key(con, table)
    _add_payload_encoding(con)
    return con


def _create_whole(path: Path) -> None:
    """Create an empty store under a working name and rename it into place once DuckDB has
    written it whole.

    DuckDB creating a file at `path` itself is not atomic: a run killed in the few
    milliseconds after the file appears leaves one that every later run refuses ("exists, but
    it is not a valid DuckDB database file"), and the warehouse is stuck until someone deletes
    it. A working file a killed run left is only ever an empty store, so it is removed, as is
    one a failed creation (a full disk) leaves. The caller holds the run lock
    (warehouse.lock), so no other run is creating one.
    """
    creating = path.with_name(f"{path.name}.creating")
    remove_database(creating)
    try:
        con = duckdb.connect(str(creating))
        try:
            con.execute("checkpoint")
        finally:
            con.close()
        replace_durably(creating, path)
    except BaseException:
        remove_database(creating)
        raise


# Tables that lost their primary key (see their files in sql/raw/): one row per key is kept by
# the code that writes them, and an older store is rebuilt once without the key when opened.
UNKEYED_TABLES = ("raw_postings", "raw_mentions")


def _drop_primary_key(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rebuild `table` as sql/raw now defines it when an older store made it with a key.

    `create table if not exists` leaves an older store's table as it was, and its key index
    would keep landing super-linear. One transaction, so a kill leaves the old table whole.
    """
    keyed = con.execute(
        """
        select count(*) from duckdb_constraints()
        where database_name = current_database() and schema_name = 'main'
            and table_name = ? and constraint_type = 'PRIMARY KEY'
        """,
        [table],
    ).fetchone()
    if not keyed or not keyed[0]:
        return
    ddl = next(model.sql for model in raw_ddl() if model.name == table)

    with transaction(con):
        con.execute(f"alter table {table} rename to {table}_keyed")
        con.execute(ddl)
        con.execute(f"insert into {table} by name select * from {table}_keyed")
        con.execute(f"drop table {table}_keyed")


@contextlib.contextmanager
def _staged(
    con: duckdb.DuckDBPyConnection, name: str, typed_like: str, rows: Iterable[Row]
) -> Iterator[None]:
    """Temporary table `name`, with the columns and types of the select `typed_like`, holding
    `rows` (appended in order) for the block, inside the caller's transaction.

    Dropped when the block succeeds. When it fails the transaction rolls back, which drops the
    table too; a drop here would itself fail in the aborted transaction ("the transaction is
    aborted") and hide the error that says what was wrong.
    """
    con.execute(f"create or replace temp table {name} as {typed_like} limit 0")
    with con.appender(name) as appender:
        appender.append_rows(rows)
    yield
    con.execute(f"drop table {name}")


@contextlib.contextmanager
def _scanned(
    con: duckdb.DuckDBPyConnection, name: str, columns: Mapping[str, np.ndarray]
) -> Iterator[None]:
    """`columns` (numpy arrays of one length) readable as `name` for the block.

    Unregistered when the block succeeds. When it fails, the rollback that follows drops the
    view; the name stays registered to the connection, and registering it again replaces it.
    """
    con.register(name, dict(columns))
    yield
    con.unregister(name)


_SHA = PAYLOAD_COLUMNS.index("payload_sha256")
_BODY = PAYLOAD_COLUMNS.index("body")


def _fresh_payloads(
    con: duckdb.DuckDBPyConnection, payloads: Sequence[Row], compressed: Mapping[str, bytes]
) -> list[Row]:
    """The incoming payloads not stored yet, one per body.

    Their bodies are written to the store's payload files (warehouse.payload_files) now,
    before the transaction commits, and the rows keep an empty body; a store with no file
    (in memory) keeps each body compressed in the row. `compressed` holds bodies already
    compressed (payload_files.compress), by sha256. Rows in PAYLOAD_COLUMNS order, then
    body_encoding."""
    stored = dict(
        con.execute(
            """
            select payload_sha256, body_encoding from raw_payloads
            where payload_sha256 in (select unnest($shas::varchar[]))
            """,
            {"shas": sorted({str(row[_SHA]) for row in payloads})},
        ).fetchall()
    )
    directory = payload_files.directory_of(con)
    seen: set[object] = set()  # each body once, however often the batch repeats it
    fresh: list[Row] = []
    for row in payloads:
        sha = row[_SHA]
        if sha in seen:
            continue
        seen.add(sha)
        received = bytes(row[_BODY])  # type: ignore[call-overload]
        if sha in stored:
            if directory is not None and stored[sha] == payload_files.ENCODING:
                # A stored row whose file is gone (a store copied without its payload folder)
                # gets the file back from the same body arriving again; a file present is kept.
                payload_files.write_body(directory, str(sha), received, compressed.get(sha))
        elif directory is None:
            body = compressed.get(sha) or payload_files.compress(received)
            fresh.append((*row[:_BODY], body, *row[_BODY + 1 :], "zlib"))
        else:
            payload_files.write_body(directory, str(sha), received, compressed.get(sha))
            fresh.append((*row[:_BODY], b"", *row[_BODY + 1 :], payload_files.ENCODING))
    return fresh


def payload_stored(con: duckdb.DuckDBPyConnection, payload_sha256: str) -> bool:
    """Whether a payload with this body has been committed to the raw store.

    Asked on a cursor of its own: it runs between the landings of a GroupedCommits group, and
    an error in the group's own transaction (a query interrupted, say) would make DuckDB turn
    the group's commit into a rollback. A payload landed in that open group is not seen, which
    only costs work done ahead in vain.
    """
    reader = con.cursor()
    try:
        found = reader.execute(
            "select 1 from raw_payloads where payload_sha256 = ? limit 1", [payload_sha256]
        ).fetchone()
    finally:
        reader.close()
    return found is not None


def payload_body(con: duckdb.DuckDBPyConnection, payload_sha256: str) -> bytes:
    """A stored payload's body exactly as it was received."""
    row = con.execute(
        "select body, body_encoding from raw_payloads where payload_sha256 = ?", [payload_sha256]
    ).fetchone()
    if row is None:
        raise KeyError(f"no payload {payload_sha256} in the raw store")
    body, encoding = bytes(row[0]), row[1]
    if encoding == payload_files.ENCODING:
        directory = payload_files.directory_of(con)
        if directory is None:
            raise KeyError(f"payload {payload_sha256} is in a file, and this store has none")
        return payload_files.read_body(directory, payload_sha256)
    return zlib.decompress(body) if encoding == "zlib" else body


def _add_payload_encoding(con: duckdb.DuckDBPyConnection) -> None:
    # A store made before bodies were compressed holds them as received: 'identity'.
    con.execute(
        "alter table raw_payloads add column if not exists body_encoding varchar default 'identity'"
    )


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything in the block commits together or not at all."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        _roll_back_quietly(con)
        raise


def _roll_back_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction while an error is being raised.

    A failed write (a full disk) can end the transaction itself; the rollback's own "no
    transaction is active" must not hide the error that explains what happened.
    """
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


# DuckDB writes the rows a transaction appends straight to the database file, compressed, once
# they fill a row group (122,880 rows), and logs only where they went. Committed a 5,000-line
# chunk at a time, every posting went through the WAL first and was compressed again at each
# checkpoint, which rewrites a table's open row group: 1M postings landed in 118 s that way and
# in 91 s in commits of 125,000 (one-off runs, docs/BENCHMARKS.md item 43). The cost is space:
# blocks written and then rewritten at a checkpoint stay in the file as free blocks, which later
# writes reuse (a 1M raw store: 852 MB -> 1,271 MB, 678 MB of it in use either way).
ROWS_PER_COMMIT = 122_880


class GroupedCommits:
    """One transaction shared by a stream of landings, committed once ROWS_PER_COMMIT rows
    have landed in it, and when the block ends.

    Each landing runs in `landing(rows)`. A landing that fails rolls back the whole open group
    and re-raises; the groups before it stay committed. An error raised between landings (a
    payload that could not be read) ends the block with what landed so far committed. So a
    killed or failed stream leaves whole groups of whole landings, and landing the same input
    again stores the rest, as one transaction per landing did.

    Nothing between landings may run on the group's connection: a DuckDB error there would
    abort its transaction, and DuckDB then answers the commit with a rollback. A group holds
    its landings' dropped staging tables in memory until it commits.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, rows_per_commit: int = ROWS_PER_COMMIT):
        self.con = con
        self.rows_per_commit = rows_per_commit
        self._open = False
        self._rows = 0

    def __enter__(self) -> GroupedCommits:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Commit what has landed in the open group, if anything."""
        if self._open:
            self._commit()

    @contextlib.contextmanager
    def landing(self, rows: int) -> Iterator[None]:
        if not self._open:
            self.con.execute("begin transaction")
            self._open = True
        try:
            yield
        except BaseException:
            self._open = False
            self._rows = 0
            _roll_back_quietly(self.con)
            raise
        self._rows += rows
        if self._rows >= self.rows_per_commit:
            self._commit()

    def add_rows(self, rows: int) -> None:
        """Count `rows` more toward the open group, from inside a landing that learns how many
        it writes as it goes (see_payload_again); the group commits, if they fill it, when
        that landing ends."""
        self._rows += rows

    def checkpoint(self) -> None:
        """Write what the WAL holds into the database file now, between groups, rather than at
        the next commit that finds the WAL over CHECKPOINT_THRESHOLD. Inside an open group
        DuckDB refuses it, and then answers the group's commit with a rollback, so that is
        refused here first."""
        if self._open:
            raise RuntimeError("a checkpoint inside an open group would roll the group back")
        self.con.execute("checkpoint")

    def _commit(self) -> None:
        try:
            self.con.execute("commit")
        finally:
            # A failed commit leaves no transaction open either.
            self._open = False
            self._rows = 0


def _transaction_of(
    con: duckdb.DuckDBPyConnection, commits: GroupedCommits | None, rows: int
) -> contextlib.AbstractContextManager[None]:
    return transaction(con) if commits is None else commits.landing(rows)


# The columns that say what a posting is (everything but its key and the bookkeeping of when and
# in which run it was seen). A re-landed posting whose columns here all match the stored row is
# "unchanged": only its bookkeeping moves, which is cheap, and it is not classified again.
_KEY_COLUMNS = ("source", "board", "source_posting_id")
_BOOKKEEPING_COLUMNS = (
    "payload_sha256",
    "parsed_at",
    "first_seen_at",
    "last_seen_at",
    "last_seen_run_id",
)
_CONTENT_COLUMNS = tuple(
    c for c in POSTING_COLUMNS if c not in _KEY_COLUMNS and c not in _BOOKKEEPING_COLUMNS
)
# What role_family and seniority are computed from (extractors.classify reads the title and text;
# content_hash is the text's sha256): while these match the stored row, so do the labels.
_CLASSIFIER_INPUTS = ("title", "content_hash")
_LABELS = ("role_family", "seniority")


_POSTING_ID = POSTING_COLUMNS.index("source_posting_id")
_TITLE = POSTING_COLUMNS.index("title")
_TEXT = POSTING_COLUMNS.index("text")


class Unlabelled(NamedTuple):
    """What a classifier is given of a posting that needs labels."""

    source_posting_id: str
    title: str | None
    text: str


# Labels an incoming row lacks (role_family/seniority None) are filled by a classifier: given the
# postings that need labels, it returns their (role_family, seniority), in the same order.
Classifier = Callable[[list[Unlabelled]], list[tuple[str, str]]]


@dataclass
class LandCounts:
    """What landing did to raw_postings: postings added, postings whose content changed (and
    were updated and classified again), and postings already stored as they are (only
    last_seen and the run id moved)."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def landed(self) -> int:
        return self.new + self.changed + self.unchanged

    def __iadd__(self, other: LandCounts) -> LandCounts:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self


def _land_postings(
    con: duckdb.DuckDBPyConnection,
    postings: Sequence[Row],
    classify: Classifier | None,
    labels_ahead: Sequence[tuple[str, str]] | None = None,
) -> LandCounts:
    """Merge one batch into raw_postings (inside the caller's transaction); see land_source_result.

    Set-based: the rows are staged, numbered, in a temporary table typed like raw_postings;
    one join of their keys with raw_postings sorts them into new, changed and unchanged (a
    small temporary table of keys, states and labels), then at most one INSERT (new) and two
    UPDATEs (bookkeeping columns of the unchanged, every column of the changed) write it.
    Python only sees the rows that need classifying: per-row work in Python was most of a re-run's landing time.

    Uniqueness of (source, board, source_posting_id) rests on this merge, not on a key (whose
    index made landing super-linear, see sql/raw/raw_postings.sql): the batch is de-duplicated
    by key, and only keys the join did not find are inserted. The raw store has one writer
    (DuckDB locks the file to one process and the run lock serialises runs), so nothing lands
    between the join and the insert.
    """
    key = ", ".join(_KEY_COLUMNS)
    # text is compared through content_hash: reading the stored texts made the join 10x slower.
    same_content = " and ".join(
        f"p.{c} is not distinct from i.{c}"
        for c in _CONTENT_COLUMNS
        if c not in _LABELS and c != "text"
    )
    same_inputs = " and ".join(f"p.{c} is not distinct from i.{c}" for c in _CLASSIFIER_INPUTS)
    # Labels the caller left out are the stored ones while title and text are unchanged, else
    # the ones computed ahead (ahead_role_family, ahead_seniority), if any.
    labels = {
        c: f"coalesce(i.{c}, case when p.source is not null and {same_inputs} then p.{c} end, "
        f"i.ahead_{c})"
        for c in _LABELS
    }
    # Labels computed ahead ride in the staged rows, so only rows left without labels need the
    # classifier's pass: staging the ahead labels as a second table and updating the batch with
    # them cost the load 9.6 of its 92 s at a million postings (docs/BENCHMARKS.md item 55).
    no_labels_ahead = (None, None)
    # Numbered here: the order of a DuckDB scan is not something to rely on.
    with _staged(
        con,
        "incoming_postings",
        f"select {', '.join(POSTING_COLUMNS)}, 0::bigint as row_no, "
        "role_family as ahead_role_family, seniority as ahead_seniority from raw_postings",
        (
            (*row, row_no, *(no_labels_ahead if labels_ahead is None else labels_ahead[row_no]))
            for row_no, row in enumerate(postings)
        ),
    ):
        # Two steps, so the wide columns are read only for the rows that match: the keys of all
        # of raw_postings (three columns) are joined to find the batch's rows, then only those
        # rows (by rowid, which DuckDB turns into a scan of their row groups) are compared.
        con.execute(
            f"""
            create or replace temp table landing_batch as
            with found as materialized (
                select i.row_no, p.rowid as stored_row
                from (
                    -- The last copy of a key in the batch wins: a later line is the later state.
                    select {key}, row_no from incoming_postings
                    qualify row_number() over (partition by {key} order by row_no desc) = 1
                ) as i
                left join raw_postings as p using ({key})
            ),
            -- The stored rows of the keys found, by rowid. An inner join from the found rows
            -- only: with none found (new postings, a whole first run) DuckDB then reads none of
            -- raw_postings, where a left join from every row read its columns in every row
            -- group (at 1M stored postings, 45 of the statement's 75 ms per 5,000-line chunk).
            stored as materialized (
                select f.row_no, p.*
                from (select row_no, stored_row from found where stored_row is not null) as f
                join (select rowid as stored_row, * from raw_postings) as p using (stored_row)
            )
            select f.row_no, f.stored_row,
                {labels["role_family"]} as role_family,
                {labels["seniority"]} as seniority,
                case
                    when p.source is null then 'new'
                    when {same_content}
                        and p.role_family = {labels["role_family"]}
                        and p.seniority = {labels["seniority"]} then 'unchanged'
                    else 'changed'
                end as state
            from found as f
            join incoming_postings as i using (row_no)
            left join stored as p using (row_no, stored_row)
            """
        )
        counts = dict(
            con.execute("select state, count(*) from landing_batch group by state").fetchall()
        )
        if classify is not None and (counts.get("new") or counts.get("changed")):
            _classify_batch(con, classify, postings)
        # The batch's rows as they will be stored: incoming columns, settled labels and state.
        rows = f"""
            (select {", ".join(f"i.{c}" for c in POSTING_COLUMNS if c not in _LABELS)},
                b.role_family, b.seniority, b.state, b.row_no, b.stored_row
             from incoming_postings as i join landing_batch as b using (row_no))
        """
        # By rowid, found above in this transaction: joining on the keys would scan them again.
        on_key = "raw_postings.rowid = i.stored_row"
        # A posting seen earlier than we knew (an older file landed late) keeps the earliest
        # first_seen and the latest last_seen, whichever order the landings come in.
        seen = """
            first_seen_at = least(raw_postings.first_seen_at, i.first_seen_at),
            last_seen_at = greatest(raw_postings.last_seen_at, i.last_seen_at),
            payload_sha256 = i.payload_sha256, parsed_at = i.parsed_at,
            last_seen_run_id = i.last_seen_run_id
        """
        content = ", ".join(f"{c} = i.{c}" for c in _CONTENT_COLUMNS)
        names = ", ".join(POSTING_COLUMNS)
        statements = {
            "new": f"insert into raw_postings ({names}) "
            f"select {names} from {rows} where state = 'new' order by row_no",
            "unchanged": f"update raw_postings set {seen} from {rows} as i "
            f"where i.state = 'unchanged' and {on_key}",
            "changed": f"update raw_postings set {content}, {seen} from {rows} as i "
            f"where i.state = 'changed' and {on_key}",
        }
        for state, statement in statements.items():
            if counts.get(state):
                con.execute(statement)
    con.execute("drop table landing_batch")
    return LandCounts(
        new=counts.get("new", 0),
        changed=counts.get("changed", 0),
        unchanged=counts.get("unchanged", 0),
    )


def _classify_batch(
    con: duckdb.DuckDBPyConnection, classify: Classifier, postings: Sequence[Row]
) -> None:
    """Give the batch's unlabelled rows (new, or title or text changed) the classifier's labels.

    Title and text come from `postings`, the batch as given (row_no is a row's position in
    it): reading them back from the staged table cost 0.6 s per 100k postings.
    """
    todo = [
        row_no
        for (row_no,) in con.execute(
            """
            select row_no from landing_batch
            where role_family is null or seniority is null
            order by row_no
            """
        ).fetchall()
    ]
    if not todo:
        return
    rows = [postings[row_no] for row_no in todo]
    labels = classify([Unlabelled(row[_POSTING_ID], row[_TITLE], row[_TEXT]) for row in rows])
    with _staged(
        con,
        "batch_labels",
        "select row_no, role_family, seniority from landing_batch",
        ((row_no, family, level) for row_no, (family, level) in zip(todo, labels, strict=True)),
    ):
        con.execute(
            """
            update landing_batch
            set role_family = coalesce(landing_batch.role_family, l.role_family),
                seniority = coalesce(landing_batch.seniority, l.seniority)
            from batch_labels as l
            where landing_batch.row_no = l.row_no
            """
        )


def land_source_result(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source_run: dict[str, object] | None,
    payloads: Sequence[Row],
    postings: Sequence[Row],
    rejects: Sequence[Row],
    classify: Classifier | None = None,
    compressed_bodies: Mapping[str, bytes] | None = None,
    commits: GroupedCommits | None = None,
    labels_ahead: Sequence[tuple[str, str]] | None = None,
    payload_landings: Sequence[Row] = (),
) -> LandCounts:
    """Land one source's records (and, when given, its source_runs row) in one transaction.

    `payloads`, `postings` and `rejects` are rows in PAYLOAD_COLUMNS, POSTING_COLUMNS and
    REJECT_COLUMNS order.

    One row per (source, board, source_posting_id): a posting landed again moves last_seen
    forward (and first_seen back, if it was seen earlier); if its content differs it is updated
    to the incoming version. Postings without role_family/seniority get them from
    `labels_ahead` (role_family, seniority per posting row, computed before landing, used only
    for new postings and ones whose title or text changed) or else from `classify`, which
    runs only for those postings.
    `compressed_bodies` may give payload bodies already compressed, by sha256
    (warehouse.payload_files.compress); the others are compressed here. With `commits`, the
    landing joins that group's transaction instead of committing on its own.
    `payload_landings`, rows in PAYLOAD_LANDING_COLUMNS order, say what landing each payload
    produced (sql/raw/raw_payload_landings.sql), replacing what an earlier landing of it from
    the same url onto the same board by the same code recorded. Their landed_at must be the
    postings' parsed_at.
    """
    # Refused before anything is written: payload files, or a group's transaction.
    if labels_ahead is not None and len(labels_ahead) != len(postings):
        raise ValueError(f"{len(labels_ahead)} labels computed ahead for {len(postings)} postings")
    counts = LandCounts()
    with _transaction_of(con, commits, len(postings)):
        if payloads:
            # Typed as stored.
            with _staged(
                con,
                "fresh_payloads",
                "select p.payload_sha256, p.source, p.board, p.kind, p.url, p.content_type, "
                "p.body, f.fetched_at, f.status, p.body_encoding "
                "from raw_payloads as p, raw_fetches as f",
                _fresh_payloads(con, payloads, compressed_bodies or {}),
            ):
                con.execute(
                    """
                    insert into raw_payloads
                    select payload_sha256, source, board, kind, url, content_type, body,
                        fetched_at, body_encoding
                    from fresh_payloads
                    """
                )
                _record_fetches(con, run_id, payloads)
        if postings:
            counts = _land_postings(con, postings, classify, labels_ahead)
        if rejects:
            with _staged(
                con,
                "incoming_rejects",
                f"select {', '.join(REJECT_COLUMNS)} from raw_rejects",
                rejects,
            ):
                con.execute(
                    """
                    insert into raw_rejects
                    select run_id, source, board, record_ref, reason, raw from incoming_rejects
                    on conflict do nothing
                    """
                )
        if payload_landings:
            # The latest full landing is the one recorded: landed_whole compares its landed_at
            # with the rows' parsed_at.
            kept = ("source", "postings", "dated_postings", "rejects", "landed_at")
            con.executemany(
                f"insert into raw_payload_landings ({', '.join(PAYLOAD_LANDING_COLUMNS)}) "
                f"values ({', '.join('?' for _ in PAYLOAD_LANDING_COLUMNS)}) "
                "on conflict (payload_sha256, url, board, landing_code) do update set "
                + ", ".join(f"{c} = excluded.{c}" for c in kept),
                [list(row) for row in payload_landings],
            )
        if source_run is not None:
            record_source_run(con, run_id, source_run)
    return counts


@dataclass(frozen=True)
class LandedWhole:
    """A payload landed before, by the same code, from the same place, with no rejects, and
    every one of whose postings is still stored from it."""

    postings: int
    # Every posting carries its own seen_at, so landing it again would not move last_seen_at;
    # with none carrying one, it moves to the payload's fetched_at.
    dated: bool
    # That landing's time, the parsed_at of the rows it wrote (and still stored from it).
    landed_at: datetime


def landed_whole(
    con: duckdb.DuckDBPyConnection, payload_sha256: str, url: str, board: str, landing_code: str
) -> LandedWhole | None:
    """What landing this payload again would find, when that is every posting unchanged.

    That is so when its last full landing from this url onto this board (a file's name: a link
    to a file lands the same url onto another) was by landing_code, had no rejects (a re-run
    records them again, under its own run) and no mix of postings with and without their own
    seen_at, its body file is present (a full landing writes it back), and every posting it
    holds is still stored as that landing wrote it: on the board, from this payload, with the
    landing's parsed_at (which no other landing shares). Any later landing of one of those
    keys, by another payload or by other code (a change undone, or a version that records no
    landings), wrote its own parsed_at. None otherwise.
    """
    recorded = con.execute(
        """
        select l.postings, l.dated_postings, l.rejects, l.landed_at, p.body_encoding,
            (select count(*) from raw_postings as r
             where r.payload_sha256 = l.payload_sha256 and r.board = l.board
                and r.parsed_at = l.landed_at) as stored
        from raw_payload_landings as l
        join raw_payloads as p using (payload_sha256)
        where l.payload_sha256 = ? and l.url = ? and l.board = ? and l.landing_code = ?
        """,
        [payload_sha256, url, board, landing_code],
    ).fetchone()
    if recorded is None:
        return None
    postings, dated, rejects, landed_at, encoding, stored = recorded
    if rejects or dated not in (0, postings) or stored != postings:
        return None
    if encoding == payload_files.ENCODING:
        directory = payload_files.directory_of(con)
        if directory is None or not payload_files.body_path(directory, payload_sha256).is_file():
            return None
    return LandedWhole(
        postings=postings, dated=postings > 0 and dated == postings, landed_at=landed_at
    )


def see_payload_again(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    fetch: Row,
    landing_code: str,
    commits: GroupedCommits | None = None,
) -> LandCounts | None:
    """Record that this run read a payload landed whole before (landed_whole), without landing
    it: the raw_fetches row, and the bookkeeping landing it again would move (last_seen_at
    forward and first_seen_at back to its fetched_at, unless its postings carry their own, and
    last_seen_run_id). parsed_at keeps when the rows were parsed. In one transaction (or
    `commits`' open one).

    `fetch` is the payload's row in PAYLOAD_COLUMNS order (the body is not read). Returns its
    postings as unchanged, counted toward `commits`' group, or None, writing nothing, when it
    is not landed whole (checked in the transaction, so a landing earlier in the same group
    counts): then the caller lands it in full.
    """
    payload = dict(zip(PAYLOAD_COLUMNS, fetch, strict=True))
    sha, board = payload["payload_sha256"], payload["board"]
    with _transaction_of(con, commits, 0):
        whole = landed_whole(con, str(sha), str(payload["url"]), str(board), landing_code)
        if whole is None:
            return None
        _record_fetches(con, run_id, [fetch])
        seen = (
            ""
            if whole.dated
            else "last_seen_at = greatest(last_seen_at, $fetched_at), "
            "first_seen_at = least(first_seen_at, $fetched_at), "
        )
        # The rows landed_whole counted: the landing's parsed_at singles them out.
        con.execute(
            f"""
            update raw_postings set {seen}last_seen_run_id = $run_id
            where payload_sha256 = $sha and board = $board and parsed_at = $landed_at
            """,
            {"run_id": run_id, "sha": sha, "board": board, "landed_at": whole.landed_at}
            | ({} if whole.dated else {"fetched_at": payload["fetched_at"]}),
        )
        if commits is not None:
            commits.add_rows(whole.postings)
    return LandCounts(unchanged=whole.postings)


def _record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, payloads: Sequence[Row]) -> None:
    """One raw_fetches row per payload read in this run (rows in PAYLOAD_COLUMNS order)."""
    columns = ("source", "board", "kind", "url", "fetched_at", "status", "payload_sha256")
    positions = [PAYLOAD_COLUMNS.index(c) for c in columns]
    con.executemany(
        f"insert into raw_fetches (run_id, {', '.join(columns)}) "
        f"values (?, {', '.join('?' for _ in columns)}) on conflict do nothing",
        [[run_id, *(row[i] for i in positions)] for row in payloads],
    )


def record_source_run(
    con: duckdb.DuckDBPyConnection, run_id: str, source_run: dict[str, object]
) -> None:
    """Insert or replace what one source did in one run."""
    con.execute(
        """
        insert or replace into raw_source_runs
        (run_id, source, board, status, postings, rejects, error, started_at, finished_at)
        values ($run_id, $source, $board, $status, $postings, $rejects, $error, $started_at,
                $finished_at)
        """,
        {"run_id": run_id, **source_run},
    )


def sweep_payload_files(con: duckdb.DuckDBPyConnection) -> payload_files.Swept:
    """Delete the payload body files a stopped run left beside this raw store (payload_files.
    sweep); the caller holds the run lock. Nothing to do for an in-memory store."""
    directory = payload_files.directory_of(con)
    if directory is None:
        return payload_files.Swept(0, 0)
    stored = {
        sha
        for (sha,) in con.execute(
            "select payload_sha256 from raw_payloads where body_encoding = ?",
            [payload_files.ENCODING],
        ).fetchall()
    }
    return payload_files.sweep(directory, stored)


INTERRUPTED_MESSAGE = "the process stopped before the run finished (killed or crashed)"


def record_run(con: duckdb.DuckDBPyConnection, run: dict[str, object]) -> None:
    """Insert or update the run log row for one run.

    A run starting (status 'running') holds the run lock, so any other run still marked
    'running' died without finishing: it is marked 'interrupted' rather than left running.
    """
    if run.get("status") == "running":
        con.execute(
            """
            update raw_runs set status = 'interrupted', message = coalesce(message, ?)
            where status = 'running' and run_id <> ?
            """,
            [INTERRUPTED_MESSAGE, run["run_id"]],
        )
    con.execute(
        """
        insert or replace into raw_runs
        (run_id, command, started_at, finished_at, status, taxonomy_version, postings_landed,
         postings_extracted, sources_failed, message)
        values ($run_id, $command, $started_at, $finished_at, $status, $taxonomy_version,
                $postings_landed, $postings_extracted, $sources_failed, $message)
        """,
        run,
    )


_PENDING_SQL = """
    from raw_postings as p
    anti join raw_extractions as e
        on e.content_hash = p.content_hash and e.taxonomy_version = ?
"""


def count_pending(con: duckdb.DuckDBPyConnection, taxonomy_version: str) -> int:
    """How many distinct texts lack an extraction with this taxonomy version."""
    row = con.execute(
        f"select count(distinct p.content_hash) {_PENDING_SQL}", [taxonomy_version]
    ).fetchone()
    return int(row[0]) if row else 0


def iter_pending_texts(
    con: duckdb.DuckDBPyConnection, taxonomy_version: str, batch_size: int
) -> Iterator[list[tuple[str, str]]]:
    """(content_hash, text) batches of every text not yet extracted with this version.

    One streaming query on its own cursor, so the caller may write to `con` between batches
    (the reader keeps the snapshot it started with). Texts shared by several postings come once.
    One query, not one per batch: a scan of raw_postings per batch was quadratic in postings.
    """
    reader = con.cursor()
    try:
        result = reader.execute(f"select p.content_hash, p.text {_PENDING_SQL}", [taxonomy_version])
        seen: set[str] = set()
        while rows := result.fetchmany(batch_size):
            batch = []
            for content_hash, text in rows:
                if content_hash not in seen:
                    seen.add(content_hash)
                    batch.append((content_hash, text))
            if batch:
                yield batch
    finally:
        reader.close()


def land_extractions(
    con: duckdb.DuckDBPyConnection,
    taxonomy_version: str,
    mentions: MentionColumns,
    commits: GroupedCommits | None = None,
    known_new: bool = False,
) -> None:
    """Store one batch's mentions and mark its texts (`mentions.doc_ids`) extracted, in one
    transaction.

    raw_mentions has no key (sql/raw/raw_mentions.sql); a text's mentions land only in the
    transaction that first marks it extracted with this version (raw_extractions keeps its
    key, and RETURNING names the rows it really inserted), so a text landed twice, or by two
    writers, never doubles its mentions; MentionColumns holds at most one per text ×
    start_char × skill_id. With `commits`, the batch joins that group's transaction instead of
    committing on its own.

    `known_new` is the caller's word that no text of the batch is extracted with this version
    yet (extract_pending: texts read as pending, under the run lock, each landed once). They
    are then marked by a plain insert, whose key check costs the same however many rows the
    table holds; ON CONFLICT DO NOTHING costs grew with it (2,000 texts: 10 ms against 100k
    stored rows, 49-64 ms against 1M; 17 s of a million-text extraction, measured). A text that
    was extracted after all still never doubles: the key refuses it, and the transaction (with
    its group) fails and rolls back.

    DuckDB reads both from numpy arrays, whole, not a value at a time through its appender: at
    6.4M mentions per million postings, the landing process's Python per mention was CPU taken
    from the extraction workers (docs/BENCHMARKS.md item 70).
    """
    if mentions.taxonomy_version not in (None, taxonomy_version):
        raise ValueError(
            f"mentions found with taxonomy {mentions.taxonomy_version} cannot be stored as "
            f"extracted with {taxonomy_version}: the taxonomy changed during the run; run "
            "again to extract with the new one"
        )
    if not mentions.doc_ids:
        return
    # numpy, not Arrow: building Arrow arrays from Python objects imports pandas (above).
    import numpy as np

    def codes_into(values: list[str], codes: array, name: str) -> np.ndarray:
        # A code out of range would wrap (negative) or fail mid-transaction: refused first.
        found = np.frombuffer(codes, dtype=np.intc)
        if len(found) and (found.min() < 0 or found.max() >= len(values)):
            raise ValueError(f"a mention's {name} index is outside the batch's {len(values)}")
        return found

    def decoded(values: list[str], codes: array, name: str) -> np.ndarray:
        return np.array(values, dtype=object)[codes_into(values, codes, name)]

    texts = np.array(mentions.doc_ids, dtype=object)
    doc = codes_into(mentions.doc_ids, mentions.doc, "text")
    columns = {
        "content_hash": texts[doc],
        "skill_id": decoded(mentions.skill_ids, mentions.skill, "skill"),
        "start_char": np.frombuffer(mentions.start, dtype=np.intc),
        "end_char": np.frombuffer(mentions.end, dtype=np.intc),
        "surface": np.array(mentions.surface, dtype=object),
        "section": decoded(mentions.sections, mentions.section, "section"),
        "rule": decoded(mentions.rules, mentions.rule, "rule"),
    }
    with _transaction_of(con, commits, len(mentions)):
        with _scanned(con, "batch_texts", {"content_hash": texts}):
            newly_done = {
                content_hash
                for (content_hash,) in con.execute(
                    f"""
                    insert into raw_extractions (content_hash, taxonomy_version, extracted_at)
                    select content_hash, ?, ? from batch_texts
                    {"" if known_new else "on conflict do nothing"}
                    returning content_hash
                    """,
                    [taxonomy_version, datetime.now(UTC)],
                ).fetchall()
            }
        # Texts extracted before keep their first mentions: only the others' land.
        landing = np.array([h in newly_done for h in mentions.doc_ids], dtype=bool)
        if not len(mentions) or not landing.any():
            return
        if not (kept := landing[doc]).all():
            columns = {name: values[kept] for name, values in columns.items()}
        with _scanned(con, "batch_mentions", columns):
            con.execute(
                f"""
                insert into raw_mentions ({", ".join(MENTION_COLUMNS)})
                select content_hash, ?, skill_id, start_char, end_char, surface, section, rule
                from batch_mentions
                """,
                [taxonomy_version],
            )
