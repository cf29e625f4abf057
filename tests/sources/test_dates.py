"""Timestamps as sources write them: impossible ones are refused with a ValueError."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.sources.base import Payload
from extractors.sources.dates import parse_timestamp
from extractors.sources.registry import get_source


@pytest.mark.parametrize(
    "value",
    [
        9.223372036854776e21,
        6.77680361916768e19,
        -1e300,
        10**30,
        10**400,
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_times_beyond_what_datetime_holds_in_utc_are_refused_as_values(value: object) -> None:
    with pytest.raises(ValueError, match="timestamp out of range"):
        parse_timestamp(value)


def test_epoch_seconds_and_milliseconds_still_parse() -> None:
    assert parse_timestamp(1782821535) == datetime(2026, 6, 30, 12, 12, 15, tzinfo=UTC)
    assert parse_timestamp(1782821535000) == datetime(2026, 6, 30, 12, 12, 15, tzinfo=UTC)


def test_a_greenhouse_job_with_an_impossible_date_is_rejected_and_the_others_land() -> None:
    body = (
        b'{"jobs": [{"id": 1, "title": "ML Engineer", "content": "Python", '
        b'"first_published": 9.223372036854776e21}, '
        b'{"id": 2, "title": "ML Engineer", "content": "PyTorch", '
        b'"first_published": "2026-09-12T13:15:40Z"}]}'
    )
    payload = Payload(
        "greenhouse",
        "fernhill",
        "jobs",
        "http://127.0.0.1/x",
        datetime(2026, 11, 1, tzinfo=UTC),
        200,
        "application/json",
        body,
    )
    result = get_source("greenhouse").parse(payload)
    assert [p.source_posting_id for p in result.postings] == ["2"]
    assert [(r.record_ref, r.reason) for r in result.rejects] == [
        ("job 1", "ValueError: timestamp out of range: 9.223372036854776e+21")
    ]
