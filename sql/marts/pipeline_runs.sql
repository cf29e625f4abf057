-- name: pipeline_runs
-- grain: one row per run_id
-- reads: stg_runs
-- the run log: what each run did, how it ended, with which taxonomy.
with
runs as (select * from stg_runs),

final as (
    select
        run_id,
        command,
        started_at,
        finished_at,
        duration_s,
        status,
        taxonomy_version,
        postings_landed,
        postings_extracted,
        sources_failed,
        message,
    from runs
)

select * from final
