-- name: stg_skills
-- grain: one row per skill_id
-- reads: raw_skills
-- the taxonomy this warehouse was built with.
with
skills as (select * from raw_skills),

final as (
    select
        skill_id,
        name,
        category,
        roadmap_area,
        in_article,
        article_area,
        parent_ids,
        is_ambiguous,
    from skills
)

select * from final
