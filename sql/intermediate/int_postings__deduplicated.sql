-- name: int_postings__deduplicated
-- grain: one row per source × board × source_posting_id, with the posting_id it counts as
-- reads: stg_postings, stg_posting_duplicates
-- Rule (warehouse/duplicates.py, sql/README.md): copies with the same folded company and title
-- whose texts are identical or have 5-word-shingle Jaccard >= 0.9, posted within 90 days of the
-- posting's first copy, are one posting, whichever source or night they came from.
-- posting_id is the posting_key of that first copy; is_canonical marks it.
with
postings as (select * from stg_postings),

duplicates as (select * from stg_posting_duplicates),

final as (
    select
        p.*,
        -- a copy the seed does not know (it cannot happen in one build) stands alone
        coalesce(d.duplicate_group_key, p.posting_key) as posting_id,
        coalesce(d.duplicate_group_key, p.posting_key) = p.posting_key as is_canonical,
    from postings as p
    left join duplicates as d using (posting_key)
)

select * from final
