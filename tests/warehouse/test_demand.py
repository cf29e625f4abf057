"""Counting right: distinct postings, binary skill flags, exact shares and Wilson intervals.

The fixture month, January 2024, holds 10 distinct postings (8 ml-engineer, 2 software-engineer)
although 15 copies are landed: a re-seen posting, a cross-post, a near-identical repost, and a
monthly repost. Six of the ten ask for Python (one only through PySpark), so the share is 6/10.
Expected Wilson bounds are worked out by hand from
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),  z = 1.959964
and written here as literals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from wh_factory import P, build, land, query

from extractors.skills.sections import SECTIONS
from warehouse.build import BuildError

LONG = [f"word{i}" for i in range(120)]  # 116 five-word shingles
T4 = " ".join(LONG)
T4_ONE_WORD_CHANGED = " ".join("changed" if i == 60 else w for i, w in enumerate(LONG))  # J=111/121
T4_THREE_WORDS_CHANGED = " ".join(
    "changed" if i in (20, 60, 100) else w for i, w in enumerate(LONG)
)  # J=101/131
T1 = "Acme is hiring an ML engineer: Python, Python and more Python."


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> Path:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("demand") / "warehouse.duckdb"
    january = [
        P("j01", "2024-01-01", ["python", "python", "python"], text=T1),  # 3 mentions, 1 flag
        P("j02", "2024-01-02", ["python"]),
        P("j03", "2024-01-03", ["python"], text="cross-posted text"),
        P("j04", "2024-01-10", ["python"], text=T4),
        P("j05", "2024-01-11", ["pyspark"]),  # python and spark through the parents
        P("j06", "2024-01-12", ["python"], text=T1, company="Globex"),  # other company: distinct
        P("j07", "2024-01-13", ["aws"]),
        P("j08", "2024-01-14", []),
        P("j09", "2024-01-15", [], role_family="software-engineer"),
        P("j10", "2024-01-16", [], role_family="software-engineer"),
        # copies that are not new postings:
        P(
            "gh-j03",
            "2024-01-05",
            ["python"],
            text="cross-posted text",
            source="greenhouse",
            board="acme",
        ),
        P(
            "lv-j04",
            "2024-01-20",
            ["python"],
            text=T4_ONE_WORD_CHANGED,
            source="lever",
            board="acme",
        ),
        P("j01-feb", "2024-02-01", ["python"], text=T1),  # monthly repost, 31 days later
    ]
    february = [
        P("f1", "2024-02-05", ["python"]),
        P("f2", "2024-02-06", ["aws"]),
        P("f3", "2024-02-07", []),
        P("f4", "2024-02-08", []),
    ]
    march = [
        # 50 days after j04 but three words changed (Jaccard 0.77 < 0.9): a new posting
        P("m1", "2024-03-01", ["python"], text=T4_THREE_WORDS_CHANGED),
        P("m2", "2024-03-02", []),
    ]
    april = [
        # the same ad as j01 again, 105 days after its first copy: counted again (anchored window)
        P("j01-apr", "2024-04-15", ["python"], text=T1),
    ]
    land(db, january + february + march + april, small_taxonomy, run_id="run-1")
    # the next night sees j02 again: same source, board and id, so still one posting
    land(db, [P("j02", "2024-01-02", ["python"])], small_taxonomy, run_id="run-2")
    build(db, small_taxonomy)
    return db


def test_every_copy_counts_once(warehouse: Path) -> None:
    per_month = query(
        warehouse,
        "select posted_month, count(*) from fct_postings group by 1 order by 1",
    )
    assert per_month == [
        (date(2024, 1, 1), 10),
        (date(2024, 2, 1), 4),
        (date(2024, 3, 1), 2),
        (date(2024, 4, 1), 1),
    ]
    copies = dict(query(warehouse, "select source_posting_id, copies from fct_postings"))
    assert copies["j01"] == 2  # j01 + its February repost
    assert copies["j03"] == 2  # jsonl + greenhouse
    assert copies["j04"] == 2  # jsonl + the near-identical lever copy
    assert copies["j06"] == 1  # same text, other company
    assert copies["m1"] == 1
    assert copies["j01-apr"] == 1


def test_cross_post_keeps_first_copy_and_all_sources(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select source, sources, source_count from fct_postings where source_posting_id = 'j03'",
    )
    assert rows == [("jsonl", ["greenhouse", "jsonl"], 2)]


def test_mentions_are_flags_not_counts(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select ps.mention_count
        from fct_posting_skills as ps
        inner join fct_postings as p using (posting_id)
        where p.source_posting_id = 'j01' and ps.skill_id = 'python'
        """,
    )
    assert rows == [(3,)]
    assert query(
        warehouse,
        """
        select postings_with_skill from fct_skill_demand_monthly
        where month = '2024-01-01' and role_family = 'all' and skill_id = 'python'
        """,
    ) == [(6,)]


@pytest.mark.parametrize(
    ("role_family", "skill_id", "postings", "with_skill", "share", "low", "high"),
    [
        # 6/10: Wilson [0.312674, 0.831820]
        ("all", "python", 10, 6, 0.6, 0.31267376792119533, 0.8318196714735931),
        # 6/8 ml-engineer postings
        ("ml-engineer", "python", 8, 6, 0.75, 0.4092754279272518, 0.9285207879020444),
        # spark only through pyspark: 1/10
        ("all", "spark", 10, 1, 0.1, 0.017876212896073978, 0.4041500295247722),
        # a skill nobody asked for keeps its zero row: 0/10, Wilson [0, 0.277533]
        ("all", "kubernetes", 10, 0, 0.0, 0.0, 0.2775328030260577),
    ],
)
def test_january_shares_and_intervals(
    warehouse: Path,
    role_family: str,
    skill_id: str,
    postings: int,
    with_skill: int,
    share: float,
    low: float,
    high: float,
) -> None:
    (row,) = query(
        warehouse,
        """
        select postings, postings_with_skill, share, ci_low, ci_high, is_low_support
        from fct_skill_demand_monthly
        where month = '2024-01-01' and role_family = ? and skill_id = ?
        """,
        [role_family, skill_id],
    )
    assert row[:2] == (postings, with_skill)
    assert row[2] == pytest.approx(share, abs=1e-12)
    assert row[3] == pytest.approx(low, abs=1e-9)
    assert row[4] == pytest.approx(high, abs=1e-9)
    assert row[5] is True  # fewer than 30 postings


def test_later_months_and_the_repost_after_the_window(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select month, postings, postings_with_skill, share, ci_low, ci_high
        from fct_skill_demand_monthly
        where role_family = 'all' and skill_id = 'python' order by month
        """,
    )
    assert [r[:4] for r in rows] == [
        (date(2024, 1, 1), 10, 6, 0.6),
        (date(2024, 2, 1), 4, 1, 0.25),  # the Feb repost of j01 is not a new posting
        (date(2024, 3, 1), 2, 1, 0.5),
        (date(2024, 4, 1), 1, 1, 1.0),  # the April repost is
    ]
    assert rows[1][4] == pytest.approx(0.04558726029536886, abs=1e-9)  # 1/4
    assert rows[1][5] == pytest.approx(0.6993581599030917, abs=1e-9)
    assert rows[2][4] == pytest.approx(0.09453120463920085, abs=1e-9)  # 1/2
    assert rows[2][5] == pytest.approx(0.9054687953607992, abs=1e-9)


def test_quarter_and_week(warehouse: Path) -> None:
    q1 = query(
        warehouse,
        """
        select postings, postings_with_skill, share, ci_low, ci_high
        from fct_skill_demand_quarterly
        where quarter = '2024-01-01' and role_family = 'all' and skill_id = 'python'
        """,
    )
    # Jan 10 + Feb 4 + Mar 2 = 16 postings; 6 + 1 + 1 = 8 with Python
    assert q1[0][:3] == (16, 8, 0.5)
    assert q1[0][3] == pytest.approx(0.2800, abs=1e-4)
    assert q1[0][4] == pytest.approx(0.7200, abs=1e-4)
    # ISO week of Monday 2024-01-08: j04 (10th), j05, j06, j07 (13th), j08 (14th)
    week = query(
        warehouse,
        """
        select postings, postings_with_skill from fct_skill_demand_weekly
        where week = '2024-01-08' and role_family = 'all' and skill_id = 'python'
        """,
    )
    assert week == [(5, 3)]


def test_quarter_week_and_segment_per_role_family(warehouse: Path) -> None:
    """The per-family rows beside the 'all' ones: each family counts only its own postings."""
    quarter = query(
        warehouse,
        """
        select role_family, postings, postings_with_skill from fct_skill_demand_quarterly
        where quarter = '2024-01-01' and skill_id = 'python' order by role_family
        """,
    )
    # Q1: 16 postings, the two software-engineer ones (j09, j10) without Python
    assert quarter == [("all", 16, 8), ("ml-engineer", 14, 8), ("software-engineer", 2, 0)]
    # ISO week of Monday 2024-01-15: only j09 and j10 are new postings (lv-j04 is a copy)
    week = query(
        warehouse,
        """
        select role_family, postings, postings_with_skill from fct_skill_demand_weekly
        where week = '2024-01-15' and skill_id = 'python' order by role_family
        """,
    )
    assert week == [("all", 2, 0), ("software-engineer", 2, 0)]
    segment = query(
        warehouse,
        """
        select role_family, postings, postings_with_skill from fct_skill_demand_by_segment
        where year = 2024 and segment = 'seniority' and skill_id = 'python' order by role_family
        """,
    )
    assert segment == [("all", 17, 9), ("ml-engineer", 15, 9), ("software-engineer", 2, 0)]


def _initech_2024(
    asks_for_python: Callable[[int], bool], **attribute_of: Callable[[int], str | None]
) -> list[P]:
    """Initech's 30 distinct postings of 2024, i00-i29, each with its own title; posting n
    asks for Python when asks_for_python(n), and each other attribute is attribute_of[name](n)."""
    return [
        P(
            f"i{n:02d}",
            f"2024-0{1 + n % 9}-1{n % 10}",
            ["python"] if asks_for_python(n) else [],
            company="Initech",
            title=f"Role {n}",
            **{name: value(n) for name, value in attribute_of.items()},  # type: ignore[arg-type]
        )
        for n in range(30)
    ]


def test_company_cells_from_thirty_postings_and_the_remote_cut(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    # 30 distinct Initech postings in 2024 (10 ask for Python, 12 remote), 29 from Hooli
    initech = _initech_2024(lambda n: n < 10, workplace=lambda n: "remote" if n < 12 else None)
    hooli = [
        P(f"h{n:02d}", "2024-05-05", ["python"], company="Hooli", title=f"Role {n}")
        for n in range(29)
    ]
    land(db, initech + hooli, small_taxonomy)
    build(db, small_taxonomy)
    companies = query(
        db,
        """
        select segment_value, role_family, postings, postings_with_skill
        from fct_skill_demand_by_segment
        where segment = 'company' and year = 2024 and skill_id = 'python' order by all
        """,
    )
    # Hooli's 29 postings stay below the 30 a company cell needs
    assert companies == [("initech", "all", 30, 10), ("initech", "ml-engineer", 30, 10)]
    remote = query(
        db,
        """
        select segment_value, postings, postings_with_skill from fct_skill_demand_by_segment
        where segment = 'remote' and year = 2024 and role_family = 'all'
            and skill_id = 'python'
        order by all
        """,
    )
    # Initech i00-i11 are remote (i00-i09 with Python); everyone else is 'unknown'
    assert remote == [("remote", 12, 10), ("unknown", 47, 29)]


def test_a_company_cell_for_all_families_needs_thirty_postings_in_its_year_not_per_family(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    # 2024: 20 ml-engineer and 10 software-engineer Initech postings, 7 and 3 with Python.
    # 2025: 29 more, all with Python, one short of a cell.
    initech = _initech_2024(
        lambda n: n < 7 or 20 <= n < 23,
        role_family=lambda n: "ml-engineer" if n < 20 else "software-engineer",
    ) + [
        P(f"k{n:02d}", "2025-03-03", ["python"], company="Initech", title=f"Role {n}")
        for n in range(29)
    ]
    land(db, initech, small_taxonomy)
    build(db, small_taxonomy)
    cells = query(
        db,
        """
        select year, role_family, postings, postings_with_skill, share
        from fct_skill_demand_by_segment
        where segment = 'company' and skill_id = 'python' order by all
        """,
    )
    # The 'all' cell counts its Python postings from both families; neither family has 30.
    assert cells == [(2024, "all", 30, 10, 10 / 30)]


def test_postings_with_no_company_name_make_no_company_cell(tmp_path: Path, small_taxonomy) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    # 30 postings with no company name (4 with Python), and 30 from a company named "Unknown"
    # (all with Python): only the real company gets a cell, under its own folded name.
    nameless = [
        P(f"n{n:02d}", "2024-06-06", ["python"] if n < 4 else [], company=None, title=f"Job {n}")
        for n in range(30)
    ]
    named_unknown = [
        P(f"u{n:02d}", "2024-06-06", ["python"], company="Unknown", title=f"Role {n}")
        for n in range(30)
    ]
    land(db, nameless + named_unknown, small_taxonomy)
    build(db, small_taxonomy)
    cells = query(
        db,
        """
        select segment_value, postings, postings_with_skill
        from fct_skill_demand_by_segment
        where segment = 'company' and role_family = 'all' and skill_id = 'python'
        order by all
        """,
    )
    assert cells == [("unknown", 30, 30)]


def test_sections_of_a_posting_skill_are_distinct_and_sorted(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    posting = P(
        "s1",
        "2024-01-03",
        ["python", "pyspark", "python", "python"],
        sections=["requirements", "nice_to_have", "body", "requirements"],
    )
    land(db, [posting], small_taxonomy)
    build(db, small_taxonomy)
    rows = query(
        db,
        """
        select skill_id, mention_count, mention_count_with_children, is_mentioned_directly,
            sections
        from fct_posting_skills where skill_id in ('python', 'spark') order by skill_id
        """,
    )
    # Python directly three times and once through PySpark; Spark only through PySpark.
    assert rows == [
        ("python", 3, 4, True, ["body", "nice_to_have", "requirements"]),
        ("spark", 0, 1, False, ["nice_to_have"]),
    ]


def test_a_posting_skill_found_in_every_section_lists_all_six_sorted(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    # The model spells out the extractor's sections; a section added to SECTIONS without it
    # would fail this build (below) instead of going missing.
    db = tmp_path / "warehouse.duckdb"
    every = list(reversed(SECTIONS))
    land(db, [P("s1", "2024-01-03", ["python"] * len(every), sections=every)], small_taxonomy)
    build(db, small_taxonomy)
    rows = query(db, "select sections from fct_posting_skills where skill_id = 'python'")
    assert rows == [(sorted(SECTIONS),)]
    assert sorted(SECTIONS) == [
        "benefits",
        "body",
        "company",
        "nice_to_have",
        "requirements",
        "responsibilities",
    ]


def test_a_posting_skill_found_in_one_section_lists_that_section(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    # One posting per section: each section's own bit must come back as its own name.
    db = tmp_path / "warehouse.duckdb"
    postings = [P(f"in-{name}", "2024-01-03", ["python"], sections=[name]) for name in SECTIONS]
    land(db, postings, small_taxonomy)
    build(db, small_taxonomy)
    rows = query(
        db,
        """
        select p.source_posting_id, ps.sections
        from fct_posting_skills as ps inner join fct_postings as p using (posting_id)
        where ps.skill_id = 'python' order by all
        """,
    )
    assert rows == sorted((f"in-{name}", [name]) for name in SECTIONS)


def test_a_mention_in_an_unknown_section_fails_the_build_naming_it(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "warehouse.duckdb"
    posting = P("s1", "2024-01-03", ["python", "aws"], sections=["body", "appendix"])
    land(db, [posting], small_taxonomy)
    with pytest.raises(BuildError, match=r"int_posting_skills__expanded.*unknown section appendix"):
        build(db, small_taxonomy)
    assert not db.exists()


def test_posting_skills_are_stored_in_skill_then_month_order(
    tmp_path: Path, small_taxonomy
) -> None:  # type: ignore[no-untyped-def]
    # The order is what lets DuckDB skip row groups on a skill filter (fct_posting_skills.sql).
    db = tmp_path / "warehouse.duckdb"
    postings = [
        P("o1", "2024-03-05", ["pytorch", "aws", "python"]),
        P("o2", "2024-01-05", ["python", "pyspark"]),
        P("o3", "2024-02-05", ["aws", "pytorch"]),
    ]
    land(db, postings, small_taxonomy)
    build(db, small_taxonomy)
    stored = query(db, "select skill_id, posted_month from fct_posting_skills order by rowid")
    assert [(skill, month.isoformat()) for skill, month in stored] == [
        ("aws", "2024-02-01"),
        ("aws", "2024-03-01"),
        ("pyspark", "2024-01-01"),
        ("python", "2024-01-01"),
        ("python", "2024-03-01"),
        ("pytorch", "2024-02-01"),
        ("pytorch", "2024-03-01"),
        ("spark", "2024-01-01"),
    ]


def test_last_seen_moves_forward_but_the_posting_stays_one(warehouse: Path) -> None:
    assert query(
        warehouse, "select count(*) from fct_postings where source_posting_id = 'j02'"
    ) == [(1,)]
    assert query(warehouse, "select count(*) from int_postings__deduplicated") == [(20,)]


def test_segment_cut_by_seniority_and_source(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select segment, segment_value, postings, postings_with_skill
        from fct_skill_demand_by_segment
        where year = 2024 and role_family = 'all' and skill_id = 'python'
            and segment in ('seniority', 'source')
        order by all
        """,
    )
    # the canonical copy of every posting is the jsonl one (it was first)
    assert rows == [("seniority", "unknown", 17, 9), ("source", "jsonl", 17, 9)]
    # no company reaches 30 postings in the year, so no company cells at all
    assert query(
        warehouse, "select count(*) from fct_skill_demand_by_segment where segment = 'company'"
    ) == [(0,)]
