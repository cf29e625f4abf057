-- name: source_runs
-- grain: one row per run_id × source × board
-- reads: stg_source_runs
-- what collecting each source did in each run (ok | failed | skipped).
with
runs as (select * from stg_source_runs),

final as (
    select
        run_id,
        source,
        board,
        status,
        postings,
        rejects,
        error,
        started_at,
        finished_at,
        duration_s,
    from runs
)

select * from final
