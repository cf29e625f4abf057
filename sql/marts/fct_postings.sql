-- name: fct_postings
-- grain: one row per posting_id (a distinct posting, however many nights or sources showed it)
-- reads: int_postings__deduplicated
-- Attributes are the first copy's; first/last seen span every copy; a posting is closed only
-- when every copy has closed.
with
copies as (select * from int_postings__deduplicated),

copy_stats as (
    select
        posting_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        case when bool_and(closed_at is not null) then max(closed_at) end as closed_at,
        count(*) as copies,
        count(distinct source) as source_count,
        list(distinct source order by source) as sources,
    from copies
    group by posting_id
),

canonical as (
    select * from copies where is_canonical
),

final as (
    select
        c.posting_id,
        c.source,
        c.board,
        c.source_posting_id,
        c.title,
        c.company,
        c.company_key,
        c.location,
        c.remote,
        c.posted_at,
        c.posted_date,
        cast(date_trunc('month', c.posted_date) as date) as posted_month,
        s.first_seen_at,
        s.last_seen_at,
        s.closed_at,
        c.url,
        c.role_family,
        c.seniority,
        c.salary_min,
        c.salary_max,
        c.salary_currency,
        s.copies,
        s.source_count,
        s.sources,
        c.content_hash,
    from canonical as c
    inner join copy_stats as s using (posting_id)
)

select * from final
