-- name: rpt_skill_trends
-- grain: one row per comparison × role_family × skill_id
-- reads: fct_skill_demand_monthly, dim_skills
-- Rising and falling skills: the share in a recent window against an earlier one.
-- comparison (all anchored on the latest month with postings, M):
--   last_6m_vs_prior_6m    after = M-5 .. M,   before = M-11 .. M-6
--   last_12m_vs_prior_12m  after = M-11 .. M,  before = M-23 .. M-12
--   latest_year_vs_previous_data_year  after = the calendar year of M, before = the latest
--     earlier calendar year with any postings (the HN corpus skips 2019-2025)
-- A window's postings is the sum of its months' distinct postings (a posting has one month).
-- Test: two-proportion z-test with the pooled share p and Yates' continuity correction,
-- z = sign(d) * max(|d| - (1/n_before + 1/n_after) / 2, 0) / se, d = share_after - share_before,
-- se = sqrt(p(1-p)(1/n_before + 1/n_after)); p_value two-sided via normal_cdf's approximation.
-- Uncorrected, the test called 2 of 30 against 8 of 30 significant (p = 0.038) where Fisher's
-- exact test gives 0.080; corrected, p = 0.083. When every posting of both windows has the
-- skill (p = 1) the shares cannot differ: z = 0.
-- q_value: Benjamini-Hochberg over the supported rows of one comparison × role_family, since
-- hundreds of skills are tested at once.
-- has_support: both windows >= 30 postings, and under the pooled share each window expects at
-- least 5 postings with the skill and 5 without it (the usual condition for the normal
-- approximation: 3 of 30 against 7 of 5,000 expects 0.06 with it in the first window, and the
-- z-test's p, 1e-33 uncorrected and 1e-23 corrected, is far from the exact 2e-5; 27 of 30
-- against 4,993 of 5,000, the mirror image, expects 0.06 without it). A skill in every posting
-- of both windows is supported: its shares are equal and cannot differ (z = 0, flat).
-- direction: 'rising' / 'falling' when supported and q_value < 0.05, 'flat' when supported
-- but not significant, 'insufficient' otherwise; trend_rank orders rising and falling skills by
-- the size of the change (null for the rest), so noise never ranks.
with
demand as (select * from fct_skill_demand_monthly),

skills as (select * from dim_skills),

latest as (
    select max(month) as last_month from demand
),

data_years as (
    select distinct year(month) as data_year from demand
),

previous_data_year as (
    select max(y.data_year) as data_year
    from data_years as y
    cross join latest as l
    where y.data_year < year(l.last_month)
),

comparisons as (
    select
        'last_6m_vs_prior_6m' as comparison,
        cast(l.last_month - interval 11 month as date) as before_start,
        cast(l.last_month - interval 6 month as date) as before_end,
        cast(l.last_month - interval 5 month as date) as after_start,
        l.last_month as after_end,
    from latest as l
    union all
    select
        'last_12m_vs_prior_12m' as comparison,
        cast(l.last_month - interval 23 month as date) as before_start,
        cast(l.last_month - interval 12 month as date) as before_end,
        cast(l.last_month - interval 11 month as date) as after_start,
        l.last_month as after_end,
    from latest as l
    union all
    select
        'latest_year_vs_previous_data_year' as comparison,
        make_date(p.data_year, 1, 1) as before_start,
        make_date(p.data_year, 12, 1) as before_end,
        make_date(year(l.last_month), 1, 1) as after_start,
        l.last_month as after_end,
    from latest as l
    cross join previous_data_year as p
    where p.data_year is not null
),

-- every role_family × skill pair that has rows at all, so empty windows still get a row
pairs as (
    select distinct role_family, skill_id from demand
),

windowed as (
    select
        c.comparison,
        c.before_start,
        c.before_end,
        c.after_start,
        c.after_end,
        p.role_family,
        p.skill_id,
        coalesce(sum(d.postings) filter (where d.month <= c.before_end), 0) as postings_before,
        coalesce(sum(d.postings_with_skill) filter (where d.month <= c.before_end), 0)
            as postings_with_skill_before,
        coalesce(sum(d.postings) filter (where d.month >= c.after_start), 0) as postings_after,
        coalesce(sum(d.postings_with_skill) filter (where d.month >= c.after_start), 0)
            as postings_with_skill_after,
    from comparisons as c
    cross join pairs as p
    left join demand as d
        on d.role_family = p.role_family
        and d.skill_id = p.skill_id
        and (
            d.month between c.before_start and c.before_end
            or d.month between c.after_start and c.after_end
        )
    group by all
),

shares as (
    select
        *,
        case when postings_before > 0
            then postings_with_skill_before / postings_before end as share_before,
        case when postings_after > 0
            then postings_with_skill_after / postings_after end as share_after,
        (postings_with_skill_before + postings_with_skill_after)
            / nullif(postings_before + postings_after, 0) as pooled_share,
        postings_before >= 30
            and postings_after >= 30
            and (
                postings_with_skill_before + postings_with_skill_after
                    = postings_before + postings_after
                or coalesce(
                    least(postings_before, postings_after) * least(
                        postings_with_skill_before + postings_with_skill_after,
                        postings_before + postings_after
                            - postings_with_skill_before - postings_with_skill_after
                    ) / (postings_before + postings_after) >= 5,
                    false
                )
            ) as has_support,
    from windowed
),

tested as (
    select
        *,
        share_after - share_before as share_change,
        case
            when postings_before = 0 or postings_after = 0 then null
            when pooled_share in (0, 1) then 0
            else sign(share_after - share_before) * greatest(
                abs(share_after - share_before) - (1 / postings_before + 1 / postings_after) / 2,
                0
            ) / sqrt(
                pooled_share * (1 - pooled_share) * (1 / postings_before + 1 / postings_after)
            )
        end as z_score,
    from shares
),

with_p as (
    select
        *,
        two_sided_p_value(z_score) as p_value,
    from tested
),

-- Benjamini-Hochberg: q_(i) = min over j >= i of p_(j) * m / j, p sorted ascending
bh_ranked as (
    select
        *,
        row_number() over family_tests as p_rank,
        count(*) over (partition by comparison, role_family) as tests,
    from with_p
    where has_support and p_value is not null
    window family_tests as (partition by comparison, role_family order by p_value, skill_id)
),

bh as (
    select
        comparison,
        role_family,
        skill_id,
        least(1.0, min(p_value * tests / p_rank) over (
            partition by comparison, role_family
            order by p_rank desc
            rows between unbounded preceding and current row
        )) as q_value,
    from bh_ranked
),

classified as (
    select
        t.*,
        b.q_value,
        case
            when not t.has_support or t.p_value is null then 'insufficient'
            when b.q_value < 0.05 and t.share_change > 0 then 'rising'
            when b.q_value < 0.05 and t.share_change < 0 then 'falling'
            else 'flat'
        end as direction,
    from with_p as t
    left join bh as b using (comparison, role_family, skill_id)
),

final as (
    select
        c.comparison,
        c.role_family,
        c.skill_id,
        s.name,
        c.before_start,
        c.before_end,
        c.after_start,
        c.after_end,
        c.postings_before,
        c.postings_with_skill_before,
        c.share_before,
        c.postings_after,
        c.postings_with_skill_after,
        c.share_after,
        c.share_change,
        c.z_score,
        c.p_value,
        c.q_value,
        c.has_support,
        c.direction,
        case when c.direction in ('rising', 'falling') then rank() over (
            partition by c.comparison, c.role_family, c.direction
            order by abs(c.share_change) desc, c.skill_id
        ) end as trend_rank,
    from classified as c
    inner join skills as s using (skill_id)
)

select * from final
