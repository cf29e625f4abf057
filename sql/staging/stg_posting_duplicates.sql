-- name: stg_posting_duplicates
-- grain: one row per posting_key (every sourced copy), with the key of its posting's first copy
-- reads: raw_posting_duplicates
-- The seed is computed in Python at build time (warehouse/duplicates.py): same folded company
-- and title, identical text or 5-word-shingle Jaccard >= 0.9, within 90 days of the first copy.
with
duplicates as (select * from raw_posting_duplicates),

final as (
    select
        posting_key,
        duplicate_group_key,
    from duplicates
)

select * from final
