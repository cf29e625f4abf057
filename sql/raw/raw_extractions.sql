-- name: raw_extractions
-- grain: one row per content_hash × taxonomy_version (a text with no skills still has a row)
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- which posting texts have been extracted with which taxonomy version.
create table if not exists raw_extractions (
    content_hash varchar not null,
    taxonomy_version varchar not null,
    extracted_at timestamptz not null,
    primary key (content_hash, taxonomy_version)
);
