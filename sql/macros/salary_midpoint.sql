-- name: salary_midpoint
-- grain: scalar macro; a posting's one salary figure, null when it states neither bound
-- reads: nothing
-- The midpoint of salary_min and salary_max, or whichever one the posting states. One
-- definition, so every salary table reads postings the same way.
create or replace macro salary_midpoint(salary_min, salary_max) as (
    case
        when salary_min is not null and salary_max is not null
            then (salary_min + salary_max) / 2
        else coalesce(salary_min, salary_max)
    end
);
