"""Skill mentions in posting text, found by spaCy phrase matching over the taxonomy plus rules.

A blank English pipeline tokenises; PhraseMatchers find surface forms (case-insensitive aliases
on LOWER, case-sensitive short forms on ORTH, and rule-only "gated" aliases); the longest match
wins where matches overlap; nothing inside a URL or e-mail address counts. Mentions of ambiguous
forms then pass the context rules of rules.toml (negative patterns and words, corroboration
gates; see extractors/skills/rules.py). Every mention keeps its character offsets, surface text,
section and rule, so a count can be traced back to the words and the rule that let it through.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from extractors.skills.rules import ContextRule, RuleSet
from extractors.skills.sections import map_sections
from extractors.skills.taxonomy import Taxonomy

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|org|net|co|dev)(?:/\S*)?",
    re.IGNORECASE,
)
# Tokens after which a word opens a sentence or a bullet ("Go to …", "- Spark new ideas").
_SENTENCE_END = frozenset({".", "!", "?", "…"})
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_BULLETS = frozenset({"-", "*", "•", "·", ">", "+", "–", "—", "#"})


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


# What a worker process sends back: plain tuples pickle far cheaper than Docs or dataclasses.
PlainMention = tuple[str, int, int, str, str, str]
PlainExtraction = tuple[str, tuple[str, ...], tuple[PlainMention, ...]]


def build_pipeline(taxonomy: Taxonomy) -> tuple[Language, PhraseMatcher, PhraseMatcher]:
    nlp = spacy.blank("en")
    # "…Python and R." would otherwise keep "R." as one initial-style token and miss R.
    for letter in ("R", "C", "r", "c"):
        nlp.tokenizer.add_special_case(f"{letter}.", [{"ORTH": letter}, {"ORTH": "."}])
    # Real postings glue names together: zero-width spaces around stack items ("\u200bGo\u200b"),
    # "Scientist(Machine Learning)", "HTML+CSS+JS", "C++/Java/C#". Split those without touching
    # "C++" or "C#" ("/" after a letter already splits: "C/C++", "CI/CD", "TCP/IP").
    nlp.tokenizer.prefix_search = compile_prefix_regex([*nlp.Defaults.prefixes, *_INVISIBLE]).search
    nlp.tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, *_INVISIBLE]).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(
        [
            *nlp.Defaults.infixes,
            *_INVISIBLE,
            r"(?<=[A-Za-z])\((?=[A-Za-z])",
            r"(?<=[A-Za-z])\+(?=[A-Za-z])",
            r"(?<=[+#])/(?=[A-Za-z.])",
            r"(?<=[A-Za-z])#(?=/)",  # "C#/Java" as "C", "#" like a free-standing "C#"
        ]
    ).finditer
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    for skill in taxonomy.skills.values():
        if skill.aliases:
            lower.add(skill.id, list(nlp.tokenizer.pipe(skill.aliases)))
        if skill.case_sensitive:
            exact.add(skill.id, list(nlp.tokenizer.pipe(skill.case_sensitive)))
    return nlp, lower, exact


@dataclass
class _Candidate:
    span: Span
    skill: str
    base: str  # alias | case_sensitive | gated_alias
    rules: list[ContextRule]
    gated: bool = False
    rule_id: str = ""


class SkillExtractor:
    """Finds taxonomy skills in texts. Build once per process; it is not cheap to construct."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.nlp, self._lower, self._exact = build_pipeline(taxonomy)
        self.rules = RuleSet(
            taxonomy.rules,
            self.nlp.vocab,
            categories={s.id: s.category for s in taxonomy.skills.values()},
            ambiguous=frozenset(s.id for s in taxonomy.skills.values() if s.ambiguous),
        )
        # Order matters on identical spans: an alias or exact form beats a rule-only form.
        self._matchers: list[tuple[PhraseMatcher, str]] = [
            (self._lower, "alias"),
            (self._exact, "case_sensitive"),
        ]
        if self.rules.gated_aliases:
            gated = PhraseMatcher(self.nlp.vocab, attr="LOWER")
            for skill_id, forms in self.rules.gated_aliases.items():
                gated.add(skill_id, list(self.nlp.tokenizer.pipe(forms)))
            self._matchers.append((gated, "gated_alias"))
        self._word_id_cache: dict[frozenset[str], frozenset[int]] = {}

    def extract(self, text: str, doc_id: str = "") -> Extraction:
        return self._from_doc(self.nlp.make_doc(text), doc_id, text)

    def extract_many(
        self, items: Iterable[tuple[str, str]], batch_size: int = 256
    ) -> Iterator[Extraction]:
        """(doc_id, text) pairs in, Extractions out, in the same order; tokenised in batches."""
        pending: deque[tuple[str, str]] = deque()

        def texts() -> Iterator[str]:
            for doc_id, text in items:
                pending.append((doc_id, text))
                yield text

        for doc in self.nlp.tokenizer.pipe(texts(), batch_size=batch_size):
            # The input text is kept because rebuilding doc.text costs a pass over every token.
            doc_id, text = pending.popleft()
            yield self._from_doc(doc, doc_id, text)

    def extract_parallel(
        self,
        items: Iterable[tuple[str, str]],
        processes: int = 2,
        chunk_size: int = 500,
        batch_size: int = 256,
    ) -> Iterator[Extraction]:
        """Like extract_many, spread over worker processes that each build their own extractor
        and return plain tuples (never Docs: serialising Docs is what makes nlp.pipe(n_process)
        slower than one process for a tokenizer-only pipeline). Output keeps input order."""
        if processes <= 1:
            yield from self.extract_many(items, batch_size=batch_size)
            return
        chunks = _chunked(items, chunk_size)
        with multiprocessing.get_context().Pool(
            processes, initializer=_init_worker, initargs=(self.taxonomy, batch_size)
        ) as pool:
            for plain_chunk in pool.imap(_extract_chunk, chunks):
                for plain in plain_chunk:
                    yield from_plain(plain)

    def pool(
        self, processes: int = 2, chunk_size: int = 250, batch_size: int = 256
    ) -> ExtractorPool:
        """A persistent worker pool for this extractor's taxonomy; use it as a context manager."""
        return ExtractorPool(self.taxonomy, processes, chunk_size=chunk_size, batch_size=batch_size)

    # ------------------------------------------------------------------ internals
    def _from_doc(self, doc: Doc, doc_id: str, text: str | None = None) -> Extraction:
        text = doc.text if text is None else text
        slot_end = self._company_slot_end(text)
        candidates: list[_Candidate] = []
        for span, base in self._spans(doc):
            if _in_url_or_email(text, span.start_char, span.end_char):
                continue
            skill = span.label_
            if span.start_char < slot_end and self._slot_applies(skill, base):
                continue
            suffix = self.rules.company_suffix  # "Docker Inc": a company name, never a skill
            if suffix is not None and suffix.match(text, span.end_char):
                continue
            # text[start_char:end_char] is span.text without a Token built per word (profiled).
            rules = self.rules.rules_for(skill, text[span.start_char : span.end_char], base)
            candidates.append(_Candidate(span, skill, base, rules))
        lowers = _Lowers(doc)
        kept = [c for c in candidates if not self._vetoed(doc, c, lowers)]
        for candidate in kept:
            candidate.gated = self._needs_gate(doc, candidate)
        strong = [c for c in kept if not c.gated]
        mentions: list[Mention] = []
        sections = map_sections(text) if kept else None
        for candidate in kept:
            if candidate.gated and not self._corroborated(doc, candidate, strong, lowers):
                continue
            span = candidate.span
            rule = candidate.base
            if candidate.rules:
                rule += "+" + (candidate.rule_id or candidate.rules[0].rule_id)
            mentions.append(
                Mention(
                    skill=candidate.skill,
                    start=span.start_char,
                    end=span.end_char,
                    text=text[span.start_char : span.end_char],
                    section=sections.section_at(span.start_char) if sections else "body",
                    rule=rule,
                )
            )
        found = {m.skill for m in mentions}
        return Extraction(
            doc_id=doc_id,
            skills=tuple(sorted(self.taxonomy.with_ancestors(found))),
            mentions=tuple(mentions),
        )

    def _spans(self, doc: Doc) -> list[tuple[Span, str]]:
        """Longest match wins, leftmost on ties (what spacy.util.filter_spans does), computed on
        plain match tuples so that Spans are built only for the survivors (profiled)."""
        found: list[tuple[int, int, int, str]] = []
        for matcher, base in self._matchers:
            found.extend((start, end, match_id, base) for match_id, start, end in matcher(doc))
        if not found:
            return []
        found.sort(key=lambda m: (m[0] - m[1], m[0]))  # longest first, then leftmost
        taken: set[int] = set()
        kept: list[tuple[int, int, int, str]] = []
        for start, end, match_id, base in found:
            if start in taken or end - 1 in taken:
                continue
            if any(i in taken for i in range(start, end)):
                continue
            kept.append((start, end, match_id, base))
            taken.update(range(start, end))
        kept.sort()
        return [
            (Span(doc, start, end, label=match_id), base) for start, end, match_id, base in kept
        ]

    def _company_slot_end(self, text: str) -> int:
        """End offset of the company name in an HN header line ("Acme | Berlin | …"), or 0."""
        slot = self.rules.company_slot
        if slot.applies_to == "none" or not slot.separators:
            return 0
        first_line = text.split("\n", 1)[0]
        cuts = [first_line.find(sep) for sep in slot.separators]
        cuts = [c for c in cuts if c > 0]
        return min(cuts) if cuts else 0

    def _slot_applies(self, skill: str, base: str) -> bool:
        applies = self.rules.company_slot.applies_to
        if applies == "all":
            return True
        if applies == "ambiguous_case_sensitive":
            return base == "case_sensitive" and skill in self.rules.ambiguous
        return applies == "ambiguous" and skill in self.rules.ambiguous

    def _word_ids(self, words: frozenset[str]) -> frozenset[int]:
        """A word set as LOWER hashes, so windows compare ints instead of building Tokens."""
        ids = self._word_id_cache.get(words)
        if ids is None:
            ids = self._word_id_cache[words] = frozenset(
                self.nlp.vocab.strings.add(w) for w in words
            )
        return ids

    def _vetoed(self, doc: Doc, candidate: _Candidate, lowers: _Lowers) -> bool:
        span = candidate.span
        for rule in candidate.rules:
            if rule.matcher is not None:
                lo = max(0, span.start - rule.reach)
                hi = min(len(doc), span.end + rule.reach)
                for _, start, end in rule.matcher(doc[lo:hi]):
                    if lo + start < span.end and span.start < lo + end:
                        return True
            if rule.negative_words and rule.negative_window:
                lo = max(0, span.start - rule.negative_window)
                hi = min(len(doc), span.end + rule.negative_window)
                ids, negative = lowers.ids(), self._word_ids(rule.negative_words)
                if not negative.isdisjoint(ids[lo : span.start]) or not negative.isdisjoint(
                    ids[span.end : hi]
                ):
                    return True
        return False

    def _needs_gate(self, doc: Doc, candidate: _Candidate) -> bool:
        for rule in candidate.rules:
            if rule.gate == "always" or (
                rule.gate == "sentence_start" and _opens_sentence(doc, candidate.span.start)
            ):
                candidate.rule_id = rule.rule_id
                return True
        return False

    def _corroborated(
        self, doc: Doc, candidate: _Candidate, strong: list[_Candidate], lowers: _Lowers
    ) -> bool:
        span = candidate.span
        rule = next(r for r in candidate.rules if r.rule_id == candidate.rule_id)
        lo, hi = _window(doc, span.start, span.end, rule.window)
        if rule.context_words:
            ids, context = lowers.ids(), self._word_ids(rule.context_words)
            if not context.isdisjoint(ids[lo : span.start]) or not context.isdisjoint(
                ids[span.end : hi]
            ):
                return True
        for other in strong:
            if other is candidate or other.skill == candidate.skill:
                continue
            overlaps = other.span.start < hi and lo < other.span.end
            if overlaps and self.rules.corroborates(rule, other.skill):
                return True
        return False


class _Lowers:
    """A Doc's LOWER hashes as a plain list, computed on first use (one C pass per Doc)."""

    __slots__ = ("_doc", "_ids")

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._ids: list[int] | None = None

    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = self._doc.to_array(LOWER).tolist()
        return self._ids


def _in_url_or_email(text: str, start: int, end: int) -> bool:
    """Whether [start, end) lies in a URL or e-mail address. Those never contain whitespace, so
    only the whitespace-delimited chunk around the mention is searched: running the pattern over
    the whole posting cost more than all the matching (profiled)."""
    chunk_start = start
    while chunk_start > 0 and not text[chunk_start - 1].isspace():
        chunk_start -= 1
    chunk_end = end
    while chunk_end < len(text) and not text[chunk_end].isspace():
        chunk_end += 1
    if chunk_end - chunk_start == end - start:
        return False  # the mention is the whole chunk: a bare word is no address
    chunk = text[chunk_start:chunk_end]
    if "." not in chunk and "@" not in chunk and ":" not in chunk:
        return False  # every address form needs one of these ("Python," is no address)
    return any(
        m.start() < end - chunk_start and start - chunk_start < m.end()
        for m in _URL_OR_EMAIL.finditer(chunk)
    )


def _opens_sentence(doc: Doc, index: int) -> bool:
    previous = index - 1
    if previous < 0:
        return True
    token = doc[previous]
    if token.is_space:
        return "\n" in token.text
    if token.text in _SENTENCE_END or token.text in _BULLETS:
        return token.text in _SENTENCE_END or previous == 0 or "\n" in doc[previous - 1].text
    return False


def _window(doc: Doc, start: int, end: int, width: int) -> tuple[int, int]:
    """Token range around [start, end) with at most `width` tokens either side. It does cross
    blank lines: HN tech lists put each item in its own paragraph ("- Hadoop\n\n- Spark")."""
    return max(0, start - width), min(len(doc), end + width)


def to_plain(extraction: Extraction) -> PlainExtraction:
    return (
        extraction.doc_id,
        extraction.skills,
        tuple((m.skill, m.start, m.end, m.text, m.section, m.rule) for m in extraction.mentions),
    )


def from_plain(plain: PlainExtraction) -> Extraction:
    doc_id, skills, mentions = plain
    return Extraction(doc_id, tuple(skills), tuple(Mention(*m) for m in mentions))


def _chunked(items: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ExtractorPool:
    """Worker processes that each build one SkillExtractor at start and then extract chunk after
    chunk for as long as the pool lives, returning plain tuples.

    `extract_parallel` pays for starting processes and building extractors on every call, which
    is why it bought only 1.1–1.5×; a pool kept across a whole run's batches pays that once.
    Chunks are submitted from the calling thread, at most `window` ahead of the one being
    consumed, so a caller can read its input from a database connection between chunks (nothing
    else touches the connection) and memory stays bounded however long the input is.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        processes: int = 2,
        chunk_size: int = 250,
        batch_size: int = 256,
        window: int | None = None,
    ) -> None:
        self.processes = max(1, processes)
        self.chunk_size = chunk_size
        self.window = window or 2 * self.processes + 2
        # Spawned, not forked: the caller usually holds a DuckDB connection and its buffers, and
        # a forked worker would inherit both (measured: forked workers showed the parent's 780 MB
        # as their own RSS at 1M postings). Spawning costs one spaCy import per worker per run.
        self._pool = multiprocessing.get_context("spawn").Pool(
            self.processes, initializer=_init_worker, initargs=(taxonomy, batch_size)
        )

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def map_chunks(
        self, chunks: Iterable[list[tuple[str, str]]]
    ) -> Iterator[list[PlainExtraction]]:
        """Plain extractions per chunk, in input order; input chunks are consumed lazily."""
        in_flight: deque[multiprocessing.pool.AsyncResult] = deque()
        for chunk in chunks:
            in_flight.append(self._pool.apply_async(_extract_chunk, (chunk,)))
            if len(in_flight) >= self.window:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()

    def extract_plain(self, items: Iterable[tuple[str, str]]) -> Iterator[PlainExtraction]:
        for plain_chunk in self.map_chunks(_chunked(items, self.chunk_size)):
            yield from plain_chunk

    def extract(self, items: Iterable[tuple[str, str]]) -> Iterator[Extraction]:
        """Like SkillExtractor.extract_many, in the pool's processes; output keeps input order."""
        for plain in self.extract_plain(items):
            yield from_plain(plain)


_WORKER: SkillExtractor | None = None
_WORKER_BATCH = 256


def _init_worker(taxonomy: Taxonomy, batch_size: int) -> None:
    global _WORKER, _WORKER_BATCH
    _WORKER = SkillExtractor(taxonomy)
    _WORKER_BATCH = batch_size


def _extract_chunk(chunk: list[tuple[str, str]]) -> list[PlainExtraction]:
    assert _WORKER is not None, "worker used before _init_worker"
    return [to_plain(e) for e in _WORKER.extract_many(chunk, batch_size=_WORKER_BATCH)]
