"""rpt_skill_cooccurrence: each pair once (skill_id_a < skill_id_b), counted in distinct postings.

Twenty postings with these skills (PySpark brings its parents, Apache Spark and Python):
    6 × Python, PyTorch, AWS      5 × Python, AWS      4 × PyTorch, Kubernetes      5 × PySpark, AWS
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wh_factory import P, build, land, query


def _postings() -> list[P]:
    groups = [
        ("a", 6, ["python", "pytorch", "aws"]),
        ("b", 5, ["python", "aws"]),
        ("c", 4, ["pytorch", "kubernetes"]),
        ("d", 5, ["pyspark", "aws"]),
    ]
    return [
        P(f"{prefix}{n}", f"2024-02-{1 + n:02d}", skills, title=f"{prefix} role {n}")
        for prefix, count, skills in groups
        for n in range(count)
    ]


def test_pairs_are_counted_once_per_posting_and_noise_and_ancestors_are_left_out(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    land(db, _postings(), small_taxonomy)
    build(db, small_taxonomy)
    pairs = query(
        db,
        """
        select skill_id_a, skill_id_b, postings_with_both, postings_with_a, postings_with_b,
            postings
        from rpt_skill_cooccurrence order by all
        """,
    )
    # Kubernetes + PyTorch (4 postings) is below the 5 a pair needs; PySpark + Python and
    # PySpark + Apache Spark are the taxonomy's own parent links. Apache Spark + Python comes
    # only through PySpark's parents, and is kept: neither is the other's ancestor.
    assert pairs == [
        ("aws", "pyspark", 5, 16, 5, 20),
        ("aws", "python", 16, 16, 16, 20),
        ("aws", "pytorch", 6, 16, 10, 20),
        ("aws", "spark", 5, 16, 5, 20),
        ("python", "pytorch", 6, 16, 10, 20),
        ("python", "spark", 5, 16, 5, 20),
    ]
    [(support, lift)] = query(
        db,
        "select support, lift from rpt_skill_cooccurrence "
        "where skill_id_a = 'aws' and skill_id_b = 'python'",
    )
    # 16/20 together, against (16/20) × (16/20) if independent
    assert (support, lift) == (0.8, pytest.approx(1.25, abs=1e-12))
