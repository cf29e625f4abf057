"""The name fold (sql/macros/folded_name.sql): company and title as duplicate blocks and company
cuts compare them, in any script."""

from __future__ import annotations

from pathlib import Path

import pytest
from wh_factory import P, build, land, macro_row, query


def _folded(value: str | None) -> str | None:
    (folded,) = macro_row("select folded_name(?)", [value])
    return folded


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Acme, Inc.", "acmeinc"),
        ("O'Reilly & Co. 2", "oreillyco2"),
        ("x_y", "xy"),
        ("Яндекс", "яндекс"),
        ("株式会社メルカリ", "株式会社メルカリ"),
        ("ガスト", "ガスト"),  # the voicing mark stays: カスト is another name
        ("Société Générale", "sociétégénérale"),
        ("e\u0301cole", "école"),  # a combining accent folds as the precomposed letter does
        ("हिंदी कंपनी", "हिंदीकंपनी"),  # vowel signs are marks, and stay
        ("-- .-", ""),
        (None, None),
    ],
)
def test_letters_and_digits_of_every_script_are_kept(name: str | None, folded: str | None) -> None:
    assert _folded(name) == folded


def test_companies_without_latin_letters_are_neither_merged_nor_unknown(  # type: ignore[no-untyped-def]
    tmp_path: Path, small_taxonomy
) -> None:
    # One text, one title, one week, two companies named in Cyrillic and Japanese: folded to
    # ASCII both were '' (the fold of no company at all), so the two ads were one posting.
    text = "We build search for millions of users and hire engineers who write Python daily."
    db = tmp_path / "warehouse.duckdb"
    land(
        db,
        [
            P("1", "2024-01-01", ["python"], company="Яндекс", text=text),
            P("2", "2024-01-03", ["python"], company="株式会社メルカリ", text=text),
            P("3", "2024-01-05", ["python"], company="ЯНДЕКС", text=text),
        ],
        small_taxonomy,
    )
    build(db, small_taxonomy)

    assert query(
        db,
        """
        select s.source_posting_id, d.duplicate_group_key = s.posting_key, s.company_key
        from stg_postings as s
        join raw_posting_duplicates as d using (posting_key)
        order by s.source_posting_id
        """,
    ) == [("1", True, "яндекс"), ("2", True, "株式会社メルカリ"), ("3", False, "яндекс")]
    assert query(db, "select company_key, count(*) from fct_postings group by all order by 1") == [
        ("яндекс", 1),
        ("株式会社メルカリ", 1),
    ]
