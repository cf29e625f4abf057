-- name: raw_postings
-- grain: one row per source × board × source_posting_id (a re-run updates, never adds)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- the latest parsed version of every posting any source has shown us.
create table if not exists raw_postings (
    source varchar not null,
    board varchar not null,
    source_posting_id varchar not null,
    title varchar,
    company varchar,
    location varchar,
    workplace varchar,
    posted_at timestamptz,
    text varchar not null,
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
    last_seen_run_id varchar not null,
    primary key (source, board, source_posting_id)
);
