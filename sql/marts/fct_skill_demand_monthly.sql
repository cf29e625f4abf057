-- name: fct_skill_demand_monthly
-- grain: one row per month × role_family × skill_id (role_family 'all' included; zero shares kept)
-- reads: int_skill_demand__counted
-- share = postings_with_skill / postings, where postings counts the month's distinct postings
-- (by posted_date, UTC) and postings_with_skill the distinct ones among them flagging the skill.
-- ci_low/ci_high: the 95% Wilson score interval. is_low_support: postings < 30, where a share
-- is too noisy to read on its own. rolling_3m_share pools this month and the two before it
-- (months without postings add nothing), for noisy segments.
with
counted as (select * from int_skill_demand__counted where period_grain = 'month'),

rolled as (
    select
        *,
        sum(postings_with_skill) over trailing_3m as rolling_3m_postings_with_skill,
        sum(postings) over trailing_3m as rolling_3m_postings,
    from counted
    window trailing_3m as (
        partition by role_family, skill_id
        order by period_start
        range between interval 2 month preceding and current row
    )
),

final as (
    select
        period_start as month,
        role_family,
        skill_id,
        postings,
        postings_with_skill,
        postings_with_skill / postings as share,
        wilson_low(postings_with_skill, postings) as ci_low,
        wilson_high(postings_with_skill, postings) as ci_high,
        postings < 30 as is_low_support,
        rolling_3m_postings_with_skill / rolling_3m_postings as rolling_3m_share,
    from rolled
)

select * from final
