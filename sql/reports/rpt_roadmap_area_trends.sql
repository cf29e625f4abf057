-- name: rpt_roadmap_area_trends
-- grain: one row per period_grain × period_start × roadmap_area (every month and quarter with postings)
-- reads: rpt_roadmap, fct_postings, fct_posting_skills
-- rpt_roadmap_areas' area demand over the whole history: per month and per quarter (UTC
-- posted_date), the share of the role family's distinct postings asking for at least one of the
-- area's skills in rpt_roadmap, with its 95% Wilson interval. Same areas, same skills and same
-- role family as rpt_roadmap_areas; periods without postings have no row (a gap, not a zero).
with
roadmap as (select * from rpt_roadmap),

postings as (select * from fct_postings),

posting_skills as (select * from fct_posting_skills),

settings as (
    select distinct role_family from roadmap
),

family_postings as (
    select p.posting_id, p.posted_month
    from postings as p
    cross join settings as s
    where p.posted_month is not null
        and (s.role_family = 'all' or p.role_family = s.role_family)
),

periods as (
    select 'month' as period_grain, posting_id, posted_month as period_start,
    from family_postings
    union all
    select
        'quarter' as period_grain,
        posting_id,
        cast(date_trunc('quarter', posted_month) as date) as period_start,
    from family_postings
),

denominators as (
    -- count(*) = count(distinct posting_id): a posting has one month and one quarter
    select period_grain, period_start, count(*) as postings,
    from periods
    group by all
),

areas as (
    select distinct roadmap_area from roadmap
),

hits as (
    select
        p.period_grain,
        p.period_start,
        r.roadmap_area,
        count(distinct p.posting_id) as postings_with_area,
    from periods as p
    inner join posting_skills as ps using (posting_id)
    inner join roadmap as r on r.skill_id = ps.skill_id
    group by all
),

final as (
    select
        d.period_grain,
        d.period_start,
        a.roadmap_area,
        s.role_family,
        d.postings,
        coalesce(h.postings_with_area, 0) as postings_with_area,
        coalesce(h.postings_with_area, 0) / d.postings as share,
        wilson_low(coalesce(h.postings_with_area, 0), d.postings) as ci_low,
        wilson_high(coalesce(h.postings_with_area, 0), d.postings) as ci_high,
        d.postings < 30 as is_low_support,
    from denominators as d
    cross join areas as a
    cross join settings as s
    left join hits as h using (period_grain, period_start, roadmap_area)
)

select * from final
