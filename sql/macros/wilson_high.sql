-- name: wilson_high
-- grain: scalar macro; upper bound of the 95% Wilson score interval for x of n, null when n = 0
-- reads: nothing
-- (p + z²/2n + z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) with p = x/n and z = 1.959964.
-- In exact arithmetic the bound is 1 at x = n and never below p; in doubles it came out one
-- ulp under 1 at x = n, below the share itself. Held to [p, 1].
create or replace macro wilson_high(x, n) as (
    case when n = 0 then null else
        greatest(
            x / n,
            least(
                1.0,
                ((x / n) + 1.959964 ^ 2 / (2 * n)
                 + 1.959964 * sqrt((x / n) * (1 - x / n) / n + 1.959964 ^ 2 / (4 * n * n)))
                / (1 + 1.959964 ^ 2 / n)
            )
        )
    end
);
