"""Discover candidate skill terms the taxonomy misses, for a human to review.

A term is a candidate when it recurs across postings, matches no surface form of the taxonomy,
and looks like a tool name: camel case ("ClickHouse", "gRPC"), version-like ("Vue3", "ES2020"),
or a capitalised word standing in a tech list next to a known skill ("Python, Dagster, dbt") or
in a requirements / nice-to-have section. Terms are ranked by how many postings name them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS

from extractors.skills.matcher import _URL_OR_EMAIL, SkillExtractor
from extractors.skills.sections import map_sections

_CAMEL = re.compile(r"^(?:[a-z]+[A-Z]|[A-Z][a-z]+[A-Z]|[A-Z]{2,}[a-z]{2,})[A-Za-z]*$")
_VERSIONED = re.compile(r"^[A-Za-z][A-Za-z+#]{1,}\d+(?:\.\d+)*$")
_LIST_SEPARATORS = frozenset({",", "/", "|", "(", ")", "&", "+", ";", "and", "or"})
_LIST_SECTIONS = frozenset({"requirements", "nice_to_have"})
# Capitalised words that recur in postings without being tools.
_NOT_TOOLS = frozenset(
    {
        "remote", "onsite", "full", "time", "senior", "junior", "staff", "lead", "engineer",
        "engineers", "developer", "developers", "manager", "we", "our", "you", "the", "inc", "llc",
        "ltd", "usa", "us", "uk", "eu", "sf", "nyc", "la", "ny", "ca", "visa", "interns", "intern",
        "hybrid", "office", "startup", "team", "apply", "email", "salary", "equity", "benefits",
        "api", "apis", "ui", "ux", "ceo", "cto", "hr", "ios", "android", "web", "mobile", "frontend",
        "backend", "fullstack", "devops", "sre", "qa", "ai", "phd", "bs", "ms", "cs", "pm", "yc",
    }
)  # fmt: skip


@dataclass
class TermStats:
    postings: int = 0
    surfaces: Counter[str] = field(default_factory=Counter)
    signals: Counter[str] = field(default_factory=Counter)
    example: str = ""


@dataclass(frozen=True)
class CandidateTerm:
    term: str
    postings: int
    signals: tuple[str, ...]
    example: str


def _known_tokens(extractor: SkillExtractor) -> frozenset[str]:
    """Every lower-cased token of every surface form, so parts of known names never surface."""
    forms = [
        form
        for skill in extractor.taxonomy.skills.values()
        for form in (*skill.aliases, *skill.case_sensitive)
    ]
    forms += [f for fs in extractor.rules.gated_aliases.values() for f in fs]
    return frozenset(t.lower_ for doc in extractor.nlp.tokenizer.pipe(forms) for t in doc)


def discover(
    extractor: SkillExtractor,
    texts: Iterable[str],
    top: int = 50,
    min_postings: int = 3,
    batch_size: int = 256,
) -> list[CandidateTerm]:
    known = _known_tokens(extractor)
    stats: dict[str, TermStats] = defaultdict(TermStats)
    lower_uses: Counter[str] = Counter()  # how often a word appears all lower-case mid-sentence
    for doc in extractor.nlp.tokenizer.pipe(texts, batch_size=batch_size):
        text = doc.text
        blocked = [m.span() for m in _URL_OR_EMAIL.finditer(text)]
        sections = map_sections(text)
        mentions = extractor._from_doc(doc, "", text).mentions
        mention_tokens = {
            t.i for m in mentions for t in doc.char_span(m.start, m.end, alignment_mode="expand")
        }
        seen_here: set[str] = set()
        for token in doc:
            word = token.text
            if token.is_space or token.is_punct or len(word) < 2 or token.like_num:
                continue
            key = word.lower()
            if word.islower():
                lower_uses[key] += 1
                continue
            if key in known or key in STOP_WORDS or key in _NOT_TOOLS or token.i in mention_tokens:
                continue
            if any(s <= token.idx < e for s, e in blocked):
                continue
            signals = []
            if _CAMEL.match(word):
                signals.append("camel")
            if _VERSIONED.match(word):
                signals.append("version")
            if word[0].isupper() and _in_tech_list(doc, token.i, mention_tokens):
                signals.append("list")
            if word[0].isupper() and sections.section_at(token.idx) in _LIST_SECTIONS:
                signals.append("requirements")
            if not signals:
                continue
            entry = stats[key]
            entry.surfaces[word] += 1
            entry.signals.update(signals)
            if key not in seen_here:
                seen_here.add(key)
                entry.postings += 1
                if not entry.example:
                    line_start = text.rfind("\n", 0, token.idx) + 1
                    line_end = text.find("\n", token.idx)
                    line_end = len(text) if line_end < 0 else line_end
                    entry.example = text[line_start:line_end].strip()[:120]
    ranked = []
    for key, entry in stats.items():
        capitalised = sum(entry.surfaces.values())
        strong = entry.signals["camel"] + entry.signals["version"] + entry.signals["list"]
        # An ordinary English word capitalised in a heading is not a tool: drop words used
        # mostly in lower case, unless their shape (camel case, version) marks them as names.
        if (
            not (entry.signals["camel"] or entry.signals["version"])
            and lower_uses[key] > capitalised
        ):
            continue
        if entry.postings < min_postings or not strong:
            continue
        ranked.append(
            CandidateTerm(
                term=entry.surfaces.most_common(1)[0][0],
                postings=entry.postings,
                signals=tuple(sorted(entry.signals)),
                example=entry.example,
            )
        )
    ranked.sort(key=lambda c: (-c.postings, c.term.lower()))
    return ranked[:top]


def _in_tech_list(doc, index: int, mention_tokens: set[int]) -> bool:  # type: ignore[no-untyped-def]
    """True when a separator links the token to a known skill mention within two steps."""
    for direction in (-1, 1):
        step = index + direction
        if 0 <= step < len(doc) and doc[step].lower_ in _LIST_SEPARATORS:
            neighbour = step + direction
            if 0 <= neighbour < len(doc) and neighbour in mention_tokens:
                return True
    return False
