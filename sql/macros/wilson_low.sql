-- name: wilson_low
-- grain: scalar macro; lower bound of the 95% Wilson score interval for x of n, null when n = 0
-- reads: nothing
-- (p + z²/2n - z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) with p = x/n and z = 1.959964.
-- In exact arithmetic the bound is 0 at x = 0 and never above p; in doubles it came out as
-- ±1e-17 at x = 0, so "ci_low > 0" kept cells with no posting asking. Held to [0, p].
create or replace macro wilson_low(x, n) as (
    case when n = 0 then null else
        least(
            x / n,
            greatest(
                0.0,
                ((x / n) + 1.959964 ^ 2 / (2 * n)
                 - 1.959964 * sqrt((x / n) * (1 - x / n) / n + 1.959964 ^ 2 / (4 * n * n)))
                / (1 + 1.959964 ^ 2 / n)
            )
        )
    end
);
