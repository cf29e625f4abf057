"""Context rules for ambiguous skill mentions: the mechanism; the rules themselves are data.

rules.toml (named by taxonomy.toml, hashed into the taxonomy version) holds, per skill and
optionally per surface form, negative token patterns, negative words, and a corroboration gate.
This module validates that document and compiles it against a spaCy vocabulary so the matcher
can ask, for one candidate mention: is it vetoed, and does it need corroboration?
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # spaCy takes ~2 s to import; validating a taxonomy's rules (every run does) needs none of it.
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

GATES = ("never", "sentence_start", "always")
DEFAULT_CATEGORIES = (
    "language",
    "framework",
    "library",
    "database",
    "cloud",
    "mlops",
    "data-platform",
    "devops",
    "tool",
)
_RULE_KEYS = frozenset(
    {
        "skill",
        "surfaces",
        "gate",
        "window",
        "corroborate_skills",
        "corroborate_categories",
        "context_words",
        "negative",
        "negative_words",
        "negative_window",
        "gated_aliases",
    }
)


@dataclass(frozen=True)
class ContextRule:
    """One compiled rule. `matcher` is None when the rule has no negative token patterns."""

    rule_id: str
    skill: str
    surfaces: frozenset[str]  # lower-case entries match any casing; empty means every surface
    gate: str
    window: int
    corroborate_skills: frozenset[str]
    corroborate_categories: frozenset[str]
    context_words: frozenset[str]
    negative_words: frozenset[str]
    negative_window: int
    matcher: Matcher | None
    reach: int  # tokens either side a negative pattern may need around the mention
    # Per negative pattern, the lower-case words of which one must occur among the tokens the
    # matcher sees for that pattern to match (one set per required token); None when some
    # pattern constrains no token that way. Lets the matcher skip running patterns that cannot
    # match, which was a tenth of extraction time (profiled).
    requirements: tuple[tuple[frozenset[str], ...], ...] | None = None


@dataclass(frozen=True)
class CompanySlot:
    applies_to: str  # "ambiguous_case_sensitive" | "ambiguous" | "all" | "none"
    separators: tuple[str, ...]


def validate_rules(document: Mapping[str, Any], skill_ids: Iterable[str]) -> list[str]:
    """Problems in a rules document, one message each; empty when it is usable."""
    known = set(skill_ids)
    problems: list[str] = []
    defaults = document.get("defaults", {})
    if defaults.get("gate", "sentence_start") not in GATES:
        problems.append(f"[defaults] gate must be one of {GATES}")
    for index, rule in enumerate(document.get("rule", [])):
        where = f"rule #{index + 1} ({rule.get('skill', '?')})"
        unknown = set(rule) - _RULE_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if rule.get("skill") not in known:
            problems.append(f"{where}: unknown skill {rule.get('skill')!r}")
        if rule.get("gate", "never") not in GATES:
            problems.append(f"{where}: gate must be one of {GATES}")
        for skill_id in rule.get("corroborate_skills", []):
            if skill_id not in known:
                problems.append(f"{where}: corroborate_skills names unknown skill {skill_id!r}")
        for pattern in rule.get("negative", []):
            if not isinstance(pattern, list) or not all(isinstance(t, dict) for t in pattern):
                problems.append(f"{where}: each negative pattern must be a list of token tables")
    suffixes = document.get("company_suffix", {}).get("words", [])
    if not isinstance(suffixes, list) or not all(isinstance(w, str) and w for w in suffixes):
        problems.append("[company_suffix] words must be a list of non-empty strings")
    return problems


def pattern_requirements(
    patterns: Iterable[list[Mapping[str, Any]]],
) -> tuple[tuple[frozenset[str], ...], ...] | None:
    """For each Matcher pattern, the sets of lower-case words one of which some token must have
    for the pattern to match: one set per token table that is neither optional nor negated and
    names its ORTH, TEXT or LOWER literally or by IN. None when a pattern has no such table,
    since nothing then rules it out. A necessary condition only: the Matcher still decides."""
    found: list[tuple[frozenset[str], ...]] = []
    for pattern in patterns:
        required: list[frozenset[str]] = []
        for table in pattern:
            if table.get("OP", "1") not in ("1", "+"):
                continue  # "?", "*", "!" and counted ops may match no token, or must not match
            words = _literal_lowers(table)
            if words is not None:
                required.append(words)
        if not required:
            return None
        found.append(tuple(required))
    return tuple(found)


def pattern_attributes(document: Mapping[str, Any]) -> frozenset[str]:
    """The token attributes (upper-case, as spaCy reads them) that a rules document's negative
    patterns test, such as LOWER, IS_TITLE or LIKE_URL."""
    return frozenset(
        str(name).upper()
        for rule in document.get("rule", [])
        for pattern in rule.get("negative", [])
        for table in pattern
        if isinstance(table, Mapping)
        for name in table
        if str(name).upper() != "OP"
    )


def _literal_lowers(table: Mapping[str, Any]) -> frozenset[str] | None:
    """The lower-case forms a token matching `table` must have, or None when unconstrained."""
    for attr, lower in (("LOWER", False), ("ORTH", True), ("TEXT", True)):
        value = table.get(attr)
        if isinstance(value, str):
            values: list[str] = [value]
        elif isinstance(value, Mapping) and set(value) == {"IN"} and isinstance(value["IN"], list):
            values = [v for v in value["IN"] if isinstance(v, str)]
            if len(values) != len(value["IN"]):
                continue
        else:
            continue
        return frozenset(v.lower() if lower else v for v in values)
    return None


class RuleSet:
    """The rules of one taxonomy, compiled for one vocabulary (one per SkillExtractor)."""

    def __init__(
        self,
        document: Mapping[str, Any],
        vocab: Vocab,
        categories: Mapping[str, str],
        ambiguous: frozenset[str],
    ) -> None:
        defaults = document.get("defaults", {})
        self.default_window = int(defaults.get("window", 8))
        self.default_categories = frozenset(
            defaults.get("corroborate_categories", DEFAULT_CATEGORIES)
        )
        self.default_gate = str(defaults.get("gate", "sentence_start"))
        slot = document.get("company_slot", {})
        self.company_slot = CompanySlot(
            applies_to=str(slot.get("applies_to", "none")),
            separators=tuple(slot.get("separators", ())),
        )
        # "Docker Inc", "Docker, Inc.": a skill name followed by a legal form is a company name.
        # Matched on the text right after a mention (pattern.match(text, end)); None when unset.
        # It opens with a blank or a comma, which the matcher tests before running it.
        suffixes = document.get("company_suffix", {}).get("words", [])
        words = "|".join(map(re.escape, suffixes))
        self.company_suffix: re.Pattern[str] | None = (
            re.compile(rf"(?:[ \t]*,[ \t]*|[ \t]+)(?:{words})\.?(?!\w)") if suffixes else None
        )
        self.categories = dict(categories)
        self.ambiguous = ambiguous
        self.gated_aliases: dict[str, list[str]] = {}
        self.rules_by_skill: dict[str, list[ContextRule]] = {}
        counters: dict[str, int] = {}
        for raw in document.get("rule", []):
            skill = raw["skill"]
            counters[skill] = counters.get(skill, 0) + 1
            rule = self._compile(f"{skill}#{counters[skill]}", raw, vocab)
            self.rules_by_skill.setdefault(skill, []).append(rule)
            if raw.get("gated_aliases"):
                self.gated_aliases.setdefault(skill, []).extend(raw["gated_aliases"])
        self.default_rule = ContextRule(
            rule_id="default",
            skill="*",
            surfaces=frozenset(),
            gate=self.default_gate,
            window=self.default_window,
            corroborate_skills=frozenset(),
            corroborate_categories=self.default_categories,
            context_words=frozenset(),
            negative_words=frozenset(),
            negative_window=0,
            matcher=None,
            reach=0,
        )

    def _compile(self, rule_id: str, raw: Mapping[str, Any], vocab: Vocab) -> ContextRule:
        matcher = None
        patterns = raw.get("negative", [])
        if patterns:
            from spacy.matcher import Matcher

            matcher = Matcher(vocab)
            matcher.add(rule_id, [list(p) for p in patterns])
        has_skills = "corroborate_skills" in raw
        has_categories = "corroborate_categories" in raw
        # A rule that names neither inherits the default categories; naming either one
        # replaces them, so "only these skills" is expressible.
        categories = (
            frozenset(raw.get("corroborate_categories", []))
            if has_skills or has_categories
            else self.default_categories
        )
        return ContextRule(
            rule_id=rule_id,
            skill=raw["skill"],
            surfaces=frozenset(raw.get("surfaces", [])),
            gate=str(raw.get("gate", "never")),
            window=int(raw.get("window", self.default_window)),
            corroborate_skills=frozenset(raw.get("corroborate_skills", [])),
            corroborate_categories=categories,
            context_words=frozenset(w.lower() for w in raw.get("context_words", [])),
            negative_words=frozenset(w.lower() for w in raw.get("negative_words", [])),
            negative_window=int(raw.get("negative_window", 0)),
            matcher=matcher,
            reach=max((len(p) for p in patterns), default=0) + 1,
            requirements=pattern_requirements(patterns) if patterns else None,
        )

    def rules_for(self, skill: str, surface: str, base_rule: str) -> list[ContextRule]:
        """The rules governing one mention; the default gate for unruled case-sensitive forms
        of ambiguous skills; nothing for the rest."""
        rules = self.rules_by_skill.get(skill, ())
        exact = [r for r in rules if surface in r.surfaces and surface != surface.lower()]
        if exact:
            return exact
        lowered = surface.lower()
        found = [r for r in rules if not r.surfaces or lowered in r.surfaces]
        if found:
            return found
        if base_rule == "case_sensitive" and skill in self.ambiguous:
            return [self.default_rule]
        return []

    def corroborates(self, rule: ContextRule, skill: str) -> bool:
        return skill in rule.corroborate_skills or (
            self.categories.get(skill, "") in rule.corroborate_categories
        )
