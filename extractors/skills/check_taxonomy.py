"""Structural validator for the skill taxonomy (taxonomy.toml).

Usage: python3 extractors/skills/check_taxonomy.py [path/to/taxonomy.toml]

Prints one line per problem and exits with status 1 if there are any. Only the file's
structure and internal consistency are checked; the project does not read the shared spec
at run time.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("taxonomy.toml")

ALLOWED_CATEGORIES: frozenset[str] = frozenset(
    {
        "language",
        "framework",
        "library",
        "database",
        "cloud",
        "mlops",
        "data-platform",
        "devops",
        "concept",
        "method",
        "application-area",
        "practice",
        "soft-skill",
        "tool",
    }
)

# Skills named in the "Becoming a Machine Learning Engineer" roadmap article, with their article area.
IN_ARTICLE_AREAS: dict[str, str] = {
    "python": "programming-languages",
    "r": "programming-languages",
    "java": "programming-languages",
    "statistics": "statistics-and-algorithms",
    "regression": "statistics-and-algorithms",
    "clustering": "statistics-and-algorithms",
    "decision-trees": "statistics-and-algorithms",
    "random-forests": "statistics-and-algorithms",
    "gradient-descent": "statistics-and-algorithms",
    "algorithms": "statistics-and-algorithms",
    "data-structures": "data-structures-and-databases",
    "mysql": "data-structures-and-databases",
    "mongodb": "data-structures-and-databases",
    "tensorflow": "deep-learning-frameworks",
    "pytorch": "deep-learning-frameworks",
    "keras": "deep-learning-frameworks",
    "problem-solving": "problem-solving-and-communication",
    "communication": "problem-solving-and-communication",
    "open-source": "practice-projects",
}

ALLOWED_ARTICLE_AREAS: frozenset[str] = frozenset(IN_ARTICLE_AREAS.values())

REQUIRED_KEYS: dict[str, type] = {
    "id": str,
    "name": str,
    "category": str,
    "roadmap_area": str,
    "in_article": bool,
    "aliases": list,
    "case_sensitive": list,
    "parents": list,
    "ambiguous": bool,
}
OPTIONAL_KEYS: frozenset[str] = frozenset({"article_area"})

KEBAB_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^\d{4}\.(0[1-9]|1[0-2])\.\d+$")


def _check_skill_shape(index: int, skill: Any) -> list[str]:
    """Return problems with one [[skills]] table's keys and value types."""
    if not isinstance(skill, dict):
        return [f"skills[{index}]: not a table"]
    label = f"skills[{index}] ({skill.get('id', '?')})"
    problems: list[str] = []
    for key, expected in REQUIRED_KEYS.items():
        if key not in skill:
            problems.append(f"{label}: missing key '{key}'")
        elif not isinstance(skill[key], expected):
            problems.append(f"{label}: '{key}' must be {expected.__name__}")
    for key in skill:
        if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
            problems.append(f"{label}: unknown key '{key}'")
    for key in ("aliases", "case_sensitive", "parents"):
        values = skill.get(key)
        if isinstance(values, list):
            for value in values:
                if not isinstance(value, str) or not value.strip():
                    problems.append(
                        f"{label}: '{key}' holds an empty or non-string value {value!r}"
                    )
                elif value != value.strip():
                    problems.append(f"{label}: '{key}' value {value!r} has surrounding whitespace")
            if len(set(map(str, values))) != len(values):
                problems.append(f"{label}: '{key}' has duplicate entries")
    return problems


def _check_skill_values(skill: dict[str, Any]) -> list[str]:
    """Return problems with one well-shaped skill's values (ids, categories, article flags)."""
    sid = skill["id"]
    problems: list[str] = []
    if not KEBAB_RE.match(sid):
        problems.append(f"{sid}: id is not lowercase kebab-case")
    if not skill["name"].strip():
        problems.append(f"{sid}: empty name")
    if skill["category"] not in ALLOWED_CATEGORIES:
        problems.append(f"{sid}: category '{skill['category']}' is not allowed")
    if not KEBAB_RE.match(skill["roadmap_area"]):
        problems.append(f"{sid}: roadmap_area '{skill['roadmap_area']}' is not kebab-case")
    if not skill["aliases"] and not skill["case_sensitive"]:
        problems.append(f"{sid}: no surface forms (aliases and case_sensitive both empty)")
    for alias in skill["aliases"]:
        if isinstance(alias, str) and alias != alias.lower():
            problems.append(
                f"{sid}: alias {alias!r} is not lowercase (use case_sensitive for exact case)"
            )
    if sid in skill["parents"]:
        problems.append(f"{sid}: lists itself as parent")

    in_article = skill["in_article"]
    has_area = "article_area" in skill
    if in_article and sid not in IN_ARTICLE_AREAS:
        problems.append(f"{sid}: in_article = true but it is not one of the roadmap-article skills")
    if not in_article and sid in IN_ARTICLE_AREAS:
        problems.append(f"{sid}: roadmap-article skill must have in_article = true")
    if in_article and not has_area:
        problems.append(f"{sid}: in_article skill needs article_area")
    if has_area and not in_article:
        problems.append(f"{sid}: article_area given but in_article is false")
    if has_area:
        area = skill["article_area"]
        if area not in ALLOWED_ARTICLE_AREAS:
            problems.append(f"{sid}: article_area {area!r} is not allowed")
        elif sid in IN_ARTICLE_AREAS and area != IN_ARTICLE_AREAS[sid]:
            problems.append(
                f"{sid}: article_area should be '{IN_ARTICLE_AREAS[sid]}', not {area!r}"
            )
    return problems


def _check_surface_forms(skills: list[dict[str, Any]]) -> list[str]:
    """Every surface form belongs to exactly one skill.

    Aliases are compared case-insensitively with all other aliases and case-sensitive forms.
    Case-sensitive forms must be unique exactly, and must not collide case-insensitively with
    another skill's forms (variants like "Llama"/"LLaMA" within one skill are fine).
    """
    problems: list[str] = []
    owner_by_lower: dict[str, str] = {}
    exact_cs: dict[str, str] = {}
    for skill in skills:
        sid = skill["id"]
        own_lower: set[str] = set()
        for alias in skill["aliases"]:
            low = alias.lower()
            if low in own_lower:
                problems.append(f"{sid}: surface form {alias!r} listed twice")
            own_lower.add(low)
        for form in skill["case_sensitive"]:
            if form in exact_cs and exact_cs[form] != sid:
                problems.append(
                    f"{sid}: case-sensitive form {form!r} also belongs to {exact_cs[form]}"
                )
            exact_cs[form] = sid
            if form.lower() in (a.lower() for a in skill["aliases"]):
                problems.append(f"{sid}: case-sensitive form {form!r} is redundant with an alias")
            own_lower.add(form.lower())
        for low in own_lower:
            other = owner_by_lower.get(low)
            if other is not None and other != sid:
                problems.append(f"{sid}: surface form {low!r} also belongs to {other}")
            else:
                owner_by_lower[low] = sid
    return problems


def _check_parents(graph: dict[str, list[str]]) -> list[str]:
    """Parents must exist and the parent graph (id -> parent ids) must be acyclic."""
    problems: list[str] = []
    for sid, parents in graph.items():
        for parent in parents:
            if parent not in graph:
                problems.append(f"{sid}: parent '{parent}' does not exist")

    white, grey, black = 0, 1, 2
    colour: dict[str, int] = dict.fromkeys(graph, white)
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        colour[node] = grey
        path.append(node)
        for parent in graph[node]:
            if parent not in graph:
                continue
            if colour[parent] == grey:
                cycle = [*path[path.index(parent) :], parent]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    problems.append("parent cycle: " + " -> ".join(cycle))
            elif colour[parent] == white:
                visit(parent, path)
        path.pop()
        colour[node] = black

    for sid in graph:
        if colour[sid] == white:
            visit(sid, [])
    return problems


def validate(path: str | Path) -> list[str]:
    """Return a list of human-readable problems found in the taxonomy file (empty when valid)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"cannot read {path}: {exc}"]

    problems: list[str] = []
    version = data.get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        problems.append(f"version missing or not YYYY.MM.N: {version!r}")
    for key in data:
        if key not in ("version", "skills", "rules"):
            problems.append(f"unknown top-level key '{key}'")

    raw_skills = data.get("skills")
    if not isinstance(raw_skills, list) or not raw_skills:
        problems.append("no [[skills]] tables")
        return problems

    shape_ok: list[dict[str, Any]] = []
    for index, skill in enumerate(raw_skills):
        shape_problems = _check_skill_shape(index, skill)
        problems.extend(shape_problems)
        if not shape_problems:
            shape_ok.append(skill)

    seen: set[str] = set()
    for skill in shape_ok:
        if skill["id"] in seen:
            problems.append(f"{skill['id']}: duplicate id")
        seen.add(skill["id"])
        problems.extend(_check_skill_values(skill))

    problems.extend(_check_surface_forms(shape_ok))
    # Parents are checked over every table with a string id, even one with other shape
    # problems, so a single bad table does not also produce "parent does not exist" noise.
    graph: dict[str, list[str]] = {}
    for skill in raw_skills:
        if isinstance(skill, dict) and isinstance(skill.get("id"), str):
            parents = skill.get("parents")
            valid = isinstance(parents, list) and all(isinstance(p, str) for p in parents)
            graph.setdefault(skill["id"], list(parents) if valid else [])
    problems.extend(_check_parents(graph))
    if "rules" in data:
        problems.extend(_check_rules(Path(path).parent / str(data["rules"]), shape_ok))
    return problems


def _check_rules(rules_path: Path, skills: list[dict[str, Any]]) -> list[str]:
    """The rules file the taxonomy names: readable, naming known skills, valid gates, and its
    gated aliases owned by no other skill (stdlib only, like the rest of this script)."""
    try:
        with open(rules_path, "rb") as fh:
            rules = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"rules: cannot read {rules_path}: {exc}"]
    ids = {s["id"] for s in skills}
    owner = {
        form.lower(): s["id"] for s in skills for form in (*s["aliases"], *s["case_sensitive"])
    }
    problems: list[str] = []
    for index, rule in enumerate(rules.get("rule", [])):
        where = f"rules: rule #{index + 1} ({rule.get('skill', '?')})"
        if rule.get("skill") not in ids:
            problems.append(f"{where}: unknown skill")
        if rule.get("gate", "never") not in ("never", "sentence_start", "always"):
            problems.append(f"{where}: bad gate {rule.get('gate')!r}")
        for other in rule.get("corroborate_skills", []):
            if other not in ids:
                problems.append(f"{where}: corroborate_skills names unknown skill {other!r}")
        for alias in rule.get("gated_aliases", []):
            if owner.get(alias.lower(), rule.get("skill")) != rule.get("skill"):
                problems.append(f"{where}: gated alias {alias!r} belongs to {owner[alias.lower()]}")
    return problems


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    problems = validate(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    print(f"{path}: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
