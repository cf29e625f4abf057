-- name: stg_postings
-- grain: one row per source × board × source_posting_id
-- reads: raw_postings, raw_source_runs
-- Postings as sources showed them, cleaned, with when we first and last saw each.
-- posted_date is the UTC calendar date, so months and weeks never depend on a session time zone.
-- No text: no model reads it (skills come from mentions by content_hash), and carrying 1.1 GB
-- of it through here and int_postings__deduplicated cost most of their time at 1M postings.
with
postings as (select * from raw_postings),

board_runs as (select * from raw_source_runs),

-- A board listing is a snapshot of what is open; a posting missing from a later successful
-- fetch of the same board has closed. History sources (hn, jsonl) never close postings.
later_board_runs as (
    select
        p.source,
        p.board,
        p.source_posting_id,
        min(r.started_at) as closed_at,
    from postings as p
    inner join board_runs as r
        on r.source = p.source
        and r.board = p.board
        and r.status = 'ok'
        and r.started_at > p.last_seen_at
    where p.source in ('greenhouse', 'lever', 'ashby', 'workable', 'smartrecruiters', 'jsonld')
    group by all
),

final as (
    select
        p.source,
        p.board,
        p.source_posting_id,
        posting_key_of(p.source, p.board, p.source_posting_id) as posting_key,
        nullif(trim(p.title), '') as title,
        nullif(trim(p.company), '') as company,
        nullif(folded_name(p.company), '') as company_key,
        nullif(trim(p.location), '') as location,
        coalesce(p.workplace, 'unknown') as remote,
        coalesce(p.posted_at, p.first_seen_at) as posted_at,
        cast(timezone('UTC', coalesce(p.posted_at, p.first_seen_at)) as date) as posted_date,
        p.first_seen_at,
        p.last_seen_at,
        c.closed_at,
        p.url,
        p.role_family,
        p.seniority,
        p.salary_min,
        p.salary_max,
        upper(nullif(trim(p.salary_currency), '')) as salary_currency,
        p.content_hash,
    from postings as p
    left join later_board_runs as c using (source, board, source_posting_id)
)

select * from final
