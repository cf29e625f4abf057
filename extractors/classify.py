"""Posting attributes told from title and text: role family, seniority, workplace, salary."""

from __future__ import annotations

import re

ROLE_FAMILIES = ("ml-engineer", "data-scientist", "software-engineer", "other")

_ML_ENGINEER = re.compile(
    r"\b(machine[- ]learning|ml|mlops|ai|applied (?:ml|ai|scientist)|deep[- ]learning|llm|nlp|"
    r"computer vision|research engineer|ml platform|ai platform|perception)\b[^|\n]{0,40}?"
    r"\b(engineer|engineering|developer|scientist|researcher|architect|lead)\b"
    r"|\b(mlops|ml ops)\b",
    re.IGNORECASE,
)
_DATA_SCIENTIST = re.compile(
    r"\b(data scien\w*|data analyst|analytics engineer|data engineer|statistician|"
    r"quantitative (?:analyst|researcher)|research scientist|decision scientist)\b",
    re.IGNORECASE,
)
_SOFTWARE = re.compile(
    r"\b(software|backend|back[- ]end|frontend|front[- ]end|full[- ]?stack|devops|sre|"
    r"site reliability|platform|infrastructure|mobile|ios|android|web|systems?|embedded|security|"
    r"qa|test|firmware|cloud)\b[^|\n]{0,30}?\b(engineer|developer|programmer|architect)\b"
    r"|\b(engineer|developer|programmer)s?\b",
    re.IGNORECASE,
)

_SENIORITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("intern", re.compile(r"\b(intern|internship|co-op)\b", re.IGNORECASE)),
    ("junior", re.compile(r"\b(junior|jr\.?|entry[- ]level|graduate|new grad|associate)\b", re.I)),
    ("principal", re.compile(r"\b(principal|distinguished|fellow)\b", re.IGNORECASE)),
    ("staff", re.compile(r"\bstaff\b", re.IGNORECASE)),
    ("lead", re.compile(r"\b(lead|head of|manager|director|vp)\b", re.IGNORECASE)),
    ("senior", re.compile(r"\b(senior|sr\.?)\b", re.IGNORECASE)),
    ("mid", re.compile(r"\b(mid[- ]level|intermediate)\b|\b(ii|iii)\b", re.IGNORECASE)),
)

_REMOTE = re.compile(r"\b(remote|work from home|wfh|distributed team|anywhere)\b", re.IGNORECASE)
_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_ONSITE = re.compile(r"\b(on[- ]?site|in[- ]office|onsite only|no remote)\b", re.IGNORECASE)

_SALARY = re.compile(
    r"(?P<cur>[$€£])\s?(?P<lo>\d{2,3}(?:[.,]\d{3})*(?:\.\d+)?)\s?(?P<lok>[kK])?"
    r"\s?(?:-|–|—|to)\s?[$€£]?\s?(?P<hi>\d{2,3}(?:[.,]\d{3})*(?:\.\d+)?)\s?(?P<hik>[kK])?"
)
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}


def role_family(title: str | None, text: str) -> str:
    """ml-engineer, data-scientist, software-engineer or other; the title decides when it can."""
    for candidate in (title or "", _first_line(text)):
        if not candidate:
            continue
        if _ML_ENGINEER.search(candidate):
            return "ml-engineer"
        if _DATA_SCIENTIST.search(candidate):
            return "data-scientist"
        if _SOFTWARE.search(candidate):
            return "software-engineer"
    return "other"


def seniority(title: str | None, text: str) -> str:
    """intern, junior, mid, senior, staff, principal, lead, or unknown when nothing says."""
    for candidate in (title or "", _first_line(text)):
        for level, pattern in _SENIORITY_RULES:
            if pattern.search(candidate):
                return level
    return "unknown"


def workplace(*hints: str | None) -> str | None:
    """remote, hybrid or onsite from free-text hints, in order of trust; None when silent."""
    for hint in hints:
        if not hint:
            continue
        if _HYBRID.search(hint):
            return "hybrid"
        if _REMOTE.search(hint):
            return "remote"
        if _ONSITE.search(hint):
            return "onsite"
    return None


def salary_from_text(text: str) -> tuple[float | None, float | None, str | None]:
    """The first 'X–Y' money range in text as (min, max, currency), annual amounts."""
    match = _SALARY.search(text)
    if not match:
        return None, None, None
    low = _amount(match["lo"], match["lok"] or match["hik"])
    high = _amount(match["hi"], match["hik"])
    if low is None or high is None or low > high or low < 10_000:
        return None, None, None
    return low, high, _CURRENCY[match["cur"]]


def _amount(digits: str, thousands: str | None) -> float | None:
    try:
        value = float(digits.replace(",", "").replace(".", "") if "," in digits else digits)
    except ValueError:
        return None
    return value * 1000 if thousands else value


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:300]
