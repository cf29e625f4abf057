"""rpt_roadmap and rpt_roadmap_areas: verdicts, ranks and support, from literal postings.

The small taxonomy's article names python and r (programming-languages), pytorch
(deep-learning-frameworks) and communication (problem-solving-and-communication): three areas,
so python and r weigh 1/6 each, pytorch and communication 1/3.
"""

from __future__ import annotations

from pathlib import Path

from wh_factory import P, build, land, query

from extractors.skills.taxonomy import Taxonomy


def _postings(count: int, with_skill: dict[str, int], everywhere: tuple[str, ...] = ()) -> list[P]:
    """`count` postings in one month; the first with_skill[s] of them name skill s."""
    return [
        P(
            str(i),
            f"2024-03-{1 + i % 28:02d}",
            [s for s, n in with_skill.items() if i < n] + list(everywhere),
            company=f"Company {i}",
        )
        for i in range(count)
    ]


def _roadmap(tmp_path: Path, taxonomy: Taxonomy, postings: list[P], name: str) -> list[tuple]:
    db = tmp_path / name / "warehouse.duckdb"
    land(db, postings, taxonomy)
    build(db, taxonomy)
    return query(
        db,
        """
        select skill_id, round(article_demand_weight, 4), article_rank, new_rank,
            demand_rank_in_article, rank_change, verdict
        from rpt_roadmap order by skill_id
        """,
    )


# Demand among the article's own skills is exactly the article's weighting: every verdict keep.
_IN_ARTICLE = {"python": 10, "r": 10, "pytorch": 20, "communication": 20}


def test_demand_for_skills_the_article_lacks_does_not_move_its_verdicts(
    tmp_path: Path, small_taxonomy: Taxonomy
) -> None:
    alone = _roadmap(tmp_path, small_taxonomy, _postings(60, _IN_ARTICLE), "alone")
    # Kubernetes, which the article lacks, in every posting: it takes half of every new_weight,
    # which the verdicts compared with the article's weights, so all four read 'lower'.
    crowded = _roadmap(
        tmp_path, small_taxonomy, _postings(60, _IN_ARTICLE, ("kubernetes",)), "crowded"
    )
    in_article = [
        ("communication", 0.3333, 1, 1, 1, 0, "keep"),
        ("python", 0.1667, 3, 3, 3, 0, "keep"),
        ("pytorch", 0.3333, 1, 1, 1, 0, "keep"),
        ("r", 0.1667, 3, 3, 3, 0, "keep"),
    ]
    assert alone == in_article
    # Equal weights share a rank; kubernetes ranks first by new_weight, while the in-article
    # skills' demand_rank_in_article and rank_change still compare them among themselves.
    assert crowded == [
        ("communication", 0.3333, 1, 2, 1, 0, "keep"),
        ("kubernetes", None, None, 1, None, None, "add"),
        ("python", 0.1667, 3, 4, 3, 0, "keep"),
        ("pytorch", 0.3333, 1, 2, 1, 0, "keep"),
        ("r", 0.1667, 3, 4, 3, 0, "keep"),
    ]


def test_raise_and_lower_follow_demand_among_the_articles_skills(
    tmp_path: Path, small_taxonomy: Taxonomy
) -> None:
    # In-article shares 30, 6, 12, 12 of 60: weights 0.5, 0.1, 0.2, 0.2 against 1/6, 1/6, 1/3,
    # 1/3. python 0.5 >= 1.5 x 1/6 (raise); r 0.1 <= (1/6) / 1.5 = 0.111 (lower); pytorch and
    # communication 0.2 <= (1/3) / 1.5 = 0.222 (lower).
    rows = _roadmap(
        tmp_path,
        small_taxonomy,
        _postings(60, {"python": 30, "r": 6, "pytorch": 12, "communication": 12}),
        "moved",
    )
    assert rows == [
        ("communication", 0.2, 1, 2, 2, -1, "lower"),
        ("python", 0.5, 3, 1, 1, 2, "raise"),
        ("pytorch", 0.2, 1, 2, 2, -1, "lower"),
        ("r", 0.1, 3, 4, 4, -1, "lower"),
    ]


def test_a_cohort_under_30_postings_gets_no_advice(
    tmp_path: Path, small_taxonomy: Taxonomy
) -> None:
    db = tmp_path / "warehouse.duckdb"
    land(db, _postings(29, {"python": 29, "pytorch": 1}), small_taxonomy)
    build(db, small_taxonomy)
    assert query(db, "select distinct verdict from rpt_roadmap") == [("insufficient",)]
    assert query(db, "select distinct verdict from rpt_roadmap_areas") == [("insufficient",)]


def test_area_verdicts_compare_demand_among_the_articles_areas(
    tmp_path: Path, small_taxonomy: Taxonomy
) -> None:
    db = tmp_path / "warehouse.duckdb"
    land(db, _postings(60, _IN_ARTICLE, ("kubernetes",)), small_taxonomy)
    build(db, small_taxonomy)
    assert query(
        db,
        """
        select roadmap_area, round(article_weight, 4), round(article_demand_weight, 4),
            article_rank, new_rank, verdict
        from rpt_roadmap_areas order by roadmap_area
        """,
    ) == [
        ("deep-learning-frameworks", 0.3333, 0.3333, 1, 2, "keep"),
        ("mlops", 0.0, None, None, 1, "add"),
        ("problem-solving-and-communication", 0.3333, 0.3333, 1, 2, "keep"),
        ("programming-languages", 0.3333, 0.3333, 1, 2, "keep"),
    ]
