"""The report's small parts: evidence snippets, charts and statistics, on literal inputs."""

from __future__ import annotations

import math

from reports import charts
from reports.data import benjamini_hochberg, two_proportion_p, wilson
from reports.evidence import sentence_bounds, snippet


def test_snippet_cuts_the_sentence_and_marks_the_words() -> None:
    text = "About us. We need Python & SQL skills! Perks: none."
    start = text.index("Python")
    html = snippet(text, start, start + len("Python"))
    assert str(html) == "… We need <mark>Python</mark> &amp; SQL skills! …"


def test_snippet_escapes_hostile_text_inside_and_around_the_mark() -> None:
    text = 'Use <script>x()</script> and "<b>Keras</b>" now'
    start = text.index("<b>Keras</b>")
    html = str(snippet(text, start, start + len("<b>Keras</b>")))
    assert html == (
        "Use &lt;script&gt;x()&lt;/script&gt; and &quot;<mark>&lt;b&gt;Keras&lt;/b&gt;</mark>&quot; now"
    )


def test_snippet_marks_every_span_and_treats_lines_as_sentences() -> None:
    text = "Requirements:\n- Python, PyTorch and Python again\n- Docker"
    first = text.index("Python")
    second = text.index("Python", first + 1)
    html = str(snippet(text, first, first + 6, [(first, first + 6), (second, second + 6)]))
    assert html == "… - <mark>Python</mark>, PyTorch and <mark>Python</mark> again …"


def test_long_sentence_is_windowed_around_the_mention() -> None:
    text = "word " * 200 + "Kubernetes " + "word " * 200
    start = text.index("Kubernetes")
    begin, finish = sentence_bounds(text, start, start + 10, max_chars=100)
    assert finish - begin <= 100
    assert begin < start and finish > start + 10


def test_trend_breaks_the_line_where_periods_are_missing() -> None:
    points = [
        charts.Point("2017 Q1", 0.1, 0.05, 0.15),
        charts.Point("2017 Q2", 0.2, 0.1, 0.3),
        charts.Point("2026 Q1", 0.4, 0.3, 0.5, gap_before=True),
        charts.Point("2026 Q2", 0.5, 0.4, 0.6),
    ]
    svg = charts.trend_svg(points, "<Py>")
    assert svg.count("<polyline") == 2 and svg.count("<polygon") == 2
    assert svg.count('class="gap"') == 1
    assert "&lt;Py&gt;: 10% in 2017 Q1, 50% in 2026 Q2" in svg and "<Py>" not in svg


def test_heatmap_escapes_skill_names() -> None:
    svg = charts.heatmap_svg(["C++", "<x>"], [[None, 5.0], [5.0, None]], "pairs")
    assert "&lt;x&gt;" in svg and "<x>" not in svg
    assert svg.count('class="cell l4"') == 2


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson(10, 100)
    assert math.isclose(low, 0.0552, abs_tol=1e-4) and math.isclose(high, 0.1744, abs_tol=1e-4)
    assert wilson(0, 0) == (None, None)


def test_two_proportion_test_and_fdr_correction() -> None:
    # 10/100 vs 30/100: z ≈ 3.54, p ≈ 0.0004.
    assert math.isclose(two_proportion_p(10, 100, 30, 100), 0.000402, abs_tol=2e-5)
    assert two_proportion_p(5, 50, 5, 50) == 1.0
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == [0.03, 0.04, 0.04]


def test_axis_ceiling_is_round_and_above_the_data() -> None:
    assert charts.nice_ceiling(0.53) == 0.6
    assert charts.nice_ceiling(0.061) == 0.08
    assert charts.nice_ceiling(0.0) == 0.05
