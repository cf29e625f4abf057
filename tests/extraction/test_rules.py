"""Context rules and mention invariants, on short literal texts."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Our stack: Python and R.", {"python", "r"}, set()),
        ("Join the R&D group.", set(), {"r"}),
        ("John R. Smith will call you.", set(), {"r"}),
        ("Stack: Go, Postgres, Redis.", {"go", "postgresql"}, set()),
        ("Go to our site and apply.", set(), {"go"}),
        ("Own the go-to-market plan.", set(), {"go"}),
        ("Porting services from Go into Elixir and Python.", {"go", "python"}, set()),
        ("Java and JavaScript engineers.", {"java", "javascript"}, set()),
        ("React and Angular only.", set(), {"javascript"}),
        ("Write C/C++ firmware.", {"cpp"}, set()),
        ("Report to C-level executives.", set(), {"cpp", "c"}),
        ("Spark joy at work.", set(), {"spark"}),
        ("Later goals include hadoop, spark, cassandra.", {"spark", "hadoop"}, set()),
        ("Regression testing and performance regressions.", set(), {"regression"}),
        ("Linear regression and k-means.", {"regression", "clustering"}, set()),
        (
            "Kubernetes cluster administration and database clustering.",
            {"kubernetes"},
            {"clustering"},
        ),
        ("Send your CV to us.", set(), {"computer-vision"}),
        ("ML/CV researchers wanted.", {"machine-learning", "computer-vision"}, set()),
        ("Write HTML and OCaml.", set(), {"machine-learning"}),
        ("TF modules for our Terraform state.", set(), {"tensorflow"}),
        ("Train models in TF on GPUs.", {"tensorflow"}, set()),
        ("The red pandas at the zoo.", set(), {"pandas"}),
        ("JAX airport is close.", set(), {"jax"}),
        ("Counsel with an LL.M. or LLM in tax law.", set(), {"llm"}),
        ("Franz Kafka fans welcome.", set(), {"kafka"}),
        ("Services scale and are scalable.", set(), {"scala"}),
        ("A unified communication platform.", set(), {"communication"}),
        ("Excellent communication skills.", {"communication"}, set()),
        ("Able to communicate ideas effectively.", {"communication"}, set()),
        ("We help brands communicate effectively with customers.", set(), {"communication"}),
        ("We're solving complex problems in logistics.", set(), {"problem-solving"}),
        ("You are a natural problem-solver.", {"problem-solving"}, set()),
        ("Built on open source tools.", set(), {"open-source"}),
        ("Contributions to open source are a plus.", {"open-source"}, set()),
        ("Arrays, trees and graphs.", {"data-structures"}, set()),
        ("Salary SGD 9000 per month.", set(), {"gradient-descent"}),
        ("Deploy on EKS.", {"kubernetes", "aws"}, set()),
        ("Use PySpark daily.", {"spark"}, set()),
        ("Build RAG with LangChain.", {"llm"}, set()),
    ],
)
def test_context_rules(skill_extractor, text: str, expected: set[str], absent: set[str]) -> None:  # type: ignore[no-untyped-def]
    found = set(skill_extractor.extract(text).skills)
    assert expected <= found
    assert not (absent & found)


@pytest.mark.parametrize(
    "text",
    [
        "Apply at https://jobs.example.com/python-spark-role today.",
        "Email python.jobs@example.org for details.",
        "See www.golang-jobs.io/kafka for more.",
    ],
)
def test_nothing_counts_inside_urls_or_emails(skill_extractor, text: str) -> None:  # type: ignore[no-untyped-def]
    assert not skill_extractor.extract(text).mentions


def test_company_slot_of_a_header_is_not_a_skill(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    text = "Spark Networks | Berlin | Backend Engineer\nWe use Python."
    assert set(skill_extractor.extract(text).skills) == {"python"}


def test_zero_width_spaces_do_not_hide_skills(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    text = "Stack: Ruby\u200b / \u200bPostgreSQL\u200b / \u200bAWS\u200b"
    assert {"postgresql", "aws"} <= set(skill_extractor.extract(text).skills)


def test_mentions_keep_offsets_surface_section_and_rule(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    text = "Acme | Remote\n\nRequirements:\n- Go, Kubernetes\n\nBenefits:\n- free Java coffee\n"
    result = skill_extractor.extract(text, "doc-1")
    assert result.doc_id == "doc-1"
    by_skill = {m.skill: m for m in result.mentions}
    assert set(by_skill) == {"go", "kubernetes"}
    assert by_skill["go"].section == "requirements"
    assert by_skill["go"].rule.startswith("case_sensitive+go#")
    assert by_skill["kubernetes"].rule == "alias"
    for mention in result.mentions:
        assert text[mention.start : mention.end] == mention.text


def test_parents_count_at_posting_level(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    skills = set(skill_extractor.extract("We run EKS and LlamaIndex.").skills)
    assert {"eks", "kubernetes", "aws", "llamaindex", "llm"} <= skills
