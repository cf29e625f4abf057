"""Ashby public Job Posting API: GET /posting-api/job-board/{board}?includeCompensation=true.

Quirks: unlisted jobs (`isListed: false`) are in the payload and are skipped; `workplaceType` is
trusted over `isRemote`, which disagrees often; compensation sits inside each job and is used
only when the employer chose to display it.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractors.classify import workplace
from extractors.http import HttpClient
from extractors.sources.base import (
    ParseResult,
    Payload,
    Posting,
    SourceConfig,
    board_segment,
    parse_records,
    payload_json,
    plain_number,
    records_in,
    response_payload,
)
from extractors.sources.dates import parse_timestamp
from extractors.text import html_to_text

_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite"}
# Pay is stored as annual amounts; hourly and monthly tiers are scaled to a year.
_ANNUAL_FACTOR = {"1 YEAR": 1, "1 MONTH": 12, "1 WEEK": 52, "1 DAY": 260, "1 HOUR": 2080}


class Ashby:
    kind = "ashby"
    default_base_url = "https://api.ashbyhq.com"

    def fetch(self, config: SourceConfig, client: HttpClient) -> Iterator[Payload]:
        base = (config.base_url or self.default_base_url).rstrip("/")
        response = client.get(
            f"{base}/posting-api/job-board/{board_segment(config)}",
            params={"includeCompensation": "true"},
        )
        yield response_payload(self.kind, config.board, "board", response)

    def parse(self, payload: Payload) -> ParseResult:
        jobs = records_in(payload, payload_json(payload), "jobs")
        listed = [
            job for job in jobs if not (isinstance(job, dict) and job.get("isListed") is False)
        ]
        return parse_records(payload, listed, lambda job: self._posting(job, payload))

    def _posting(self, job: dict, payload: Payload) -> Posting:
        text = job.get("descriptionPlain") or html_to_text(job.get("descriptionHtml"))
        salary_min, salary_max, currency = _salary(job)
        return Posting(
            source=self.kind,
            board=payload.board,
            source_posting_id=str(job["id"]),
            title=job["title"],
            company=payload.board,
            location=job.get("location"),
            workplace=_WORKPLACE.get(str(job.get("workplaceType", "")).lower())
            or workplace(job.get("location"))
            or ("remote" if job.get("isRemote") else None),
            posted_at=parse_timestamp(job.get("publishedAt")),
            text=text.strip(),
            url=job.get("jobUrl"),
            salary_min=salary_min,
            salary_max=salary_max,
            salary_currency=currency,
            payload_sha256=payload.sha256,
        )


def _salary(job: dict) -> tuple[float | None, float | None, str | None]:
    if not job.get("shouldDisplayCompensationOnJobPostings"):
        return None, None, None
    compensation = job.get("compensation") or {}
    components = list(compensation.get("summaryComponents") or [])
    for tier in compensation.get("compensationTiers") or []:
        components.extend(tier.get("components") or [])
    for component in components:
        # A figure that is no number (or none a float holds) is no salary.
        low = plain_number(component.get("minValue"))
        if component.get("compensationType") == "Salary" and low is not None:
            high = plain_number(component.get("maxValue"))
            factor = _ANNUAL_FACTOR.get(str(component.get("interval", "1 YEAR")).upper(), 1)
            return (
                low * factor,
                high * factor if high is not None else None,
                component.get("currencyCode"),
            )
    return None, None, None


SOURCE = Ashby()
