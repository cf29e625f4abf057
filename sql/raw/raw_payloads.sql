-- name: raw_payloads
-- grain: one row per payload_sha256 (the same body fetched twice is stored once)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- every distinct response body ever fetched, exactly as received.
-- Everything downstream can be re-parsed from here without touching the network.
-- body_encoding says where the received bytes are (raw_store.payload_body gives them back;
-- payload_sha256 is the hash of those bytes): 'zlib-file' (what the pipeline writes): in
-- <raw store>.payloads/<2 chars>/<payload_sha256>.zlib beside the store file, body left empty;
-- 'zlib': compressed in body (a store with no file, or rows landed before the files);
-- 'identity': in body as received (rows landed before compression).
-- Why files: DuckDB rewrites a table's open row group at every checkpoint, and a few hundred
-- multi-MB bodies share one row group (a second starts at 122,880 rows), so each checkpoint
-- rewrote every body so far: 5-7 s per checkpoint by a million postings, one every 64 MB of
-- WAL (see warehouse/payload_files.py). Compressing them first (an earlier fix) spared only
-- DuckDB's compression analysis of them.
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
