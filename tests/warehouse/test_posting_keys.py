"""The posting key: one per (source, board, source_posting_id), whatever characters those hold."""

from __future__ import annotations

from pathlib import Path

from wh_factory import P, build, land, macro_row, query


def _key(source: str, board: str, source_posting_id: str) -> str:
    (key,) = macro_row("select posting_key_of(?, ?, ?)", [source, board, source_posting_id])
    return str(key)


def test_ordinary_fields_keep_the_key_of_the_unescaped_form() -> None:
    # md5('greenhouse|acme|4012345'): warehouses built before escaping gave this posting this key.
    assert _key("greenhouse", "acme", "4012345") == "c599df0c56d5f5626349f00d2a8564cf"


def test_separators_and_escapes_inside_fields_are_escaped() -> None:
    # md5 of the 18 characters jsonld|a\\|b\|c\|x: each backslash and bar inside a field gets a
    # backslash before it.
    assert _key("jsonld", "a\\", "b|c|x") == "28715c2d67e44cdcef4169442b46e75f"
    triples = [
        ("s", "|x", "y"),
        ("s|\\", "x", "y"),  # s|\|x|y, as the one before would read with its source unescaped
        ("jsonld", "a|b", "c"),
        ("jsonld", "a", "b|c"),
        ("jsonld", "a\\", "|b"),
        ("jsonld", "a\\|", "b"),
        ("jsonld", "a\\|b", "c"),
    ]
    assert len({_key(*triple) for triple in triples}) == len(triples)


def test_postings_whose_fields_read_alike_when_joined_stay_apart(  # type: ignore[no-untyped-def]
    tmp_path: Path, small_taxonomy
) -> None:
    # Joined with bars, both are 'jsonl|a|b|c': one key would merge their rows and skills.
    db = tmp_path / "warehouse.duckdb"
    land(
        db,
        [
            P("c", "2024-01-01", ["python"], board="a|b", company="Acme", title="ML Engineer"),
            P("b|c", "2024-03-01", ["aws"], board="a", company="Globex", title="Data Scientist"),
        ],
        small_taxonomy,
    )
    build(db, small_taxonomy)

    postings = query(
        db,
        """
        select p.company, list(s.skill_id order by s.skill_id)
        from fct_postings as p
        left join fct_posting_skills as s using (posting_id)
        group by p.posting_id, p.company
        order by p.company
        """,
    )
    assert postings == [("Acme", ["python"]), ("Globex", ["aws"])]
