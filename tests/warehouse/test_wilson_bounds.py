"""The Wilson macros hold to what the interval is in exact arithmetic: 0 <= low <= share <= high
<= 1, low exactly 0 when no posting asks and high exactly 1 when every posting does. In doubles
the formula gave -3.6e-17 for 0 of 7 and 0.9999999999999999 for 10 of 10, so `ci_low > 0`
kept cells where nobody asked for the skill."""

from __future__ import annotations

from wh_factory import macro_row


def bounds_for_every_count(n: int) -> list[tuple[int, float, float]]:
    (rows,) = macro_row(
        "select list((x, wilson_low(x, ?), wilson_high(x, ?)) order by x) from range(? + 1) t(x)",
        [n, n, n],
    )
    return [tuple(row) for row in rows]


def test_zero_of_seven_is_exactly_zero_and_ten_of_ten_exactly_one() -> None:
    assert macro_row("select wilson_low(0, 7), wilson_high(10, 10)", []) == (0.0, 1.0)


def test_the_interval_holds_the_share_within_zero_and_one_for_every_count_up_to_200() -> None:
    for n in range(1, 201):
        for x, low, high in bounds_for_every_count(n):
            share = x / n
            assert 0.0 <= low <= share <= high <= 1.0, (x, n, low, high)
            assert (low == 0.0) == (x == 0), (x, n, low)
            assert (high == 1.0) == (x == n), (x, n, high)


def test_an_interior_bound_is_the_formula_unchanged() -> None:
    # 6 of 10, worked by hand as in test_demand.py.
    low, high = macro_row("select wilson_low(6, 10), wilson_high(6, 10)", [])
    assert round(low, 6) == 0.312674 and round(high, 6) == 0.831820
