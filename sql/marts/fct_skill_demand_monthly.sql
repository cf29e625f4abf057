-- fct_skill_demand_monthly: share of distinct postings that mention each skill, per month.
-- grain: one row per month × role_family × skill_id (role_family 'all' included; zero shares kept)
-- reads: fct_postings, fct_posting_skills, dim_skills
-- share = postings_with_skill / postings, where postings counts the month's distinct postings;
-- ci_low/ci_high are the 95% Wilson score interval.
with
postings as (
    select posting_id, posted_month as month, role_family from fct_postings
    where posted_month is not null
),

by_family as (
    select posting_id, month, role_family from postings
    union all
    select posting_id, month, 'all' as role_family from postings
),

denominators as (
    select month, role_family, count(distinct posting_id) as postings
    from by_family
    group by all
),

hits as (
    select
        f.month,
        f.role_family,
        ps.skill_id,
        count(distinct f.posting_id) as postings_with_skill,
    from by_family as f
    inner join fct_posting_skills as ps using (posting_id)
    group by all
),

grid as (
    select d.month, d.role_family, d.postings, s.skill_id
    from denominators as d
    cross join dim_skills as s
),

final as (
    select
        g.month,
        g.role_family,
        g.skill_id,
        g.postings,
        coalesce(h.postings_with_skill, 0) as postings_with_skill,
        coalesce(h.postings_with_skill, 0) / g.postings as share,
        wilson_low(coalesce(h.postings_with_skill, 0), g.postings) as ci_low,
        wilson_high(coalesce(h.postings_with_skill, 0), g.postings) as ci_high,
    from grid as g
    left join hits as h using (month, role_family, skill_id)
)

select * from final
