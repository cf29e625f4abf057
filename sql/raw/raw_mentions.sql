-- name: raw_mentions
-- grain: one row per content_hash × taxonomy_version × start_char × skill_id
-- reads: nothing (DDL; the pipeline lands rows from Python)
-- every skill mention found in a posting text, traceable to its characters.
create table if not exists raw_mentions (
    content_hash varchar not null,
    taxonomy_version varchar not null,
    skill_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    surface varchar not null,
    section varchar not null,
    rule varchar not null,
    primary key (content_hash, taxonomy_version, start_char, skill_id)
);
