-- name: fct_rejects
-- grain: one row per run_id × source × board × record_ref
-- reads: stg_rejects
-- input records that could not become postings, with where and why.
with
rejects as (select * from stg_rejects),

final as (
    select
        run_id,
        source,
        board,
        record_ref,
        reason,
        raw,
    from rejects
)

select * from final
