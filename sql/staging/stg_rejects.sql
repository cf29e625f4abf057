-- name: stg_rejects
-- grain: one row per run_id × source × board × record_ref
-- reads: raw_rejects
-- Input records that could not become postings.
with
rejects as (select * from raw_rejects),

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
