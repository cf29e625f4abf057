"""Timestamps as job sources write them, normalised to timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime


def parse_timestamp(value: object) -> datetime | None:
    """ISO-8601 strings, dates, and epoch seconds or milliseconds to UTC; None when absent.

    Raises ValueError for present-but-impossible values so the caller can reject the record,
    including values Python's datetime cannot hold in UTC (an epoch number beyond the
    platform's time_t, "0001-01-01T00:00:00+01:00"), which it reports as OverflowError or
    OSError.
    """
    try:
        return _parsed(value)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"timestamp out of range: {value!r}") from exc


def _parsed(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10_000_000_000 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        if len(text) == 10:
            parsed_date = date.fromisoformat(text)
            return datetime(parsed_date.year, parsed_date.month, parsed_date.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    raise ValueError(f"not a timestamp: {value!r}")
