-- fct_posting_skills: which skills each distinct posting asks for (parents included).
-- grain: one row per posting_id × skill_id
-- reads: int_posting_skills__expanded, fct_postings
with
posting_skills as (select * from int_posting_skills__expanded),

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
    inner join fct_postings as p using (posting_id)
)

select * from final
