-- name: raw_payload_landings
-- grain: one row per payload_sha256 × url × board × landing_code (its latest full landing)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- what the latest full landing of one payload, from one place onto one board (a JSONL file's
-- name: a link to a file reads the same url under another name), by one version of the landing
-- code, produced: the postings it holds (distinct keys, the last copy in it winning), how many
-- of them carry their own seen_at, the rejects of the landing it was part of (a collected
-- source's pages share their outcome's), and when (landed_at, the parsed_at it gave its rows).
-- An ingest reads it to pass over a payload landed whole before (warehouse.raw_store.
-- landed_whole): same body, url and board, landed last by the same code, no rejects, no mix
-- of postings with and without their own seen_at, its body file present, and every one of its
-- postings still stored from it with that landing's parsed_at. Landing it again would find
-- every posting unchanged, so only the bookkeeping moves (last_seen_at, first_seen_at,
-- last_seen_run_id and a raw_fetches row), and it is neither parsed nor staged: at a million
-- postings, landing unchanged postings was most of a re-run (docs/BENCHMARKS.md item 69).
-- landing_code is skillpulse.landing.landing_code(): a digest of the code that turns a payload
-- into stored rows. Any other landing of a posting (by another payload, other code, a change
-- undone, or a version that records no landings) writes its own parsed_at, so the payload
-- lands in full.
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
    primary key (payload_sha256, url, board, landing_code)
);
