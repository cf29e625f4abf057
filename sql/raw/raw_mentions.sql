-- name: raw_mentions
-- grain: one row per content_hash × taxonomy_version × start_char × skill_id
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- every skill mention found in a posting text, traceable to its characters.
-- No primary key, deliberately, as raw_postings: DuckDB keeps the index in memory and rewrites
-- it at every checkpoint. Landing the 6.4M mentions of a million postings in 530 batches took
-- 73.5 s and 736 MB on disk with the key, 17.9 s and 108 MB without. One row per key is kept
-- by the only writer, warehouse/raw_store.land_extractions: a text's mentions land only in the
-- transaction that first records it in raw_extractions (whose key stays), and the extractor's
-- mentions never overlap (tests/warehouse/test_raw_landing.py, tests/extraction/test_interface.py).
create table if not exists raw_mentions (
    content_hash varchar not null,
    taxonomy_version varchar not null,
    skill_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    surface varchar not null,
    section varchar not null,
    rule varchar not null
);
