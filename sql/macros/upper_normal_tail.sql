-- name: upper_normal_tail
-- grain: scalar macro; P(Z > x) for a standard normal Z and x >= 0
-- reads: nothing
-- Abramowitz & Stegun 26.2.17, absolute error < 7.5e-8 (see normal_cdf).
create or replace macro upper_normal_tail(x) as (
    exp(-x * x / 2) / sqrt(2 * pi())
    * (
        0.319381530 * (1 / (1 + 0.2316419 * x))
        - 0.356563782 * (1 / (1 + 0.2316419 * x)) ^ 2
        + 1.781477937 * (1 / (1 + 0.2316419 * x)) ^ 3
        - 1.821255978 * (1 / (1 + 0.2316419 * x)) ^ 4
        + 1.330274429 * (1 / (1 + 0.2316419 * x)) ^ 5
    )
);
