"""Measure the extractor against hand-labelled sets: precision, recall and F1 per core skill.

Two sets live in tests/fixtures/extraction/:
  dev_postings.jsonl    posting-level labels for HN postings (id and expected core ids only;
                        the texts stay in the shared corpus and are looked up at run time);
  hard_sentences.jsonl  sentences written for the ambiguous words, with expected and forbidden
                        ids (self-contained, so the test suite uses it).
Scores are restricted to the 49 core ids of the shared spec (core_skills.csv), because those are
the ids whose senses were labelled; extra taxonomy skills are neither rewarded nor punished.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractors.skills.matcher import SkillExtractor
from extractors.sources.jsonl import decode_record

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "extraction"
DEV_SET = FIXTURES / "dev_postings.jsonl"
HARD_SET = FIXTURES / "hard_sentences.jsonl"
# Where the labelled postings' texts live; never copied into the repository.
CORPUS_CANDIDATES = (
    REPO_ROOT.parent / "shared" / "data" / "postings_real_dev_sample.jsonl",
    REPO_ROOT.parent / "shared" / "data" / "postings_real.jsonl",
)

# The fixed core of the shared spec (core_skills.csv), in its order.
CORE_IDS: tuple[str, ...] = (
    "python", "r", "java", "go", "scala", "cpp", "javascript", "sql", "mysql", "postgresql",
    "mongodb", "spark", "hadoop", "kafka", "airflow", "docker", "kubernetes", "aws", "gcp",
    "azure", "tensorflow", "pytorch", "keras", "jax", "scikit-learn", "pandas", "numpy", "xgboost",
    "hugging-face", "mlflow", "machine-learning", "deep-learning", "statistics", "regression",
    "clustering", "decision-trees", "random-forests", "gradient-descent", "algorithms",
    "data-structures", "nlp", "computer-vision", "llm", "mlops", "linux", "git", "open-source",
    "problem-solving", "communication",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    case_id: str
    text: str
    expected: frozenset[str]
    forbidden: frozenset[str] = frozenset()


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    name: str
    cases: int
    per_skill: dict[str, Counts] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # case, kind, skill

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.per_skill.values():
            total.tp += counts.tp
            total.fp += counts.fp
            total.fn += counts.fn
        return total

    @property
    def macro_f1(self) -> float:
        supported = [c for c in self.per_skill.values() if c.tp + c.fn + c.fp]
        return sum(c.f1 for c in supported) / len(supported) if supported else 0.0

    def lines(self, worst: int = 49) -> list[str]:
        micro = self.micro
        rows = [
            f"{self.name}: {self.cases} cases, micro P {micro.precision:.3f} R {micro.recall:.3f} "
            f"F1 {micro.f1:.3f} (tp {micro.tp}, fp {micro.fp}, fn {micro.fn}); "
            f"macro F1 {self.macro_f1:.3f}",
            f"  {'skill':<18}{'support':>8}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}",
        ]
        ranked = sorted(
            ((s, c) for s, c in self.per_skill.items() if c.tp + c.fp + c.fn),
            key=lambda item: (item[1].f1, -(item[1].tp + item[1].fn)),
        )
        for skill, c in ranked[:worst]:
            rows.append(
                f"  {skill:<18}{c.tp + c.fn:>8}{c.tp:>5}{c.fp:>5}{c.fn:>5}"
                f"{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}"
            )
        return rows


def read_jsonl(path: Path) -> Iterator[dict]:
    """The JSON objects of a JSONL file; ValueError naming the file and line of a bad one."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                try:
                    yield decode_record(raw)
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: {exc}") from None


def hard_cases(path: Path = HARD_SET) -> list[Case]:
    return [
        Case(r["id"], r["text"], frozenset(r["expected"]), frozenset(r.get("forbidden", ())))
        for r in read_jsonl(path)
    ]


def find_corpus() -> Path | None:
    return next((p for p in CORPUS_CANDIDATES if p.is_file()), None)


def dev_cases(path: Path = DEV_SET, corpus: Path | None = None) -> list[Case]:
    """The labelled postings with their texts, read from the shared corpus; ValueError when the
    corpus is missing or lacks a labelled id."""
    if corpus is not None and not corpus.is_file():
        raise ValueError(f"no postings corpus at {corpus}")
    corpus = corpus or find_corpus()
    if corpus is None:
        raise ValueError("postings corpus not found; pass --corpus (the shared HN dev sample)")
    labels = list(read_jsonl(path))
    wanted = {row["id"] for row in labels}
    # Lines of the corpus without an id cannot be labelled ones; a labelled one needs its text.
    texts = {r["id"]: r.get("text") for r in read_jsonl(corpus) if r.get("id") in wanted}
    textless = sorted(posting for posting, text in texts.items() if not isinstance(text, str))
    if textless:
        raise ValueError(f"{corpus} has no text for labelled postings {textless[:3]}")
    missing = sorted(wanted - texts.keys())
    if missing:
        raise ValueError(f"{corpus} lacks {len(missing)} labelled postings, e.g. {missing[:3]}")
    return [Case(r["id"], texts[r["id"]], frozenset(r["expected"])) for r in labels]


def evaluate(
    extractor: SkillExtractor, cases: Iterable[Case], name: str, core: Iterable[str] = CORE_IDS
) -> Report:
    core_ids = tuple(core)
    core_set = frozenset(core_ids)
    cases = list(cases)
    report = Report(name, len(cases), {skill: Counts() for skill in core_ids})
    results = extractor.extract_many((c.case_id, c.text) for c in cases)
    for case, result in zip(cases, results, strict=True):
        predicted = frozenset(result.skills) & core_set
        for skill in predicted & case.expected:
            report.per_skill[skill].tp += 1
        for skill in predicted - case.expected:
            report.per_skill[skill].fp += 1
            report.errors.append((case.case_id, "fp", skill))
        for skill in (case.expected & core_set) - predicted:
            report.per_skill[skill].fn += 1
            report.errors.append((case.case_id, "fn", skill))
    return report
