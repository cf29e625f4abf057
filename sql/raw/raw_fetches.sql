-- name: raw_fetches
-- grain: one row per run_id × url × payload_sha256
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- the log of requests that returned a payload, per run.
create table if not exists raw_fetches (
    run_id varchar not null,
    source varchar not null,
    board varchar not null,
    kind varchar not null,
    url varchar not null,
    fetched_at timestamptz not null,
    status integer not null,
    payload_sha256 varchar not null,
    primary key (run_id, url, payload_sha256)
);
