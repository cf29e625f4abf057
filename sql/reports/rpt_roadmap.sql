-- name: rpt_roadmap
-- grain: one row per skill_id (every in-article skill, plus the 10 most-demanded skills it lacks)
-- reads: dim_skills, rpt_skill_demand_window
-- The article's roadmap reweighted by measured demand, plus what it lacks.
--
-- Window and family: rpt_skill_demand_window's (12 calendar months to the latest month with
-- postings; ml-engineer postings when the window has at least 30 of them, otherwise all).
-- article_weight: the article presents its areas as equal steps, so each of its A areas weighs
--   1/A, split equally among the skills it names (A = 6 in the article).
-- demand_share, demand_ci_low/high: rpt_skill_demand_window's share and Wilson interval.
-- new_weight: demand_share / the sum of demand_share over every row here: the reweighted
--   roadmap, the skills it lacks included.
-- article_demand_weight: demand_share / the sum of demand_share over the in-article rows: the
--   weight demand gives the skill among the article's own skills, comparable with
--   article_weight (both sum to 1 over them). The verdict compares these two, so demand for
--   skills the article lacks cannot turn an in-article skill's 'keep' into 'lower'.
-- article_rank, new_rank: ranks by article_weight (in-article rows) and new_weight; equal
--   weights share a rank. demand_rank_in_article: rank by article_demand_weight among the
--   in-article rows. rank_change: article_rank - demand_rank_in_article (positive: demand puts
--   it higher among the article's skills).
-- verdict: insufficient (the window's cohort has fewer than 30 postings: shares too noisy to
--   advise on), add (not in the article), drop (in the article, demand_share < 1%),
--   raise (article_demand_weight >= 1.5 × article_weight),
--   lower (article_demand_weight <= article_weight / 1.5), keep (otherwise).
with
skills as (select * from dim_skills),

-- the window, family and shares are rpt_skill_demand_window's: one definition for the report
demand as (select * from rpt_skill_demand_window),

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
        d.postings,
        d.share as demand_share,
        d.ci_low as demand_ci_low,
        d.ci_high as demand_ci_high,
        d.role_family,
        d.window_start,
        d.window_end,
    from skills as s
    inner join demand as d using (skill_id)
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
        coalesce(demand_share / nullif(sum(demand_share) over (), 0), 0) as new_weight,
        case when in_article then coalesce(
            demand_share / nullif(sum(demand_share) over (partition by in_article), 0), 0
        ) end as article_demand_weight,
    from roadmap
),

ranked as (
    select
        *,
        case when in_article
            then rank() over (partition by in_article order by article_weight desc) end
            as article_rank,
        rank() over (order by new_weight desc) as new_rank,
        case when in_article
            then rank() over (partition by in_article order by article_demand_weight desc) end
            as demand_rank_in_article,
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
        r.demand_ci_low,
        r.demand_ci_high,
        r.postings_with_skill,
        r.postings,
        r.new_weight,
        r.article_demand_weight,
        r.article_rank,
        r.new_rank,
        r.demand_rank_in_article,
        r.article_rank - r.demand_rank_in_article as rank_change,
        case
            when r.postings < 30 then 'insufficient'
            when not r.in_article then 'add'
            when r.demand_share < 0.01 then 'drop'
            when r.article_demand_weight >= 1.5 * r.article_weight then 'raise'
            when r.article_demand_weight <= r.article_weight / 1.5 then 'lower'
            else 'keep'
        end as verdict,
        r.role_family,
        r.window_start,
        r.window_end,
    from ranked as r
)

select * from final order by new_rank, skill_id
