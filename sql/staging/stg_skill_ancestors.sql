-- name: stg_skill_ancestors
-- grain: one row per skill_id × ancestor_id (ancestor_id = skill_id included)
-- reads: raw_skill_ancestors
-- each skill paired with itself and every skill it implies.
with
ancestors as (select * from raw_skill_ancestors),

final as (
    select
        skill_id,
        ancestor_id,
    from ancestors
)

select * from final
