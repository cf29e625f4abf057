-- name: rpt_salary_by_currency
-- grain: one row per salary_currency (one currency at a time; never mixed)
-- reads: fct_postings
-- Every stated salary in a currency, whatever the skills: the baseline rpt_salary_by_skill's
-- medians are read against. A posting's salary is the salary_midpoint macro, as there. All time,
-- every role family, and no minimum n (the report names the currencies it leaves out, with how
-- many postings each has).
with
postings as (select * from fct_postings),

salaried as (
    select
        salary_currency,
        salary_midpoint(salary_min, salary_max) as salary,
    from postings
    where salary_currency is not null
        and coalesce(salary_min, salary_max) is not null
),

final as (
    select
        salary_currency,
        count(*) as n,
        median(salary) as salary_median,
        quantile_cont(salary, 0.25) as salary_p25,
        quantile_cont(salary, 0.75) as salary_p75,
    from salaried
    group by salary_currency
)

select * from final
