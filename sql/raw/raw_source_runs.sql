-- name: raw_source_runs
-- grain: one row per run_id × source × board
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- what collecting each configured source did in each run.
create table if not exists raw_source_runs (
    run_id varchar not null,
    source varchar not null,
    board varchar not null,
    status varchar not null,          -- ok | failed | skipped
    postings integer not null,
    rejects integer not null,
    error varchar,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    primary key (run_id, source, board)
);
