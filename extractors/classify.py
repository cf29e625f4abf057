"""Posting attributes told from title and text: role family, seniority, workplace, salary."""

from __future__ import annotations

import re

ROLE_FAMILIES = ("ml-engineer", "data-scientist", "software-engineer", "other")

# The characters for which re.IGNORECASE and str.lower() disagree about ASCII letters: "İ" and
# "K" (Kelvin) lower to ASCII, "ı" and "ſ" match "i" and "s" under IGNORECASE. Checked over every
# code point: no other character lowers into ASCII or changes length, and lower() keeps every
# character's \w, \s and \d class. So a text free of these four, lower-cased, gives a pattern
# with no upper-case letters the same matches without IGNORECASE as the text with it.
_FOLDS_APART = re.compile("[\u0130\u0131\u017f\u212a]")


class _Folded:
    """A text and, when lower-casing it is exact for _Caseless, its lower-cased form."""

    __slots__ = ("lowered", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        self.lowered = None if _FOLDS_APART.search(original) else original.lower()


class _Caseless:
    """A case-insensitive pattern, searched on lower-cased text where that is exact.

    Role and seniority run for every new posting; IGNORECASE made their regexes about twice as
    slow as the same ones on lower-cased text (measured on 67k titles and leads: 0.83 s -> 0.46
    s for one pattern, lower-casing included), and they were a fifth of the load stage.
    """

    __slots__ = ("_folded", "_ignorecase")

    def __init__(self, pattern: str) -> None:
        if any(c.isupper() for c in re.sub(r"\\.", "", pattern)):
            raise ValueError(f"a caseless pattern must be written in lower case: {pattern!r}")
        self._folded = re.compile(pattern)
        self._ignorecase = re.compile(pattern, re.IGNORECASE)

    def search(self, text: _Folded) -> bool:
        if text.lowered is None:
            return self._ignorecase.search(text.original) is not None
        return self._folded.search(text.lowered) is not None

    def match(self, text: _Folded) -> bool:
        if text.lowered is None:
            return self._ignorecase.match(text.original) is not None
        return self._folded.match(text.lowered) is not None


# Roles that are not engineering even when the team is ML ("Product Manager, ML Platform").
_NOT_ENGINEERING = _Caseless(
    r"\b(product manager|program manager|project manager|product owner|designer|recruit\w*|"
    r"sourcer|talent|sales|account (?:executive|manager)|marketing|counsel|lawyer|legal|"
    r"customer success|support specialist|technical writer|accountant|finance|office manager|"
    r"people partner|hr\b|communications|policy)",
)
_ML_TOPIC = (
    r"(?:machine[- ]learning|ml|mlops|ai|applied (?:ml|ai)|deep[- ]learning|llms?|genai|"
    r"generative ai|nlp|natural language|computer vision|perception|inference|"
    r"model (?:training|serving)|recommendation|ranking|search relevance|speech|"
    r"reinforcement learning|foundation models?)"
)
_ENGINEERING_WORD = (
    r"(?:engineers?|engineering|developers?|architects?|platform|infrastructure|ops|sre|interns?)"
)
_ML_ENGINEER = _Caseless(
    rf"\b{_ML_TOPIC}\b[^|\n]{{0,40}}?\b{_ENGINEERING_WORD}\b"
    rf"|\b{_ENGINEERING_WORD}\b[^|\n]{{0,12}}?\b(?:for |in |of )?{_ML_TOPIC}\b"
    r"|\b(?:mlops|ml ops|llmops|research engineers?|applied (?:ml|ai|machine learning))\b",
)
# In free text a bare "AI" is usually a company name ("Acme AI is hiring backend engineers").
_ML_HIRING_IN_TEXT = _Caseless(
    r"\b(?:machine[- ]learning|ml|mlops|deep[- ]learning|llms?|nlp|computer vision|applied ml|"
    r"ai/ml|ml/ai|ai (?:engineers?|researchers?))\b[^|\n]{0,40}?\b(?:engineers?|engineering|"
    r"developers?|platform|infrastructure|ops)\b|\b(?:mlops|research engineers?)\b",
)
_DATA_SCIENTIST = _Caseless(
    r"\b(data scien\w*|data analyst|analytics engineer|statistician|"
    r"quantitative (?:analyst|researcher)|(?:research|applied|machine learning|ml|ai|decision|"
    r"nlp) scientists?|ml researcher|ai researcher|research scientists?)\b",
)
_SOFTWARE = _Caseless(
    r"\b(software|backend|back[- ]end|frontend|front[- ]end|full[- ]?stack|devops|sre|"
    r"site reliability|platform|infrastructure|mobile|ios|android|web|systems?|embedded|security|"
    r"qa|test|firmware|cloud|data|founding)\b[^|\n]{0,30}?\b(engineers?|developers?|programmers?|"
    r"architects?)\b"
    r"|\b(engineers?|developers?|programmers?|swe|sde)\b",
)
# A title that says only "Engineer" or "Developer" lets the opening lines of the text decide.
_GENERIC_ENGINEER = _Caseless(
    r"^\W*(?:(?:senior|sr\.?|staff|principal|lead|founding|junior)\s+)*"
    r"(?:engineers?|developers?|software engineers?)\W*$",
)

_SENIORITY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("intern", r"\b(intern|internship|co-op|werkstudent|working student)\b"),
    ("principal", r"\b(principal|distinguished|fellow)\b"),
    ("staff", r"\bstaff\b|\b(?:engineer|scientist|developer)\s+iv\b"),
    (
        "lead",
        r"\b(lead|tech lead|head of|manager|director|vp|vice president|chief)\b",
    ),
    (
        "senior",
        r"\b(senior|sr\.?)(?=\W|$)|\b(?:engineer|scientist|developer)\s+iii\b",
    ),
    (
        "junior",
        r"\b(junior|jr\.?|entry[- ]level|graduate|new grad|associate)(?=\W|$)"
        r"|\b(?:engineer|scientist|developer)\s+i\b(?!\w)",
    ),
    (
        "mid",
        r"\b(mid[- ]level|intermediate)\b|\b(?:engineer|scientist|developer)\s+ii\b",
    ),
)
_SENIORITY_RULES = tuple((level, _Caseless(pattern)) for level, pattern in _SENIORITY_PATTERNS)
# Matches exactly when some rule above does (an alternation matches where any of its branches
# would). Most first lines name no level (a tenth of the real corpus's do), and one search of
# this rules them out where seven searches did: 9.1 -> 3.5 us a line over 5,000 real first
# lines, the seven searches still deciding the level for the lines it lets through.
_ANY_SENIORITY = _Caseless("|".join(f"(?:{pattern})" for _, pattern in _SENIORITY_PATTERNS))

_REMOTE = re.compile(r"\b(remote|work from home|wfh|distributed team|anywhere)\b", re.IGNORECASE)
_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_ONSITE = re.compile(r"\b(on[- ]?site|in[- ]office|onsite only|no remote)\b", re.IGNORECASE)

_NUMBER = r"\d{1,3}(?:[,.\u00a0 ]\d{3})+|\d+(?:\.\d+)?"
# A money range needs one of these symbols (_SYMBOL_RANGE) or codes (_CODE_RANGE) in the text.
# Most first lines hold none (4% of the real corpus's do), and ruling them out with substring
# tests first made salary_from_text ten times cheaper: 0.16-0.28 -> 0.02-0.04 s per 20,000
# first lines (docs/BENCHMARKS.md item 56).
_SYMBOLS = ("$", "€", "£")
_CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF")
_SYMBOL = r"(?:US|CA|AU|C|A)?\$|€|£"
_SYMBOL_RANGE = re.compile(
    rf"(?P<cur>{_SYMBOL})\s?(?P<lo>{_NUMBER})\s?(?P<lok>[kK])?"
    rf"\s?(?:-|–|—|to)\s?(?:{_SYMBOL}|USD|EUR|GBP)?\s?(?P<hi>{_NUMBER})\s?(?P<hik>[kK])?"
)
_CODE_RANGE = re.compile(
    rf"\b(?P<precode>{'|'.join(_CURRENCY_CODES)})\s?(?P<lo>{_NUMBER})\s?(?P<lok>[kK])?"
    rf"\s?(?:-|–|—|to)\s?(?P<hi>{_NUMBER})\s?(?P<hik>[kK])?"
    rf"|(?P<lo2>{_NUMBER})\s?(?P<lok2>[kK])?\s?(?:-|–|—|to)\s?(?P<hi2>{_NUMBER})\s?(?P<hik2>[kK])?"
    rf"\s?(?P<postcode>{'|'.join(_CURRENCY_CODES)})\b",
)
_CURRENCY = {
    "$": "USD",
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "€": "EUR",
    "£": "GBP",
}
_PLAUSIBLE_ANNUAL = (10_000, 2_000_000)


def role_family(title: str | None, text: str) -> str:
    """ml-engineer, data-scientist, software-engineer or other, from the title, then the text.

    The title decides when it names a family; a bare "Engineer" title, or no title at all (HN),
    defers to the opening lines of the text ("We're hiring ML engineers …").
    """
    folded_title = _Folded(title or "")
    title_family = _title_family(folded_title)
    if title_family is not None and not (
        title_family == "software-engineer" and _GENERIC_ENGINEER.match(folded_title)
    ):
        return title_family
    lead = _Folded(_lead(text))
    if _ML_HIRING_IN_TEXT.search(lead):
        return "ml-engineer"
    if _DATA_SCIENTIST.search(lead):
        return "data-scientist"
    if title_family is None and _SOFTWARE.search(lead):
        return "software-engineer"
    return title_family or "other"


def _title_family(title: _Folded) -> str | None:
    if not title.original.strip():
        return None
    if _NOT_ENGINEERING.search(title) and not _ML_ENGINEER.search(_strip_team(title)):
        return "other"
    if _ML_ENGINEER.search(title):
        return "ml-engineer"
    if _DATA_SCIENTIST.search(title):
        return "data-scientist"
    if _SOFTWARE.search(title):
        return "software-engineer"
    return None


def _strip_team(title: _Folded) -> _Folded:
    """The role part of 'Role, Team' / 'Role - Team', so 'PM, ML Platform' is not an ML role."""
    return _Folded(re.split(r",|\s[-–—(]\s?", title.original, maxsplit=1)[0])


def seniority(title: str | None, text: str) -> str:
    """intern, junior, mid, senior, staff, principal, lead, or unknown when nothing says.

    The text is consulted only when there is no title: descriptions say "you will lead…".
    """
    candidate = _Folded(title if title and title.strip() else _first_line(text))
    if not _ANY_SENIORITY.search(candidate):
        return "unknown"
    for level, pattern in _SENIORITY_RULES:
        if pattern.search(candidate):
            return level
    return "unknown"


def posting_labels(title: str | None, text: str) -> tuple[str, str]:
    """(role_family, seniority): the labels the raw store keeps for a posting."""
    return role_family(title, text), seniority(title, text)


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
    """The first money range in text as (min, max, currency), annual amounts.

    Understands "$140k–$190k", "€70,000 - €90,000", "£60k to £80k", "USD 150-180k" and
    "150-180k USD"; ranges that are not plausible annual pay (hourly rates, years) are ignored.
    """
    if any(symbol in text for symbol in _SYMBOLS):
        for match in _SYMBOL_RANGE.finditer(text):
            found = _range(match["lo"], match["lok"], match["hi"], match["hik"])
            if found:
                return found[0], found[1], _CURRENCY[match["cur"]]
    if any(code in text for code in _CURRENCY_CODES):
        for match in _CODE_RANGE.finditer(text):
            if match["precode"]:
                found = _range(match["lo"], match["lok"], match["hi"], match["hik"])
                currency = match["precode"]
            else:
                found = _range(match["lo2"], match["lok2"], match["hi2"], match["hik2"])
                currency = match["postcode"]
            if found:
                return found[0], found[1], currency.upper()
    return None, None, None


def _range(
    low_digits: str, low_k: str | None, high_digits: str, high_k: str | None
) -> tuple[float, float] | None:
    # "150-180k": the k on the upper bound applies to the lower one too.
    low = _amount(low_digits, low_k or (high_k if _is_short(low_digits) else None))
    high = _amount(high_digits, high_k)
    if low is None or high is None or low > high:
        return None
    if not (_PLAUSIBLE_ANNUAL[0] <= low and high <= _PLAUSIBLE_ANNUAL[1]):
        return None
    return low, high


def _is_short(digits: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:\.\d+)?", digits) is not None


def _amount(digits: str, thousands: str | None) -> float | None:
    cleaned = re.sub(r"[,\s]", "", digits)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned):  # "70.000" is European thousands
        cleaned = cleaned.replace(".", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value * 1000 if thousands else value


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:300]


def _lead(text: str) -> str:
    """The first three non-empty lines: where posts say what they are hiring for."""
    lines = [line for line in text.split("\n") if line.strip()][:3]
    return "\n".join(lines)[:500]
