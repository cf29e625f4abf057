-- name: rpt_salary_by_skill
-- grain: one row per salary_currency × skill_id (one currency at a time; never mixed)
-- reads: fct_postings, fct_posting_skills, dim_skills
-- Salary of the distinct postings that state one and ask for the skill, all time. A posting's
-- salary is salary_midpoint(salary_min, salary_max): their midpoint, or the one stated. Sources
-- do not say whether a figure is yearly or hourly, so read medians with that in mind. Rows with n < 5
-- postings are left out: a median of two ads is an anecdote.
with
postings as (select * from fct_postings),

posting_skills as (select * from fct_posting_skills),

skills as (select * from dim_skills),

salaried as (
    select
        posting_id,
        salary_currency,
        salary_midpoint(salary_min, salary_max) as salary,
    from postings
    where salary_currency is not null
        and coalesce(salary_min, salary_max) is not null
),

by_skill as (
    select
        s.salary_currency,
        ps.skill_id,
        count(*) as n,
        quantile_cont(s.salary, 0.25) as salary_p25,
        median(s.salary) as salary_median,
        quantile_cont(s.salary, 0.75) as salary_p75,
    from salaried as s
    inner join posting_skills as ps using (posting_id)
    group by all
    having count(*) >= 5
),

final as (
    select
        b.salary_currency,
        b.skill_id,
        k.name,
        b.n,
        b.salary_median,
        b.salary_p25,
        b.salary_p75,
    from by_skill as b
    inner join skills as k using (skill_id)
)

select * from final
