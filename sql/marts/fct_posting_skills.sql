-- name: fct_posting_skills
-- grain: one row per posting_id × skill_id (a parent skill counts when a child is mentioned)
-- reads: int_posting_skills__expanded, fct_postings
-- The binary skill flag per distinct posting: demand counts these rows, never mention_count.
-- Stored in (skill_id, posted_month) order: DuckDB's per-row-group min/max then skips most of
-- the table for one skill's filter, the usual ad-hoc question.
with
posting_skills as (select * from int_posting_skills__expanded),

postings as (select * from fct_postings),

final as (
    select
        ps.posting_id,
        ps.skill_id,
        ps.mention_count,
        ps.mention_count_with_children,
        ps.is_mentioned_directly,
        ps.sections,
        p.posted_month,
        p.role_family,
    from posting_skills as ps
    inner join postings as p using (posting_id)
)

select * from final
order by skill_id, posted_month
