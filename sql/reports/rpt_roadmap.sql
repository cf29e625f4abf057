-- name: rpt_roadmap
-- grain: one row per skill_id (every in-article skill, plus the 10 most-demanded skills it lacks)
-- reads: dim_skills, fct_postings, fct_posting_skills
-- The article's roadmap reweighted by measured demand, plus what it lacks.
--
-- Window: the latest 12 months of postings. Family: ml-engineer postings when the window has
-- at least 30 of them, otherwise all postings (the role_family column says which).
-- article_weight: the article presents its areas as equal steps, so each of its A areas weighs
--   1/A, split equally among the skills it names (A = 6 in the article).
-- demand_share: distinct postings in the window mentioning the skill / distinct postings.
-- new_weight: demand_share / the sum of demand_share over every row here.
-- verdict: add (not in the article), drop (in the article, demand_share < 1%),
--   raise (new_weight >= 1.5 × article_weight), lower (new_weight <= article_weight / 1.5),
--   keep (otherwise).
with
postings as (select * from fct_postings),

posting_skills as (select * from fct_posting_skills),

skills as (select * from dim_skills),

window_bounds as (
    select
        cast(max(posted_month) - interval 11 month as date) as first_month,
        max(posted_month) as last_month,
    from postings
),

window_postings as (
    select p.posting_id, p.role_family
    from postings as p, window_bounds as w
    where p.posted_month between w.first_month and w.last_month
),

chosen_family as (
    select case when count(*) filter (where role_family = 'ml-engineer') >= 30
        then 'ml-engineer' else 'all' end as role_family
    from window_postings
),

cohort as (
    select w.posting_id
    from window_postings as w, chosen_family as f
    where f.role_family = 'all' or w.role_family = f.role_family
),

cohort_size as (select count(*) as postings from cohort),

demand as (
    select
        s.skill_id,
        count(distinct ps.posting_id) as postings_with_skill,
    from skills as s
    left join posting_skills as ps
        on ps.skill_id = s.skill_id
        and ps.posting_id in (select posting_id from cohort)
    group by s.skill_id
),

article_areas as (
    select
        article_area,
        count(*) as skills_in_area,
        count(*) over () as areas,
    from skills
    where in_article
    group by article_area
),

scored as (
    select
        s.skill_id,
        s.name,
        s.in_article,
        coalesce(s.article_area, s.roadmap_area) as roadmap_area,
        case when s.in_article then 1.0 / a.areas / a.skills_in_area else 0 end as article_weight,
        d.postings_with_skill,
        c.postings,
        case when c.postings > 0 then d.postings_with_skill / c.postings else 0 end as demand_share,
    from skills as s
    inner join demand as d using (skill_id)
    cross join cohort_size as c
    left join article_areas as a on a.article_area = s.article_area
),

missing_top as (
    select skill_id from scored
    where not in_article and postings_with_skill > 0
    order by demand_share desc, skill_id
    limit 10
),

roadmap as (
    select * from scored
    where in_article or skill_id in (select skill_id from missing_top)
),

weighted as (
    select
        *,
        case when sum(demand_share) over () > 0
            then demand_share / sum(demand_share) over () else 0 end as new_weight,
    from roadmap
),

ranked as (
    select
        *,
        case when in_article
            then rank() over (partition by in_article order by article_weight desc, skill_id) end
            as article_rank,
        rank() over (order by new_weight desc, skill_id) as new_rank,
    from weighted
),

final as (
    select
        r.roadmap_area,
        r.skill_id,
        r.name,
        r.in_article,
        r.article_weight,
        r.demand_share,
        wilson_low(r.postings_with_skill, r.postings) as demand_ci_low,
        wilson_high(r.postings_with_skill, r.postings) as demand_ci_high,
        r.postings_with_skill,
        r.postings,
        r.new_weight,
        r.article_rank,
        r.new_rank,
        r.article_rank - r.new_rank as rank_change,
        case
            when not r.in_article then 'add'
            when r.demand_share < 0.01 then 'drop'
            when r.new_weight >= 1.5 * r.article_weight then 'raise'
            when r.new_weight <= r.article_weight / 1.5 then 'lower'
            else 'keep'
        end as verdict,
        f.role_family,
        w.first_month as window_start,
        w.last_month as window_end,
    from ranked as r
    cross join chosen_family as f
    cross join window_bounds as w
)

select * from final order by new_rank
