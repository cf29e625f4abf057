-- name: stg_runs
-- grain: one row per run_id
-- reads: raw_runs
-- The pipeline's run log, with durations.
with
runs as (select * from raw_runs),

final as (
    select
        run_id,
        command,
        started_at,
        finished_at,
        round(epoch(finished_at) - epoch(started_at), 3) as duration_s,
        status,
        taxonomy_version,
        postings_landed,
        postings_extracted,
        sources_failed,
        message,
    from runs
)

select * from final
