"""rpt_skill_trends: windows, the two-proportion z-test, the p-value approximation, BH, support.

Given 40 postings in January 2023 (10 with Python, 12 with AWS) and 40 in December 2023
(30 with Python, 8 with AWS), the latest month is 2023-12, so
  last_6m_vs_prior_6m compares 2023-07..12 (after) with 2023-01..06 (before);
  the continuity correction is (1/40 + 1/40) / 2 = 0.025;
  Python: p_before = 0.25, p_after = 0.75, pooled 0.5, se = sqrt(0.25 · 2/40) = 0.111803,
          z = (0.5 - 0.025) / 0.111803 = 4.248529, p = erfc(4.248529 / √2) = 2.1518e-5;
  AWS:    0.3 → 0.2, pooled 0.25, se = sqrt(0.1875 · 2/40) = 0.096825,
          z = -(0.1 - 0.025) / 0.096825 = -0.774597, p = 0.438578;
  BH over the two supported tests: q_python = min(2p/1, p_aws·2/2) = 4.3036e-5, q_aws = p_aws.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import pytest
from wh_factory import P, build, land, macro_row, query


def _postings(month: str, n: int, python: int, aws: int) -> list[P]:
    rows = []
    for i in range(n):
        skills = (["python"] if i < python else []) + (["aws"] if i >= n - aws else [])
        rows.append(
            P(f"{month}-{i:02d}", f"{month}-{1 + i % 28:02d}", skills, company=f"c{month}{i}")
        )
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> Path:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("trends") / "warehouse.duckdb"
    land(db, _postings("2023-01", 40, 10, 12) + _postings("2023-12", 40, 30, 8), small_taxonomy)
    build(db, small_taxonomy)
    return db


def _row(db: Path, comparison: str, skill_id: str) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute(
            "select * from rpt_skill_trends where comparison = ? and role_family = 'all'"
            " and skill_id = ?",
            [comparison, skill_id],
        )
        names = [d[0] for d in cursor.description]
        (values,) = cursor.fetchall()
    finally:
        con.close()
    return dict(zip(names, values, strict=True))


def test_six_month_windows_and_z_test(warehouse: Path) -> None:
    row = _row(warehouse, "last_6m_vs_prior_6m", "python")
    assert (row["before_start"], row["before_end"]) == (date(2023, 1, 1), date(2023, 6, 1))
    assert (row["after_start"], row["after_end"]) == (date(2023, 7, 1), date(2023, 12, 1))
    assert (row["postings_before"], row["postings_with_skill_before"]) == (40, 10)
    assert (row["postings_after"], row["postings_with_skill_after"]) == (40, 30)
    assert row["share_change"] == pytest.approx(0.5)
    assert row["z_score"] == pytest.approx(4.248529, abs=1e-6)
    assert row["p_value"] == pytest.approx(2.151786e-5, abs=1.5e-7)  # A&S: |error| < 1.5e-7
    assert row["q_value"] == pytest.approx(4.303573e-5, abs=3e-7)
    assert (row["has_support"], row["direction"], row["trend_rank"]) == (True, "rising", 1)


def test_not_significant_change_is_flat_and_unranked(warehouse: Path) -> None:
    row = _row(warehouse, "last_6m_vs_prior_6m", "aws")
    assert row["z_score"] == pytest.approx(-0.774597, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.438578, abs=1.5e-7)
    assert row["q_value"] == pytest.approx(0.438578, abs=1.5e-7)
    assert (row["direction"], row["trend_rank"]) == ("flat", None)


def test_minimum_support_keeps_noise_out(warehouse: Path) -> None:
    # pytorch: 0 postings in both windows, so none expected in either
    row = _row(warehouse, "last_6m_vs_prior_6m", "pytorch")
    assert (row["has_support"], row["direction"], row["trend_rank"]) == (
        False,
        "insufficient",
        None,
    )
    # 12 vs 12 months: both months fall in the latest 12, the prior 12 are empty
    row = _row(warehouse, "last_12m_vs_prior_12m", "python")
    assert (row["postings_before"], row["postings_after"]) == (0, 80)
    assert (row["has_support"], row["direction"], row["p_value"]) == (False, "insufficient", None)
    # no earlier calendar year has data, so that comparison has no rows
    assert query(
        warehouse,
        "select count(*) from rpt_skill_trends where comparison = 'latest_year_vs_previous_data_year'",
    ) == [(0,)]


@pytest.mark.parametrize("z", [-6.0, -3.0, -1.96, -0.5, 0.0, 0.3, 1.0, 1.959964, 2.5, 4.0, 8.0])
def test_normal_cdf_macro_matches_erfc(z: float) -> None:
    cdf, p = macro_row("select normal_cdf(?), two_sided_p_value(?)", [z, z])
    assert cdf == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2)), abs=1e-7)
    assert p == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=1.5e-7)


def _one_comparison(tmp_path: Path, taxonomy, before: tuple[int, int], after: tuple[int, int]):  # type: ignore[no-untyped-def]
    """The python row of last_6m_vs_prior_6m for (postings, with python) in January and
    December 2023."""
    db = tmp_path / "warehouse.duckdb"
    land(db, _postings("2023-01", *before, 0) + _postings("2023-12", *after, 0), taxonomy)
    build(db, taxonomy)
    return _row(db, "last_6m_vs_prior_6m", "python")


def test_small_counts_are_tested_conservatively(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    # 2 of 30 against 8 of 30: 5 expected in each window, so tested; uncorrected, z = 2.078 and
    # p = 0.038 (rising), where Fisher's exact test gives 0.080. Corrected: z = (0.2 - 1/30) /
    # sqrt(1/6 · 5/6 · 2/30) = 1.732051, p = 0.0832645.
    row = _one_comparison(tmp_path, small_taxonomy, (30, 2), (30, 8))
    assert row["has_support"] is True
    assert row["z_score"] == pytest.approx(1.732051, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.0832645, abs=1.5e-7)
    assert (row["direction"], row["trend_rank"]) == ("flat", None)


def test_a_window_expecting_under_5_postings_with_the_skill_is_not_tested(  # type: ignore[no-untyped-def]
    tmp_path: Path, small_taxonomy
) -> None:
    # 3 of 30 against 7 of 300: 10 postings with the skill across both (enough under the old
    # rule), but the pooled share 10/330 expects 0.9 of them in the first window.
    row = _one_comparison(tmp_path, small_taxonomy, (30, 3), (300, 7))
    assert (row["has_support"], row["q_value"], row["direction"]) == (False, None, "insufficient")


def test_a_skill_in_every_posting_of_both_windows_is_flat(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    row = _one_comparison(tmp_path, small_taxonomy, (40, 40), (40, 40))
    assert (row["has_support"], row["z_score"], row["direction"]) == (True, 0.0, "flat")
    assert row["p_value"] == pytest.approx(1.0, abs=1.5e-7)
    assert row["q_value"] == pytest.approx(1.0, abs=1.5e-7)


def test_a_window_expecting_under_5_postings_without_the_skill_is_not_tested(  # type: ignore[no-untyped-def]
    tmp_path: Path, small_taxonomy
) -> None:
    # 27 of 30 against 497 of 500, the mirror image of a rare skill: the pooled share 524/530
    # expects 0.34 postings without the skill in the first window. Tested, the corrected z-test
    # gave p = 1.2e-4 (rising) where Fisher's exact test gives 0.0029.
    row = _one_comparison(tmp_path, small_taxonomy, (30, 27), (500, 497))
    assert (row["has_support"], row["q_value"], row["direction"]) == (False, None, "insufficient")
