-- name: rpt_skill_demand_window
-- grain: one row per skill_id (every skill in dim_skills; zero shares kept)
-- reads: dim_skills, fct_postings, fct_posting_skills
-- Every skill's demand over the report's window, the one place that window is defined.
--
-- Window: the 12 calendar months ending with the latest month that has postings. Family:
-- ml-engineer postings when the window has at least 30 of them, otherwise all postings (the
-- role_family column says which).
-- share: distinct postings in the window asking for the skill / distinct postings in the window,
-- with its 95% Wilson interval; null when the window has no postings (0 of 0 is no share).
-- rpt_roadmap (and through it rpt_roadmap_areas) reads its window, family and shares from here,
-- so the report's shares have one implementation.
-- demand_rank: 1 for the most-demanded skill (ties broken by skill_id, so ranks are unique).
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

final as (
    select
        s.skill_id,
        s.name,
        d.postings_with_skill,
        c.postings,
        d.postings_with_skill / nullif(c.postings, 0) as share,
        wilson_low(d.postings_with_skill, c.postings) as ci_low,
        wilson_high(d.postings_with_skill, c.postings) as ci_high,
        rank() over (order by d.postings_with_skill desc, s.skill_id) as demand_rank,
        f.role_family,
        w.first_month as window_start,
        w.last_month as window_end,
    from skills as s
    inner join demand as d using (skill_id)
    cross join cohort_size as c
    cross join chosen_family as f
    cross join window_bounds as w
)

select * from final
