-- name: raw_payloads
-- grain: one row per payload_sha256 (the same body fetched twice is stored once)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- every distinct response body ever fetched, exactly as received.
-- Everything downstream can be re-parsed from here without touching the network.
create table if not exists raw_payloads (
    payload_sha256 varchar primary key,
    source varchar not null,
    board varchar not null,
    kind varchar not null,
    url varchar not null,
    content_type varchar,
    body blob not null,
    first_fetched_at timestamptz not null
);
