-- dim_skills: every skill in the taxonomy, with its place in the article's roadmap.
-- grain: one row per skill_id
-- reads: stg_skills
with
skills as (select * from stg_skills),

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
