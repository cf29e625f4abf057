"""Skill mentions in posting text, found by spaCy phrase matching over the taxonomy.

A blank English pipeline tokenises; two PhraseMatchers find surface forms (case-insensitive
aliases on LOWER, case-sensitive short forms on ORTH); the longest match wins where matches
overlap; nothing inside a URL or e-mail address counts. Every mention keeps its character
offsets, surface text, section and rule, so a count can be traced back to the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.skills.sections import map_sections
from extractors.skills.taxonomy import Taxonomy

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|org|net|co|dev)(?:/\S*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    skill: str
    start: int
    end: int
    text: str
    section: str
    rule: str


@dataclass(frozen=True)
class Extraction:
    doc_id: str
    skills: tuple[str, ...]  # posting-level set, parents included, sorted
    mentions: tuple[Mention, ...]


def build_pipeline(taxonomy: Taxonomy) -> tuple[Language, PhraseMatcher, PhraseMatcher]:
    nlp = spacy.blank("en")
    # "…Python and R." would otherwise keep "R." as one initial-style token and miss R.
    for letter in ("R", "C", "r", "c"):
        nlp.tokenizer.add_special_case(f"{letter}.", [{"ORTH": letter}, {"ORTH": "."}])
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    for skill in taxonomy.skills.values():
        if skill.aliases:
            lower.add(skill.id, list(nlp.tokenizer.pipe(skill.aliases)))
        if skill.case_sensitive:
            exact.add(skill.id, list(nlp.tokenizer.pipe(skill.case_sensitive)))
    return nlp, lower, exact


class SkillExtractor:
    """Finds taxonomy skills in texts. Build once per process; it is not cheap to construct."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.nlp, self._lower, self._exact = build_pipeline(taxonomy)

    def extract(self, text: str, doc_id: str = "") -> Extraction:
        return self._from_doc(self.nlp.make_doc(text), doc_id)

    def extract_many(
        self, items: Iterable[tuple[str, str]], batch_size: int = 256
    ) -> Iterator[Extraction]:
        """(doc_id, text) pairs in, Extractions out, in the same order; tokenised in batches."""
        ids: list[str] = []

        def texts() -> Iterator[str]:
            for doc_id, text in items:
                ids.append(doc_id)
                yield text

        for index, doc in enumerate(self.nlp.tokenizer.pipe(texts(), batch_size=batch_size)):
            yield self._from_doc(doc, ids[index])

    def _from_doc(self, doc: Doc, doc_id: str) -> Extraction:
        spans = self._candidate_spans(doc)
        blocked = [m.span() for m in _URL_OR_EMAIL.finditer(doc.text)]
        sections = map_sections(doc.text)
        mentions = []
        for span, rule in spans:
            if any(start < span.end_char and span.start_char < end for start, end in blocked):
                continue
            mentions.append(
                Mention(
                    skill=span.label_,
                    start=span.start_char,
                    end=span.end_char,
                    text=span.text,
                    section=sections.section_at(span.start_char),
                    rule=rule,
                )
            )
        found = {m.skill for m in mentions}
        return Extraction(
            doc_id=doc_id,
            skills=tuple(sorted(self.taxonomy.with_ancestors(found))),
            mentions=tuple(mentions),
        )

    def _candidate_spans(self, doc: Doc) -> list[tuple[Span, str]]:
        rules: dict[tuple[int, int, str], str] = {}
        spans: list[Span] = []
        for matcher, rule in ((self._lower, "alias"), (self._exact, "case_sensitive")):
            for match_id, start, end in matcher(doc):
                span = Span(doc, start, end, label=match_id)
                key = (start, end, span.label_)
                if key not in rules:
                    rules[key] = rule
                    spans.append(span)
        kept = filter_spans(spans)
        return [
            (span, rules[(span.start, span.end, span.label_)])
            for span in sorted(kept, key=lambda s: s.start)
        ]
