-- wilson_low: lower bound of the 95% Wilson score interval for x successes in n trials.
-- grain: scalar macro; null when n = 0
create or replace macro wilson_low(x, n) as (
    case when n = 0 then null else
        ((x / n) + 1.959964 ^ 2 / (2 * n)
         - 1.959964 * sqrt((x / n) * (1 - x / n) / n + 1.959964 ^ 2 / (4 * n * n)))
        / (1 + 1.959964 ^ 2 / n)
    end
);
