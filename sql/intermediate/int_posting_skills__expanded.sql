-- name: int_posting_skills__expanded
-- grain: one row per posting_id × skill_id
-- reads: int_postings__deduplicated, stg_mentions, stg_skill_ancestors
-- skills per distinct posting, a child skill counting for its parents.
with
-- A posting's skills are read from its first copy's text: near-duplicate copies differ in a
-- few words, and summing mentions over several copies would double mention_count.
posting_texts as (
    select posting_id, content_hash from int_postings__deduplicated where is_canonical
),

direct_mentions as (
    select
        p.posting_id,
        m.skill_id,
        m.section,
    from posting_texts as p
    inner join stg_mentions as m using (content_hash)
),

expanded as (
    select
        d.posting_id,
        a.ancestor_id as skill_id,
        d.skill_id as mentioned_skill_id,
        d.section,
    from direct_mentions as d
    inner join stg_skill_ancestors as a using (skill_id)
),

-- The extractor's six sections (extractors/skills/sections.py SECTIONS), in sorted order: bit
-- i of a section set stands for the i-th. Aggregating one bit per row and looking the set up
-- once per group costs less than collecting, deduplicating and sorting each group's list of
-- strings (this model alone 5.9-6.3 s -> 3.2-3.4 s at a million postings, measured). A
-- section outside the six, or a missing one, fails the build rather than going missing from
-- the set.
section_names as (
    select ['benefits', 'body', 'company', 'nice_to_have', 'requirements', 'responsibilities']
        as names
),

section_sets as (
    select
        r.section_bits,
        list_filter(n.names, lambda name, i: (r.section_bits >> (i - 1)) & 1 = 1) as sections,
    from range(64) as r(section_bits)
    cross join section_names as n
),

grouped as (
    select
        posting_id,
        skill_id,
        count(*) filter (where mentioned_skill_id = skill_id) as mention_count,
        count(*) as mention_count_with_children,
        bit_or(
            case section
                when 'benefits' then 1
                when 'body' then 2
                when 'company' then 4
                when 'nice_to_have' then 8
                when 'requirements' then 16
                when 'responsibilities' then 32
                else error('stg_mentions: unknown section ' || coalesce(section, 'NULL'))
            end
        ) as section_bits,
    from expanded
    group by posting_id, skill_id
),

final as (
    select
        g.posting_id,
        g.skill_id,
        g.mention_count,
        g.mention_count_with_children,
        g.mention_count > 0 as is_mentioned_directly,
        s.sections,
    from grouped as g
    inner join section_sets as s using (section_bits)
)

select * from final
