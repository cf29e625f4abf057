-- name: raw_payload_landings
-- grain: one row per payload_sha256 × url × landing_code
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- what landing one payload, from one place, produced, by the code that landed it: the
-- postings (distinct keys) it gave, how many of them carried their own seen_at, and the
-- rejects of the landing it was part of (a collected source's pages share their outcome's).
-- An ingest reads it to pass over a payload it has landed whole before (skillpulse.landing,
-- warehouse.raw_store.see_payload_again): same body, same place, same code, no rejects, and
-- every one of its postings still stored from it. Such a payload would land every posting
-- unchanged, so only the bookkeeping moves (last_seen_at, last_seen_run_id and a raw_fetches
-- row), and it is neither parsed nor staged: at a million postings, landing unchanged postings
-- was most of a re-run (docs/BENCHMARKS.md item 69).
-- landing_code is landing.landing_code(): a digest of the code that turns a payload into
-- stored rows, so a changed parser lands every payload again.
create table if not exists raw_payload_landings (
    payload_sha256 varchar not null,
    url varchar not null,
    landing_code varchar not null,
    source varchar not null,
    board varchar not null,
    postings integer not null,
    dated_postings integer not null,
    rejects integer not null,
    landed_at timestamptz not null,
    primary key (payload_sha256, url, landing_code)
);
