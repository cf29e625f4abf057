"""Property-based tests: parsers, dates, HTML-to-text and the extractor on arbitrary input.

No input may crash them: a parser may refuse with its own error type (SourceError for a payload,
ValueError for a JSONL line), nothing else. Mention offsets always point at the matched text,
and extraction is deterministic. Example counts are modest so the suite stays fast.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from conftest import record_figure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.sources.base import ParseResult, Payload, SourceError
from extractors.sources.dates import parse_timestamp
from extractors.sources.hn import Header, parse_header
from extractors.sources.jsonl import parse_line
from extractors.sources.registry import get_source
from extractors.text import html_to_text

EXAMPLES = Counter[str]()
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["2025-01-31", "2024-02-30", "1700000000000", "<p>Python</p>", "\ud800"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "id",
    "title",
    "text",
    "content",
    "company_name",
    "location",
    "metadata",
    "first_published",
    "updated_at",
    "absolute_url",
    "createdAt",
    "descriptionPlain",
    "description",
    "lists",
    "additional",
    "categories",
    "workplaceType",
    "salaryRange",
    "hostedUrl",
    "jobs",
    "children",
    "author",
    "created_at",
    "parent_id",
    "type",
    "name",
    "jobAd",
    "sections",
    "releasedDate",
    "publishedAt",
    "descriptionHtml",
    "compensation",
    "shortcode",
    "published_on",
    "content",
]
job_like = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8)
# shaped like each API's envelope, with arbitrary records and values inside
ENVELOPES = {
    "greenhouse": ("board", st.fixed_dictionaries({"jobs": st.lists(job_like, max_size=4)})),
    "lever": ("page", st.lists(job_like, max_size=4)),
    "ashby": ("board", st.fixed_dictionaries({"jobs": st.lists(job_like, max_size=4)})),
    "workable": ("board", st.fixed_dictionaries({"jobs": st.lists(job_like, max_size=4)})),
    "smartrecruiters": ("detail", job_like),
    "hn": (
        "thread",
        st.fixed_dictionaries(
            {"id": st.integers(0, 9), "children": st.lists(job_like, max_size=4)}
        ),
    ),
}


def _payload(kind: str, payload_kind: str, body: bytes) -> Payload:
    return Payload(
        kind, "board", payload_kind, "http://127.0.0.1/x", datetime.now(UTC), 200, "", body
    )


@pytest.mark.parametrize("kind", list(ENVELOPES))
@FAST
@given(data=st.data())
def test_source_parse_never_crashes(kind: str, data: st.DataObject) -> None:
    payload_kind, envelope = ENVELOPES[kind]
    body = data.draw(
        envelope.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass"))
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.binary(max_size=200)
    )
    EXAMPLES[f"{kind} parse"] += 1
    try:
        result = get_source(kind).parse(_payload(kind, payload_kind, body))
    except SourceError:
        return
    assert isinstance(result, ParseResult)
    for posting in result.postings:
        posting.text.encode("utf-8")  # everything kept can be stored
        assert posting.posted_at is None or posting.posted_at.tzinfo is not None


@FAST
@given(line=st.text(max_size=300))
def test_hn_header_parser_never_crashes(line: str) -> None:
    EXAMPLES["hn header"] += 1
    header = parse_header(line)
    assert isinstance(header, Header)
    for value in (header.company, header.title, header.location):
        assert value is None or (len(value) <= 200 and value in line)


jsonl_records = st.dictionaries(
    st.sampled_from(
        ["id", "text", "title", "company", "url", "source", "posted_at", "seen_at", "location"]
    ),
    json_values,
    max_size=9,
)


@FAST
@given(
    raw=jsonl_records.map(lambda r: json.dumps(r).encode("utf-8", "surrogatepass"))
    | st.binary(max_size=300)
)
def test_jsonl_line_parser_accepts_or_rejects_with_a_reason(raw: bytes) -> None:
    EXAMPLES["jsonl line"] += 1
    try:
        posting = parse_line(raw, _payload("jsonl", "jsonl", raw))
    except ValueError as exc:
        assert str(exc)
        return
    assert posting.text.strip()
    posting.text.encode("utf-8")


@FAST
@given(value=scalars | json_values)
def test_dates_are_utc_or_refused(value: object) -> None:
    EXAMPLES["dates"] += 1
    try:
        parsed = parse_timestamp(value)
    except ValueError:  # what a caller turns into a reject naming the record
        return
    assert parsed is None or (
        parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0
    )


markup = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<li>",
            "</li>",
            "<br>",
            "<script>x()</script>",
            "<div",
            ">",
            "&amp;",
            "&lt;",
            "&#0;",
            "Python",
            " ",
            "\n",
            "\r",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "\x00",
        ]
    )
    | st.text(max_size=8),
    max_size=40,
).map("".join)


@FAST
@given(html=markup)
def test_html_to_text_never_crashes(html: str) -> None:
    EXAMPLES["html to text"] += 1
    text = html_to_text(html)
    assert isinstance(text, str)
    assert "\n\n\n" not in text
    assert text == text.strip()


posting_text = st.lists(
    st.sampled_from(
        [
            "Python",
            "python3",
            "PySpark",
            "Spark",
            "spark",
            "R",
            "R&D",
            "PyTorch",
            "k8s",
            "AWS",
            "Kubernetes",
            "apache spark",
            "Requirements:",
            "\n",
            "- ",
            " ",
            ", ",
            "(",
            ")",
            "é",
            "🙂",
        ]
    )
    | st.text(max_size=6),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=posting_text)
def test_extractor_offsets_point_at_the_match_and_results_repeat(
    small_extractor, text: str
) -> None:  # type: ignore[no-untyped-def]
    EXAMPLES["extractor"] += 1
    first = small_extractor.extract(text, "doc")
    again = small_extractor.extract(text, "doc")
    assert first == again
    for mention in first.mentions:
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.text
    assert set(first.skills) >= {m.skill for m in first.mentions}


@pytest.fixture(scope="module")
def small_extractor(small_taxonomy):  # type: ignore[no-untyped-def]
    from extractors.skills.matcher import SkillExtractor

    return SkillExtractor(small_taxonomy)


def test_zz_record_property_example_counts() -> None:
    """Runs last in this module: reports how many generated inputs each property saw."""
    for name, count in sorted(EXAMPLES.items()):
        record_figure("property-based", name, count, "no unexpected exception")
