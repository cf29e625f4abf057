"""Salary figures from the APIs: a number, or nothing, never an error that loses the posting."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from extractors.sources.base import Payload, plain_number
from extractors.sources.registry import get_source

TOO_LARGE_FOR_A_FLOAT = 10**400  # json.loads reads it; float() refuses it


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (120000, 120000.0),
        (95.5, 95.5),
        ("120,000", 120000.0),
        (" 80000 ", 80000.0),
        (True, None),
        ("competitive", None),
        (None, None),
        ({"value": 1}, None),
        (TOO_LARGE_FOR_A_FLOAT, None),
        ("1e999", None),
        (math.nan, None),
    ],
)
def test_plain_number(value: object, number: float | None) -> None:
    assert plain_number(value) == number


def _payload(kind: str, body: bytes, content_type: str = "application/json") -> Payload:
    when = datetime(2026, 10, 1, tzinfo=UTC)
    return Payload(
        kind, "acme", "board", "https://acme.example/jobs", when, 200, content_type, body
    )


def _parse(kind: str, document: object) -> list[tuple[str, float | None, float | None]]:
    result = get_source(kind).parse(_payload(kind, json.dumps(document).encode()))
    assert result.rejects == []
    return [(p.source_posting_id, p.salary_min, p.salary_max) for p in result.postings]


def test_a_lever_salary_too_large_for_a_float_leaves_the_salary_to_the_text() -> None:
    posting = {
        "id": "lv-1",
        "text": "ML Engineer",
        "descriptionPlain": "Python. Pay: $150,000 - $170,000.",
        "salaryRange": {"min": TOO_LARGE_FOR_A_FLOAT, "max": 5, "currency": "USD"},
    }
    assert _parse("lever", [posting]) == [("lv-1", 150000.0, 170000.0)]


def test_an_ashby_salary_too_large_for_a_float_is_no_salary() -> None:
    component = {"compensationType": "Salary", "minValue": TOO_LARGE_FOR_A_FLOAT, "maxValue": 9}
    job = {
        "id": "ab-1",
        "title": "ML Engineer",
        "isListed": True,
        "descriptionPlain": "Python.",
        "shouldDisplayCompensationOnJobPostings": True,
        "compensation": {"summaryComponents": [component]},
    }
    assert _parse("ashby", {"jobs": [job]}) == [("ab-1", None, None)]


def test_a_json_ld_salary_too_large_for_a_float_is_no_salary() -> None:
    salary = {"@type": "MonetaryAmount", "currency": "USD", "value": TOO_LARGE_FOR_A_FLOAT}
    node = {
        "@type": "JobPosting",
        "title": "ML Engineer",
        "identifier": "nb-1",
        "baseSalary": salary,
    }
    page = f'<script type="application/ld+json">{json.dumps(node)}</script>'
    result = get_source("jsonld").parse(_payload("jsonld", page.encode(), "text/html"))
    assert result.rejects == []
    assert [(p.source_posting_id, p.salary_min) for p in result.postings] == [("nb-1", None)]
