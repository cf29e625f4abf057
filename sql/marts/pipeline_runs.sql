-- pipeline_runs: the run log: what each run did, how it ended, with which taxonomy.
-- grain: one row per run_id
-- reads: raw_runs
with
runs as (select * from raw_runs),

final as (
    select
        run_id,
        command,
        started_at,
        finished_at,
        status,
        taxonomy_version,
        postings_landed,
        postings_extracted,
        sources_failed,
        message,
    from runs
)

select * from final
