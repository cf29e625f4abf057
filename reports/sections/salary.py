"""Section 4, salary: rpt_salary_by_skill against rpt_salary_by_currency, one currency."""

from __future__ import annotations

from markupsafe import Markup

from reports import charts
from reports.warehouse import Section, Warehouse, missing

SALARY_SKILLS = 15


def salary(wh: Warehouse) -> Section:
    if not wh.has("rpt_salary_by_skill", "rpt_salary_by_currency"):
        return missing("The warehouse has no rpt_salary_by_skill table yet.")
    currencies = wh.rows("select * from rpt_salary_by_currency order by n desc, salary_currency")
    if not currencies:
        return missing(
            "No posting states a salary that could be read, so there is no salary by skill."
        )
    # The currency most postings state; salaries are never mixed across currencies.
    main = currencies[0]
    currency = main["salary_currency"]
    rows = wh.rows(
        """
        select skill_id, name, n, salary_median as median, salary_p25 as low,
               salary_p75 as high
        from rpt_salary_by_skill where salary_currency = ?
        order by n desc, name limit ?
        """,
        [currency, SALARY_SKILLS],
    )
    rows.sort(key=lambda r: (-r["median"], r["name"]))
    top = max([r["high"] for r in rows] + [main["salary_p75"] or 0, 1.0])
    for r in rows:
        r["bar"] = Markup(charts.range_svg(r["low"], r["median"], r["high"], top))
    return Section(
        data={
            "currency": currency,
            "n": main["n"],
            "overall": main["salary_median"],
            "overall_low": main["salary_p25"],
            "overall_high": main["salary_p75"],
            "rows": rows,
            "other_currencies": [
                {"currency": o["salary_currency"], "n": o["n"]} for o in currencies[1:]
            ],
        }
    )
