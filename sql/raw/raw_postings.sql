-- name: raw_postings
-- grain: one row per source × board × source_posting_id (a re-run updates, never adds)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- the latest parsed version of every posting any source has shown us.
-- No primary key, deliberately: DuckDB keeps its index in memory and rewrites it at every
-- checkpoint, a cost growing with the table, and landing a million postings spent most of its
-- time in commits (421 s vs 11.8 s for 100k). One row per key is kept by the only writer,
-- warehouse/raw_store.py: each batch is de-duplicated by key and only keys not already stored
-- are inserted (tests/warehouse/test_raw_landing.py proves it).
-- text is compressed with zstd, not DuckDB's pick (FSST with a dictionary): landing texts was
-- most of each insert's cost, analysing and compressing them. Inserting 250k synthetic
-- postings in 5,000-row batches took 7.8-8.5 s and 254 MB with DuckDB's pick, 6.3-6.8 s and
-- 168 MB with zstd (docs/BENCHMARKS.md item 54). A table created before this keeps DuckDB's
-- pick for every text landed into it, which only costs it that speed. A store in a DuckDB
-- storage format older than v1.2 cannot take the column (DuckDB refuses it); this project's
-- stores are in DuckDB 2.0's.
create table if not exists raw_postings (
    source varchar not null,
    board varchar not null,
    source_posting_id varchar not null,
    title varchar,
    company varchar,
    location varchar,
    workplace varchar,
    posted_at timestamptz,
    text varchar not null using compression zstd,
    url varchar,
    salary_min double,
    salary_max double,
    salary_currency varchar,
    content_hash varchar not null,
    payload_sha256 varchar,
    role_family varchar not null,
    seniority varchar not null,
    parsed_at timestamptz not null,
    first_seen_at timestamptz not null,  -- kept from the first landing
    last_seen_at timestamptz not null,   -- moved forward each time a run sees it again
    last_seen_run_id varchar not null
);
