-- name: fct_skill_demand_by_segment
-- grain: one row per segment × segment_value × year × role_family × skill_id (zero shares kept)
-- reads: fct_postings, fct_posting_skills, dim_skills
-- Skill shares cut by one posting attribute at a time, per calendar year (UTC posted_date):
-- segment is 'seniority', 'remote', 'source' or 'company' (segment_value = the folded company
-- key). Company cells exist only with >= 30 distinct postings in the year and role family, so
-- the table stays small and no company is ranked on a handful of ads; postings with no company
-- name are in no company cell (as one 'unknown' company they outranked every real one, and a
-- company called "Unknown" would have joined them). share, ci_low/ci_high
-- (Wilson 95%) and is_low_support (postings < 30) mean what they mean in fct_skill_demand_monthly.
with
postings as (
    select
        posting_id,
        role_family,
        year(posted_date) as year,
        seniority,
        remote,
        source,
        company_key as company,
    from fct_postings
),

posting_skills as (select * from fct_posting_skills),

skills as (select * from dim_skills),

-- Only a (year, company) with >= 30 postings can hold a company cell (a role family's cell
-- counts a subset of its postings). Other companies' rows reach the grouping below with no
-- company, so their per-skill groups, which no cell would keep, are never made: at a million
-- postings there are 479k (year, company) pairs and 1,815 company cells (this model alone
-- 4.3-5.8 s -> 2.5-2.7 s, same rows, measured).
company_cells as (
    select year, company from postings
    where company is not null
    group by year, company having count(*) >= 30
),

posting_skill_segments as (
    select p.* replace (c.company as company), ps.skill_id,
    from postings as p
    left join company_cells as c using (year, company)
    inner join posting_skills as ps using (posting_id)
),

-- Each grouping set is one segment, for one role family or (role_family rolled up) for all of
-- them: one pass over the rows, where copying every row once per segment and family made 8x
-- as many rows to join and group (13.0 s -> 4.7-6.5 s at a million postings, measured).
-- count(*) = count(distinct posting_id) in every set: a posting has one value per segment,
-- postings one row per posting and posting_skill_segments one per posting × skill.
-- Two passes, not int_skill_demand__counted's single pass over anchor rows: here the groups
-- grow with the companies, and that single pass ran out of the 1 GB memory limit at a million
-- postings (measured); these two did not.
denominators as (
    select
        case
            when grouping(seniority) = 0 then 'seniority'
            when grouping(remote) = 0 then 'remote'
            when grouping(source) = 0 then 'source'
            else 'company'
        end as segment,
        case
            when grouping(seniority) = 0 then seniority
            when grouping(remote) = 0 then remote
            when grouping(source) = 0 then source
            else company
        end as segment_value,
        year,
        case when grouping(role_family) = 1 then 'all' else role_family end as role_family,
        count(*) as postings,
    from postings
    group by grouping sets (
        (year, seniority, role_family), (year, seniority),
        (year, remote, role_family), (year, remote),
        (year, source, role_family), (year, source),
        (year, company, role_family), (year, company)
    )
    having grouping(company) = 1 or (company is not null and count(*) >= 30)
),

hits as (
    select
        case
            when grouping(seniority) = 0 then 'seniority'
            when grouping(remote) = 0 then 'remote'
            when grouping(source) = 0 then 'source'
            else 'company'
        end as segment,
        case
            when grouping(seniority) = 0 then seniority
            when grouping(remote) = 0 then remote
            when grouping(source) = 0 then source
            else company
        end as segment_value,
        year,
        case when grouping(role_family) = 1 then 'all' else role_family end as role_family,
        skill_id,
        count(*) as postings_with_skill,
    from posting_skill_segments
    group by grouping sets (
        (year, seniority, role_family, skill_id), (year, seniority, skill_id),
        (year, remote, role_family, skill_id), (year, remote, skill_id),
        (year, source, role_family, skill_id), (year, source, skill_id),
        (year, company, role_family, skill_id), (year, company, skill_id)
    )
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
