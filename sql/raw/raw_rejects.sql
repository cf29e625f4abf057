-- name: raw_rejects
-- grain: one row per run_id × source × board × record_ref
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- records that could not become postings, with where they were and why.
create table if not exists raw_rejects (
    run_id varchar not null,
    source varchar not null,
    board varchar not null,
    record_ref varchar not null,
    reason varchar not null,
    raw varchar,
    primary key (run_id, source, board, record_ref)
);
