"""Which part of a posting a character offset falls in: requirements, nice-to-have, and so on.

Postings mark their parts with heading lines ("Requirements:", "What you'll bring", "Benefits").
A heading opens a section that runs to the next heading; text before any heading is "body".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

SECTIONS = ("body", "requirements", "nice_to_have", "responsibilities", "company", "benefits")

_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "nice_to_have",
        re.compile(
            r"nice[- ]to[- ]haves?|bonus(?: points)?|preferred(?: qualifications| skills)?|"
            r"pluses|it'?s a plus|extra credit|good to have|desirable",
            re.I,
        ),
    ),
    (
        "requirements",
        re.compile(
            r"requirements?|qualifications?|what you(?:'ll)? (?:bring|need|have)|who you are|"
            r"about you|you have|must[- ]haves?|skills(?: and experience)?|experience|"
            r"what we(?:'re)? look(?:ing)? for|we(?:'re)? looking for|minimum qualifications|"
            r"basic qualifications|you(?:'ll)? need",
            re.I,
        ),
    ),
    (
        "responsibilities",
        re.compile(
            r"responsibilities|what you(?:'ll)? do|the role|your role|in this role|the job|"
            r"what you will be doing|day[- ]to[- ]day|you will|duties|the work|what you'll work on",
            re.I,
        ),
    ),
    (
        "benefits",
        re.compile(
            r"benefits|perks|what we offer|compensation|why join|we offer|salary|total rewards",
            re.I,
        ),
    ),
    (
        "company",
        re.compile(
            r"about (?:us|the company|the team)|who we are|our (?:mission|company|team)|"
            r"company overview|about [A-Z][\w&.-]+",
            re.I,
        ),
    ),
)
_MAX_HEADING_CHARS = 60
# Every heading starts with one of the patterns above, so one anchored match of their union
# rules out a line before the ten per-pattern matches run (profiled: most short lines are not
# headings).
_ANY_HEADING = re.compile("|".join(f"(?:{p.pattern})" for _, p in _HEADINGS), re.I)


@dataclass(frozen=True)
class SectionMap:
    starts: tuple[int, ...]
    names: tuple[str, ...]

    def section_at(self, offset: int) -> str:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.names[index] if index >= 0 else "body"


def heading_section(line: str) -> str | None:
    """The section a line opens, when the line reads as a heading; None for ordinary lines."""
    stripped = line.strip().strip("#*-•:_=[] ").strip()
    if not stripped or len(stripped) > _MAX_HEADING_CHARS:
        return None
    # The cheapest test that rejects most short lines goes first (all are pure; profiled).
    if not _ANY_HEADING.match(stripped):
        return None
    if not (line.rstrip().endswith(":") or len(stripped.split()) <= 6):
        return None
    if stripped.endswith(".") or stripped.endswith(","):
        return None
    for name, pattern in _HEADINGS:
        if pattern.fullmatch(stripped.rstrip(":").strip()) or (
            pattern.match(stripped) and line.rstrip().endswith(":")
        ):
            return name
    return None


def map_sections(text: str, until: int | None = None) -> SectionMap:
    """Where each section starts. With `until`, lines starting after that offset are not read:
    the map then answers section_at(offset) the same for every offset up to `until`."""
    starts: list[int] = [0]
    names: list[str] = ["body"]
    offset = 0
    for line in text.split("\n"):
        if until is not None and offset > until:
            break
        # Most lines are prose; only short ones can be headings (cheap test first, profiled).
        section = heading_section(line) if len(line) <= _MAX_HEADING_CHARS + 20 else None
        if section is not None:
            starts.append(offset)
            names.append(section)
        offset += len(line) + 1
    return SectionMap(tuple(starts), tuple(names))
