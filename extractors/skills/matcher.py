"""Skill mentions in posting text, found by spaCy phrase matching over the taxonomy plus rules.

A blank English pipeline tokenises; one LOWER PhraseMatcher pass finds surface forms
(case-insensitive aliases, case-sensitive short forms, whose casing is then checked token by
token, and rule-only "gated" aliases); the longest match wins where matches overlap; nothing
inside a URL or e-mail address counts. Mentions of ambiguous forms then pass the context rules
of rules.toml (negative patterns and words, corroboration gates; see extractors/skills/rules.py).
Every mention keeps its character offsets, surface text, section and rule, so a count can be
traced back to the words and the rule that let it through.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import spacy
from spacy.attrs import IDS, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import compile_prefix_regex

from extractors.skills.affixes import (
    LettersWhole,
    infix_finditer,
    letters_stay_whole,
    suffix_search,
)
from extractors.skills.lexemes import with_shortcuts
from extractors.skills.mentions import MentionColumns
from extractors.skills.pool import ExtractorPool, PlainExtraction, chunked
from extractors.skills.rules import ContextRule, RuleSet, pattern_attributes
from extractors.skills.sections import map_sections
from extractors.skills.specials import move_special_cases
from extractors.skills.taxonomy import Taxonomy

_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|org|net|co|dev)(?:/\S*)?",
    re.IGNORECASE,
)
# Tokens after which a word opens a sentence or a bullet ("Go to …", "- Spark new ideas").
_SENTENCE_END = frozenset({".", "!", "?", "…"})
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_BULLETS = frozenset({"-", "*", "•", "‣", "⁃", "∙", "·", ">", "+", "–", "—", "#"})
# Bullets glued to their item ("-MySQL", "•Github"): spaCy's prefixes split "*", "·", "–" and
# the symbol bullets off a word, but not these, so the item went unmatched (over the real
# corpus, 156 skills in 516 postings behind "-" alone). A hyphen only before a letter, so
# "-5" and "--" stay as they were.
_BULLET_PREFIXES = (r"-+(?=[A-Za-z])", "•", "‣", "⁃", "∙")
# Real postings glue names together: zero-width spaces around stack items ("\u200bGo\u200b",
# _INVISIBLE), "Scientist(Machine Learning)", "HTML+CSS+JS", "C++/Java/C#". These infixes split
# them without touching "C++" or "C#" ("/" after a letter already splits: "C/C++", "TCP/IP").
_INFIXES = (
    r"(?<=[A-Za-z])\((?=[A-Za-z])",
    r"(?<=[A-Za-z])\+(?=[A-Za-z])",
    r"(?<=[+#])/(?=[A-Za-z.])",
    r"(?<=[A-Za-z])#(?=/)",  # "C#/Java" as "C", "#" like a free-standing "C#"
)
_RULES_CACHE_SIZE = 50_000
_SUFFIX_OPENERS = frozenset(" \t,")  # what RuleSet.company_suffix can start with
# spaCy's tokenizer remembers how it split a whitespace-delimited chunk, but only the first
# 10,000 chunks it sees; every later chunk goes through the affix regexes again. Real postings
# hold ~130k distinct words per 17k, so at the default most chunks were re-split (measured, one
# cold pass of our tokenizer over the real corpus: 7.7-8.4 s at 10,000, 5.0-5.5 s at 200,000,
# +11 MB; 60k synthetic postings: 25.8 s -> 12.7 s, +27 MB). The cap keeps memory bounded.
TOKENIZER_CACHE_CHUNKS = 200_000
# Lexeme attributes this package reads itself: the matcher (LOWER, IS_SPACE) and discovery
# (IS_PUNCT, LIKE_NUM). rules.toml patterns may test more; lexeme_attributes() adds those.
_ATTRIBUTES_READ = frozenset({"ORTH", "LOWER", "IS_SPACE", "IS_PUNCT", "LIKE_NUM"})


class Mention(NamedTuple):
    """One skill mention: character offsets into the posting text, the surface text, the
    section it falls in, and the rule that let it through ("alias", "gated_alias+spark#2").
    A named tuple: extraction builds one per mention, and a tuple is built in one C call where
    a frozen dataclass set each field through object.__setattr__ (profiled)."""

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


def lexeme_attributes(taxonomy: Taxonomy) -> frozenset[str]:
    """The lexeme attributes an extractor for this taxonomy reads: its own and its rules'."""
    return _ATTRIBUTES_READ | pattern_attributes(taxonomy.rules)


def build_pipeline(
    attributes: Collection[str] | None = None, *, move_specials: bool = True
) -> Language:
    """The tokenizer every form and every text goes through. With `attributes`, new words'
    lexemes get only those attributes computed. spaCy's special cases move out of its table
    (the same tokens, cached) when `attributes` are given without NORM, unless `move_specials`
    is False (for comparing the two).

    spaCy computes 23 attributes (shape, norm, prefix, suffix, stop word, like_email, …) for
    every word it meets for the first time, each a Python call, and keeps up to four more
    strings per word; real postings bring ~130k new words per 17k. With the 7 we read, a cold
    pass over the real corpus took 11-14% less CPU (docs/BENCHMARKS.md, change 24). Attributes
    left out read as unset (False, or an empty string), so only attributes that nothing reads
    may be left out."""
    nlp = spacy.blank("en")
    getters = nlp.vocab.lex_attr_getters
    if attributes is not None:
        wanted = {IDS[name] for name in attributes if name in IDS}
        getters = {attr: getter for attr, getter in getters.items() if attr in wanted}
    # LIKE_NUM and LIKE_URL were the costliest getters of a new word (extractors/skills/lexemes).
    nlp.vocab.lex_attr_getters = with_shortcuts(getters)
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    # "…Python and R." would otherwise keep "R." as one initial-style token and miss R.
    for letter in ("R", "C", "r", "c"):
        nlp.tokenizer.add_special_case(f"{letter}.", [{"ORTH": letter}, {"ORTH": "."}])
    # Zero-width characters split like spaces; _INFIXES splits what postings glue together. The
    # suffix and infix searches skip, exactly, what cannot match (extractors/skills/affixes): a
    # cold pass over the real corpus tokenised 21-24% faster, with the same tokens.
    prefixes = [*nlp.Defaults.prefixes, *_INVISIBLE, *_BULLET_PREFIXES]
    suffixes = [*nlp.Defaults.suffixes, *_INVISIBLE]
    infixes = [*nlp.Defaults.infixes, *_INVISIBLE, *_INFIXES]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    nlp.tokenizer.suffix_search = suffix_search(suffixes)
    nlp.tokenizer.infix_finditer = infix_finditer(infixes)
    special_cases = frozenset(nlp.tokenizer.rules)
    # Three postings in four hold a special case ("We're"), after which spaCy caches no chunk of
    # that posting; most cases move where they do not (extractors/skills/specials.py): the
    # same tokens, and a cold pass over the real corpus tokenised ~20% faster.
    # The table's cases also set a NORM ("'re" reads "are"), which moved cases do not.
    if move_specials and attributes is not None and "NORM" not in attributes:
        move_special_cases(nlp.tokenizer)
    # A new chunk of letters only is kept whole without the prefix, suffix, URL and infix
    # searches, which would find nothing in it (extractors/skills/affixes.LettersWhole).
    if letters_stay_whole(prefixes, suffixes, infixes):
        nlp.tokenizer.token_match = LettersWhole(nlp.tokenizer.token_match, special_cases)
    return nlp


@dataclass(frozen=True, slots=True)
class _Key:
    """What one PhraseMatcher key stands for: a skill's forms of one kind."""

    skill: str
    base: str  # alias | case_sensitive | gated_alias
    rank: int  # which base wins on identical spans: alias, then case_sensitive, then gated
    exact: frozenset[tuple[int, ...]] | None  # case-sensitive forms' ORTH sequences
    ruled: bool  # whether RuleSet.rules_for can return any rule for these forms
    slot_applies: bool  # whether a mention in an HN header's company slot is dropped


@dataclass(frozen=True, slots=True)
class _Governing:
    """The context rules governing one (skill, surface form, kind), split once by what each can
    do, so a mention checks only the rules that can veto or gate it."""

    vetoing: tuple[ContextRule, ...]  # with negative patterns or negative words
    gating: tuple[ContextRule, ...]  # gate "always" or "sentence_start", in rule order
    label: str  # the rule label of a mention no gate held back: "<kind>+<first rule>"


class _Candidate(NamedTuple):
    """A match that survived the URL, company-slot and company-suffix checks. A tuple, built
    with one C call per match instead of a dataclass __init__ (which showed in the profile)."""

    start: int  # token range
    end: int
    key: _Key
    start_char: int
    end_char: int
    governing: _Governing | None  # None for forms no context rule governs (most)


_new_tuple = tuple.__new__
_by_start = itemgetter(0)


class SkillExtractor:
    """Finds taxonomy skills in texts. Build once per process; it is not cheap to construct."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.nlp = build_pipeline(lexeme_attributes(taxonomy))
        self.rules = RuleSet(
            taxonomy.rules,
            self.nlp.vocab,
            categories={s.id: s.category for s in taxonomy.skills.values()},
            ambiguous=frozenset(s.id for s in taxonomy.skills.values() if s.ambiguous),
        )
        # One LOWER pass finds every form: aliases, gated aliases, and case-sensitive forms, the
        # last checked against the token texts afterwards. Three PhraseMatcher passes (LOWER,
        # ORTH, LOWER) cost a C walk over every token each, most of the matching time (profiled).
        # Keys are per (kind, skill); _keys maps a key back to what the match means.
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._keys: dict[int, _Key] = {}
        strings = self.nlp.vocab.strings
        tokenize = self.nlp.tokenizer.pipe
        # Order matters on identical spans: an alias or exact form beats a rule-only form.
        kinds: list[tuple[str, dict[str, tuple[str, ...]] | dict[str, list[str]]]] = [
            ("alias", {s.id: s.aliases for s in taxonomy.skills.values() if s.aliases}),
            (
                "case_sensitive",
                {s.id: s.case_sensitive for s in taxonomy.skills.values() if s.case_sensitive},
            ),
            ("gated_alias", self.rules.gated_aliases),
        ]
        for rank, (base, forms_by_skill) in enumerate(kinds):
            for skill_id, forms in forms_by_skill.items():
                docs = list(tokenize(forms))
                key = strings.add(f"{base}\t{skill_id}")
                exact = (
                    frozenset(tuple(t.orth for t in d) for d in docs)
                    if base == "case_sensitive"
                    else None
                )
                ruled = skill_id in self.rules.rules_by_skill or (
                    base == "case_sensitive" and skill_id in self.rules.ambiguous
                )
                self._keys[key] = _Key(
                    skill_id, base, rank, exact, ruled, self._slot_applies(skill_id, base)
                )
                self._phrases.add(strings[key], docs)
        self._word_id_cache: dict[frozenset[str], frozenset[int]] = {}
        self._requirement_ids: dict[str, tuple[tuple[frozenset[int], ...], ...]] = {
            rule.rule_id: tuple(
                tuple(self._word_ids(words) for words in pattern) for pattern in rule.requirements
            )
            for rules in self.rules.rules_by_skill.values()
            for rule in rules
            if rule.requirements is not None
        }
        self._governing_cache: dict[tuple[str, str, str], _Governing | None] = {}

    def extract(self, text: str, doc_id: str = "") -> Extraction:
        return self._from_doc(self.nlp.make_doc(text), doc_id, text)

    def extract_many(
        self, items: Iterable[tuple[str, str]], batch_size: int = 256
    ) -> Iterator[Extraction]:
        """(doc_id, text) pairs in, Extractions out, in the same order; tokenised in batches.

        A batch is tokenised whole before any of it is matched: alternating the tokenizer and
        the matcher document by document kept evicting each other's tables from the CPU
        caches (measured on the real corpus, CPU: 8.4 s one by one, 7.8-8.0 s in batches of
        256 to 1,024)."""
        tokenize = self.nlp.tokenizer
        from_doc = self._from_doc
        for batch in chunked(items, batch_size):
            # The input text is kept because rebuilding doc.text costs a pass over every token.
            docs = [tokenize(text) for _, text in batch]
            for (doc_id, text), doc in zip(batch, docs, strict=True):
                yield from_doc(doc, doc_id, text)

    def extract_parallel(
        self,
        items: Iterable[tuple[str, str]],
        processes: int = 2,
        chunk_size: int = 500,
        batch_size: int = 256,
    ) -> Iterator[Extraction]:
        """Like extract_many, spread over worker processes that each build their own extractor
        and return plain tuples (never Docs: serialising Docs is what makes nlp.pipe(n_process)
        slower than one process for a tokenizer-only pipeline). Output keeps input order.
        A pool is started for this call only; a run with many batches keeps one (self.pool)."""
        if processes <= 1:
            yield from self.extract_many(items, batch_size=batch_size)
            return
        with self.pool(processes, chunk_size=chunk_size, batch_size=batch_size) as pool:
            yield from pool.extract(items)

    def pool(
        self, processes: int = 2, chunk_size: int = 250, batch_size: int = 256
    ) -> ExtractorPool:
        """A persistent worker pool for this extractor's taxonomy; use it as a context manager."""
        return ExtractorPool(self.taxonomy, processes, chunk_size=chunk_size, batch_size=batch_size)

    # ------------------------------------------------------------------ internals
    def _from_doc(self, doc: Doc, doc_id: str, text: str | None = None) -> Extraction:
        text = doc.text if text is None else text
        found = self._matches(doc)
        if not found:
            return Extraction(doc_id, (), ())
        end_of_text = len(text)
        slot_end = -1  # computed on first need: few mentions are ones the company slot drops
        suffix = self.rules.company_suffix  # "Docker Inc": a company name, never a skill
        candidates: list[_Candidate] = []
        any_rules = False
        for start, end, key in found:
            first = doc[start]
            start_char = first.idx
            if end - start == 1:
                end_char = start_char + len(first)
            else:
                last = doc[end - 1]
                end_char = last.idx + len(last)
            # A mention that is a whole whitespace-delimited word is no address; most are.
            if (
                (start_char and not text[start_char - 1].isspace())
                or (end_char < end_of_text and not text[end_char].isspace())
            ) and _in_url_or_email(text, start_char, end_char):
                continue
            if key.slot_applies:
                if slot_end < 0:
                    slot_end = self._company_slot_end(text)
                if start_char < slot_end:
                    continue
            # The suffix pattern opens with a blank or a comma (rules.py): test that char first.
            if (
                suffix is not None
                and end_char < end_of_text
                and text[end_char] in _SUFFIX_OPENERS
                and suffix.match(text, end_char)
            ):
                continue
            governing = None
            if key.ruled:
                # text[start_char:end_char] is span.text without a Token built per word.
                governing = self._governing(key.skill, text[start_char:end_char], key.base)
                any_rules = any_rules or governing is not None
            candidates.append(
                _new_tuple(_Candidate, (start, end, key, start_char, end_char, governing))
            )
        if not candidates:
            return Extraction(doc_id, (), ())
        # What survives, in start order: (start_char, end_char, skill, rule label).
        kept = (
            self._apply_rules(doc, candidates)
            if any_rules
            else [(c[3], c[4], c[2].skill, c[2].base) for c in candidates]
        )
        if not kept:
            return Extraction(doc_id, (), ())
        # Headings after the last mention's line cannot change any mention's section.
        section_at = map_sections(text, until=kept[-1][0]).section_at
        mentions = tuple(
            _new_tuple(
                Mention,
                (
                    skill,
                    start_char,
                    end_char,
                    text[start_char:end_char],
                    section_at(start_char),
                    rule,
                ),
            )
            for start_char, end_char, skill, rule in kept
        )
        skills = tuple(sorted(self.taxonomy.with_ancestors({m[2] for m in kept})))
        return Extraction(doc_id, skills, mentions)

    def _apply_rules(
        self, doc: Doc, candidates: list[_Candidate]
    ) -> list[tuple[int, int, str, str]]:
        """The candidates the context rules keep, as (start_char, end_char, skill, rule label):
        vetoed ones dropped, gated ones kept only when corroborated by a mention that needed no
        corroboration itself."""
        lowers = _Lowers(doc)
        survivors: list[tuple[_Candidate, ContextRule | None]] = []  # with the gate to pass
        strong: list[_Candidate] = []
        for candidate in candidates:
            governing = candidate[5]
            gate = None
            if governing is not None:
                if governing.vetoing and self._vetoed(doc, candidate, governing.vetoing, lowers):
                    continue
                if governing.gating:
                    gate = self._gate(doc, candidate.start, governing.gating)
            survivors.append((candidate, gate))
            if gate is None:
                strong.append(candidate)
        kept: list[tuple[int, int, str, str]] = []
        for candidate, gate in survivors:
            key, governing = candidate[2], candidate[5]
            if gate is not None:
                if not self._corroborated(doc, candidate, gate, strong, lowers):
                    continue
                label = f"{key.base}+{gate.rule_id}"
            else:
                label = key.base if governing is None else governing.label
            kept.append((candidate[3], candidate[4], key.skill, label))
        return kept

    def _governing(self, skill: str, surface: str, base: str) -> _Governing | None:
        """RuleSet.rules_for, split by what the rules can do and memoised: a corpus repeats a
        few thousand surfaces (profiled). None when no rule governs the form."""
        key = (skill, surface, base)
        if key in self._governing_cache:
            return self._governing_cache[key]
        if len(self._governing_cache) >= _RULES_CACHE_SIZE:
            self._governing_cache.clear()  # odd casings could otherwise grow it without bound
        rules = self.rules.rules_for(skill, surface, base)
        governing = (
            _Governing(
                vetoing=tuple(
                    r
                    for r in rules
                    if r.matcher is not None or (r.negative_words and r.negative_window)
                ),
                gating=tuple(r for r in rules if r.gate in ("always", "sentence_start")),
                label=f"{base}+{rules[0].rule_id}",
            )
            if rules
            else None
        )
        self._governing_cache[key] = governing
        return governing

    def _matches(self, doc: Doc) -> list[tuple[int, int, _Key]]:
        """Longest match wins, leftmost on ties (what spacy.util.filter_spans does), then the
        earlier kind (alias, case_sensitive, gated_alias) on identical spans. Computed on plain
        match tuples so that Spans are built only for the survivors (profiled). Token ranges with
        their key, in start order."""
        keys = self._keys
        found: list[tuple[int, int, _Key]] = []
        for match_id, start, end in self._phrases(doc):
            key = keys[match_id]
            if key.exact is not None:
                orths = (
                    (doc[start].orth,)
                    if end - start == 1
                    else tuple(doc[i].orth for i in range(start, end))
                )
                if orths not in key.exact:
                    continue  # a case-sensitive form found by its lower case, in another casing
            found.append((start, end, key))
        if not found:
            return []
        # PhraseMatcher yields start order; never rely on it. A stable sort of a sorted list
        # changes nothing and costs one C pass.
        found.sort(key=_by_start)
        # Most documents hold no overlapping matches at all: then every match stands.
        previous_end = -1
        for start, end, _ in found:
            if start < previous_end:
                break
            previous_end = end
        else:
            return found
        # Overlaps only matter within a run of mutually overlapping matches; most matches stand
        # alone and are kept as they are (profiled: the doc-wide sort and token sets cost more
        # than the phrase matching itself).
        kept: list[tuple[int, int, _Key]] = []
        cluster: list[tuple[int, int, _Key]] = []
        cluster_end = -1
        for match in found:
            if match[0] >= cluster_end:
                kept.extend(_longest_first(cluster) if len(cluster) > 1 else cluster)
                cluster = [match]
                cluster_end = match[1]
            else:
                cluster.append(match)
                cluster_end = max(cluster_end, match[1])
        kept.extend(_longest_first(cluster) if len(cluster) > 1 else cluster)
        return kept

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

    def _vetoed(
        self, doc: Doc, candidate: _Candidate, rules: tuple[ContextRule, ...], lowers: _Lowers
    ) -> bool:
        start, end = candidate.start, candidate.end
        for rule in rules:
            if rule.matcher is not None:
                lo = max(0, start - rule.reach)
                hi = min(len(doc), end + rule.reach)
                if self._may_match(rule, lowers.window(lo, hi)):
                    for _, first, last in rule.matcher(doc[lo:hi]):
                        if lo + first < end and start < lo + last:
                            return True
            if rule.negative_words and rule.negative_window:
                lo = max(0, start - rule.negative_window)
                hi = min(len(doc), end + rule.negative_window)
                negative = self._word_ids(rule.negative_words)
                if not negative.isdisjoint(lowers.window(lo, start)) or not negative.isdisjoint(
                    lowers.window(end, hi)
                ):
                    return True
        return False

    def _may_match(self, rule: ContextRule, window: list[int]) -> bool:
        """Whether some negative pattern of `rule` could match tokens with these LOWER hashes:
        each of its required words must occur (rules.pattern_requirements)."""
        requirements = self._requirement_ids.get(rule.rule_id)
        if requirements is None:
            return True
        present = set(window)
        return any(
            all(not present.isdisjoint(words) for words in pattern) for pattern in requirements
        )

    def _gate(self, doc: Doc, start: int, gating: tuple[ContextRule, ...]) -> ContextRule | None:
        """The first gating rule that makes a mention at token `start` need corroboration."""
        for rule in gating:
            if rule.gate == "always" or _opens_sentence(doc, start):
                return rule
        return None

    def _corroborated(
        self,
        doc: Doc,
        candidate: _Candidate,
        rule: ContextRule,
        strong: list[_Candidate],
        lowers: _Lowers,
    ) -> bool:
        start, end = candidate.start, candidate.end
        lo, hi = _window(doc, start, end, rule.window)
        if rule.context_words:
            context = self._word_ids(rule.context_words)
            if not context.isdisjoint(lowers.window(lo, start)) or not context.isdisjoint(
                lowers.window(end, hi)
            ):
                return True
        skill = candidate.key.skill
        for other in strong:
            if other is candidate or other.key.skill == skill:
                continue
            overlaps = other.start < hi and lo < other.end
            if overlaps and self.rules.corroborates(rule, other.key.skill):
                return True
        return False


class _Lowers:
    """LOWER hashes of a Doc's tokens. A few windows read their tokens one by one; past a budget
    the whole Doc is converted in one C pass (to_array plus tolist costs as much as a couple of
    hundred single-token reads, and most Docs only need a handful, profiled)."""

    __slots__ = ("_budget", "_doc", "_ids")

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._ids: list[int] | None = None
        self._budget = max(32, len(doc) // 4)

    def window(self, lo: int, hi: int) -> list[int]:
        if self._ids is None:
            self._budget -= hi - lo
            if self._budget >= 0:
                doc = self._doc
                return [doc[i].lower for i in range(lo, hi)]
            self._ids = self._doc.to_array(LOWER).tolist()
        return self._ids[lo:hi]


def _longest_first(
    cluster: list[tuple[int, int, _Key]],
) -> list[tuple[int, int, _Key]]:
    """Non-overlapping matches of one run of overlapping ones, in start order: longest first,
    then leftmost, then the earlier kind on identical spans (alias, case_sensitive, gated)."""
    ordered = sorted(cluster, key=lambda m: (m[0] - m[1], m[0], m[2].rank))
    kept: list[tuple[int, int, _Key]] = []
    for match in ordered:
        start, end = match[0], match[1]
        if all(end <= k[0] or k[1] <= start for k in kept):
            kept.append(match)
    kept.sort(key=lambda m: m[0])
    return kept


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
    return (extraction.doc_id, extraction.skills, tuple(map(tuple, extraction.mentions)))


def to_columns(extractions: Iterable[Extraction], taxonomy_version: str) -> MentionColumns:
    """The mentions of these extractions (a batch's, every text once), column by column,
    found with this version of the taxonomy."""
    extractions = list(extractions)
    return MentionColumns.of(
        [e.doc_id for e in extractions],
        ((e.doc_id, *mention) for e in extractions for mention in e.mentions),
        taxonomy_version,
    )


def from_plain(plain: PlainExtraction) -> Extraction:
    doc_id, skills, mentions = plain
    return Extraction(doc_id, tuple(skills), tuple(_new_tuple(Mention, m) for m in mentions))
