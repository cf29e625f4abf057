-- name: raw_payloads
-- grain: one row per payload_sha256 (the same body fetched twice is stored once)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- every distinct response body ever fetched, exactly as received.
-- Everything downstream can be re-parsed from here without touching the network.
-- body is stored zlib-compressed when body_encoding = 'zlib' (raw_store.payload_body gives back
-- the received bytes; payload_sha256 is the hash of those bytes). DuckDB re-analyses the
-- compression of a table's open row group at every checkpoint, and a few hundred multi-MB
-- bodies share one row group, so storing them as received made landing quadratic: 245 of
-- 322 CPU seconds of a 1M-posting ingest. Pre-compressed bytes give it nothing to analyse.
create table if not exists raw_payloads (
    payload_sha256 varchar primary key,
    source varchar not null,
    board varchar not null,
    kind varchar not null,
    url varchar not null,
    content_type varchar,
    body blob not null,
    first_fetched_at timestamptz not null,
    body_encoding varchar not null default 'zlib'
);
