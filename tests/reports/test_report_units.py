"""The report's small parts on literal inputs, and its numbers against the rpt_ tables.

The statistics (shares, Wilson intervals, z-test, Benjamini-Hochberg, lift, salary quantiles)
live in the warehouse's SQL and are tested in tests/warehouse; here a small warehouse with
hand-countable postings is rendered, and the page must show exactly what the tables hold.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from reports import charts
from reports.evidence import plain_field, sentence_bounds, snippet
from reports.gather import takeaways
from reports.render import render_html, render_report
from reports.warehouse import Section, missing

# wh_factory (tests/warehouse) builds a real warehouse from literal postings; it is a plain
# module next to those tests, not a package, so its folder goes on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warehouse"))
from wh_factory import P, build, land


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


def test_axis_ceiling_is_round_and_above_the_data() -> None:
    assert charts.nice_ceiling(0.53) == 0.6
    assert charts.nice_ceiling(0.061) == 0.08
    assert charts.nice_ceiling(0.0) == 0.05


# --- the page shows the rpt_ tables' numbers ------------------------------------------------
#
# 40 ml-engineer postings in March 2025 and 40 in March 2026 (so the 12-month window is
# Apr 2025 – Mar 2026, 40 postings, and rpt_skill_trends' last_12m_vs_prior_12m compares the
# two Marches). Every posting asks for Python.
#   2025: PyTorch in 4, AWS in 20, Communication in 10.
#   2026: PyTorch in 30 (the 20 senior ones and 10 of the rest), AWS in 4, PySpark in 6 (so
#         Spark in 6), Communication in 10; 5 state a USD salary of 100k…140k, 2 one in EUR.


def _postings() -> list[P]:
    out = []
    for j in range(40):
        skills = ["python"] + ["pytorch"] * (j < 4) + ["aws"] * (j < 20)
        skills += ["communication"] * (j % 4 == 0)
        out.append(P(f"a{j:02d}", "2025-03-10", skills, company=f"Old {j}"))
    for i in range(40):
        skills = ["python"] + ["pytorch"] * (i < 30) + ["aws"] * (i >= 36)
        skills += ["pyspark"] * (30 <= i < 36) + ["communication"] * (i % 4 == 0)
        salary: dict = {}
        if i < 5:
            salary = {"salary_min": 100_000 + 10_000 * i, "salary_max": 100_000 + 10_000 * i}
            salary["salary_currency"] = "usd"
        elif i < 7:
            salary = {"salary_min": 90_000, "salary_max": 110_000, "salary_currency": "eur"}
        out.append(
            P(
                f"b{i:02d}",
                "2026-03-10",
                skills,
                company=f"New {i}",
                seniority="senior" if i < 20 else "unknown",
                **salary,
            )
        )
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("report-small") / "warehouse.duckdb"
    land(db, _postings(), small_taxonomy)
    build(db, small_taxonomy)
    out = tmp_path_factory.mktemp("report-small-out")
    html = render_report(db, out, run_date=date(2026, 4, 1)).report.read_text(encoding="utf-8")
    return db, html


def _section(html: str, section: str) -> str:
    return html.split(f'<section id="{section}"')[1].split("</section>")[0]


def _one(db: Path, sql: str, params: list | None = None) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()
    finally:
        con.close()


def test_roadmap_shows_rpt_roadmap_and_rpt_roadmap_areas(small: tuple[Path, str]) -> None:
    db, html = small
    roadmap = _section(html, "roadmap")
    # rpt_roadmap: PyTorch in 30 of the window's 40 postings, Wilson 95% interval 59.8% – 85.8%.
    assert _one(
        db, "select postings_with_skill, postings from rpt_roadmap where skill_id = 'pytorch'"
    ) == (30, 40)
    assert (
        "<td>PyTorch</td><td>Deep-learning frameworks</td>\n"
        '        <td class="num">30</td><td class="num">75.0%</td>\n'
        '        <td class="num">59.8% – 85.8%</td>'
    ) in roadmap
    # rpt_roadmap_areas: every posting names a programming language (Python).
    assert _one(
        db,
        "select area_demand_share from rpt_roadmap_areas where roadmap_area = 'programming-languages'",
    ) == (1.0,)
    assert "100% of postings name at least one of its skills" in roadmap
    # A skill's row shows the two weights its verdict compares: PyTorch's article weight 1/3
    # and its demand weight among the article's skills, 0.75 / (1 + 0.75 + 0.25 + 0) = 37.5%
    # (its new weight, over the skills the article lacks too, is 31.3%).
    assert '<td class="num hide-narrow">33.3% → 37.5%</td>' in roadmap
    # Python: third by the article's weight (tied with R), first by demand among its skills.
    python_row = roadmap.split('<td class="name">Python</td>')[1].split("</tr>")[0]
    assert '>#1 <span class="small upm">(+2)</span></td>' in python_row
    assert "fewer than 30 postings in the window" not in roadmap  # no insufficient verdict
    # The role family rpt_skill_demand_window chose (40 ml-engineer postings ≥ 30).
    assert "<strong>ml-engineer</strong> postings" in html


def test_rising_and_falling_are_rpt_skill_trends_rows(small: tuple[Path, str]) -> None:
    db, html = small
    row = _one(
        db,
        "select share_before, share_after, postings_before, postings_after, direction "
        "from rpt_skill_trends where comparison = 'last_12m_vs_prior_12m' "
        "and role_family = 'ml-engineer' and skill_id = 'pytorch'",
    )
    assert row == (0.1, 0.75, 40, 40, "rising")
    trends = _section(html, "trends")
    assert "Mar 2026 – Mar 2026" not in trends  # windows are the table's, not single months
    assert "Apr 2025 – Mar 2026 (40 postings)" in trends
    assert "against Apr 2024 – Mar 2025 (40 postings)" in trends
    rising, falling = trends.split("<strong>Rising</strong>")[1].split("<strong>Falling</strong>")
    pytorch = rising.split("PyTorch")[1].split("</tr>")[0]
    assert "10.0% → 75.0%" in pytorch and "+65.0 pp" in pytorch
    assert "significant" in pytorch and "p &lt; 0.001" in pytorch
    aws = falling.split("AWS")[1].split("</tr>")[0]
    assert "50.0% → 10.0%" in aws and "-40.0 pp" in aws and "significant" in aws
    # Python is in every posting: no change, so in neither table.
    assert "Python" not in rising and "Python" not in falling.split("</table>")[0]
    # Takeaways repeat the significant movers.
    assert '<section class="takeaway up" aria-label="Rising">' in html


def test_trend_series_are_the_monthly_table(small: tuple[Path, str]) -> None:
    db, html = small
    # fct_skill_demand_monthly for PyTorch, ml-engineer, March 2026: 30/40, Wilson 59.8% – 85.8%.
    share, low, high = _one(
        db,
        "select share, ci_low, ci_high from fct_skill_demand_monthly where role_family = "
        "'ml-engineer' and skill_id = 'pytorch' and month = date '2026-03-01'",
    )
    assert (round(share, 3), round(low, 3), round(high, 3)) == (0.75, 0.598, 0.858)
    trends = _section(html, "trends")
    assert '<td>2026-03</td><td class="num">75.0%</td><td class="num">59.8% – 85.8%</td>' in trends
    assert '<td>2025-03</td><td class="num">10.0%</td><td class="num">4.0% – 23.1%</td>' in trends


def test_pairs_are_rpt_skill_cooccurrence_rows(small: tuple[Path, str]) -> None:
    db, html = small
    co = _section(html, "cooccurrence")
    # Over all 80 postings: Python and PyTorch together in 34 (42.5%); Python is in every
    # posting, so the lift is exactly 1.
    assert _one(
        db,
        "select postings_with_both, support, lift from rpt_skill_cooccurrence "
        "where skill_id_a = 'python' and skill_id_b = 'pytorch'",
    ) == (34, 0.425, 1.0)
    common = co.split("<strong>Most common pairs</strong>")[1]
    assert (
        '<td>Python + PyTorch</td><td class="num">34</td><td class="num">42.5%</td>'
        '<td class="num">1.0</td>'
    ) in common
    # PySpark implies Python and Spark: rpt_skill_cooccurrence leaves those pairs out.
    assert "<td>PySpark + Python</td>" not in co and "<td>Apache Spark + PySpark</td>" not in co
    assert "PySpark + Python: lift –" in co  # a blank heatmap cell
    assert "measured over all 80 postings" in co


def test_cuts_are_fct_skill_demand_by_segment(small: tuple[Path, str]) -> None:
    db, html = small
    assert _one(
        db,
        "select share from fct_skill_demand_by_segment where segment = 'seniority' and "
        "segment_value = 'senior' and year = 2026 and role_family = 'ml-engineer' "
        "and skill_id = 'pytorch'",
    ) == (1.0,)
    cuts = _section(html, "cuts")
    assert "Share of 2026's ml-engineer postings in each group" in cuts
    seniority = cuts.split("<h3>Seniority</h3>")[1].split("</table>")[0]
    assert (
        '<th scope="row">PyTorch</th>\n<td class="cell-share h9">100%</td><td class="cell-share h8">50%</td>'
        in seniority
    )


def test_salary_is_rpt_salary_by_skill_and_by_currency(small: tuple[Path, str]) -> None:
    db, html = small
    assert _one(
        db,
        "select n, salary_median, salary_p25, salary_p75 from rpt_salary_by_skill "
        "where salary_currency = 'USD' and skill_id = 'python'",
    ) == (5, 120_000, 110_000, 130_000)
    assert _one(db, "select n from rpt_salary_by_currency where salary_currency = 'EUR'") == (2,)
    cuts = _section(html, "cuts")
    assert "5 postings, over the whole history, state a salary in USD" in cuts
    assert "<strong>$120k</strong> (middle half $110k – $130k)" in cuts
    assert "Not shown: 2 in EUR." in cuts
    assert '<td class="num">$120k</td><td class="num">$110k – $130k</td>' in cuts


def test_evidence_counts_are_rpt_skill_demand_window(small: tuple[Path, str]) -> None:
    db, html = small
    assert _one(
        db,
        "select postings_with_skill, share, demand_rank from rpt_skill_demand_window "
        "where skill_id = 'pytorch'",
    ) == (30, 0.75, 2)
    evidence = _section(html, "evidence")
    assert "<b>PyTorch</b> <span>· 30 postings (75.0%)</span>" in evidence


def test_long_skill_names_wrap_inside_cards_and_evidence(small: tuple[Path, str]) -> None:
    _, html = small
    # A skill name longer than its box wraps anywhere instead of pushing the page wider.
    assert (
        ".card figcaption strong { font-size: 1rem; overflow-wrap: anywhere; min-width: 0; }"
        in html
    )
    assert (
        ".evidence summary b { font-weight: 600; overflow-wrap: anywhere; min-width: 0; }" in html
    )


# --- sparse and hostile data ----------------------------------------------------------------
#
# Three postings, each asking for Python alone:
#   d1 posted 2025-03-01T01:00Z (still 28 February in Los Angeles), with a bidi override in its
#      title, control characters in its company and source, and a bidi override in its URL;
#   d2 posted 2025-03-20T12:00Z;
#   u1 without a date of its own, first seen 2025-03-31T12:00Z.
# The warehouse was built at 2026-04-01T01:30Z (still 31 March in Los Angeles). The page is
# rendered over a connection whose session time zone is Los Angeles, as on a machine there.


def _sparse_postings() -> list[P]:
    return [
        P(
            "d1",
            "2025-03-01T01:00",
            ["python"],
            company="Ctl\x01\x1b[31mRed\x7f",
            title="ML Engineer \u202eevil",
            source="src\u2066x\x85",
            url="https://e.x/\u202ejob",
        ),
        P("d2", "2025-03-20T12:00", ["python"], company="Beta"),
        P("u1", "2025-03-31T12:00", ["python"], company="Gamma", dated=False),
    ]


@pytest.fixture(scope="module")
def sparse(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> str:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("report-sparse") / "warehouse.duckdb"
    land(db, _sparse_postings(), small_taxonomy)
    build(db, small_taxonomy)
    con = duckdb.connect(str(db))
    try:
        con.execute("update raw_build_info set built_at = timestamptz '2026-04-01 01:30:00+00'")
        con.execute("set TimeZone = 'America/Los_Angeles'")
        return render_html(con, date(2026, 4, 1))
    finally:
        con.close()


def test_headline_dates_are_utc_dates_whatever_the_session_time_zone(sparse: str) -> None:
    assert "<strong>2025-03-01</strong> and <strong>2025-03-31</strong>" in sparse


def test_headline_says_how_many_postings_are_dated_by_first_sight(
    sparse: str, small: tuple[Path, str]
) -> None:
    assert "without a date of" not in small[1]  # every posting there has a date
    assert (
        "<strong>2025-03-01</strong> and <strong>2025-03-31</strong>"
        " (1 posting without a date of its own is dated by when it was first seen),"
    ) in " ".join(sparse.split())


def test_footer_build_time_is_utc_whatever_the_session_time_zone(sparse: str) -> None:
    assert "built from the warehouse of 2026-04-01 01:30 UTC" in sparse


def _roadmap_section(weights: dict[str, float], verdicts: dict[str, int]) -> Section:
    areas = [{"name": name, "new_weight": weight} for name, weight in weights.items()]
    return Section(data={"areas": areas, "additions": [], "verdicts": verdicts})


def test_learn_in_this_order_leaves_out_areas_no_posting_asks_for() -> None:
    road = _roadmap_section({"Programming": 0.6, "Statistics": 0.0, "Deep learning": 0.4}, {})
    (order,) = takeaways({"roadmap": road, "movers": missing("none")})
    assert (order["title"], order["names"]) == (
        "Learn in this order",
        ["Programming", "Deep learning"],
    )
    nothing_wanted = _roadmap_section({"Programming": 0.0, "Statistics": 0.0}, {"drop": 2})
    assert takeaways({"roadmap": nothing_wanted, "movers": missing("none")}) == []


def test_no_learning_order_from_a_window_too_small_to_advise_on() -> None:
    road = _roadmap_section({"Programming": 0.6, "Deep learning": 0.4}, {"insufficient": 4})
    assert takeaways({"roadmap": road, "movers": missing("none")}) == []


def test_evidence_fields_lose_controls_and_bidi_overrides(sparse: str) -> None:
    evidence = _section(sparse, "evidence")
    assert (
        "<footer><bdi>Ctl [31mRed</bdi> · <bdi>ML Engineer evil</bdi> · Mar 2025 · "
        '<bdi>srcx</bdi> · <span class="url"><bdi>https://e.x/job</bdi></span></footer>'
    ) in evidence


def test_the_headline_prints_sources_as_plain_isolated_text(sparse: str) -> None:
    headline = sparse.split('<section id="roadmap"')[0]
    assert "<strong><bdi>srcx</bdi></strong> 1 (Mar 2025 – Mar 2025)" in headline
    assert "\u2066" not in headline and "\x85" not in headline


def test_the_source_cut_prints_sources_as_plain_isolated_text(sparse: str) -> None:
    cuts = _section(sparse, "cuts")
    assert '<th scope="col" class="num"><bdi>srcx</bdi><small' in cuts
    assert "\u2066" not in cuts and "\x85" not in cuts


def test_snippets_lose_bidi_formatting_and_controls() -> None:
    text = "We use \u202ePyTorch\u202c daily\x85 and\x9b more."
    assert str(snippet(text, 8, 15)) == "We use <mark>PyTorch</mark> daily and more."


def test_plain_field_strips_controls_and_bidi_formatting() -> None:
    assert plain_field("a\u202ab\u202bc\u202cd\u202de\u202ef") == "abcdef"
    assert plain_field("a\u2066b\u2067c\u2068d\u2069e") == "abcde"
    assert plain_field(" Ctl\x00\x1f\x7f\x80\x9fRed\n") == "Ctl Red"
    assert plain_field("مهندس ML\u200f") == "مهندس ML\u200f"
    assert plain_field(None) is None


def test_most_common_pairs_says_when_no_pair_is_common(sparse: str) -> None:
    common = _section(sparse, "cooccurrence").split("<strong>Most common pairs</strong>")[1]
    assert '<tr><td colspan="4" class="muted">No pair appears together 5 times yet.</td></tr>' in (
        common
    )


# --- no postings at all ---------------------------------------------------------------------
#
# Every input line was rejected: 11 rejects under 7 reasons, 3 × "bad JSON", 2 × "no text",
# 2 × a 100-character reason, and 1 each of four more, one of them HTML.

LONG_REASON = "'posted_at' is not a date: " + "x" * 73


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory, small_taxonomy) -> str:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("report-empty") / "warehouse.duckdb"
    reasons = ["bad JSON"] * 3 + ["no text"] * 2 + [LONG_REASON] * 2
    reasons += ["<b>odd</b>", "no id", "title too long", "url not a string"]
    land(db, [], small_taxonomy, reject_reasons=reasons)
    build(db, small_taxonomy)
    return render_report(
        db, tmp_path_factory.mktemp("report-empty-out"), date(2026, 4, 1)
    ).report.read_text(encoding="utf-8")


def test_no_postings_means_no_roadmap_and_no_learning_order(empty: str) -> None:
    assert '<p class="note">No postings in the window, so there is no roadmap.</p>' in _section(
        empty, "roadmap"
    )
    assert "Learn in this order" not in empty


def test_evidence_says_the_window_is_empty_not_that_tables_are_missing(empty: str) -> None:
    assert '<p class="note">No postings in the window, so there is nothing to quote.</p>' in (
        _section(empty, "evidence")
    )


def test_rejects_are_counted_by_their_stored_reason(empty: str) -> None:
    assert len(LONG_REASON) == 100
    method = _section(empty, "method")
    # Most frequent first (ties by reason), cut to 80 characters, escaped like all scraped text.
    assert (
        "11 input records were rejected and kept with their reason: “bad JSON” (3), "
        "“&#39;posted_at&#39; is not a date: " + "x" * 52 + "…” (2), “no text” (2), "
        "“&lt;b&gt;odd&lt;/b&gt;” (1), “no id” (1), and 2 more under 2 other reasons."
    ) in " ".join(method.split())


def test_a_window_under_30_postings_gives_no_advice(sparse: str) -> None:
    roadmap = _section(sparse, "roadmap")
    # Three postings: every verdict is rpt_roadmap's 'insufficient', and the legend says why.
    assert "fewer than 30 postings in the window: too few to advise on" in roadmap
    chips = re.findall(r'<span class="chip v-([a-z]+)">', roadmap.split("</p>", 2)[2])
    assert chips and set(chips) == {"insufficient"}
    # Nor do the takeaways at the top of the page turn it into advice.
    top = sparse.split('<section id="roadmap"')[0]
    assert "Learn in this order" not in top and "The article misses" not in top
