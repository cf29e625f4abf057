-- name: rpt_roadmap_areas
-- grain: one row per roadmap_area of rpt_roadmap
-- reads: rpt_roadmap, fct_postings, fct_posting_skills
-- rpt_roadmap rolled up per area, over the same window and role family.
-- article_weight / new_weight / article_demand_weight: sums of the area's skill weights in
-- rpt_roadmap (article_demand_weight over its in-article skills; null for an area the article
-- lacks).
-- area_demand_share: distinct postings in the window asking for at least one of the area's
-- skills (in rpt_roadmap) / the window's distinct postings, with its Wilson interval.
-- article_rank, new_rank: by article_weight and new_weight; equal weights share a rank.
-- verdict: insufficient (fewer than 30 postings in the window's cohort), add (no in-article
-- skill), raise (article_demand_weight >= 1.5 × article_weight), lower (article_demand_weight
-- <= article_weight / 1.5), keep otherwise; the same rule as rpt_roadmap.
with
roadmap as (select * from rpt_roadmap),

postings as (select * from fct_postings),

posting_skills as (select * from fct_posting_skills),

settings as (
    select distinct role_family, window_start, window_end from roadmap
),

cohort as (
    select p.posting_id
    from postings as p
    cross join settings as s
    where p.posted_month between s.window_start and s.window_end
        and (s.role_family = 'all' or p.role_family = s.role_family)
),

cohort_size as (
    select count(*) as postings from cohort
),

area_hits as (
    select
        r.roadmap_area,
        count(distinct ps.posting_id) as postings_with_area,
    from roadmap as r
    inner join posting_skills as ps on ps.skill_id = r.skill_id
    inner join cohort as c on c.posting_id = ps.posting_id
    group by r.roadmap_area
),

areas as (
    select
        roadmap_area,
        count(*) as skills,
        count(*) filter (where in_article) as skills_in_article,
        count(*) filter (where verdict = 'add') as skills_to_add,
        count(*) filter (where verdict = 'drop') as skills_to_drop,
        sum(article_weight) as article_weight,
        sum(new_weight) as new_weight,
        sum(article_demand_weight) as article_demand_weight,
        any_value(role_family) as role_family,
        any_value(window_start) as window_start,
        any_value(window_end) as window_end,
    from roadmap
    group by roadmap_area
),

final as (
    select
        a.roadmap_area,
        a.skills,
        a.skills_in_article,
        a.skills_to_add,
        a.skills_to_drop,
        a.article_weight,
        a.new_weight,
        a.article_demand_weight,
        coalesce(h.postings_with_area, 0) as postings_with_area,
        c.postings,
        coalesce(h.postings_with_area, 0) / nullif(c.postings, 0) as area_demand_share,
        wilson_low(coalesce(h.postings_with_area, 0), c.postings) as area_demand_ci_low,
        wilson_high(coalesce(h.postings_with_area, 0), c.postings) as area_demand_ci_high,
        case when a.skills_in_article > 0
            then rank() over (
                partition by a.skills_in_article > 0 order by a.article_weight desc
            ) end as article_rank,
        rank() over (order by a.new_weight desc) as new_rank,
        case
            when c.postings < 30 then 'insufficient'
            when a.skills_in_article = 0 then 'add'
            when a.article_demand_weight >= 1.5 * a.article_weight then 'raise'
            when a.article_demand_weight <= a.article_weight / 1.5 then 'lower'
            else 'keep'
        end as verdict,
        a.role_family,
        a.window_start,
        a.window_end,
    from areas as a
    cross join cohort_size as c
    left join area_hits as h using (roadmap_area)
)

select * from final
