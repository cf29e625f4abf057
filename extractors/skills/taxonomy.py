"""The skill taxonomy: versioned data in taxonomy.toml, loaded into typed records."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("taxonomy.toml")


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    category: str
    roadmap_area: str
    in_article: bool
    article_area: str | None
    aliases: tuple[str, ...]
    case_sensitive: tuple[str, ...]
    parents: tuple[str, ...]
    ambiguous: bool


@dataclass(frozen=True)
class Taxonomy:
    declared_version: str
    content_sha256: str  # taxonomy file plus its rules file, so a rule edit is a new version
    skills: dict[str, Skill]
    # The context-rules document (rules.toml) the taxonomy names; empty when it names none.
    rules: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def version(self) -> str:
        """The declared version plus a content hash, so an edit without a bump still shows."""
        return f"{self.declared_version}+{self.content_sha256[:8]}"

    @cached_property
    def _ancestor_map(self) -> dict[str, frozenset[str]]:
        resolved: dict[str, frozenset[str]] = {}

        def ancestors(skill_id: str, trail: tuple[str, ...]) -> frozenset[str]:
            if skill_id in resolved:
                return resolved[skill_id]
            if skill_id in trail:
                raise ValueError(
                    f"taxonomy parents form a cycle: {' -> '.join((*trail, skill_id))}"
                )
            found: set[str] = set()
            for parent in self.skills[skill_id].parents:
                found.add(parent)
                found |= ancestors(parent, (*trail, skill_id))
            resolved[skill_id] = frozenset(found)
            return resolved[skill_id]

        for skill_id in self.skills:
            ancestors(skill_id, ())
        return resolved

    def ancestors(self, skill_id: str) -> frozenset[str]:
        """Every skill that `skill_id` implies through its parents, transitively."""
        return self._ancestor_map[skill_id]

    def with_ancestors(self, skill_ids: set[str]) -> set[str]:
        expanded = set(skill_ids)
        for skill_id in skill_ids:
            expanded |= self.ancestors(skill_id)
        return expanded


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file; ValueError names the skill and the problem."""
    source = path or DEFAULT_TAXONOMY_PATH
    raw_bytes = source.read_bytes()
    document = tomllib.loads(raw_bytes.decode("utf-8"))
    skills: dict[str, Skill] = {}
    for entry in document.get("skills", []):
        skill_id = entry.get("id")
        if not skill_id or skill_id in skills:
            raise ValueError(f"{source}: missing or duplicate skill id {skill_id!r}")
        skills[skill_id] = Skill(
            id=skill_id,
            name=entry.get("name", skill_id),
            category=entry.get("category", "concept"),
            roadmap_area=entry.get("roadmap_area", "other"),
            in_article=bool(entry.get("in_article", False)),
            article_area=entry.get("article_area"),
            aliases=tuple(entry.get("aliases", [])),
            case_sensitive=tuple(entry.get("case_sensitive", [])),
            parents=tuple(entry.get("parents", [])),
            ambiguous=bool(entry.get("ambiguous", False)),
        )
    for skill in skills.values():
        missing = [p for p in skill.parents if p not in skills]
        if missing:
            raise ValueError(f"{source}: skill {skill.id!r} has unknown parents {missing}")
    digest = hashlib.sha256(raw_bytes)
    rules: dict[str, Any] = {}
    if (rules_path := _rules_path(source, document)) is not None:
        if not rules_path.is_file():
            raise ValueError(f"{source}: rules file {rules_path} does not exist")
        rules_bytes = rules_path.read_bytes()
        rules = tomllib.loads(rules_bytes.decode("utf-8"))
        # Local import: rules.py imports spaCy, which plain taxonomy readers need not load.
        from extractors.skills.rules import validate_rules

        problems = validate_rules(rules, skills)
        if problems:
            raise ValueError(f"{rules_path}: " + "; ".join(problems))
        digest.update(b"\0rules\0" + rules_bytes)
    taxonomy = Taxonomy(
        declared_version=str(document.get("version", "0")),
        content_sha256=digest.hexdigest(),
        skills=skills,
        rules=rules,
    )
    _ = taxonomy._ancestor_map  # fail fast on cycles
    return taxonomy


def taxonomy_files(path: Path | None = None) -> list[Path]:
    """The files load_taxonomy reads for `path`: the taxonomy file and the rules file it names,
    if any (so a caller can tell when either changes)."""
    source = path or DEFAULT_TAXONOMY_PATH
    rules_path = _rules_path(source, tomllib.loads(source.read_text(encoding="utf-8")))
    return [source] if rules_path is None else [source, rules_path]


def _rules_path(source: Path, document: dict[str, Any]) -> Path | None:
    return source.parent / str(document["rules"]) if document.get("rules") else None
