-- name: dim_skills
-- grain: one row per skill_id
-- reads: stg_skills, stg_skill_ancestors
-- Every skill in the taxonomy, with its place in the article's roadmap and its parents.
with
skills as (select * from stg_skills),

ancestors as (select * from stg_skill_ancestors),

ancestor_lists as (
    select
        skill_id,
        list(ancestor_id order by ancestor_id) filter (where ancestor_id <> skill_id)
            as ancestor_ids,
    from ancestors
    group by skill_id
),

final as (
    select
        s.skill_id,
        s.name,
        s.category,
        s.roadmap_area,
        s.in_article,
        s.article_area,
        s.parent_ids,
        coalesce(a.ancestor_ids, []) as ancestor_ids,
        s.is_ambiguous,
    from skills as s
    left join ancestor_lists as a using (skill_id)
)

select * from final
