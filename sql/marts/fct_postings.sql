-- fct_postings: distinct job postings, however many nights or sources showed them.
-- grain: one row per posting_id
-- reads: int_postings__deduplicated
with
copies as (select * from int_postings__deduplicated),

copy_stats as (
    select
        posting_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        -- closed only when every copy has closed
        case when bool_and(closed_at is not null) then max(closed_at) end as closed_at,
        count(*) as copies,
        list(distinct source order by source) as sources,
    from copies
    group by posting_id
),

canonical as (
    select * from copies where posting_key = posting_id
),

final as (
    select
        c.posting_id,
        c.source,
        c.board,
        c.source_posting_id,
        c.title,
        c.company,
        c.location,
        c.remote,
        c.posted_at,
        s.first_seen_at,
        s.last_seen_at,
        s.closed_at,
        c.url,
        c.role_family,
        c.seniority,
        c.salary_min,
        c.salary_max,
        c.salary_currency,
        cast(date_trunc('month', c.posted_at) as date) as posted_month,
        s.copies,
        s.sources,
        c.content_hash,
    from canonical as c
    inner join copy_stats as s using (posting_id)
)

select * from final
