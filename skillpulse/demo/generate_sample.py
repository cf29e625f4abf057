#!/usr/bin/env python3
"""Deterministic generator for the offline demo's replay payloads.

Run from the repository root:

    python skillpulse/demo/generate_sample.py

It deletes and rewrites ``skillpulse/demo/sample/``. The output is byte-identical from run to
run (one ``random.Random(SEED)``, fixed iteration order, no clock, no environment).

Everything in the payloads is invented: companies, people, domains (``*.example``), ids and
posting text. Only the *shapes* follow the real public APIs (Greenhouse Job Board, Lever
Postings, Ashby Job Posting, Algolia HN search/items), as described in the design notes
(``sources.md`` sections 1.1-1.3 and 1.6) and the captured fixtures in ``api_samples``.

Known deviations from one real capture: Lever's ``workplaceType`` for office jobs is ``onsite``
on one site (as in the captured Spotify payload) and ``on-site`` on the other (as in the Lever
docs); collectors should accept both. On Ashby ``cobalt-mesa`` one job has
``shouldDisplayCompensationOnJobPostings: false`` while its ``compensation`` is still filled in,
to test that collectors honour the flag (on ``tessellate`` it is empty, as in the capture).

Layout written::

    sample/greenhouse/<board>.json     GET /v1/boards/<board>/jobs?content=true
    sample/lever/<site>.json           GET /v0/postings/<site>?mode=json (whole array)
    sample/ashby/<board>.json          GET /posting-api/job-board/<board>?includeCompensation=true
    sample/hn/search_by_date.json      GET /api/v1/search_by_date?tags=story,author_whoishiring
    sample/hn/items/<id>.json          GET /api/v1/items/<id> (each "Who is hiring?" thread)

What the content is built to show:

* skill demand that moves between 2024-01 and 2026-11 (``RATES``: LLM/RAG/vector DBs/
  fine-tuning rising, PyTorch rising, TensorFlow/Keras falling, Spark/Hadoop/R falling, ...);
* a role mix of roughly 40% ML engineering, 20% data, 30% software, 10% other;
* ambiguity traps for the skill extractor (``R&D``, ``go-to-market``, ``regression testing``,
  ``Kubernetes clusters``, ``Terraform (TF)``, ``LL.M.``, ``5 mL``, ``red pandas``, ...);
* deliberate duplicates: two jobs cross-posted on Greenhouse ``quanta-health`` and Lever
  ``quanta-health`` with identical title and text, and one HN comment reposted verbatim in
  two consecutive months.
"""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

SEED = 20261121
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
MAX_SAMPLE_BYTES = 2_500_000

T = TypeVar("T")

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
FIRST_MONTH = (2024, 1)
LAST_MONTH = (2026, 11)
BOARD_START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
BOARD_END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
SNAPSHOT = datetime(2026, 11, 20, 22, 10, 0, tzinfo=UTC)  # "when the demo data was captured"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def weighted(rng: random.Random, pairs: Sequence[tuple[T, float]]) -> T:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def join_words(words: Sequence[str], conj: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    if len(words) == 2:
        return f"{words[0]} {conj} {words[1]}"
    return f"{', '.join(words[:-1])} {conj} {words[-1]}"


def months() -> list[tuple[int, int]]:
    out = []
    y, m = FIRST_MONTH
    while (y, m) <= LAST_MONTH:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trend_t(moment: datetime) -> float:
    """0.0 at 2024-01-01, 1.0 at 2026-11-01: the x axis of every skill trend."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    return max(0.0, min(1.0, (moment - start) / (end - start)))


def us_eastern_dst(moment: datetime) -> bool:
    """US daylight saving time: 2nd Sunday of March 07:00 UTC to 1st Sunday of Nov 06:00 UTC."""
    y = moment.year
    march_first_sunday = 1 + (6 - date(y, 3, 1).weekday()) % 7
    nov_first_sunday = 1 + (6 - date(y, 11, 1).weekday()) % 7
    start = datetime(y, 3, march_first_sunday + 7, 7, tzinfo=UTC)
    end = datetime(y, 11, nov_first_sunday, 6, tzinfo=UTC)
    return start <= moment < end


def eastern_iso(moment: datetime) -> str:
    """Greenhouse style: local New York time with its offset, e.g. 2026-09-30T14:02:11-04:00."""
    hours = -4 if us_eastern_dst(moment) else -5
    local = (moment + timedelta(hours=hours)).replace(tzinfo=None)
    return f"{local:%Y-%m-%dT%H:%M:%S}{hours:+03d}:00"


def algolia_item_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}.000Z"


def algolia_hit_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def ashby_time(moment: datetime, millis: int) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{millis:03d}+00:00"


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def random_moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds))


# --------------------------------------------------------------------------------------------
# Skills and their trends
# --------------------------------------------------------------------------------------------

FAMILIES = ("ml", "data", "backend", "fullstack", "frontend", "infra", "other")
Rate = float | tuple[float, float]

# Probability that a posting of a family mentions a skill, at t=0 (2024-01) and t=1 (2026-11).
# A plain float is steady. Columns follow FAMILIES.
RATES: dict[str, tuple[Rate, Rate, Rate, Rate, Rate, Rate, Rate]] = {
    #                  ml            data          backend       fullstack     frontend      infra         other
    "python":         (0.90,         0.82,         0.50,         0.32,         0.04,         0.45,         0.06),
    "pytorch":        ((0.38, 0.74), (0.06, 0.14), 0.0,          0.0,          0.0,          (0.02, 0.05), 0.0),
    "tensorflow":     ((0.46, 0.09), (0.17, 0.03), 0.0,          0.0,          0.0,          (0.02, 0.0),  0.0),
    "keras":          ((0.22, 0.02), (0.11, 0.01), 0.0,          0.0,          0.0,          0.0,          0.0),
    "sklearn":        (0.22,         0.42,         0.0,          0.0,          0.0,          0.0,          0.0),
    "pandas":         (0.14,         0.46,         0.03,         0.0,          0.0,          0.0,          0.0),
    "numpy":          (0.14,         0.18,         0.0,          0.0,          0.0,          0.0,          0.0),
    "llm":            ((0.08, 0.84), (0.03, 0.40), (0.03, 0.34), (0.03, 0.30), (0.02, 0.18), (0.02, 0.16), (0.04, 0.42)),
    "rag":            ((0.01, 0.54), (0.0, 0.16),  (0.0, 0.20),  (0.0, 0.16),  (0.0, 0.04),  0.0,          (0.0, 0.08)),
    "langchain":      ((0.02, 0.32), (0.0, 0.06),  (0.0, 0.12),  (0.0, 0.10),  0.0,          0.0,          0.0),
    "vector_db":      ((0.02, 0.48), (0.0, 0.16),  (0.0, 0.20),  (0.0, 0.12),  0.0,          (0.0, 0.10),  0.0),
    "fine_tuning":    ((0.04, 0.48), (0.0, 0.08),  0.0,          0.0,          0.0,          0.0,          0.0),
    "huggingface":    ((0.07, 0.30), (0.0, 0.05),  0.0,          0.0,          0.0,          0.0,          0.0),
    "cuda":           ((0.07, 0.14), 0.0,          0.0,          0.0,          0.0,          (0.02, 0.06), 0.0),
    "ray":            ((0.03, 0.13), (0.0, 0.04),  0.0,          0.0,          0.0,          (0.0, 0.05),  0.0),
    "kubernetes":     (0.45,         0.20,         0.42,         0.24,         0.04,         0.85,         0.02),
    "docker":         (0.44,         0.30,         0.46,         0.40,         0.12,         0.70,         0.02),
    "aws":            (0.48,         0.50,         0.50,         0.42,         0.18,         0.65,         0.08),
    "gcp":            (0.22,         0.26,         0.16,         0.12,         0.05,         0.30,         0.02),
    "azure":          (0.12,         0.15,         0.10,         0.08,         0.02,         0.20,         0.03),
    "sql":            (0.34,         0.80,         0.42,         0.35,         0.06,         0.10,         0.12),
    "postgres":       (0.08,         0.15,         0.50,         0.45,         0.04,         0.18,         0.0),
    "spark":          ((0.27, 0.12), (0.58, 0.32), (0.05, 0.02), 0.0,          0.0,          (0.04, 0.02), 0.0),
    "hadoop":         ((0.09, 0.01), (0.24, 0.06), (0.02, 0.0),  0.0,          0.0,          (0.03, 0.0),  0.0),
    "r":              ((0.06, 0.01), (0.34, 0.10), 0.0,          0.0,          0.0,          0.0,          0.0),
    "java":           (0.05,         0.12,         0.20,         0.10,         0.03,         0.08,         0.0),
    "go":             ((0.03, 0.09), 0.0,          (0.12, 0.30), (0.04, 0.12), 0.0,          (0.22, 0.42), 0.0),
    "rust":           ((0.02, 0.06), 0.0,          (0.05, 0.14), (0.01, 0.04), 0.0,          (0.07, 0.16), 0.0),
    "typescript":     (0.0,          0.0,          (0.18, 0.28), (0.75, 0.86), (0.80, 0.90), 0.0,          0.02),
    "javascript":     (0.0,          0.0,          0.06,         0.32,         0.45,         0.0,          0.0),
    "react":          (0.0,          0.0,          0.0,          0.70,         0.78,         0.0,          0.0),
    "html_css":       (0.0,          0.0,          0.0,          0.18,         0.45,         0.0,          0.0),
    "mlflow":         (0.22,         0.08,         0.0,          0.0,          0.0,          0.03,         0.0),
    "airflow":        (0.14,         0.42,         0.02,         0.0,          0.0,          0.05,         0.0),
    "dbt":            (0.0,          (0.24, 0.42), 0.0,          0.0,          0.0,          0.0,          0.0),
    "snowflake":      (0.04,         0.30,         0.0,          0.0,          0.0,          0.0,          0.0),
    "databricks":     (0.05,         (0.10, 0.22), 0.0,          0.0,          0.0,          0.0,          0.0),
    "kafka":          (0.04,         0.24,         0.22,         0.05,         0.0,          0.14,         0.0),
    "terraform":      (0.10,         0.08,         0.14,         0.05,         0.0,          0.62,         0.0),
    "cicd":           (0.20,         0.08,         0.30,         0.28,         0.25,         0.55,         0.0),
    "cpp":            (0.10,         0.0,          0.06,         0.0,          0.0,          0.06,         0.0),
    "scala":          (0.02,         (0.15, 0.06), 0.03,         0.0,          0.0,          0.0,          0.0),
    "statistics":     (0.24,         0.55,         0.0,          0.0,          0.0,          0.0,          0.03),
    "regression":     (0.12,         0.30,         0.0,          0.0,          0.0,          0.0,          0.0),
    "clustering":     (0.08,         0.15,         0.0,          0.0,          0.0,          0.0,          0.0),
    "decision_trees": (0.07,         0.14,         0.0,          0.0,          0.0,          0.0,          0.0),
    "random_forests": (0.07,         0.14,         0.0,          0.0,          0.0,          0.0,          0.0),
    "gradient_descent": (0.10,       0.04,         0.0,          0.0,          0.0,          0.0,          0.0),
    "problem_solving": (0.25,        0.25,         0.25,         0.25,         0.25,         0.25,         0.25),
    "communication":  (0.26,         0.28,         0.24,         0.24,         0.24,         0.22,         0.34),
    "open_source":    (0.12,         0.06,         0.12,         0.10,         0.10,         0.12,         0.02),
}  # fmt: skip

# Skills for "other" roles that depend on the kind of role rather than the family.
OTHER_KIND_RATES: dict[str, dict[str, Rate]] = {
    "designer": {"figma": 0.75, "html_css": 0.20, "communication": 0.45},
    "pm": {"sql": 0.35, "llm": (0.08, 0.55), "communication": 0.50, "problem_solving": 0.30},
    "sales": {"python": 0.40, "sql": 0.35, "aws": 0.30, "llm": (0.08, 0.50), "docker": 0.15},
    "recruiter": {"communication": 0.55},
    "legal": {"llm": (0.05, 0.45), "communication": 0.60},
    "lab": {"python": 0.35, "statistics": 0.25, "sql": 0.10},
}


def rate_at(rate: Rate, t: float) -> float:
    if isinstance(rate, tuple):
        start, end = rate
        return start + (end - start) * t
    return rate


def skill_rate(skill: str, family: str, t: float, kind: str) -> float:
    if family == "other":
        kind_rates = OTHER_KIND_RATES.get(kind, {})
        if skill in kind_rates:
            return rate_at(kind_rates[skill], t)
        if kind in ("legal", "lab", "recruiter", "designer"):
            return 0.0 if skill not in ("problem_solving", "open_source") else 0.15
    row = RATES.get(skill)
    if row is None:
        return 0.0
    return rate_at(row[FAMILIES.index(family)], t)


ALL_SKILLS = [*RATES, "figma"]


def draw_skills(
    rng: random.Random, family: str, kind: str, t: float, scale: float = 1.0
) -> list[str]:
    return [s for s in ALL_SKILLS if rng.random() < skill_rate(s, family, t, kind) * scale]


@dataclass(frozen=True)
class SkillText:
    group: str
    names: tuple[str, ...]
    reqs: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


SKILL_TEXT: dict[str, SkillText] = {
    "python": SkillText("lang", ("Python",), (
        "{years} of writing production Python",
        "Strong Python skills and the habit of writing tests",
        "You write idiomatic, well-tested Python",
    ), ("write clean, well-tested Python for the services you own",)),
    "pytorch": SkillText("ml", ("PyTorch",), (
        "Hands-on experience training models in PyTorch",
        "Deep familiarity with PyTorch (custom modules, mixed precision, distributed training)",
    ), ("train and evaluate models in PyTorch", "port our older training code to PyTorch")),
    "tensorflow": SkillText("ml", ("TensorFlow",), (
        "Experience building and serving models with TensorFlow",
        "Solid working knowledge of TensorFlow 2",
    ), ("maintain the TensorFlow training pipelines behind our core models",
        "serve TensorFlow models behind low-latency APIs")),
    "keras": SkillText("ml", ("Keras",), ("Experience prototyping neural networks in Keras",),
                       ("prototype new architectures in Keras before we scale them up",)),
    "sklearn": SkillText("ml", ("scikit-learn",), (
        "Fluency with scikit-learn and the wider PyData toolbox",)),
    "pandas": SkillText("ml", ("pandas",), ("Comfort wrangling messy data with pandas",)),
    "numpy": SkillText("ml", ("NumPy",)),
    "llm": SkillText("llm", ("LLMs", "large language models (LLMs)", "LLM APIs"), (
        "Experience shipping product features built on LLMs",
        "Practical experience with large language models (LLMs): prompting, evaluation and cost control",
        "You have built something real with LLMs and can tell us where it broke",
    ), ("build LLM-powered features that customers use every day",
        "design evaluation suites for our LLM features",
        "bring LLMs into workflows that are still manual today")),
    "rag": SkillText("llm", ("RAG", "retrieval-augmented generation (RAG)"), (
        "Experience building retrieval-augmented generation (RAG) systems",
        "You have tuned a RAG pipeline end to end: chunking, embeddings, reranking",
    ), ("own our RAG pipeline from document ingestion to answer quality",
        "improve retrieval quality for our RAG assistant")),
    "langchain": SkillText("llm", ("LangChain",), (
        "Familiarity with LangChain or a similar orchestration framework",
    ), ("replace brittle LangChain prototypes with boring, reliable services",)),
    "vector_db": SkillText("llm", ("vector databases", "a vector database (pgvector, Qdrant or similar)"), (
        "Experience operating vector databases in production",
        "Working knowledge of embeddings and vector databases",
    ), ("choose, tune and run the vector database behind semantic search",)),
    "fine_tuning": SkillText("llm", ("fine-tuning",), (
        "Experience with fine-tuning open-weight models (LoRA or full fine-tuning)",
        "Hands-on fine-tuning of transformer models on domain data",
    ), ("run fine-tuning experiments on our own data",
        "fine-tune and distill smaller models for latency-sensitive paths")),
    "huggingface": SkillText("ml", ("Hugging Face Transformers",)),
    "cuda": SkillText("ml", ("CUDA",), ("Experience profiling GPU workloads; writing CUDA kernels is a plus",)),
    "ray": SkillText("ml", ("Ray",)),
    "kubernetes": SkillText("infra", ("Kubernetes",), (
        "Experience running services on Kubernetes",
        "Comfort debugging workloads on Kubernetes when things go sideways",
    ), ("deploy and scale model servers on Kubernetes",)),
    "docker": SkillText("infra", ("Docker",), ("Comfort packaging and shipping services with Docker",)),
    "aws": SkillText("cloud", ("AWS",), ("Production experience on AWS (EC2, S3, IAM)",)),
    "gcp": SkillText("cloud", ("GCP", "Google Cloud (GCP)")),
    "azure": SkillText("cloud", ("Azure",)),
    "sql": SkillText("lang", ("SQL",), (
        "Strong SQL: window functions, CTEs and reading query plans",
        "Excellent SQL skills",
    )),
    "postgres": SkillText("data", ("Postgres", "PostgreSQL")),
    "spark": SkillText("data", ("Spark", "Apache Spark", "PySpark"), (
        "Experience processing large datasets with Spark",
    ), ("tune the Spark jobs that process billions of events a day",)),
    "hadoop": SkillText("data", ("Hadoop",), ("Experience with the Hadoop ecosystem (HDFS, Hive)",),
                        ("help migrate our remaining Hadoop jobs to the cloud",)),
    "r": SkillText("lang", ("R",), ("Proficiency in R for statistical analysis",)),
    "java": SkillText("lang", ("Java",)),
    "go": SkillText("lang", ("Go", "Go (Golang)")),
    "rust": SkillText("lang", ("Rust",)),
    "typescript": SkillText("lang", ("TypeScript",)),
    "javascript": SkillText("lang", ("JavaScript",)),
    "react": SkillText("web", ("React",), ("Deep experience with React and its rendering model",)),
    "html_css": SkillText("web", ("HTML/CSS",), ("Strong HTML/CSS fundamentals and an eye for accessibility",)),
    "mlflow": SkillText("ml", ("MLflow",), ("Experience tracking experiments and models with MLflow",)),
    "airflow": SkillText("data", ("Airflow", "Apache Airflow"), (),
                         ("build and schedule data pipelines in Airflow",)),
    "dbt": SkillText("data", ("dbt",), (), ("model our warehouse with dbt",)),
    "snowflake": SkillText("data", ("Snowflake",)),
    "databricks": SkillText("data", ("Databricks",)),
    "kafka": SkillText("data", ("Kafka", "Apache Kafka")),
    "terraform": SkillText("infra", ("Terraform",), ("Infrastructure-as-code experience with Terraform",)),
    "cicd": SkillText("infra", ("CI/CD",), ("Experience building and maintaining CI/CD pipelines",)),
    "cpp": SkillText("lang", ("C++",)),
    "scala": SkillText("lang", ("Scala",)),
    "figma": SkillText("web", ("Figma",), ("Fluency in Figma, including components and auto layout",)),
    "statistics": SkillText("stats", ("statistics",), (
        "A solid foundation in statistics and experimental design",
        "Strong grounding in statistics: hypothesis testing, confidence intervals, power analysis",
    )),
    "regression": SkillText("stats", ("regression",), (
        "Experience with regression models, from linear and logistic regression to GLMs",
    )),
    "clustering": SkillText("stats", ("clustering",), ("Experience with clustering and customer segmentation",)),
    "decision_trees": SkillText("stats", ("decision trees",), (
        "Understanding of tree-based models, from decision trees to gradient-boosted ensembles",
    )),
    "random_forests": SkillText("stats", ("random forests",), (
        "Experience with ensemble methods such as random forests",
    )),
    "gradient_descent": SkillText("stats", ("gradient descent",), (
        "You can explain how gradient descent behaves when the learning rate is too high",
        "Intuition for optimization: gradient descent, its variants and when they fail",
    )),
    "problem_solving": SkillText("soft", ("problem solving",), (
        "Strong problem solving skills and a bias toward action",
        "Excellent problem-solving skills; you enjoy untangling messy situations",
        "Good problem solving: you break big problems into small, shippable pieces",
    )),
    "communication": SkillText("soft", ("communication skills",), (
        "Excellent communication skills, written and spoken",
        "Good communication skills: you can explain trade-offs to people outside engineering",
        "Clear written communication skills; we are a writing-heavy team",
    )),
    "open_source": SkillText("soft", ("open source contributions",), (
        "Open source contributions are a strong plus; send us links",
        "A track record of open source contributions",
    )),
}  # fmt: skip

GROUP_TEMPLATES: dict[str, tuple[str, ...]] = {
    "lang": (
        "Proficiency in {and_list}",
        "Fluency in at least one of {or_list}",
        "You write {and_list} day to day",
    ),
    "ml": (
        "Experience with {and_list}",
        "Hands-on work with {and_list}",
        "Familiarity with the usual modeling toolbox ({and_list})",
    ),
    "llm": ("Experience with {and_list}", "Practical knowledge of {and_list}"),
    "infra": ("Comfort with {and_list}", "Working knowledge of {and_list}"),
    "cloud": ("Experience with a major cloud ({or_list})", "Production experience on {and_list}"),
    "data": (
        "Experience with data tooling such as {and_list}",
        "You have built pipelines with {and_list}",
    ),
    "web": ("Deep knowledge of {and_list}", "Years of hands-on work with {and_list}"),
    "stats": (
        "A working knowledge of {and_list}",
        "Comfort with classical methods such as {and_list}",
    ),
    "soft": ("{and_list}",),
}
NICE_TEMPLATES = (
    "Experience with {and_list}",
    "Exposure to {and_list}",
    "Bonus points for {and_list}",
    "Some familiarity with {and_list}",
)


def skill_name(rng: random.Random, skill: str) -> str:
    names = SKILL_TEXT[skill].names
    return names[0] if len(names) == 1 or chance(rng, 0.6) else pick(rng, names[1:])


# --------------------------------------------------------------------------------------------
# Companies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    products: tuple[str, ...]
    customers: tuple[str, ...]
    data_noun: str
    mission: tuple[str, ...]


INDUSTRIES: dict[str, Industry] = {
    "logistics": Industry(
        (
            "route-planning software",
            "a freight visibility platform",
            "dispatch and yard-management tools",
        ),
        ("regional freight carriers", "shippers and 3PLs", "last-mile delivery fleets"),
        "shipment data",
        ("make freight boringly predictable", "take empty miles off the road"),
    ),
    "health": Industry(
        (
            "clinical decision-support tools",
            "software that helps clinics triage and schedule patients",
            "a remote patient-monitoring platform",
        ),
        ("hospital networks", "independent clinics", "home-care teams"),
        "clinical records",
        ("give clinicians their evenings back", "catch deterioration hours earlier"),
    ),
    "diagnostics": Industry(
        (
            "at-home diagnostic test kits and the lab software behind them",
            "a lab platform for blood diagnostics",
        ),
        ("primary-care practices", "employers and health plans"),
        "assay results",
        ("make routine lab testing cheap enough to do every year",),
    ),
    "fintech": Industry(
        (
            "cash-flow forecasting software",
            "a payments API",
            "accounting automation",
            "spend-management cards",
        ),
        ("small businesses", "finance teams at mid-size companies", "online marketplaces"),
        "transaction data",
        ("make the back office disappear", "give small businesses the tools big ones have"),
    ),
    "robotics": Industry(
        (
            "autonomous mobile robots for warehouses",
            "robotic picking arms",
            "inspection robots for substations",
        ),
        ("warehouse operators", "manufacturers", "utilities"),
        "sensor data",
        ("put robots where the work is dull, dirty or dangerous",),
    ),
    "climate": Industry(
        (
            "battery-dispatch optimization software",
            "carbon accounting tools",
            "grid load forecasting",
        ),
        ("utilities", "solar and storage developers", "industrial companies"),
        "meter data",
        ("help the grid run on clean power around the clock",),
    ),
    "edtech": Industry(
        (
            "adaptive tutoring software",
            "a platform for teachers to build and grade courses",
            "a language-learning app",
        ),
        ("school districts", "universities", "adult learners"),
        "learning data",
        ("make great tutoring available to every student",),
    ),
    "retail": Industry(
        ("demand-forecasting software", "a storefront platform", "pricing and promotions tools"),
        ("independent retailers", "grocery chains", "direct-to-consumer brands"),
        "sales data",
        ("help shops stock what people actually buy",),
    ),
    "legal": Industry(
        ("contract-review software", "e-discovery tools", "a practice-management platform"),
        ("law firms", "in-house legal teams"),
        "contracts",
        ("make legal work faster without making it sloppier",),
    ),
    "biotech": Industry(
        ("lab automation software", "a platform for protein design", "genomic analysis pipelines"),
        ("research labs", "biotech companies", "academic medical centers"),
        "assay data",
        ("shorten the path from hypothesis to experiment",),
    ),
    "telecom": Industry(
        (
            "a communication platform for hospitals and care homes",
            "a communication platform for field crews",
        ),
        ("care providers", "municipal services", "construction firms"),
        "call records",
        ("make sure the right message reaches the right person",),
    ),
    "media": Industry(
        (
            "a podcast hosting platform",
            "recommendation software for streaming services",
            "newsroom tools",
        ),
        ("publishers", "independent creators", "broadcasters"),
        "listening data",
        ("help good work find its audience",),
    ),
    "security": Industry(
        (
            "endpoint security software",
            "a service that finds leaked credentials",
            "identity infrastructure",
        ),
        ("mid-size companies", "security teams", "managed service providers"),
        "telemetry",
        ("make attacks expensive and defense cheap",),
    ),
    "devtools": Industry(
        (
            "a code-review assistant",
            "observability tooling",
            "a developer platform for internal tools",
        ),
        ("engineering teams", "platform teams", "open-source maintainers"),
        "build logs",
        ("give engineers their focus time back",),
    ),
    "insurance": Industry(
        ("underwriting software", "claims automation", "embedded insurance APIs"),
        ("insurers", "brokers", "online platforms"),
        "claims data",
        ("make insurance something people understand",),
    ),
    "gaming": Industry(
        ("cozy multiplayer games", "a backend platform for multiplayer games"),
        ("players", "independent studios"),
        "match data",
        ("make games that people play for years",),
    ),
    "agritech": Industry(
        ("crop-monitoring software built on satellite imagery", "smart irrigation controllers"),
        ("growers", "agronomists", "seed companies"),
        "field data",
        ("grow more food with less water",),
    ),
    "proptech": Industry(
        ("building-energy management software", "a leasing and maintenance platform"),
        ("property managers", "landlords", "facility teams"),
        "building data",
        ("make buildings cheaper to run and nicer to live in",),
    ),
    "mobility": Industry(
        ("transit planning tools", "charging software for electric fleets"),
        ("cities", "transit agencies", "fleet operators"),
        "ridership data",
        ("make public transit the obvious choice",),
    ),
    "hr": Industry(
        ("payroll and benefits software", "a hiring platform for hourly workers"),
        ("small businesses", "HR teams", "restaurant groups"),
        "payroll data",
        ("make payday the least stressful day of the month",),
    ),
    "search": Industry(
        (
            "an enterprise search assistant",
            "document understanding APIs",
            "an internal knowledge assistant",
        ),
        ("enterprises", "support teams", "consulting firms"),
        "documents",
        ("let people find answers instead of files",),
    ),
    "weather": Industry(
        ("hyperlocal weather forecasts", "a weather risk API"),
        ("airlines", "energy traders", "event organizers"),
        "observations",
        ("turn weather from a surprise into a forecast you can plan around",),
    ),
    "geo": Industry(
        (
            "a platform for building and querying map data",
            "geospatial analytics for infrastructure planning",
        ),
        ("city planners", "telecom builders", "insurers"),
        "map data",
        ("make the physical world as searchable as the web",),
    ),
    "audio": Industry(
        ("speech and audio models for call centers", "noise removal for voice calls"),
        ("contact centers", "video-conferencing vendors"),
        "audio",
        ("make every call easy to understand",),
    ),
    "aero": Industry(
        ("autonomous inspection drones", "flight planning software for drone fleets"),
        ("wind farms", "rail operators", "utilities"),
        "flight logs",
        ("inspect critical infrastructure without putting people at risk",),
    ),
}


@dataclass(frozen=True)
class Company:
    name: str
    slug: str
    industry: str
    hq: str  # "City, Region" as posters write it
    region: str  # us | eu | uk | ca
    style: str  # remote | hybrid | onsite: what the company mostly offers
    weight: float = 1.0  # how often it posts on HN
    tag: str = ""  # e.g. "(Series A)"
    email_domain: str = ""  # when apply mail is not at the main domain

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"

    @property
    def mail_domain(self) -> str:
        return self.email_domain or self.domain


# 62 invented companies. The first six own the job boards; all can also post on HN.
COMPANIES: tuple[Company, ...] = (
    Company("Northwind AI", "northwind-ai", "search", "San Francisco, CA", "us", "hybrid", 0.6),
    Company("Lumen Robotics", "lumen-robotics", "robotics", "Boston, MA", "us", "onsite", 0.5),
    Company("Quanta Health", "quanta-health", "diagnostics", "New York, NY", "us", "hybrid", 0.5),
    Company("Sparkline", "sparkline", "media", "Chicago, IL", "us", "remote", 0.8),
    Company("Tessellate", "tessellate", "geo", "Denver, CO", "us", "remote", 0.5),
    Company("Cobalt Mesa", "cobalt-mesa", "fintech", "New York, NY", "us", "hybrid", 0.4),
    Company("Brightfern Labs", "brightfern", "agritech", "Sacramento, CA", "us", "hybrid", 1.0, "(Seed)"),
    Company("Tidewater Analytics", "tidewater-analytics", "logistics", "Seattle, WA", "us", "remote", 1.6),
    Company("Kestrel Freight", "kestrel-freight", "logistics", "Chicago, IL", "us", "hybrid"),
    Company("Orchard Bio", "orchard-bio", "biotech", "South San Francisco, CA", "us", "onsite"),
    Company("Quillmark", "quillmark", "legal", "New York, NY", "us", "hybrid", 1.0, "(Series A)"),
    Company("Halcyon Grid", "halcyon-grid", "climate", "Oakland, CA", "us", "hybrid", 1.3),
    Company("Marlow Health", "marlow-health", "health", "Nashville, TN", "us", "remote", 1.2),
    Company("Pebblestack", "pebblestack", "devtools", "Remote", "us", "remote", 1.5),
    Company("Ironvale Systems", "ironvale", "security", "Austin, TX", "us", "remote"),
    Company("Gridwhistle", "gridwhistle", "climate", "Berlin, Germany", "eu", "hybrid"),
    Company("Copperwren", "copperwren", "fintech", "London, UK", "uk", "hybrid", 1.2),
    Company("Saltmarsh Data", "saltmarsh-data", "devtools", "Amsterdam, Netherlands", "eu", "remote"),
    Company("Bramblecode", "bramblecode", "devtools", "Toronto, ON", "ca", "remote", 1.0, "(Series B)"),
    Company("Larkspur Mutual", "larkspur-mutual", "insurance", "Hartford, CT", "us", "hybrid", 0.7),
    Company("Ninebark Learning", "ninebark", "edtech", "Remote", "us", "remote"),
    Company("Glassfinch Security", "glassfinch", "security", "Washington, DC", "us", "onsite", 0.8),
    Company("Riverbend Commerce", "riverbend-commerce", "retail", "Minneapolis, MN", "us", "hybrid"),
    Company("Tilemoss", "tilemoss", "proptech", "Brooklyn, NY", "us", "hybrid", 0.8),
    Company("Stormpetrel", "stormpetrel", "weather", "Boulder, CO", "us", "remote", 1.0, "(Seed)"),
    Company("Driftwood Games", "driftwood-games", "gaming", "Montreal, QC", "ca", "hybrid", 0.8),
    Company("Hollowpine Media", "hollowpine", "media", "Los Angeles, CA", "us", "hybrid", 0.7),
    Company("Parcelwise", "parcelwise", "logistics", "Atlanta, GA", "us", "onsite"),
    Company("Ledgerloom", "ledgerloom", "fintech", "San Francisco, CA", "us", "hybrid", 1.4, "(Series A)"),
    Company("Cinderpath Travel", "cinderpath", "retail", "Lisbon, Portugal", "eu", "remote", 0.7),
    Company("Verdant Loop", "verdant-loop", "climate", "Portland, OR", "us", "remote"),
    Company("Axolent Therapeutics", "axolent", "biotech", "Cambridge, MA", "us", "onsite", 0.8),
    Company("Sundew Clinics", "sundew-clinics", "health", "Phoenix, AZ", "us", "hybrid", 0.7),
    Company("Fathomline", "fathomline", "geo", "Halifax, NS", "ca", "remote", 0.7),
    Company("Wrenfield Telecom", "wrenfield", "telecom", "Dublin, Ireland", "eu", "hybrid", 0.9),
    Company("Cragmoor Robotics", "cragmoor", "robotics", "Pittsburgh, PA", "us", "onsite", 1.1),
    Company("Mirelight", "mirelight", "search", "San Francisco, CA", "us", "onsite", 1.2, "(Series A)"),
    Company("Quarrystone", "quarrystone", "proptech", "Denver, CO", "us", "hybrid", 0.7),
    Company("Heronway", "heronway", "mobility", "Copenhagen, Denmark", "eu", "hybrid", 0.8),
    Company("Thimblecraft", "thimblecraft", "retail", "Manchester, UK", "uk", "hybrid", 0.7),
    Company("Lanternfish AI", "lanternfish", "search", "New York, NY", "us", "hybrid", 1.4, "(Seed)"),
    Company("Spindlewood Labs", "spindlewood", "devtools", "Remote", "us", "remote", 1.2),
    Company("Silkroot", "silkroot", "logistics", "Rotterdam, Netherlands", "eu", "hybrid", 0.7),
    Company("Bellhaven Payments", "bellhaven", "fintech", "Charlotte, NC", "us", "hybrid", 0.8),
    Company("Cirrowave", "cirrowave", "devtools", "Seattle, WA", "us", "remote", 1.0),
    Company("Prairiebit", "prairiebit", "agritech", "Des Moines, IA", "us", "remote", 0.8),
    Company("Mapleforge", "mapleforge", "robotics", "Detroit, MI", "us", "onsite", 0.8),
    Company("Kelpie Works", "kelpie-works", "climate", "Edinburgh, UK", "uk", "hybrid", 0.7),
    Company("Slateford Legal", "slateford", "legal", "Chicago, IL", "us", "hybrid", 0.8),
    Company("Foxglove Genomics", "foxglove-genomics", "biotech", "San Diego, CA", "us", "onsite", 1.0),
    Company("Quokka Payroll", "quokka-payroll", "hr", "Remote", "us", "remote", 1.0),
    Company("Emberlight Studios", "emberlight", "gaming", "Helsinki, Finland", "eu", "onsite", 0.7),
    Company("Tundra Metrics", "tundra-metrics", "devtools", "Stockholm, Sweden", "eu", "remote", 1.0),
    Company("Marigold Care", "marigold-care", "health", "Boston, MA", "us", "hybrid", 0.8),
    Company("Stoneferry Transit", "stoneferry", "mobility", "Philadelphia, PA", "us", "hybrid", 0.7),
    Company("Harborlight Energy", "harborlight", "climate", "Houston, TX", "us", "onsite", 0.8),
    Company("Nettlebrook", "nettlebrook", "security", "Zurich, Switzerland", "eu", "hybrid", 0.8),
    Company("Wavelet Audio", "wavelet-audio", "audio", "Cambridge, UK", "uk", "hybrid", 1.0),
    Company("Corvid Vision", "corvid-vision", "robotics", "Munich, Germany", "eu", "onsite", 1.0),
    Company("Finchley Credit", "finchley-credit", "fintech", "London, UK", "uk", "hybrid", 0.8),
    Company("Zephyrline Aero", "zephyrline", "aero", "Austin, TX", "us", "onsite", 0.9, "(Series A)"),
    Company("Rustle AI", "rustle", "search", "Remote", "us", "remote", 1.0, "", "rust-ai.example"),
)  # fmt: skip
COMPANY = {c.slug: c for c in COMPANIES}

FIRST_NAMES = (
    "Ana", "Bram", "Chidi", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonah", "Kavya",
    "Lior", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sami", "Tove", "Uma",
    "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Maren", "Teo", "Lena", "Idris",
)  # fmt: skip
HANDLE_PARTS = (
    "byte", "quill", "fern", "otter", "delta", "kiln", "mesa", "pixel", "cairn", "tern", "sable",
    "ridge", "lumen", "brook", "cobalt", "juniper", "marble", "heron", "ember", "vector",
)  # fmt: skip


def make_handle(rng: random.Random) -> str:
    first = pick(rng, FIRST_NAMES).lower()
    form = rng.randrange(5)
    if form == 0:
        return f"{first}_{pick(rng, HANDLE_PARTS)}"
    if form == 1:
        return f"{first[0]}{pick(rng, HANDLE_PARTS)}{rng.randrange(2, 99)}"
    if form == 2:
        return f"{pick(rng, HANDLE_PARTS)}{pick(rng, HANDLE_PARTS)}"
    if form == 3:
        return f"{first}{rng.randrange(70, 99)}"
    return f"{pick(rng, HANDLE_PARTS)}_{first}"


# --------------------------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------------------------

FAMILY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("ml", 0.40), ("data", 0.20), ("backend", 0.12), ("fullstack", 0.08),
    ("frontend", 0.05), ("infra", 0.05), ("other", 0.10),
)  # fmt: skip


@dataclass(frozen=True)
class Role:
    title: str
    family: str
    kind: str
    level: str  # intern | junior | mid | senior | staff


def ml_titles(t: float) -> list[tuple[tuple[str, str], float]]:
    return [
        (("Machine Learning Engineer", "mle"), 3.0),
        (("ML Engineer", "mle"), 2.0),
        (("MLOps Engineer", "mlops"), 1.0),
        (("Applied ML Scientist", "scientist"), 1.0),
        (("ML Platform Engineer", "mlops"), 1.0),
        (("AI Engineer", "mle"), 0.4 + 3.0 * t),
        (("Research Engineer", "scientist"), 0.8),
        (("Computer Vision Engineer", "mle"), 0.7),
        (("LLM Engineer", "mle"), max(0.0, 2.0 * (t - 0.35))),
        (("Applied Scientist", "scientist"), 0.6),
    ]


TITLES: dict[str, list[tuple[tuple[str, str], float]]] = {
    "data": [
        (("Data Scientist", "ds"), 3.0), (("Data Engineer", "de"), 3.0), (("Analytics Engineer", "de"), 1.2),
        (("Data Scientist, Experimentation", "ds"), 0.6), (("Product Data Scientist", "ds"), 0.6),
    ],
    "backend": [
        (("Backend Engineer", "be"), 3.0), (("Software Engineer, Backend", "be"), 2.0),
        (("Software Engineer", "be"), 2.0), (("Backend Developer", "be"), 1.0), (("API Engineer", "be"), 0.5),
    ],
    "fullstack": [
        (("Full-Stack Engineer", "fs"), 3.0), (("Full Stack Developer", "fs"), 1.5),
        (("Product Engineer", "fs"), 1.5), (("Software Engineer (Full-Stack)", "fs"), 1.0),
    ],
    "frontend": [
        (("Frontend Engineer", "fe"), 3.0), (("Front-End Developer", "fe"), 1.0), (("UI Engineer", "fe"), 0.8),
    ],
    "infra": [
        (("Infrastructure Engineer", "infra"), 2.0), (("Site Reliability Engineer", "infra"), 1.5),
        (("Platform Engineer", "infra"), 1.5), (("DevOps Engineer", "infra"), 1.2), (("Cloud Engineer", "infra"), 0.6),
    ],
}  # fmt: skip
OTHER_TITLES: dict[str, tuple[str, ...]] = {
    "designer": ("Product Designer", "Senior Product Designer", "Design Engineer"),
    "pm": ("Product Manager", "Senior Product Manager", "Product Manager, AI"),
    "sales": ("Sales Engineer", "Solutions Engineer", "Customer Engineer"),
    "recruiter": ("Technical Recruiter",),
    "legal": ("Product Counsel", "Legal Counsel, Privacy & AI"),
    "lab": ("Lab Automation Technician", "Research Associate, Assay Development"),
}
ML_TEAMS = (
    "Ranking",
    "Search",
    "Forecasting",
    "Perception",
    "Inference",
    "Evaluation",
    "Personalization",
)
LEVELS: tuple[tuple[str, float], ...] = (
    ("mid", 0.50), ("senior", 0.30), ("staff", 0.07), ("principal", 0.02), ("lead", 0.04),
    ("junior", 0.04), ("intern", 0.03),
)  # fmt: skip
LEVEL_PREFIX = {
    "senior": "Senior",
    "staff": "Staff",
    "principal": "Principal",
    "lead": "Lead",
    "junior": "Junior",
}


def make_role(rng: random.Random, company: Company, t: float, family: str | None = None,
              with_team: bool = False) -> Role:  # fmt: skip
    family = family or weighted(rng, FAMILY_WEIGHTS)
    if family == "other":
        kinds: list[tuple[str, float]] = [
            ("designer", 3),
            ("pm", 3),
            ("sales", 2),
            ("recruiter", 1),
        ]
        if company.industry in ("legal", "fintech"):
            kinds.append(("legal", 3))
        if company.industry in ("biotech", "diagnostics"):
            kinds.append(("lab", 4))
        kind = weighted(rng, kinds)
        title = pick(rng, OTHER_TITLES[kind])
        return Role(title, family, kind, "senior" if title.startswith("Senior") else "mid")
    base, kind = weighted(rng, ml_titles(t) if family == "ml" else TITLES[family])
    level = weighted(rng, LEVELS)
    if level == "intern":
        title = {
            "ml": "Machine Learning Intern", "data": "Data Science Intern", "infra": "Infrastructure Intern",
        }.get(family, "Software Engineering Intern")  # fmt: skip
    elif level == "mid" or base.startswith("Product ") or "," in base:
        title = base
    else:
        title = f"{LEVEL_PREFIX[level]} {base}"
    if (
        with_team
        and family == "ml"
        and level != "intern"
        and "," not in title
        and "LLM" not in title
        and chance(rng, 0.45)
    ):
        team = pick(rng, ML_TEAMS)
        if t > 0.6 and chance(rng, 0.35):
            team = pick(rng, ("LLM Platform", "Agents", "Retrieval"))
        title = f"{title}, {team}"
    return Role(title, family, kind, level)


def years_phrase(rng: random.Random, level: str) -> str:
    n = {"junior": 1, "mid": pick(rng, (2, 3, 4)), "senior": pick(rng, (5, 6)), "lead": 7,
         "staff": pick(rng, (8, 10)), "principal": 10}.get(level, 3)  # fmt: skip
    return f"{n}+ years" if n > 1 else "1+ year"


# --------------------------------------------------------------------------------------------
# Posting text
# --------------------------------------------------------------------------------------------

GENERIC_TASKS: dict[str, tuple[str, ...]] = {
    "ml": (
        "Take models from notebook to production and keep owning them after launch",
        "Work with product and data teams to define what a good model means for our users",
        "Design offline and online evaluations and decide when a model is ready to ship",
        "Build the feature pipelines and training sets our models depend on",
        "Monitor models in production and respond when they drift",
        "Cut inference latency and cost across our serving stack",
        "Write design docs and share what you learn with the wider team",
        "Review modeling work and mentor other engineers",
    ),
    "data": (
        "Turn fuzzy business questions into analyses that lead to decisions",
        "Design and analyze experiments with the product team",
        "Build and maintain reliable batch and streaming pipelines",
        "Own data quality for core tables: tests, alerts and documentation",
        "Build forecasts that finance and operations actually rely on",
        "Partner with engineers to instrument new product features",
    ),
    "backend": (
        "Design, build and operate the APIs behind our product",
        "Own services end to end, from design doc to on-call",
        "Improve the reliability and performance of our core systems",
        "Work closely with product and design to ship features customers notice",
        "Review code and help raise the bar for the whole team",
    ),
    "fullstack": (
        "Ship features across the stack, from database schema to UI",
        "Talk to customers to understand what to build next",
        "Build internal tools that make our operations team faster",
        "Own features from the first sketch to the metrics after launch",
    ),
    "frontend": (
        "Build fast, accessible interfaces for complex workflows",
        "Own our design system together with the design team",
        "Improve page load times and interaction latency",
        "Prototype quickly and polish what works",
    ),
    "infra": (
        "Run the infrastructure every team here builds on",
        "Make deploys so routine that nobody notices them",
        "Lead incident response and write blameless postmortems",
        "Reduce our cloud bill without slowing anyone down",
        "Build paved paths for new services: logging, metrics, alerts, secrets",
    ),
    "designer": (
        "Design end-to-end flows, from research to polished UI",
        "Run user interviews and usability tests",
        "Work side by side with engineers to ship and iterate",
    ),
    "pm": (
        "Own the roadmap for one of our core product areas",
        "Talk to customers every week and bring what you learn back to the team",
        "Define success metrics and follow them after launch",
    ),
    "sales": (
        "Run technical discovery and product demos with prospects",
        "Build proof-of-concept integrations with customers",
        "Be the voice of the customer for our product team",
    ),
    "recruiter": (
        "Own hiring for engineering roles from first call to signed offer",
        "Help hiring managers write job descriptions people want to read",
        "Build a candidate experience we are proud of",
    ),
    "legal": (
        "Advise product teams on privacy, consumer protection and AI regulation",
        "Draft and negotiate customer, vendor and data-processing agreements",
        "Build lightweight processes that let the company move quickly and safely",
    ),
    "lab": (
        "Run and maintain our automated assay workflows",
        "Prepare reagents and samples, mostly in 5 mL and 50 mL tubes",
        "Keep careful records in our electronic lab notebook",
        "Troubleshoot liquid handlers and plate readers with the engineering team",
    ),
}
GENERIC_REQS: dict[str, tuple[str, ...]] = {
    "ml": (
        "A track record of shipping ML systems that real users depend on",
        "You care about measurement and are skeptical of your own results",
        "A degree in CS, math or a related field, or equivalent experience",
    ),
    "data": (
        "You can explain a result and its uncertainty to a non-technical audience",
        "Experience owning data models that other teams depend on",
        "A degree in a quantitative field, or equivalent experience",
    ),
    "backend": (
        "Experience designing APIs that other teams enjoy using",
        "You have been on call and have opinions about it",
        "Comfort with ambiguity and a habit of writing things down",
    ),
    "fullstack": (
        "A portfolio of products you have shipped end to end",
        "You care about the details of the user experience",
    ),
    "frontend": (
        "A portfolio or links to interfaces you have built",
        "Experience with accessibility and performance budgets",
    ),
    "infra": (
        "You have run production systems with real uptime requirements",
        "Experience with observability tooling and on-call rotations",
    ),
    "designer": ("A portfolio that shows your process, not just the final screens",
                 "Experience designing data-heavy or technical products"),
    "pm": ("Experience shipping B2B software", "You are comfortable reading a dashboard and asking why"),
    "sales": ("Experience in a customer-facing technical role", "You enjoy explaining technical products"),
    "recruiter": ("Experience recruiting engineers at a startup",),
    "legal": ("JD and admission to at least one bar; an LL.M. preferred, ideally in technology or data law",
              "Experience advising software companies on privacy"),
    "lab": ("A degree in biology, chemistry or a related field",
            "Comfort pipetting volumes from a few microlitres up to 10 millilitres"),
}  # fmt: skip


def req_family(role: Role) -> str:
    return role.kind if role.family == "other" else role.family


BENEFITS_US = (
    "Competitive salary and meaningful equity",
    "Medical, dental and vision insurance for you and your dependents",
    "A yearly learning budget of $2,000",
    "Four weeks of paid vacation plus company holidays",
    "16 weeks of paid parental leave",
    "A home-office stipend",
    "401(k) with a company match",
    "Team offsites twice a year",
)
BENEFITS_EU = (
    "Competitive salary and stock options",
    "30 days of paid holiday",
    "A yearly learning budget of €1,500",
    "Pension contributions on top of salary",
    "Visa sponsorship and relocation support",
    "A public-transport pass or bike lease",
    "Flexible hours and a four-day week in August",
)
EEO_TEMPLATES = (
    "{name} is an equal opportunity employer. We welcome applicants of every background and do not "
    "discriminate on the basis of race, religion, gender identity, sexual orientation, age, disability or "
    "veteran status.",
    "We are committed to building a diverse team. If you are excited about this role but do not meet every "
    "requirement, we still want to hear from you.",
    "{name} provides reasonable accommodations throughout the hiring process; just let your recruiter know.",
)

COMPANY_INTROS = (
    "{name} builds {product} for {customers}.",
    "At {name}, we build {product} used by {customers}.",
    "{name} makes {product}. Our customers are {customers}.",
)
COMPANY_SECOND = (
    "We are a team of {size} people, {where}.",
    "Founded in {year}, we are {size} people and growing, {where}.",
    "We have been profitable since {year} and stay deliberately small: {size} people, {where}.",
    "We raised our last round in {year} and are now {size} people, {where}.",
)
COMPANY_MISSION = (
    "Our goal is to {mission}.",
    "We exist to {mission}.",
    "Everything we build is meant to {mission}.",
)


def where_phrase(company: Company) -> str:
    if company.style == "remote":
        return "working remotely across several time zones"
    city = company.hq.split(",")[0]
    if company.style == "hybrid":
        return f"with an office in {city} that most of us visit a few days a week"
    return f"mostly together in our {city} office"


@dataclass(frozen=True)
class Profile:
    """Facts about a company that stay the same wherever it posts."""

    size: int
    product: str
    founded: int


def company_blurb(
    rng: random.Random, company: Company, profile: Profile, size: int | None = None
) -> list[str]:
    ind = INDUSTRIES[company.industry]
    first = pick(rng, COMPANY_INTROS).format(
        name=company.name, product=profile.product, customers=pick(rng, ind.customers)
    )
    second = pick(rng, COMPANY_SECOND).format(
        size=size or profile.size, year=profile.founded, where=where_phrase(company)
    )
    out = [first, second]
    if chance(rng, 0.5):
        out.append(pick(rng, COMPANY_MISSION).format(mission=pick(rng, ind.mission)))
    return out


ROLE_INTROS = (
    "We are hiring a {title} to join the team that owns {area}.",
    "As a {title}, you will work on {area} with a small, senior team.",
    "This {title} role sits in the team responsible for {area}.",
    "We're looking for a {title} who wants real ownership of {area}.",
)
AREAS: dict[str, tuple[str, ...]] = {
    "ml": (
        "the models behind our core product",
        "ranking and recommendations",
        "our forecasting models",
        "model training and serving infrastructure",
        "the intelligence layer of our product",
    ),
    "data": (
        "our analytics platform",
        "the data warehouse and the metrics built on it",
        "experimentation and product analytics",
        "the pipelines that feed every report and model",
    ),
    "backend": (
        "our core APIs",
        "billing and accounts",
        "the ingestion service",
        "integrations with partners",
    ),
    "fullstack": ("the customer dashboard", "onboarding and activation", "our internal tools"),
    "frontend": ("our web app", "the design system", "the customer-facing dashboard"),
    "infra": ("our cloud platform", "developer infrastructure", "reliability and on-call"),
    "designer": ("the core product experience", "onboarding and activation"),
    "pm": ("one of our fastest-growing product areas", "the platform our integrations run on"),
    "sales": ("technical pre-sales", "customer onboarding for our largest accounts"),
    "recruiter": ("engineering hiring",),
    "legal": ("privacy and AI governance", "commercial contracts and product advice"),
    "lab": ("assay automation in our lab", "sample processing and quality control"),
}


@dataclass
class Posting:
    """Source-neutral posting content, rendered later into each API's format."""

    company: Company
    role: Role
    about: list[str]  # paragraphs about the company
    role_intro: list[str]  # paragraphs about the role
    sections: list[tuple[str, list[str]]]  # (heading, bullets)
    benefits: list[str]
    closing: list[str]  # equal-opportunity text, links
    skills: list[str] = field(default_factory=list)


@dataclass
class Traps:
    """Ambiguity traps: sentences that contain a skill-looking word that is not a skill."""

    sentences: list[str] = field(default_factory=list)
    adds: list[str] = field(default_factory=list)  # real skills a sentence does mention


def trap_candidates(role: Role, company: Company, skills: list[str]) -> list[tuple[str, list[str]]]:
    fam = role.family
    c: list[tuple[str, list[str]]] = [
        ("You will work closely with our R&D group to turn prototypes into products.", []),
        ("You'll partner with marketing on the go-to-market plan for each launch.", []),
        ("If that sounds like your kind of problem, let's go!", []),
        ("We like tools that spark joy, and we retire the ones that don't.", []),
        (
            "Every meeting room is named after a writer; Franz Kafka got the one with the broken door.",
            [],
        ),
        ("Our office looks out over the zoo's red pandas, which does not help anyone focus.", []),
        ("We build scalable systems, but we prefer boring ones.", []),
        ("On the go? The whole interview process works fine from a phone.", []),
    ]
    if fam in ("backend", "fullstack", "frontend"):
        c.append(("You will also help own regression testing before every release.", []))
        c.append(
            (
                "Our stack is a mix of JavaScript and Java, for historical reasons.",
                ["javascript", "java"],
            )
        )
    if fam in ("backend", "infra", "ml"):
        c.append(
            (
                "A big part of the job is hunting down performance regressions before customers see them.",
                [],
            )
        )
        c.append(("Some performance-critical paths are written in C/C++.", ["cpp"]))
    if fam == "backend":
        c.append(("A few internal tools are still written in C# on .NET.", ["csharp"]))
    if fam in ("infra", "backend", "ml"):
        c.append(
            (
                "All infrastructure lives in Terraform (TF), and every change goes through review.",
                ["terraform"],
            )
        )
        c.append(
            (
                "You'll look after our Kubernetes clusters and the tooling around them.",
                ["kubernetes"],
            )
        )
    if fam == "ml":
        c.append(("You will have a cluster of GPUs to yourself for experiments.", []))
    if fam in ("frontend", "fullstack"):
        c.append(
            ("Strong HTML/CSS fundamentals matter more to us than framework trivia.", ["html_css"])
        )
    return c


def choose_traps(
    rng: random.Random, role: Role, company: Company, skills: list[str], rate: float
) -> Traps:
    traps = Traps()
    if not chance(rng, rate):
        return traps
    cands = trap_candidates(role, company, skills)
    for _ in range(1 if chance(rng, 0.75) else 2):
        sentence, adds = pick(rng, cands)
        if sentence not in traps.sentences:
            traps.sentences.append(sentence)
            traps.adds.extend(a for a in adds if a not in traps.adds)
    return traps


def group_bullets(rng: random.Random, skills: list[str]) -> list[str]:
    """One bullet per skill group, listing the names of the skills in it."""
    groups: dict[str, list[str]] = {}
    for s in skills:
        groups.setdefault(SKILL_TEXT[s].group, []).append(s)
    out = []
    for group, members in groups.items():
        names = [skill_name(rng, s) for s in members]
        templates = GROUP_TEMPLATES[group]
        if len(names) < 2:  # "at least one of Go" reads wrong
            templates = tuple(x for x in templates if "at least one" not in x)
        template = pick(rng, templates)
        if group == "soft":
            for s in members:
                out.append(pick(rng, SKILL_TEXT[s].reqs))
            continue
        out.append(template.format(and_list=join_words(names), or_list=join_words(names, "or")))
    return out


def build_posting(
    rng: random.Random,
    company: Company,
    role: Role,
    t: float,
    about: list[str],
    trap_rate: float = 0.35,
) -> Posting:
    """One board posting; `about` is the board-wide company intro (boards repeat it on every job)."""
    ind = INDUSTRIES[company.industry]
    about = list(about)
    skills = draw_skills(rng, role.family, role.kind, t)
    traps = choose_traps(rng, role, company, skills, trap_rate)
    # A trap sentence that names a real skill counts as that skill's mention.
    text_skills = [s for s in skills if s not in traps.adds]
    skills = skills + [s for s in traps.adds if s not in skills]

    area = pick(rng, AREAS[req_family(role)])
    role_intro = [pick(rng, ROLE_INTROS).format(title=role.title, area=area)]

    fam = req_family(role)
    tech = [s for s in text_skills if SKILL_TEXT[s].group != "soft"]
    soft = [s for s in text_skills if SKILL_TEXT[s].group == "soft"]
    rng.shuffle(tech)
    nice_count = min(len(tech) // 3, 3) if len(tech) > 3 else 0
    nice, must = tech[:nice_count], tech[nice_count:]

    tasks: list[str] = []
    used: set[str] = set()
    for s in must:
        if SKILL_TEXT[s].tasks and len(tasks) < 2 and chance(rng, 0.55):
            phrase = pick(rng, SKILL_TEXT[s].tasks)
            tasks.append(phrase[0].upper() + phrase[1:])
            used.add(s)
    generic = list(GENERIC_TASKS.get(fam, GENERIC_TASKS["backend"]))
    rng.shuffle(generic)
    if role.kind == "lab":  # keep the "5 mL" line: a unit, not machine learning
        generic.sort(key=lambda line: " mL " not in line)
    tasks.extend(generic[: max(2, rng.randrange(4, 7) - len(tasks))])
    rng.shuffle(tasks)

    reqs: list[str] = []
    if role.level == "intern":
        reqs.append("Currently studying computer science, statistics or a related field")
    elif role.family != "other":
        reqs.append(f"{years_phrase(rng, role.level)} of experience in a similar role")
    rest: list[str] = []
    for s in must:
        if s in used:
            continue
        specific = SKILL_TEXT[s].reqs
        if specific and chance(rng, 0.45):
            reqs.append(pick(rng, specific).format(years=years_phrase(rng, role.level)))
        else:
            rest.append(s)
    reqs.extend(group_bullets(rng, rest))
    extra = list(GENERIC_REQS.get(fam, ()))
    rng.shuffle(extra)
    reqs.extend(extra[: rng.randrange(1, 3)])
    reqs.extend(group_bullets(rng, [s for s in soft if s != "open_source"]))
    head, tail = reqs[:1], reqs[1:]
    rng.shuffle(tail)
    reqs = head + tail

    nice_bullets: list[str] = []
    if nice:
        names = [skill_name(rng, s) for s in nice]
        nice_bullets.append(pick(rng, NICE_TEMPLATES).format(and_list=join_words(names)))
    if "open_source" in soft:
        nice_bullets.append(pick(rng, SKILL_TEXT["open_source"].reqs))
    if chance(rng, 0.4):
        nice_bullets.append(pick(rng, (
            f"Experience in {company.industry if company.industry != 'search' else 'enterprise software'}",
            f"You have worked with {ind.data_noun} before",
            "Startup experience",
        )))  # fmt: skip

    sections = [(pick(rng, ("What you'll do", "What You'll Do", "Responsibilities", "In this role you will")), tasks),
                (pick(rng, ("What we're looking for", "Who you are", "Requirements", "You might be a fit if")), reqs)]  # fmt: skip
    if nice_bullets:
        sections.append(
            (pick(rng, ("Nice to have", "Bonus points", "Nice-to-haves")), nice_bullets)
        )

    benefits_pool = list(BENEFITS_EU if company.region in ("eu", "uk") else BENEFITS_US)
    rng.shuffle(benefits_pool)
    benefits = benefits_pool[: rng.randrange(3, 6)]
    closing = [pick(rng, EEO_TEMPLATES).format(name=company.name)]
    # Trap sentences go after the role intro or before the closing, never into the board-wide intro.
    for sentence in traps.sentences:
        if chance(rng, 0.5):
            role_intro.append(sentence)
        else:
            closing.insert(0, sentence)
    if role.kind == "legal" and not any("LL.M." in r for r in reqs):
        reqs.append("An LL.M. is preferred but not required")
    return Posting(
        company, role, about, role_intro, sections, benefits, closing, sorted(set(skills))
    )


# --------------------------------------------------------------------------------------------
# Salaries
# --------------------------------------------------------------------------------------------

BASE_SALARY = {
    "ml": 165,
    "data": 145,
    "backend": 150,
    "fullstack": 140,
    "frontend": 135,
    "infra": 150,
    "other": 125,
}
LEVEL_FACTOR = {"intern": 0.45, "junior": 0.72, "mid": 1.0, "senior": 1.22, "lead": 1.3, "staff": 1.45,
                "principal": 1.6}  # fmt: skip
CURRENCY = {
    "us": ("USD", "$", 1.0),
    "ca": ("CAD", "CA$", 1.05),
    "eu": ("EUR", "€", 0.55),
    "uk": ("GBP", "£", 0.5),
}


@dataclass(frozen=True)
class Salary:
    currency: str
    symbol: str
    low: int
    high: int
    interval: str = "year"  # year | hour


def make_salary(rng: random.Random, role: Role, company: Company) -> Salary:
    code, symbol, factor = CURRENCY[company.region]
    if role.level == "intern":
        low = rng.randrange(40, 56) if factor >= 1 else round(rng.randrange(40, 56) * factor * 1.4)
        return Salary(code, symbol, low, low + rng.choice((5, 8, 10)), "hour")
    mid = (
        BASE_SALARY[role.family]
        * LEVEL_FACTOR.get(role.level, 1.0)
        * factor
        * rng.uniform(0.9, 1.12)
    )
    low = int(round(mid * 0.88 / 5) * 5)
    high = int(round(mid * 1.18 / 5) * 5)
    return Salary(code, symbol, low * 1000, high * 1000)


def salary_k(s: Salary, dash: str = "–") -> str:
    if s.interval == "hour":
        return f"{s.symbol}{s.low}{dash}{s.symbol}{s.high}/hour"
    return f"{s.symbol}{s.low // 1000}k{dash}{s.symbol}{s.high // 1000}k"


def salary_long(s: Salary) -> str:
    return f"{s.symbol}{s.low:,}–{s.symbol}{s.high:,} {s.currency}"


# --------------------------------------------------------------------------------------------
# HTML rendering
# --------------------------------------------------------------------------------------------

URL_OR_MAIL = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:!?)])|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def html_text(text: str) -> str:
    """Escape text for HTML and turn URLs and e-mail addresses into links."""
    out, pos = [], 0
    for m in URL_OR_MAIL.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        if m.group(1):
            url = m.group(1)
            out.append(
                f'<a href="{html.escape(url)}" target="_blank">{html.escape(url, quote=False)}</a>'
            )
        else:
            mail = m.group(2)
            out.append(f'<a href="mailto:{mail}">{mail}</a>')
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def greenhouse_escape(markup: str) -> str:
    """The Job Board API's `content`: the HTML itself entity-escaped once more."""
    return (
        markup.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )  # fmt: skip


def hn_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#x27;").replace("/", "&#x2F;")
    )  # fmt: skip


HN_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def hn_html(text: str) -> str:
    """HN comment markup: entities for / and ', links with rel=nofollow, long links shortened."""
    out, pos = [], 0
    for m in HN_URL.finditer(text):
        out.append(hn_escape(text[pos : m.start()]))
        url = m.group(0)
        shown = url if len(url) <= 60 else url[:57] + "..."
        out.append(f'<a href="{hn_escape(url)}" rel="nofollow">{hn_escape(shown)}</a>')
        pos = m.end()
    out.append(hn_escape(text[pos:]))
    return "".join(out)


def greenhouse_html(p: Posting, salary_line: str | None) -> str:
    parts = [
        '<div class="content-intro">',
        f"<h2><strong>About {html.escape(p.company.name)}</strong></h2>\n",
    ]
    parts += [f"<p>{html_text(x)}</p>\n" for x in p.about]
    parts.append("</div>")
    parts.append("<h2><strong>About the role</strong></h2>\n")
    parts += [f"<p>{html_text(x)}</p>\n" for x in p.role_intro]
    for heading, bullets in p.sections:
        parts.append(f"<h3><strong>{html.escape(heading, quote=False)}</strong></h3>\n<ul>\n")
        parts += [f"<li>{html_text(b)}</li>\n" for b in bullets]
        parts.append("</ul>\n")
    parts.append("<h3><strong>Benefits</strong></h3>\n<ul>\n")
    parts += [f"<li>{html_text(b)}</li>\n" for b in p.benefits]
    parts.append("</ul>\n")
    if salary_line:
        parts.append(f"<p><strong>Compensation:</strong> {html_text(salary_line)}</p>\n")
    parts.append('<div class="content-conclusion">')
    parts += [f"<p>{html_text(x)}</p>" for x in p.closing]
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Greenhouse
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GreenhouseBoard:
    token: str
    id_suffix: int  # real ids on one board share their last three digits
    offices: tuple[
        tuple[str, str | None, str], ...
    ]  # (office name, office location, job location.name)
    departments: tuple[str, ...]
    metadata: bool  # whether the board exposes the "Location Type" custom field
    careers_domain: bool  # absolute_url on the company's own site with ?gh_jid=


GREENHOUSE_BOARDS = (
    GreenhouseBoard("northwind-ai", 4, (
        ("San Francisco, CA", "San Francisco, California, United States", "San Francisco, CA"),
        ("New York, NY", "New York, New York, United States", "New York, NY; Remote - US"),
        ("Remote - US", None, "Remote - US"),
    ), ("Machine Learning", "Engineering", "Data", "Product", "Legal"), True, False),
    GreenhouseBoard("lumen-robotics", 8, (
        ("Boston, MA", "Boston, Massachusetts, United States", "Boston, MA"),
        ("Berlin, Germany", "Berlin, Berlin, Germany", "Berlin, Germany"),
        ("Remote - US", None, "Remote - US"),
    ), ("Autonomy", "Software", "Data", "Design"), False, False),
    GreenhouseBoard("quanta-health", 1, (
        ("New York, NY", "New York, New York, United States", "New York, NY"),
        ("Remote - US", None, "Remote - US"),
        ("Raleigh, NC", "Raleigh, North Carolina, United States", "Raleigh, NC (Lab)"),
    ), ("Machine Learning", "Engineering", "Data Science", "Laboratory", "Product"), True, True),
)  # fmt: skip

DEPARTMENT_FOR = {"ml": 0, "data": 2, "backend": 1, "fullstack": 1, "frontend": 1, "infra": 1}


OTHER_DEPARTMENTS = {
    "designer": "Design",
    "pm": "Product",
    "sales": "Sales",
    "recruiter": "People",
    "legal": "Legal",
    "lab": "Laboratory",
}


def greenhouse_department(board: GreenhouseBoard, role: Role) -> str:
    if role.family == "other":
        wanted = {"lab": "Laboratory", "legal": "Legal", "designer": "Design"}.get(
            role.kind, "Product"
        )
        return wanted if wanted in board.departments else board.departments[-1]
    name = board.departments[DEPARTMENT_FOR[role.family]]
    return name


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


@dataclass
class CrossPost:
    posting: Posting
    title: str
    published: datetime
    office: int
    salary: Salary | None


class SampleGenerator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.cross_posts: list[CrossPost] = []
        # Normalized posting text -> where it was generated, to catch accidental twins.
        self.texts: dict[str, str] = {}
        self.stats: dict[str, int] = {}
        self.hn_family_counts: dict[str, int] = {}
        # Titles already on a company's boards, to keep accidental same-title twins out.
        self.titles_by_company: dict[str, set[str]] = {}
        self.profiles = {
            c.slug: Profile(
                self.rng.randrange(15, 450),
                pick(self.rng, INDUSTRIES[c.industry].products),
                self.rng.randrange(2012, 2024),
            )
            for c in COMPANIES
        }
        self.abouts: dict[str, list[str]] = {}

    def board_about(self, company: Company) -> list[str]:
        """The intro a company's boards repeat on every job (its Greenhouse and Lever boards share it)."""
        if company.slug not in self.abouts:
            self.abouts[company.slug] = company_blurb(
                self.rng, company, self.profiles[company.slug]
            )
        return self.abouts[company.slug]

    # -- bookkeeping -------------------------------------------------------------------------

    def count_role(self, where: str, role: Role) -> None:
        group = {"backend": "swe", "fullstack": "swe", "frontend": "swe", "infra": "swe"}
        key = f"roles/{where}/{group.get(role.family, role.family)}"
        self.stats[key] = self.stats.get(key, 0) + 1

    def remember(self, text: str, where: str, allow_twin: bool = False) -> None:
        key = re.sub(r"\s+", " ", text).strip()
        if key in self.texts and not allow_twin:
            raise AssertionError(f"identical posting text in {where} and {self.texts[key]}")
        self.texts.setdefault(key, where)

    def role_for(
        self, company: Company, t: float, counts: dict[str, int], with_team: bool = True
    ) -> Role:
        """A role whose family keeps `counts` close to the 40/20/30/10 mix (random, but balanced)."""
        targets = dict(FAMILY_WEIGHTS)
        deficits = [
            (f, max(0.02, w * (sum(counts.values()) + 1) - counts.get(f, 0)))
            for f, w in targets.items()
        ]
        family = weighted(self.rng, deficits)
        counts[family] = counts.get(family, 0) + 1
        return make_role(self.rng, company, t, family, with_team=with_team)

    # -- Greenhouse --------------------------------------------------------------------------

    def greenhouse(self) -> dict[str, Any]:
        rng = self.rng
        boards: dict[str, Any] = {}
        for board in GREENHOUSE_BOARDS:
            company = COMPANY[board.token]
            n = rng.randrange(7, 11)
            counts: dict[str, int] = {}
            about = self.board_about(company)
            dept_ids = {d: 4_002_000_000 + rng.randrange(10_000, 99_000) * 1000 + board.id_suffix
                        for d in board.departments}  # fmt: skip
            office_ids = [
                4_001_000_000 + rng.randrange(10_000, 99_000) * 1000 + board.id_suffix
                for _ in board.offices
            ]
            bulk_update = random_moment(
                rng, datetime(2026, 11, 17, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
            )
            jobs: list[tuple[datetime, dict[str, Any]]] = []
            specials: list[str] = []
            if board.token == "quanta-health":
                specials = ["cross", "cross", "lab"]
            if board.token == "northwind-ai":
                specials = ["legal"]
            for i in range(n):
                special = specials[i] if i < len(specials) else ""
                published = random_moment(rng, BOARD_START, BOARD_END)
                t = trend_t(published)
                if special == "cross":
                    fam = "ml" if not self.cross_posts else "data"
                    role = make_role(rng, company, t, fam, with_team=True)
                    counts[fam] = counts.get(fam, 0) + 1
                elif special in ("lab", "legal"):
                    title = OTHER_TITLES[special][0]
                    role = Role(title, "other", special, "mid")
                    counts["other"] = counts.get("other", 0) + 1
                else:
                    role = self.role_for(company, t, counts)
                posting = build_posting(rng, company, role, t, about)
                # Quanta's third office is its lab: only lab roles sit there.
                lab_office = board.token == "quanta-health"
                office = rng.randrange(2 if lab_office else len(board.offices))
                if role.kind == "lab":
                    office = 2
                salary_line = None
                salary = None
                if special == "cross" or chance(rng, 0.3):
                    salary = make_salary(rng, role, company)
                    if special != "cross":
                        salary_line = pick(rng, (
                            "The base salary range for this role is {r}, plus equity.",
                            "Pay range: {r}. Final offers depend on level and location.",
                            "The expected annual base pay for this position is {r}.",
                        )).format(r=salary_long(salary))  # fmt: skip
                if special == "cross":
                    self.cross_posts.append(
                        CrossPost(posting, role.title, published, office, salary)
                    )
                job_id = 0  # ids are assigned below, in order of publication
                content = greenhouse_html(posting, salary_line)
                self.titles_by_company.setdefault(company.slug, set()).add(role.title)
                self.count_role("boards", role)
                self.remember(html.unescape(re.sub("<[^>]+>", " ", content)), f"greenhouse/{board.token}",
                              allow_twin=special == "cross")  # fmt: skip
                office_name, office_loc, loc_name = board.offices[office]
                if special == "cross" or rng.random() < 0.7:
                    updated = max(published + timedelta(minutes=rng.randrange(5, 600)), bulk_update)
                else:
                    updated = published + timedelta(hours=rng.randrange(1, 72))
                updated = min(updated, SNAPSHOT)
                if role.kind == "lab":
                    location_type = "On-Site"
                elif loc_name.startswith("Remote"):
                    location_type = "Remote"
                elif "Remote" in loc_name:
                    location_type = "Hybrid"
                else:
                    location_type = pick(rng, ("Hybrid", "On-Site", "Hybrid"))
                job: dict[str, Any] = {
                    "absolute_url": "",
                    "data_compliance": [
                        {
                            "type": "gdpr",
                            "requires_consent": False,
                            "requires_processing_consent": False,
                            "requires_retention_consent": False,
                            "retention_period": None,
                            "demographic_data_consent_applies": False,
                        }
                    ],
                    "internal_job_id": job_id,
                    "location": {"name": loc_name},
                    "metadata": [
                        {
                            "id": 4_036_944_000 + board.id_suffix,
                            "name": "Location Type",
                            "value": location_type,
                            "value_type": "single_select",
                        }
                    ]
                    if board.metadata
                    else None,
                    "id": job_id,
                    "updated_at": eastern_iso(updated),
                    "requisition_id": f"{pick(rng, ('ENG', 'R', 'REQ'))}-{rng.randrange(1000, 9999)}",
                    "title": role.title,
                    "company_name": company.name,
                    "first_published": eastern_iso(published),
                    "language": "en",
                    "application_deadline": None,
                    "content": greenhouse_escape(content),
                    "departments": [
                        {
                            "id": dept_ids[greenhouse_department(board, role)],
                            "name": greenhouse_department(board, role),
                            "child_ids": [],
                            "parent_id": None,
                        }
                    ],
                    "offices": [
                        {
                            "id": office_ids[office],
                            "name": office_name,
                            "location": office_loc,
                            "child_ids": [],
                            "parent_id": None,
                        }
                    ],
                    "ai_disclaimer": None,
                    "include_ai_disclaimer": None,
                    "ai_opt_out_request_url": None,
                }
                jobs.append((published, job))
            # Ids grow with publication time, like real job-post ids.
            jobs.sort(key=lambda pair: pair[0])
            next_id = rng.randrange(5_100_000, 5_200_000)
            next_internal = rng.randrange(4_400_000, 4_500_000)
            for _, job in jobs:
                next_id += rng.randrange(2_000, 40_000)
                next_internal += rng.randrange(500, 9_000)
                job["id"] = next_id * 1000 + board.id_suffix
                job["internal_job_id"] = next_internal * 1000 + board.id_suffix
                job["absolute_url"] = (
                    f"https://careers.{company.domain}/open-roles?gh_jid={job['id']}" if board.careers_domain
                    else f"https://job-boards.greenhouse.io/{board.token}/jobs/{job['id']}"
                )  # fmt: skip
            ordered = [job for _, job in jobs]
            rng.shuffle(ordered)
            boards[board.token] = {"jobs": ordered, "meta": {"total": len(ordered)}}
            self.stats[f"greenhouse/{board.token}"] = len(ordered)
        return boards

    # -- Lever -------------------------------------------------------------------------------

    def lever(self) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        sites = {
            "quanta-health": (COMPANY["quanta-health"], "onsite", "Full-time", (
                ("New York, NY", "US", "hybrid"), ("Remote - US", "US", "remote"), ("Raleigh, NC", "US", "onsite"),
            )),
            "sparkline": (COMPANY["sparkline"], "on-site", "Permanent", (
                ("Chicago, IL", "US", "hybrid"), ("Remote - US", "US", "remote"), ("London", "GB", "remote"),
                ("Toronto, ON", "CA", "hybrid"),
            )),
        }  # fmt: skip
        out: dict[str, list[dict[str, Any]]] = {}
        for site, (company, onsite_word, commitment, locations) in sites.items():
            n = rng.randrange(7, 11)
            counts: dict[str, int] = {}
            about = self.board_about(company)
            postings: list[dict[str, Any]] = []
            for i in range(n):
                cross = (
                    self.cross_posts[i]
                    if site == "quanta-health" and i < len(self.cross_posts)
                    else None
                )
                if cross is not None:
                    posting, published, salary = cross.posting, cross.published, cross.salary
                    published += timedelta(hours=rng.randrange(2, 40), seconds=rng.randrange(60))
                    loc_name = ("New York, NY", "Remote - US", "Raleigh, NC")[cross.office]
                    country, workplace = "US", ("hybrid", "remote", "onsite")[cross.office]
                    all_locs = [loc_name]
                else:
                    published = random_moment(rng, BOARD_START, BOARD_END)
                    t = trend_t(published)
                    role = self.role_for(company, t, counts)
                    while role.title in self.titles_by_company.get(company.slug, set()):
                        role = make_role(rng, company, t, role.family, with_team=True)
                    posting = build_posting(rng, company, role, t, about)
                    loc_name, country, workplace = pick(rng, locations)
                    all_locs = [loc_name] + ([pick(rng, locations)[0]] if chance(rng, 0.3) else [])
                    all_locs = list(dict.fromkeys(all_locs))
                    salary = make_salary(rng, role, company) if chance(rng, 0.55) else None
                    if salary and country == "GB":
                        salary = Salary("GBP", "£", int(salary.low * 0.6 // 1000 * 1000),
                                        int(salary.high * 0.6 // 1000 * 1000), salary.interval)  # fmt: skip
                if workplace == "onsite":
                    workplace = onsite_word
                role = posting.role
                pid = new_uuid(rng)
                # Same headings and order as the Greenhouse rendering, so a cross-posted job reads
                # the same on both boards once the markup is gone.
                description_paras = [
                    f"About {company.name}",
                    *posting.about,
                    "About the role",
                    *posting.role_intro,
                ]
                lists = [*posting.sections, ("Benefits", posting.benefits)]
                additional_paras = list(posting.closing)
                item: dict[str, Any] = {
                    "additionalPlain": "\n\n".join(additional_paras),
                    "additional": "<div><br></div>".join(
                        f"<div>{html_text(x)}</div>" for x in additional_paras
                    ),
                    "categories": {
                        "commitment": "Intern" if role.level == "intern" else commitment,
                        "department": OTHER_DEPARTMENTS.get(role.kind)
                        or {"ml": "Engineering", "data": "Data"}.get(role.family, "Engineering"),
                        "location": loc_name,
                        "team": pick(
                            rng,
                            {
                                "ml": (
                                    "Machine Learning",
                                    "ML Platform",
                                    "Applied AI",
                                    "Search R&D",
                                ),
                                "data": ("Data Platform", "Analytics", "Data Science"),
                            }.get(
                                role.family,
                                (OTHER_DEPARTMENTS[role.kind],)
                                if role.family == "other"
                                else ("Platform", "Product Engineering", "Growth", "Core Services"),
                            ),
                        ),
                        "allLocations": all_locs,
                    },
                    "createdAt": unix(published) * 1000 + rng.randrange(1000),
                    "descriptionPlain": "\n".join(description_paras),
                    "description": "".join(f"<div>{html_text(x)}</div>" for x in description_paras),
                    "id": pid,
                    "lists": [
                        {
                            "text": heading,
                            "content": "\n"
                            + "".join(f"<li>{html_text(b)}</li>\n" for b in bullets),
                        }
                        for heading, bullets in lists
                    ],
                    "text": role.title,
                    "country": country,
                    "workplaceType": workplace,
                    "opening": "",
                    "openingPlain": "",
                    "descriptionBody": "".join(
                        f"<div>{html_text(x)}</div>" for x in description_paras
                    ),
                    "descriptionBodyPlain": "\n".join(description_paras),
                    "hostedUrl": f"https://jobs.lever.co/{site}/{pid}",
                    "applyUrl": f"https://jobs.lever.co/{site}/{pid}/apply",
                }
                if salary is not None:
                    interval = "per-hour-wage" if salary.interval == "hour" else "per-year-salary"
                    item["salaryRange"] = {"currency": salary.currency, "interval": interval,
                                           "min": salary.low, "max": salary.high}  # fmt: skip
                    note = pick(rng, ("Plus equity and benefits.", "Offers include equity.",
                                      "Final pay depends on experience and location."))  # fmt: skip
                    item["salaryDescription"] = f"<div>{note}</div>"
                    item["salaryDescriptionPlain"] = note
                flat = "\n".join(
                    [item["descriptionPlain"]]
                    + [h + "\n" + "\n".join(b) for h, b in lists]
                    + [item["additionalPlain"]]
                )
                if cross is None:
                    self.remember(flat, f"lever/{site}")
                if cross is None:
                    self.count_role("boards", role)
                postings.append(item)
            postings.sort(key=lambda p: p["createdAt"], reverse=True)
            out[site] = postings
            self.stats[f"lever/{site}"] = len(postings)
        return out

    # -- Ashby -------------------------------------------------------------------------------

    def ashby(self) -> dict[str, dict[str, Any]]:
        rng = self.rng
        boards = {
            "tessellate": (COMPANY["tessellate"], (
                ("Remote (US)", "Remote", True, {"addressCountry": "United States"}),
                ("Denver, CO", "Hybrid", True, {"addressLocality": "Denver", "addressRegion": "CO",
                                                "addressCountry": "USA"}),
                ("Denver, CO", "OnSite", False, {"addressLocality": "Denver", "addressRegion": "CO",
                                                 "addressCountry": "USA"}),
                ("Berlin, Germany", "Hybrid", False, {"addressLocality": "Berlin", "addressCountry": "Germany"}),
            )),
            "cobalt-mesa": (COMPANY["cobalt-mesa"], (
                ("New York, NY (HQ)", "Hybrid", True, {"addressLocality": "New York City", "addressRegion": "NY",
                                                       "addressCountry": "USA"}),
                ("Remote (US)", "Remote", True, {"addressCountry": "United States"}),
                ("New York, NY (HQ)", "OnSite", False, {"addressLocality": "New York City", "addressRegion": "NY",
                                                        "addressCountry": "USA"}),
            )),
        }  # fmt: skip
        out: dict[str, dict[str, Any]] = {}
        for token, (company, locations) in boards.items():
            n = rng.randrange(7, 11)
            unlisted = rng.randrange(n)
            hidden_pay = (unlisted + 1 + rng.randrange(n - 1)) % n
            counts: dict[str, int] = {}
            about = self.board_about(company)
            jobs = []
            for i in range(n):
                published = random_moment(rng, BOARD_START, BOARD_END)
                t = trend_t(published)
                if token == "cobalt-mesa" and i == 1:
                    role = Role(OTHER_TITLES["legal"][1], "other", "legal", "senior")
                else:
                    role = self.role_for(company, t, counts)
                posting = build_posting(rng, company, role, t, about)
                location, workplace, is_remote, address = pick(rng, locations)
                if chance(rng, 0.2):  # Ashby's isRemote often disagrees with workplaceType
                    is_remote = not is_remote
                desc_html, desc_plain = ashby_description(posting)
                self.count_role("boards", role)
                self.remember(desc_plain, f"ashby/{token}")
                jid = new_uuid(rng)
                employment = (
                    "Intern"
                    if role.level == "intern"
                    else ("Contract" if chance(rng, 0.08) else "FullTime")
                )
                secondary = []
                if chance(rng, 0.35):
                    other = pick(rng, locations)
                    if other[0] != location:
                        secondary.append(
                            {"location": other[0], "address": {"postalAddress": dict(other[3])}}
                        )
                show_pay = i != hidden_pay
                pay_region = replace(company, region="eu") if "Berlin" in location else company
                compensation = ashby_compensation(
                    rng, role, pay_region, empty=(i == hidden_pay and token == "tessellate")
                )
                job = {
                    "id": jid,
                    "title": role.title,
                    "department": {"ml": "Engineering", "data": "Data", "other": "Operations"}.get(
                        role.family, "Engineering") if role.kind != "legal" else "Legal",
                    "team": {"ml": "Applied AI", "data": "Data Platform"}.get(role.family, pick(rng, (
                        "Core Product", "Platform", "Growth"))) if role.family != "other" else "General & Admin",
                    "employmentType": employment,
                    "location": location,
                    "shouldDisplayCompensationOnJobPostings": show_pay,
                    "secondaryLocations": secondary,
                    "publishedAt": ashby_time(published, rng.randrange(1000)),
                    "isListed": i != unlisted,
                    "isRemote": is_remote,
                    "workplaceType": workplace,
                    "address": {"postalAddress": dict(address)},
                    "jobUrl": f"https://jobs.ashbyhq.com/{token}/{jid}",
                    "applyUrl": f"https://jobs.ashbyhq.com/{token}/{jid}/application",
                    "descriptionHtml": desc_html,
                    "descriptionPlain": desc_plain,
                    "compensation": compensation,
                }  # fmt: skip
                jobs.append(job)
            out[token] = {"apiVersion": "1", "jobs": jobs}
            self.stats[f"ashby/{token}"] = len(jobs)
        return out

    # -- Hacker News -------------------------------------------------------------------------

    def hacker_news(self) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
        rng = self.rng
        all_months = months()
        hits: list[dict[str, Any]] = []
        items: dict[int, dict[str, Any]] = {}
        handles = {c.slug: make_handle(rng) for c in COMPANIES}
        repost_company = COMPANY["tidewater-analytics"]
        repost_month = (2025, 9)
        repost_text: str | None = None
        total_postings = 0
        for index, (year, month) in enumerate(all_months):
            label = f"{MONTH_NAMES[month - 1]} {year}"
            day = 1
            while date(year, month, day).weekday() >= 5:
                day += 1
            posted = datetime(year, month, day, 15, 0, tzinfo=UTC)
            if not us_eastern_dst(posted):
                posted += timedelta(hours=1)  # 11:00 New York time
            posted += timedelta(seconds=rng.randrange(2, 45))
            story_id = 38_830_000 + index * 326_000 + rng.randrange(0, 15_000)
            t = trend_t(posted)

            n_posts = rng.randrange(18, 31)
            pool = [c for c in COMPANIES]
            chosen: list[Company] = []
            if (year, month) in (repost_month, next_month(repost_month)):
                chosen.append(repost_company)
            while len(chosen) < n_posts:
                c = weighted(rng, [(c, c.weight) for c in pool if c not in chosen])
                if c is repost_company and (year, month) == next_month(next_month(repost_month)):
                    continue
                chosen.append(c)
            rng.shuffle(chosen)

            # Times first, so ids can grow with time.
            nodes: list[dict[str, Any]] = []
            for company in chosen:
                delay = min(rng.expovariate(1 / 20_000) if chance(rng, 0.7) else rng.uniform(0, 9.5 * 86_400),
                            9.8 * 86_400)  # fmt: skip
                when = posted + timedelta(seconds=int(delay) + rng.randrange(30, 300))
                if (
                    company is repost_company
                    and (year, month) == next_month(repost_month)
                    and repost_text
                ):
                    text = repost_text
                else:
                    text = self.hn_comment(company, t)
                    if company is repost_company and (year, month) == repost_month:
                        repost_text = text
                    self.remember(html.unescape(re.sub("<[^>]+>", " ", text)), f"hn/{label}/{company.slug}",
                                  allow_twin=company is repost_company)  # fmt: skip
                author = handles[company.slug]
                if chance(rng, 0.12) and company is not repost_company:
                    author = make_handle(rng)  # someone else from the company posts this month
                nodes.append({"when": when, "author": author, "text": text, "children": []})
            total_postings += len(nodes)
            # One deleted comment.
            deleted_when = posted + timedelta(seconds=rng.randrange(600, 5 * 86_400))
            nodes.append({"when": deleted_when, "author": None, "text": None, "children": []})
            # Replies: 2-4 in the thread, sometimes answered by the poster.
            n_replies = rng.randrange(2, 5)
            targets = rng.sample(range(len(nodes) - 1), n_replies)
            made = 0
            for target in targets:
                if made >= n_replies:
                    break
                parent = nodes[target]
                question, answer = pick(rng, REPLIES)
                q_when = parent["when"] + timedelta(seconds=rng.randrange(600, 3 * 86_400))
                reply = {"when": q_when, "author": make_handle(rng), "text": hn_html_paragraphs([question]),
                         "children": []}  # fmt: skip
                parent["children"].append(reply)
                made += 1
                if answer and made < n_replies and chance(rng, 0.6):
                    a_when = q_when + timedelta(seconds=rng.randrange(900, 86_400))
                    reply["children"].append({"when": a_when, "author": parent["author"],
                                              "text": hn_html_paragraphs([answer]), "children": []})  # fmt: skip
                    made += 1
            nodes.sort(key=lambda node: node["when"])
            tree = self.hn_tree(story_id, posted, label, nodes)
            items[story_id] = tree
            n_comments = count_comments(tree)
            hits.append(hn_hit(story_id, f"Ask HN: Who is hiring? ({label})", posted, tree["points"], n_comments,
                               tree["text"], rng))  # fmt: skip
            # Companion stories from the same account, filtered out by title.
            if chance(rng, 0.55):
                sid = story_id + rng.randrange(1, 4)
                hits.append(hn_hit(sid, f"Ask HN: Who wants to be hired? ({label})", posted + timedelta(seconds=1),
                                   rng.randrange(90, 400), rng.randrange(150, 600), WANTS_TEXT, rng))  # fmt: skip
            if chance(rng, 0.4):
                sid = story_id + rng.randrange(4, 8)
                hits.append(hn_hit(sid, f"Ask HN: Freelancer? Seeking freelancer? ({label})",
                                   posted + timedelta(seconds=2), rng.randrange(40, 160), rng.randrange(60, 220),
                                   FREELANCE_TEXT, rng))  # fmt: skip
        hits.sort(key=lambda h: (h["created_at_i"], int(h["objectID"])), reverse=True)
        search = {
            "exhaustive": {"nbHits": True, "typo": True},
            "exhaustiveNbHits": True,
            "exhaustiveTypo": True,
            "hits": hits,
            "hitsPerPage": 100,
            "nbHits": len(hits),
            "nbPages": 1,
            "page": 0,
            "params": "tags=story%2Cauthor_whoishiring&hitsPerPage=100&page=0",
            "processingTimeMS": 2,
            "query": "",
            "serverTimeMS": 3,
        }
        self.stats["hn/threads"] = len(items)
        self.stats["hn/stories"] = len(hits)
        self.stats["hn/postings"] = total_postings
        return search, items

    def hn_tree(
        self, story_id: int, posted: datetime, label: str, nodes: list[dict[str, Any]]
    ) -> dict[str, Any]:
        rng = self.rng
        flat: list[tuple[datetime, dict[str, Any]]] = []

        def walk(node: dict[str, Any]) -> None:
            flat.append((node["when"], node))
            for child in node["children"]:
                walk(child)

        for node in nodes:
            walk(node)
        flat.sort(key=lambda pair: pair[0])
        last = story_id
        for when, node in flat:
            # Companion stories take story_id + 1..7, so comments start above that.
            seconds = (when - posted).total_seconds()
            guess = story_id + 12 + int(seconds * 0.125) + rng.randrange(1, 40)
            last = max(last + 1, guess)
            node["id"] = last

        def render(node: dict[str, Any], parent: int) -> dict[str, Any]:
            when: datetime = node["when"]
            return {
                "id": node["id"],
                "created_at": algolia_item_time(when),
                "created_at_i": unix(when),
                "type": "comment",
                "author": node["author"],
                "title": None,
                "url": None,
                "text": node["text"],
                "points": None,
                "parent_id": parent,
                "story_id": story_id,
                "children": [render(c, node["id"]) for c in node["children"]],
                "options": [],
            }

        return {
            "id": story_id,
            "created_at": algolia_item_time(posted),
            "created_at_i": unix(posted),
            "type": "story",
            "author": "whoishiring",
            "title": f"Ask HN: Who is hiring? ({label})",
            "url": None,
            "text": HIRING_TEXT,
            "points": rng.randrange(180, 620),
            "parent_id": None,
            "story_id": story_id,
            "children": [render(node, story_id) for node in nodes],
            "options": [],
        }

    def hn_comment(self, company: Company, t: float) -> str:
        """One top-level "Who is hiring?" comment, in HN markup."""
        rng = self.rng
        profile = self.profiles[company.slug]
        size = max(4, int(profile.size * (0.45 + 0.7 * t)))  # companies grow over the years
        roles = [self.role_for(company, t, self.hn_family_counts, with_team=False)]
        if chance(rng, 0.35):
            second = make_role(rng, company, t)
            if second.title != roles[0].title:
                roles.append(second)
        main = roles[0]
        self.count_role("hn", main)
        skills = draw_skills(rng, main.family, main.kind, t)
        for extra in roles[1:]:
            skills += [
                s for s in draw_skills(rng, extra.family, extra.kind, t, 0.5) if s not in skills
            ]
        traps = choose_traps(rng, main, company, skills, 0.3)
        skills = [s for s in skills if s not in traps.adds]

        # First line.
        titles = [r.title for r in roles]
        role_seg = (
            join_words(titles, "&") if len(titles) == 2 and chance(rng, 0.3) else ", ".join(titles)
        )
        if len(roles) == 2 and chance(rng, 0.15):
            role_seg = f"{titles[0]} (+ more roles)"
        location, remote = hn_location(rng, company)
        salary = make_salary(rng, main, company) if chance(rng, 0.5 + 0.25 * t) else None
        salary_seg = None
        if salary is not None:
            seg = salary_k(salary, pick(rng, ("–", "-", " - ")))
            if salary.interval == "year" and chance(rng, 0.5):
                seg += pick(rng, (" + equity", " + equity", " + bonus", " base"))
            salary_seg = seg
        url = f"https://{company.domain}/{pick(rng, ('careers', 'jobs', 'careers/engineering', 'about/jobs'))}"
        if chance(rng, 0.08):
            url = f"https://careers.{company.domain}/python-jobs"
        name = company.name + (f" {company.tag}" if company.tag and chance(rng, 0.5) else "")
        full_time = pick(rng, ("Full-time", "Full Time", "Full-Time", "FT"))
        layout = rng.random()
        if layout < 0.45:
            segs = [name, role_seg, location, remote] + ([salary_seg] if salary_seg else [])
            if chance(rng, 0.3):
                segs.append(full_time)
        elif layout < 0.75:
            segs = (
                [name, location, remote, role_seg]
                + ([full_time] if chance(rng, 0.5) else [])
                + [url]
            )
            if salary_seg:
                segs.insert(4, salary_seg)
        elif layout < 0.93:
            segs = (
                [name, role_seg]
                + ([salary_seg] if salary_seg else [])
                + [f"{remote} ({location})" if remote else location]
            )
            if chance(rng, 0.5):
                segs.append(url)
        else:  # the old convention: location first
            segs = [location, name, role_seg, remote] + ([salary_seg] if salary_seg else [])
        if chance(rng, 0.1):
            segs.append("VISA")
        segs = [s for i, s in enumerate(segs) if s and s not in segs[:i]]
        first_line = " | ".join(segs)

        # Body.
        paras: list[str] = []
        blurb = company_blurb(rng, company, profile, size)
        paras.append(" ".join(blurb[: rng.randrange(1, len(blurb) + 1)]))
        if chance(rng, 0.25):
            paras.append(
                f"I'm {pick(rng, FIRST_NAMES)}, {pick(rng, ('CTO', 'a founder', 'an engineering manager', 'head of ML', 'a staff engineer'))} here."
            )
        tech = [s for s in skills if SKILL_TEXT[s].group != "soft"]
        soft = [s for s in skills if SKILL_TEXT[s].group == "soft"]
        rng.shuffle(tech)
        stack: list[str] = []
        if tech and chance(rng, 0.45):
            stack = tech[: rng.randrange(3, 8)]
        in_prose = [s for s in tech if s not in stack]

        tasks = []
        for s in in_prose:
            if SKILL_TEXT[s].tasks and len(tasks) < 2 and chance(rng, 0.5):
                tasks.append(pick(rng, SKILL_TEXT[s].tasks))
        done = {s for s in in_prose if any(n in " ".join(tasks) for n in SKILL_TEXT[s].names)}
        generic = pick(rng, GENERIC_TASKS.get(req_family(main), GENERIC_TASKS["backend"]))
        tasks.append(generic[0].lower() + generic[1:])
        role_word = main.title if len(roles) == 1 else "people"
        paras.append(pick(rng, (
            "We're hiring {who} to {tasks}.",
            "We need {who} who can {tasks}.",
            "Looking for {who}; you'd {tasks}.",
        )).format(who=article(role_word), tasks=join_words(tasks)))  # fmt: skip
        if len(roles) > 1:
            paras.append("Open roles: " + ", ".join(titles) + ".")

        remaining = [s for s in in_prose if s not in done]
        bullets: list[str] = []
        if main.level == "intern":
            bullets.append("You're a student graduating in the next year or so")
        elif main.family != "other" and chance(rng, 0.5):
            bullets.append(f"{years_phrase(rng, main.level)} of relevant experience")
        specific_used = []
        for s in remaining:
            if SKILL_TEXT[s].reqs and chance(rng, 0.4):
                bullets.append(
                    pick(rng, SKILL_TEXT[s].reqs).format(years=years_phrase(rng, main.level))
                )
                specific_used.append(s)
        bullets += group_bullets(rng, [s for s in remaining if s not in specific_used])
        bullets += group_bullets(rng, soft)
        if main.kind == "legal" and not any("LL.M." in b for b in bullets):
            bullets.append("LL.M. preferred")
        if main.kind == "lab":
            bullets.append(
                "Comfortable preparing 5 mL reagent aliquots all day without losing count"
            )
        if chance(rng, 0.35):
            extra = GENERIC_REQS.get(req_family(main), ())
            if extra:
                bullets.append(pick(rng, extra))
        if stack:
            names = [skill_name(rng, s) for s in stack]
            paras.append(
                f"{pick(rng, ('Stack', 'Tech stack', 'Tech', 'We use'))}: {', '.join(names)}"
            )
        if bullets:
            if chance(rng, 0.5):
                paras.append(
                    pick(rng, ("What we're looking for:", "You have:", "Ideally you bring:"))
                )
                paras.extend(f"- {b}" for b in bullets)
            else:
                paras.append(". ".join(bullets) + ".")
        paras.extend(traps.sentences)
        if chance(rng, 0.3):
            pool = list(BENEFITS_EU if company.region in ("eu", "uk") else BENEFITS_US)
            rng.shuffle(pool)
            paras.append("We offer: " + ", ".join(b[0].lower() + b[1:] for b in pool[:3]) + ".")
        if salary is not None and salary_seg is None:
            paras.append(f"Salary: {salary_k(salary)}.")
        paras.append(apply_line(rng, company, url))
        body = paras
        text = hn_html(first_line) + "".join("<p>" + hn_html(p) for p in body)
        return text


def next_month(ym: tuple[int, int]) -> tuple[int, int]:
    y, m = ym
    return (y + 1, 1) if m == 12 else (y, m + 1)


def article(word: str) -> str:
    if word == "people":
        return "a few people"
    if word.startswith(("ML", "LLM", "SRE")):
        return "an " + word
    if word.startswith(("UI", "Uni")):
        return "a " + word
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


def hn_location(rng: random.Random, company: Company) -> tuple[str, str]:
    city = company.hq
    short = {"San Francisco, CA": "SF", "New York, NY": "NYC", "Brooklyn, NY": "NYC"}.get(
        city, city.split(",")[0]
    )
    if company.style == "remote" or city == "Remote":
        # The location segment already says REMOTE, so the separate remote segment is empty.
        area = {"us": "US", "ca": "Canada", "eu": "EU", "uk": "UK"}[company.region]
        word = pick(rng, ("REMOTE", "Remote", "REMOTE"))
        if city != "Remote" and chance(rng, 0.3):
            return f"{short} or {word} ({area})", ""
        where = pick(rng, (area, area + " only", area + " time zones", "worldwide"))
        return f"{word} ({where})", ""
    if company.style == "hybrid":
        return (short if chance(rng, 0.5) else city), pick(
            rng, ("Hybrid", "HYBRID", "Hybrid (3 days)", "ONSITE")
        )
    return (short if chance(rng, 0.5) else city), pick(rng, ("ONSITE", "Onsite", "ONSITE"))


def apply_line(rng: random.Random, company: Company, url: str) -> str:
    mail = f"{pick(rng, ('jobs', 'careers', 'hiring', 'hello'))}@{company.mail_domain}"
    if chance(rng, 0.08):
        return f"Please send your CV to {mail}."  # CV = curriculum vitae, not computer vision
    return pick(rng, (
        f"Apply: {url}",
        f"Apply at {url} or email {mail} and mention HN.",
        f"Email {mail} with a few lines about yourself; no cover letter needed.",
        f"More details and the application form: {url}",
        f"Reach out at {mail} - I read every message.",
    ))  # fmt: skip


def hn_html_paragraphs(paras: list[str]) -> str:
    return "<p>".join(hn_html(p) for p in paras)


REPLIES: tuple[tuple[str, str | None], ...] = (
    ("Is this role open to candidates in Canada?", "Yes, we hire in Canada through an employer of record."),
    ("Applied last month, no reply so far. Is the role still open?", "Still open, sorry for the slow reply. "
                                                                     "Checking on your application now."),
    ("Do you sponsor visas?", "Not for this role, unfortunately."),
    ("Is the salary range the same for people based in Europe?", None),
    ("The careers link gives me a 404.", "Fixed, thanks for flagging!"),
    ("Any chance of part-time or contract work?", None),
    ("Does the data role need prior Spark experience, or is strong SQL enough?", "SQL is enough to start."),
    ("What does the interview process look like?", "Intro call, a take-home (paid), then a half-day onsite."),
    ("Would you consider someone coming from a PyTorch research background rather than industry?", None),
)  # fmt: skip

HIRING_TEXT = hn_html_paragraphs([
    "Share open roles at your company below. Lead with the location and say REMOTE, ONSITE or HYBRID; "
    "if remote work is limited to some countries, name them.",
    "Only post if you work at the hiring company yourself. One comment per company, and say what the "
    "company does if people might not know.",
    "Replies should be questions for the poster, not complaints about the company.",
    "Readers: only contact a company if you are interested in the job yourself.",
])  # fmt: skip
WANTS_TEXT = hn_html_paragraphs([
    "Looking for work? Share a short note in this format:",
    "Location:\nRemote:\nWilling to relocate:\nTechnologies:\nResume/CV:\nEmail:",
    "Only post if you are looking for a job yourself. Readers: reach out only about real openings.",
])  # fmt: skip
FREELANCE_TEXT = hn_html_paragraphs([
    "Looking for freelance work, or for a freelancer? Start your comment with SEEKING WORK or SEEKING "
    "FREELANCER, then your location and whether remote is fine.",
])  # fmt: skip


def hn_hit(story_id: int, title: str, posted: datetime, points: int, num_comments: int, text: str,
           rng: random.Random) -> dict[str, Any]:  # fmt: skip
    updated = min(
        posted + timedelta(days=rng.randrange(20, 40), seconds=rng.randrange(86_400)), SNAPSHOT
    )
    return {
        "_highlightResult": {
            "author": {"matchLevel": "none", "matchedWords": [], "value": "whoishiring"},
            "title": {"matchLevel": "none", "matchedWords": [], "value": title},
        },
        "_tags": ["story", "author_whoishiring", f"story_{story_id}", "ask_hn"],
        "author": "whoishiring",
        "comment_text": None,
        "created_at": algolia_hit_time(posted),
        "created_at_i": unix(posted),
        "num_comments": num_comments,
        "objectID": str(story_id),
        "parent_id": None,
        "points": points,
        "story_id": story_id,
        "story_text": text,
        "title": title,
        "updated_at": algolia_hit_time(updated),
        "url": None,
    }


def count_comments(node: dict[str, Any]) -> int:
    total = 0
    for child in node["children"]:
        if child["author"] is not None:
            total += 1
        total += count_comments(child)
    return total


def ashby_description(p: Posting) -> tuple[str, str]:
    style = ' style="min-height:1.5em"'
    h: list[str] = [f"<h2><strong>About {html.escape(p.company.name)}</strong></h2>"]
    plain: list[str] = [f"ABOUT {p.company.name.upper()}"]
    for x in p.about:
        h.append(f"<p{style}>{html_text(x)}</p>")
        plain.append(x)
    h.append("<h2><strong>About the Role</strong></h2>")
    plain.append("ABOUT THE ROLE")
    for x in p.role_intro:
        h.append(f"<p{style}>{html_text(x)}</p>")
        plain.append(x)
    sections = [*p.sections, ("Benefits", p.benefits)]
    for heading, bullets in sections:
        h.append(f"<h2><strong>{html.escape(heading)}</strong></h2><ul{style}>")
        h += [f"<li><p{style}>{html_text(b)}</p></li>" for b in bullets]
        h.append("</ul>")
        plain.append(heading.upper())
        plain.extend(f" - {b}" for b in bullets)
    for x in p.closing:
        h.append(f"<p{style}><em>{html_text(x)}</em></p>")
        plain.append(x)
    return "".join(h), "\n\n".join(plain)


def ashby_compensation(
    rng: random.Random, role: Role, company: Company, empty: bool
) -> dict[str, Any]:
    if empty:
        return {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
                "compensationTiers": [], "summaryComponents": []}  # fmt: skip
    salary = make_salary(rng, role, company)
    equity = role.level != "intern" and chance(rng, 0.7)

    def money(v: int) -> str:
        return (
            f"{salary.symbol}{v // 1000}K" if salary.interval == "year" else f"{salary.symbol}{v}"
        )

    tiers_spec: list[tuple[str, int, int]] = [
        ("US" if salary.currency == "USD" else "Germany", salary.low, salary.high)
    ]
    if salary.interval == "year" and salary.currency == "USD" and chance(rng, 0.5):
        tiers_spec = [
            ("SF/NY", salary.low, salary.high),
            (
                "Rest of US",
                int(salary.low * 0.9 // 1000 * 1000),
                int(salary.high * 0.9 // 1000 * 1000),
            ),
        ]
    interval = "1 YEAR" if salary.interval == "year" else "1 HOUR"
    tiers = []
    for title, low, high in tiers_spec:
        components = []
        if equity:
            components.append(
                {
                    "id": new_uuid(rng),
                    "summary": "Offers Equity",
                    "compensationType": "EquityCashValue",
                    "interval": "1 YEAR",
                    "currencyCode": salary.currency,
                    "minValue": None,
                    "maxValue": None,
                }
            )
        rng_text = f"{money(low)} – {money(high)}"
        components.append(
            {
                "id": new_uuid(rng),
                "summary": rng_text,
                "compensationType": "Salary",
                "interval": interval,
                "currencyCode": salary.currency,
                "minValue": low,
                "maxValue": high,
            }
        )
        tiers.append(
            {
                "id": new_uuid(rng),
                "tierSummary": rng_text + (" • Offers Equity" if equity else ""),
                "title": title,
                "additionalInformation": None,
                "components": components,
            }
        )
    low = min(t[1] for t in tiers_spec)
    high = max(t[2] for t in tiers_spec)
    summary = f"{money(low)} – {money(high)}" + (" • Offers Equity" if equity else "")
    if len(tiers) > 1:
        summary += " • Multiple Ranges"
    summary_components: list[dict[str, Any]] = []
    if equity:
        summary_components.append(
            {
                "compensationType": "EquityCashValue",
                "minValue": None,
                "maxValue": None,
                "interval": "1 YEAR",
            }
        )
    summary_components.append(
        {
            "minValue": low,
            "maxValue": high,
            "currencyCode": salary.currency,
            "interval": interval,
            "compensationType": "Salary",
        }
    )
    return {
        "compensationTierSummary": summary,
        "scrapeableCompensationSalarySummary": f"{money(low)} - {money(high)}",
        "compensationTiers": tiers,
        "summaryComponents": summary_components,
    }  # fmt: skip


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def write_json(path: Path, obj: Any, indent: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(obj, ensure_ascii=False, indent=indent, separators=separators)
    path.write_text(text + "\n", encoding="utf-8")


def generate(out_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    gen = SampleGenerator(SEED)
    greenhouse = gen.greenhouse()
    lever = gen.lever()
    ashby = gen.ashby()
    search, items = gen.hacker_news()

    if out_dir.exists():
        shutil.rmtree(out_dir)
    for token, body in greenhouse.items():
        write_json(out_dir / "greenhouse" / f"{token}.json", body, 1)
    for site, body in lever.items():
        write_json(out_dir / "lever" / f"{site}.json", body, 1)
    for token, body in ashby.items():
        write_json(out_dir / "ashby" / f"{token}.json", body, 1)
    write_json(out_dir / "hn" / "search_by_date.json", search, 1)
    for story_id, tree in items.items():
        write_json(out_dir / "hn" / "items" / f"{story_id}.json", tree, None)

    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    if total > MAX_SAMPLE_BYTES:
        raise SystemExit(f"sample folder is {total:,} bytes, over the {MAX_SAMPLE_BYTES:,} budget")
    gen.stats["bytes"] = total
    return gen.stats


def main() -> None:
    stats = generate()
    for key in sorted(stats, key=lambda k: (k.startswith("roles/"), k == "bytes", k)):
        print(f"{key}: {stats[key]:,}")


if __name__ == "__main__":
    main()
