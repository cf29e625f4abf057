-- stg_postings: postings as sources showed them, with when we first and last saw each.
-- grain: one row per source × board × source_posting_id
-- reads: raw_postings, raw_source_runs
with
postings as (select * from raw_postings),

-- A board listing is a snapshot of what is open; a posting missing from a later successful
-- fetch of the same board has closed. History sources (hn, jsonl) never close postings.
later_board_runs as (
    select
        s.source,
        s.board,
        s.source_posting_id,
        min(r.started_at) as closed_at,
    from postings as s
    inner join raw_source_runs as r
        on r.source = s.source
        and r.board = s.board
        and r.status = 'ok'
        and r.started_at > s.last_seen_at
    where s.source in ('greenhouse', 'lever', 'ashby', 'workable', 'smartrecruiters', 'jsonld')
    group by all
),

final as (
    select
        p.source,
        p.board,
        p.source_posting_id,
        md5(p.source || '|' || p.board || '|' || p.source_posting_id) as posting_key,
        nullif(trim(p.title), '') as title,
        nullif(trim(p.company), '') as company,
        nullif(trim(p.location), '') as location,
        coalesce(p.workplace, 'unknown') as remote,
        coalesce(p.posted_at, p.first_seen_at) as posted_at,
        p.first_seen_at,
        p.last_seen_at,
        c.closed_at,
        p.url,
        p.role_family,
        p.seniority,
        p.salary_min,
        p.salary_max,
        p.salary_currency,
        p.content_hash,
        p.text,
    from postings as p
    left join later_board_runs as c using (source, board, source_posting_id)
)

select * from final
