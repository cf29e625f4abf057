-- name: two_sided_p_value
-- grain: scalar macro; P(|Z| >= |z|) for a standard normal Z, null when z is null
-- reads: nothing
create or replace macro two_sided_p_value(z) as (
    case when z is null then null else least(1.0, 2 * upper_normal_tail(abs(z))) end
);
