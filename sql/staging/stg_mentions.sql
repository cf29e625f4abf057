-- name: stg_mentions
-- grain: one row per content_hash × start_char × skill_id
-- reads: raw_mentions, raw_build_info
-- skill mentions found with the taxonomy version this warehouse was built with.
with
mentions as (select * from raw_mentions),
build as (select taxonomy_version from raw_build_info),

final as (
    select
        m.content_hash,
        m.skill_id,
        m.start_char,
        m.end_char,
        m.surface,
        m.section,
        m.rule,
        m.taxonomy_version,
    from mentions as m
    inner join build as b using (taxonomy_version)
)

select * from final
