-- fct_rejects: input records that could not become postings, with where and why.
-- grain: one row per run_id × source × board × record_ref
-- reads: raw_rejects
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
