-- raw_sightings: each run in which a source listed a posting; first/last seen derive from it.
-- grain: one row per source × board × source_posting_id × run_id
create table if not exists raw_sightings (
    source varchar not null,
    board varchar not null,
    source_posting_id varchar not null,
    run_id varchar not null,
    seen_at timestamptz not null,
    primary key (source, board, source_posting_id, run_id)
);
