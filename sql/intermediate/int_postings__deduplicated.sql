-- int_postings__deduplicated: every sourced posting tagged with the distinct posting it is.
-- grain: one row per source × board × source_posting_id, with its posting_id
-- reads: stg_postings
-- Rule: the same company (case and punctuation folded), title and exact text seen within 90
-- days of the previous copy is one posting, whichever source or night it came from.
-- The posting_id is the posting_key of the earliest copy.
with
postings as (select * from stg_postings),

keyed as (
    select
        *,
        md5(
            coalesce(regexp_replace(lower(company), '[^a-z0-9]', '', 'g'), '') || '|'
            || coalesce(regexp_replace(lower(title), '[^a-z0-9]', '', 'g'), '') || '|'
            || content_hash
        ) as duplicate_key,
    from postings
),

sessioned as (
    select
        *,
        case
            when lag(posted_at) over copies is null then 1
            when posted_at - lag(posted_at) over copies > interval 90 day then 1
            else 0
        end as starts_new_posting,
    from keyed
    window copies as (partition by duplicate_key order by posted_at, posting_key)
),

grouped as (
    select
        *,
        sum(starts_new_posting) over (
            partition by duplicate_key order by posted_at, posting_key
            rows between unbounded preceding and current row
        ) as copy_group,
    from sessioned
),

final as (
    select
        * exclude (starts_new_posting),
        first_value(posting_key) over (
            partition by duplicate_key, copy_group order by posted_at, posting_key
        ) as posting_id,
    from grouped
)

select * from final
