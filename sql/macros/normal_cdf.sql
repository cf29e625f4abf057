-- name: normal_cdf
-- grain: scalar macro; the standard normal CDF at z, null when z is null
-- reads: nothing
-- DuckDB 2.0 has no erf, so this is Abramowitz & Stegun 26.2.17 (Zelen & Severo):
-- for x = |z|, t = 1 / (1 + 0.2316419 x),
-- 1 - cdf(x) = phi(x) (b1 t + b2 t^2 + b3 t^3 + b4 t^4 + b5 t^5), absolute error < 7.5e-8;
-- cdf(-x) = 1 - cdf(x). tests/warehouse checks it against math.erfc.
create or replace macro normal_cdf(z) as (
    case
        when z is null then null
        when z >= 0 then 1 - upper_normal_tail(z)
        else upper_normal_tail(-z)
    end
);
