"""A batch's skill mentions, column by column: what an extraction worker sends back and what
lands in raw_mentions.

Why columns and not a tuple per mention: the process that lands mentions also feeds the
workers, and every Python object it handles per mention is CPU taken from two workers that
already fill both cores. A tuple per mention cost that process unpickling it, a key and a row
tuple for de-duplication, and DuckDB's appender converting eight values one by one (a million
postings bring 6.4M mentions). Here a mention is an index into the batch's texts, into small
lists of the skill ids, sections and rules the batch uses, and two offsets, all in typed
arrays that pickle as bytes and that DuckDB reads whole; only the surface text is a string
per mention (docs/BENCHMARKS.md, item 70).

Importable without spaCy and without numpy: the worker builds these from its extractions, and
the landing process (warehouse.raw_store) turns them into numpy arrays.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# (doc_id, skill_id, start_char, end_char, surface, section, rule): one mention as found.
FoundMention = tuple[str, str, int, int, str, str, str]
# array typecode of the index and offset columns: C int (numpy's intc reads them back).
INDEX_TYPE = "i"


@dataclass
class MentionColumns:
    """Mentions of one batch of texts; `of` keeps at most one per text × start_char × skill_id.

    `doc_ids` are the batch's texts (content hashes), each once and in the batch's order, with
    or without mentions: landing marks all of them extracted. Each mention's text, skill,
    section and rule are indexes into `doc_ids`, `skill_ids`, `sections` and `rules`.
    `taxonomy_version` is the version of the taxonomy they were found with, when known:
    landing refuses to store them under another.
    """

    doc_ids: list[str] = field(default_factory=list)
    skill_ids: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    doc: array = field(default_factory=lambda: array(INDEX_TYPE))
    skill: array = field(default_factory=lambda: array(INDEX_TYPE))
    start: array = field(default_factory=lambda: array(INDEX_TYPE))
    end: array = field(default_factory=lambda: array(INDEX_TYPE))
    section: array = field(default_factory=lambda: array(INDEX_TYPE))
    rule: array = field(default_factory=lambda: array(INDEX_TYPE))
    surface: list[str] = field(default_factory=list)
    taxonomy_version: str | None = None

    def __post_init__(self) -> None:
        # Refused where the columns are made (pickling restores them without this check;
        # landing checks the indexes' range again).
        mentions = len(self.surface)
        for name in ("doc", "skill", "start", "end", "section", "rule"):
            if len(getattr(self, name)) != mentions:
                raise ValueError(
                    f"{len(getattr(self, name))} {name} values for {mentions} mentions"
                )
        if len(set(self.doc_ids)) != len(self.doc_ids):
            raise ValueError("a text is named twice in the batch's doc_ids")

    @classmethod
    def of(
        cls,
        doc_ids: Sequence[str],
        mentions: Iterable[FoundMention],
        taxonomy_version: str | None = None,
    ) -> MentionColumns:
        """The columns of these texts' mentions; of several mentions with the same text,
        start_char and skill_id, the first is kept. A mention of a text not in `doc_ids` is
        refused (ValueError): it could not be marked extracted with the rest."""
        texts = list(dict.fromkeys(doc_ids))
        doc_index = {doc_id: i for i, doc_id in enumerate(texts)}
        # Each value's code is the order it first came in: list(codes) is then the value list.
        skill_codes: dict[str, int] = {}
        section_codes: dict[str, int] = {}
        rule_codes: dict[str, int] = {}
        doc, skill, start_char, end_char, section, rule = (array(INDEX_TYPE) for _ in range(6))
        surfaces: list[str] = []
        seen: set[tuple[int, int, str]] = set()
        for doc_id, skill_id, start, end, surface, section_name, rule_name in mentions:
            try:
                text = doc_index[doc_id]
            except KeyError:
                raise ValueError(f"a mention of text {doc_id!r}, not one of the batch") from None
            key = (text, start, skill_id)
            if key in seen:
                continue
            seen.add(key)
            doc.append(text)
            skill.append(skill_codes.setdefault(skill_id, len(skill_codes)))
            start_char.append(start)
            end_char.append(end)
            surfaces.append(surface)
            section.append(section_codes.setdefault(section_name, len(section_codes)))
            rule.append(rule_codes.setdefault(rule_name, len(rule_codes)))
        return cls(
            texts,
            list(skill_codes),
            list(section_codes),
            list(rule_codes),
            doc,
            skill,
            start_char,
            end_char,
            section,
            rule,
            surfaces,
            taxonomy_version,
        )

    def __len__(self) -> int:
        """The number of mentions."""
        return len(self.surface)

    def rows(self, taxonomy_version: str) -> list[tuple[str, str, str, int, int, str, str, str]]:
        """One tuple per mention in raw_store.MENTION_COLUMNS order, in the order found."""
        return [
            (
                self.doc_ids[doc],
                taxonomy_version,
                self.skill_ids[skill],
                start,
                end,
                surface,
                self.sections[section],
                self.rules[rule],
            )
            for doc, skill, start, end, surface, section, rule in zip(
                self.doc,
                self.skill,
                self.start,
                self.end,
                self.surface,
                self.section,
                self.rule,
                strict=True,
            )
        ]
