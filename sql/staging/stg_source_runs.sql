-- name: stg_source_runs
-- grain: one row per run_id × source × board
-- reads: raw_source_runs
-- per-source outcomes of each run, with durations.
with
runs as (select * from raw_source_runs),

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
        round(epoch(finished_at) - epoch(started_at), 3) as duration_s,
    from runs
)

select * from final
