"""Exact mentions on literal texts for the extractor's fast paths (issue 8): one LOWER phrase pass
that also finds case-sensitive forms and checks their casing after, overlap resolution per run
of overlapping matches, negative patterns skipped when their words are absent, section maps read
only up to the last mention, Mentions as named tuples, and lexemes with only the attributes
read. The expected tuples are what the three-pass extractor produced before these changes."""

from __future__ import annotations

import pickle

import pytest
from spacy.attrs import IDS

from extractors.skills.matcher import (
    Extraction,
    Mention,
    SkillExtractor,
    build_pipeline,
    from_plain,
    to_plain,
)
from extractors.skills.rules import pattern_attributes, pattern_requirements
from extractors.skills.sections import map_sections

M = tuple[str, int, int, str, str, str]
IDS_BY_VALUE = {value: name for name, value in IDS.items()}

CASES: dict[str, tuple[str, list[M]]] = {
    "case_sensitive_forms": (
        "We write Go daily.\nGO is fine; go home. Spark, spark and SPARK with Hadoop.",
        [
            ("go", 9, 11, "Go", "body", "case_sensitive+go#1"),
            ("spark", 40, 45, "Spark", "body", "case_sensitive+spark#1"),
            ("spark", 47, 52, "spark", "body", "gated_alias+spark#2"),
            ("spark", 57, 62, "SPARK", "body", "gated_alias+spark#2"),
            ("hadoop", 68, 74, "Hadoop", "body", "alias"),
        ],
    ),
    "overlaps": (
        "Ruby on Rails, machine learning and deep learning. Apache Spark and spark.",
        [
            ("rails", 0, 13, "Ruby on Rails", "body", "alias"),
            ("machine-learning", 15, 31, "machine learning", "body", "alias"),
            ("deep-learning", 36, 49, "deep learning", "body", "alias"),
            ("spark", 51, 63, "Apache Spark", "body", "alias"),
        ],
    ),
    "negatives": (
        "Monty Python fans. Python developer. R&D in R and stats. M+R jobs. Free Java, cup of java, Java developer.",
        [
            ("python", 19, 25, "Python", "body", "alias+python#1"),
            ("r", 44, 45, "R", "body", "case_sensitive+r#1"),
            ("statistics", 50, 55, "stats", "body", "alias+statistics#1"),
            ("java", 91, 95, "Java", "body", "alias+java#1"),
        ],
    ),
    "negative_words": (
        "A python snake. Python code with Kubernetes.",
        [
            ("kubernetes", 33, 43, "Kubernetes", "body", "alias"),
        ],
    ),
    "sections": (
        "Requirements: Python\nAbout you\n- Docker\n- Rust\n\nBenefits\nFree lunch.",
        [
            ("python", 14, 20, "Python", "body", "alias+python#1"),
            ("docker", 33, 39, "Docker", "requirements", "alias"),
            ("rust", 42, 46, "Rust", "requirements", "case_sensitive+default"),
        ],
    ),
    "addresses": (
        "python.org, Python, jobs@kafka.io and www.go-jobs.com/rust (Rust) Docker,",
        [
            ("python", 12, 18, "Python", "body", "alias+python#1"),
            ("rust", 60, 64, "Rust", "body", "case_sensitive+default"),
            ("docker", 66, 72, "Docker", "body", "alias"),
        ],
    ),
    "company_suffix": (
        "Docker Inc, Remote. Docker, Inc. and Kubernetes LLC. Docker\tGmbH. Docker is used.",
        [
            ("docker", 66, 72, "Docker", "body", "alias"),
        ],
    ),
    "edges": (
        "Python",
        [
            ("python", 0, 6, "Python", "body", "alias+python#1"),
        ],
    ),
    "edges2": (
        "Kubernetes and\nPython and R.",
        [
            ("kubernetes", 0, 10, "Kubernetes", "body", "alias"),
            ("python", 15, 21, "Python", "body", "alias+python#1"),
            ("r", 26, 27, "R", "body", "case_sensitive+r#1"),
        ],
    ),
    "infixes": (
        "HTML+CSS and \u200bGo\u200b with Kubernetes; C++/Java/C#.",
        [
            ("html", 0, 4, "HTML", "body", "alias"),
            ("css", 5, 8, "CSS", "body", "alias"),
            ("go", 14, 16, "Go", "body", "case_sensitive+go#1"),
            ("kubernetes", 23, 33, "Kubernetes", "body", "alias"),
            ("cpp", 35, 38, "C++", "body", "alias"),
            ("java", 39, 43, "Java", "body", "alias+java#1"),
            ("csharp", 44, 46, "C#", "body", "alias"),
        ],
    ),
    "slot": (
        "Spark Networks | Berlin | Backend\nSpark and Go at Spark.",
        [
            ("spark", 34, 39, "Spark", "body", "case_sensitive+spark#1"),
            ("go", 44, 46, "Go", "body", "case_sensitive+go#1"),
            ("spark", 50, 55, "Spark", "body", "case_sensitive+spark#1"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exact_mentions(skill_extractor, name: str) -> None:  # type: ignore[no-untyped-def]
    text, expected = CASES[name]
    for extraction in (
        skill_extractor.extract(text, name),
        next(iter(skill_extractor.extract_many([(name, text)]))),
    ):
        got = [(m.skill, m.start, m.end, m.text, m.section, m.rule) for m in extraction.mentions]
        assert got == expected


def test_many_gated_mentions_in_one_long_doc(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    """Past the per-Doc budget the LOWER hashes come from one array instead of token reads;
    both must agree, so every repeated line gives the same mentions."""
    line = "Item {i}: Go to the site. We use Go and Kubernetes and R with ggplot2.\n"
    text = "".join(line.format(i=i) for i in range(60))
    mentions = skill_extractor.extract(text).mentions
    assert len(mentions) == 240
    assert {m.rule for m in mentions} == {"alias", "case_sensitive+go#1", "case_sensitive+r#1"}
    starts = [text.index(f"Item {i}:") for i in (10, 30, 59)]
    per_line = [
        [(m.skill, m.start - start, m.rule) for m in mentions if start <= m.start < start + 70]
        for start in starts
    ]
    assert len(per_line[0]) == 4
    assert per_line[0] == per_line[1] == per_line[2]


def test_mention_is_an_immutable_record_that_survives_plain_tuples() -> None:
    mention = Mention("python", 3, 9, "Python", "requirements", "alias")
    assert (mention.skill, mention.start, mention.end) == ("python", 3, 9)
    assert repr(mention) == (
        "Mention(skill='python', start=3, end=9, text='Python', section='requirements', "
        "rule='alias')"
    )
    assert pickle.loads(pickle.dumps(mention)) == mention
    with pytest.raises(AttributeError):
        mention.skill = "go"  # type: ignore[misc]
    plain = to_plain(Extraction("d1", ("python",), (mention,)))
    assert plain == ("d1", ("python",), (("python", 3, 9, "Python", "requirements", "alias"),))
    assert type(plain[2][0]) is tuple  # what crosses process boundaries pickles as a tuple
    rebuilt = from_plain(plain).mentions[0]
    assert type(rebuilt) is Mention and rebuilt.section == "requirements"


def test_pattern_attributes_are_the_upper_case_keys_of_negative_patterns() -> None:
    document = {
        "rule": [
            {"skill": "r", "negative": [[{"IS_TITLE": True}, {"ORTH": "R", "OP": "?"}]]},
            {"skill": "go", "negative": [[{"like_url": True}]]},
            {"skill": "c"},
        ]
    }
    assert pattern_attributes(document) == {"IS_TITLE", "ORTH", "LIKE_URL"}
    assert pattern_attributes({}) == frozenset()


def test_new_words_get_only_the_attributes_asked_for() -> None:
    trimmed = build_pipeline(["LOWER", "IS_TITLE"])
    word = trimmed("Zyxwvut")[0]
    assert (word.lower_, word.is_title) == ("zyxwvut", True)
    assert (word.shape_, word.is_alpha) == ("", False)  # not computed: read as unset
    full = build_pipeline()("Zyxwvut")[0]
    assert (full.shape_, full.is_alpha) == ("Xxxxx", True)


def test_extractor_computes_what_its_rules_and_code_read(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    getters = skill_extractor.nlp.vocab.lex_attr_getters
    kept = {IDS_BY_VALUE[attr] for attr in getters}
    assert {"LOWER", "IS_SPACE", "IS_PUNCT", "LIKE_NUM", "IS_TITLE", "LIKE_URL"} <= kept
    assert not kept & {"SHAPE", "NORM", "PREFIX", "SUFFIX", "IS_STOP"}


def test_extraction_with_all_attributes_equals_the_trimmed(skill_extractor) -> None:  # type: ignore[no-untyped-def]
    everything = SkillExtractor(skill_extractor.taxonomy)
    everything.nlp.vocab.lex_attr_getters = build_pipeline().vocab.lex_attr_getters
    # The initial in "John R. Smith" is vetoed by an IS_TITLE pattern: with that attribute
    # left uncomputed the veto would never fire.
    initial = "Stack: Python, SQL and R. Contact John R. Smith about Python and SQL."
    found = [(m.skill, m.start) for m in skill_extractor.extract(initial).mentions]
    assert found == [("python", 7), ("sql", 15), ("r", 23), ("python", 54), ("sql", 65)]
    texts = [initial] + [text for text, _ in CASES.values()]
    texts += [
        "github: https://github.com/acme, 10 SGD, not LLMs",
        "Toy puzzles teach problem solving.",
    ]
    for text in texts:
        assert skill_extractor.extract(text) == everything.extract(text), text


def test_pattern_requirements() -> None:
    patterns = [
        [{"ORTH": "R"}, {"ORTH": "&"}, {"ORTH": "D"}],
        [{"LOWER": {"IN": ["grade", "type"]}}, {"ORTH": "-", "OP": "?"}, {"ORTH": "C"}],
    ]
    assert pattern_requirements(patterns) == (
        (frozenset({"r"}), frozenset({"&"}), frozenset({"d"})),
        (frozenset({"grade", "type"}), frozenset({"c"})),
    )
    # A pattern whose tokens are constrained only otherwise rules nothing out.
    assert pattern_requirements([[{"IS_TITLE": True}, {"LOWER": {"NOT_IN": ["x"]}}]]) is None
    assert pattern_requirements([[{"ORTH": "Go"}], [{"LIKE_NUM": True, "OP": "+"}]]) is None


def test_section_map_until_the_last_mention() -> None:
    text = "Intro\nRequirements:\n- Python\nBenefits\n- Lunch"
    full, cut = map_sections(text), map_sections(text, until=text.index("Python"))
    for offset in range(text.index("Python") + 1):
        assert cut.section_at(offset) == full.section_at(offset)
    assert full.section_at(len(text) - 1) == "benefits"
