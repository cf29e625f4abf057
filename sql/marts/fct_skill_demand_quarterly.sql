-- name: fct_skill_demand_quarterly
-- grain: one row per quarter × role_family × skill_id (role_family 'all' included; zero shares kept)
-- reads: int_skill_demand__counted
-- share = postings_with_skill / postings, where postings counts the quarter's distinct postings
-- (by posted_date, UTC) and postings_with_skill the distinct ones among them flagging the skill.
-- ci_low/ci_high: the 95% Wilson score interval. is_low_support: postings < 30, where a share
-- is too noisy to read on its own.
with
counted as (select * from int_skill_demand__counted where period_grain = 'quarter'),

final as (
    select
        period_start as quarter,
        role_family,
        skill_id,
        postings,
        postings_with_skill,
        postings_with_skill / postings as share,
        wilson_low(postings_with_skill, postings) as ci_low,
        wilson_high(postings_with_skill, postings) as ci_high,
        postings < 30 as is_low_support,
    from counted
)

select * from final
