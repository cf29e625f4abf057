-- name: raw_runs
-- grain: one row per run_id
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- the run log, one row per pipeline run (nightly, ingest, reextract, demo).
create table if not exists raw_runs (
    run_id varchar primary key,
    command varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,          -- running | ok | partial | failed | interrupted
    taxonomy_version varchar,
    postings_landed integer,
    postings_extracted integer,
    sources_failed integer,
    message varchar
);
