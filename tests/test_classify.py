"""Role family, seniority, workplace and salary as told from literal titles and first lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import classify
from extractors.classify import role_family, salary_from_text, seniority, workplace


@pytest.mark.parametrize(
    ("title", "text", "family", "level"),
    [
        ("Senior Machine Learning Engineer, Ranking", "", "ml-engineer", "senior"),
        ("ML Engineer", "", "ml-engineer", "unknown"),
        ("Staff MLOps Engineer", "", "ml-engineer", "staff"),
        ("Applied ML Engineer, Retrieval", "", "ml-engineer", "unknown"),
        ("Software Engineer, Machine Learning Platform", "", "ml-engineer", "unknown"),
        ("Principal AI Engineer", "", "ml-engineer", "principal"),
        ("Research Engineer, Pretraining", "", "ml-engineer", "unknown"),
        ("Engineering Manager, ML Infrastructure", "", "ml-engineer", "lead"),
        ("Machine Learning Engineer II", "", "ml-engineer", "mid"),
        ("Junior Computer Vision Engineer", "", "ml-engineer", "junior"),
        ("Machine Learning Intern (Summer 2026)", "", "ml-engineer", "intern"),
        ("LLM Inference Engineer", "", "ml-engineer", "unknown"),
        ("Applied ML Scientist", "", "ml-engineer", "unknown"),
        ("Machine Learning Scientist", "", "data-scientist", "unknown"),
        ("Senior Data Scientist", "", "data-scientist", "senior"),
        ("Research Scientist, Alignment", "", "data-scientist", "unknown"),
        ("Analytics Engineer II", "", "data-scientist", "mid"),
        ("Lead Data Analyst", "", "data-scientist", "lead"),
        ("Senior Backend Engineer", "", "software-engineer", "senior"),
        ("Full-Stack Developer", "", "software-engineer", "unknown"),
        ("Data Engineer III", "", "software-engineer", "senior"),
        ("Site Reliability Engineer", "", "software-engineer", "unknown"),
        ("Sr. iOS Engineer", "", "software-engineer", "senior"),
        ("Product Manager, AI Platform", "", "other", "lead"),
        ("Technical Recruiter, Machine Learning", "", "other", "unknown"),
        ("Account Executive", "", "other", "unknown"),
        ("Associate Director, Sales", "", "other", "lead"),
        (
            None,
            "Acme Robotics is hiring ML engineers in Berlin\nWe train perception models.",
            "ml-engineer",
            "unknown",
        ),
        (
            "Founding Engineer",
            "Lumen (YC W25)\nWe're hiring engineers for our machine learning platform.",
            "ml-engineer",
            "unknown",
        ),
        (
            None,
            "Acme AI is hiring backend engineers, Go and Postgres",
            "software-engineer",
            "unknown",
        ),
        (None, "Senior data scientists wanted for forecasting", "data-scientist", "senior"),
        (None, "We are a small bakery with no open roles", "other", "unknown"),
    ],
)
def test_role_family_and_seniority(title: str | None, text: str, family: str, level: str) -> None:
    assert role_family(title, text) == family
    assert seniority(title, text) == level


def test_description_verbs_do_not_set_seniority_when_a_title_exists() -> None:
    assert seniority("Machine Learning Engineer", "You will lead our ranking work.") == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Comp: $140k–$190k + equity", (140_000.0, 190_000.0, "USD")),
        ("Salary €70,000 - €90,000 per year", (70_000.0, 90_000.0, "EUR")),
        ("USD 150-180k, remote", (150_000.0, 180_000.0, "USD")),
        ("pay 120-150k EUR", (120_000.0, 150_000.0, "EUR")),
        ("£60k to £80k", (60_000.0, 80_000.0, "GBP")),
        ("€70.000 – €90.000", (70_000.0, 90_000.0, "EUR")),
        ("$120,000 – $160,000 DOE", (120_000.0, 160_000.0, "USD")),
        ("CA$135k - CA$180k", (135_000.0, 180_000.0, "CAD")),
        ("CHF 120-150k", (120_000.0, 150_000.0, "CHF")),
        ("AUD 140k to 170k", (140_000.0, 170_000.0, "AUD")),
        ("100-130k GBP", (100_000.0, 130_000.0, "GBP")),
        ("90k - 110k CAD", (90_000.0, 110_000.0, "CAD")),
        ("$50-$70 per hour", (None, None, None)),
        ("Founded 2015-2016, 40 people", (None, None, None)),
        ("no salary here", (None, None, None)),
    ],
)
def test_salary_from_text(
    text: str, expected: tuple[float | None, float | None, str | None]
) -> None:
    assert salary_from_text(text) == expected


# Texts shaped like money ranges, and near misses: a symbol, code or neither before, between
# and after two amounts, so most of them match one of the two range patterns.
_AMOUNT = st.sampled_from(["1", "20", "150", "70,000", "70.000", "1.5"])
_MONEY_LIKE = st.tuples(
    st.sampled_from(["", "x ", "US", "CA", "AU", "C", "A", "$", "€", "£", "USD ", "EUR", "CHF"]),
    _AMOUNT,
    st.sampled_from(["", "k", "K"]),
    st.sampled_from(["-", " - ", "–", "—", " to ", "/"]),
    st.sampled_from(["", "$", "€", "£", "USD", "GBP"]),
    _AMOUNT,
    st.sampled_from(["", "k", " USD", " GBP", " AUD", " CAD", " CHF", " EUR", " usd", "x"]),
).map("".join)


@given(_MONEY_LIKE)
def test_a_text_without_a_money_symbol_or_code_matches_neither_range_pattern(text: str) -> None:
    # What salary_from_text's substring tests rest on: without them, the patterns find nothing.
    if not any(symbol in text for symbol in classify._SYMBOLS):
        assert classify._SYMBOL_RANGE.search(text) is None
    if not any(code in text for code in classify._CURRENCY_CODES):
        assert classify._CODE_RANGE.search(text) is None


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        (("Hybrid (3 days in office)",), "hybrid"),
        (("Boston or REMOTE (US)",), "remote"),
        (("ONSITE in Paris",), "onsite"),
        ((None, "Berlin"), None),
    ],
)
def test_workplace(hints: tuple[str | None, ...], expected: str | None) -> None:
    assert workplace(*hints) == expected


@pytest.mark.parametrize(
    ("title", "family", "level"),
    [
        # The four characters IGNORECASE folds onto ASCII letters unlike str.lower(): a title
        # holding one is matched case-insensitively as written, never lower-cased first.
        ("\u0130NTERN", "other", "intern"),  # "İ" lower-cases to "i" plus a combining dot
        ("Data Sc\u0131entist", "data-scientist", "unknown"),  # dotless "ı" matches "i"
        ("\u017ftaff ML Engineer", "ml-engineer", "staff"),  # long "ſ" matches "s"
        ("Bac\u212aend Engineer", "software-engineer", "unknown"),  # Kelvin sign matches "k"
        ("SENIOR ML ENGINEER", "ml-engineer", "senior"),  # ASCII: the lower-cased fast path
    ],
)
def test_titles_match_as_ignorecase_would_with_characters_lower_casing_changes(
    title: str, family: str, level: str
) -> None:
    assert (role_family(title, ""), seniority(title, "")) == (family, level)


def test_a_caseless_pattern_written_with_upper_case_letters_is_refused() -> None:
    from extractors.classify import _Caseless

    with pytest.raises(ValueError, match="lower case"):
        _Caseless(r"\bSenior\b")
    _Caseless(r"\bsenior\W\s\d")  # escapes such as \W are not letters of the pattern


_LEVEL_WORDS = [
    "Intern",
    "co-op",
    "Working Student",
    "Principal",
    "Fellow",
    "Staff",
    "Engineer IV",
    "Tech Lead",
    "Head of",
    "Manager",
    "VP",
    "Senior",
    "Sr.",
    "Engineer III",
    "Junior",
    "Jr.",
    "Entry-level",
    "New Grad",
    "Engineer I",
    "Mid-level",
    "Developer II",
    "Internal",
    "Staffing",
    "Leader",
    "Seniority",
    "ML",
    "|",
    "(",
    "\u0130",
    "\u017ftaff",
    "Acme",
    "Berlin",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LEVEL_WORDS), max_size=6), st.sampled_from([" ", "", " | "]))
def test_seniority_is_the_first_rule_that_matches_whatever_the_words(
    words: list[str], separator: str
) -> None:
    # seniority() first rules out lines no rule matches with one search of their union; the
    # level must still be the first rule's, in rule order, that matches the line.
    from extractors.classify import _SENIORITY_RULES, _Folded

    line = separator.join(words)
    first = next(
        (level for level, rule in _SENIORITY_RULES if rule.search(_Folded(line))), "unknown"
    )
    assert seniority(line, "") == first
    assert seniority(None, line + "\nWe use Python.") == first
