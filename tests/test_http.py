"""The polite HTTP client against real local servers: headers, pacing, caching, caps, robots."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from extractors.http import (
    HostPacer,
    HttpClient,
    HttpStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    RobotsUnavailable,
    declared_bytes,
)
from skillpulse.demo.server import Fault

BOARD = "/v1/boards/fernhill/jobs"


def headers_of(replay, path: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [
        {k.lower(): v for k, v in headers.items()}
        for sent_path, headers in replay.received
        if sent_path.split("?")[0] == path
    ]


def test_every_request_carries_the_configured_user_agent(replay, fast_http) -> None:
    with HttpClient(fast_http) as client:
        client.get(f"{replay.url}{BOARD}")
        client.get(f"{replay.url}/posting-api/job-board/tessera")

    agents = {headers.get("User-Agent") for _, headers in replay.received}
    assert [path for path, _ in replay.received] == [
        "/robots.txt",
        BOARD,
        "/posting-api/job-board/tessera",
    ]
    assert agents == {"skillpulse-test/1.0 (+mailto:test@example.org)"}


def test_requests_to_one_host_are_spaced_even_across_clients(replay, fast_http) -> None:
    settings = replace(fast_http, min_delay_s=0.3, obey_robots=False)
    pacer = HostPacer()
    first, second = HttpClient(settings, pacer=pacer), HttpClient(settings, pacer=pacer)

    started = time.monotonic()
    first.get(f"{replay.url}{BOARD}")
    second.get(f"{replay.url}{BOARD}")
    first.get(f"{replay.url}{BOARD}")
    elapsed = time.monotonic() - started

    assert 0.6 <= elapsed < 2


def test_second_fetch_revalidates_with_if_none_match_and_304_gives_the_cached_body(
    replay, fast_http, tmp_path: Path
) -> None:
    cache = tmp_path / "http_cache.sqlite"
    with HttpClient(fast_http, cache_path=cache) as client:
        fresh = client.get(f"{replay.url}{BOARD}", params={"content": "true"})
    with HttpClient(fast_http, cache_path=cache) as client:
        revalidated = client.get(f"{replay.url}{BOARD}", params={"content": "true"})

    first_headers, second_headers = headers_of(replay, BOARD)
    assert "if-none-match" not in first_headers
    assert second_headers["if-none-match"] == fresh_etag(replay)
    assert cache.is_file()
    assert revalidated.status == 200
    assert revalidated.from_cache is True
    assert fresh.from_cache is False
    assert revalidated.body == fresh.body
    assert (
        revalidated.body == (Path(replay.sample_dir) / "greenhouse" / "fernhill.json").read_bytes()
    )


def fresh_etag(replay) -> str:  # type: ignore[no-untyped-def]
    status, headers, _, _ = replay.respond(BOARD)
    assert status == 200
    return headers["ETag"]


def test_changed_resource_replaces_the_cached_body(replay, fast_http, tmp_path: Path) -> None:
    cache = tmp_path / "http_cache.sqlite"
    with HttpClient(fast_http, cache_path=cache) as client:
        client.get(f"{replay.url}{BOARD}")
    replay.add_fault(BOARD, Fault(200, b'{"jobs": [], "meta": {"total": 0}}', {"ETag": '"v2"'}))
    with HttpClient(fast_http, cache_path=cache) as client:
        changed = client.get(f"{replay.url}{BOARD}")

    assert changed.body == b'{"jobs": [], "meta": {"total": 0}}'
    assert changed.from_cache is False


def test_without_a_cache_path_nothing_is_cached(replay, fast_http, tmp_path: Path) -> None:
    with HttpClient(fast_http) as client:
        client.get(f"{replay.url}{BOARD}")
        client.get(f"{replay.url}{BOARD}")

    assert [h.get("if-none-match") for h in headers_of(replay, BOARD)] == [None, None]
    assert list(tmp_path.iterdir()) == []


def test_body_over_the_size_cap_is_refused(replay, fast_http) -> None:
    with (
        HttpClient(replace(fast_http, max_bytes=100)) as client,
        pytest.raises(
            ResponseTooLarge, match=r"fernhill/jobs declares \d+ bytes, over the 100-byte cap"
        ),
    ):
        client.get(f"{replay.url}{BOARD}")


def test_robots_disallow_raises_before_any_request(replay, fast_http) -> None:
    replay.robots_txt = "User-agent: skillpulse-test\nDisallow: /v1/\n"
    with HttpClient(fast_http) as client, pytest.raises(RobotsDisallowed):
        client.get(f"{replay.url}{BOARD}")

    assert replay.requests == ["/robots.txt"]


def test_robots_for_other_agents_does_not_apply(replay, fast_http) -> None:
    replay.robots_txt = "User-agent: otherbot\nDisallow: /\n"
    with HttpClient(fast_http) as client:
        assert client.get(f"{replay.url}{BOARD}").status == 200


def test_missing_robots_allows_everything(replay, fast_http) -> None:
    replay.add_fault("/robots.txt", Fault(404, b"not found"))
    with HttpClient(fast_http) as client:
        assert client.get(f"{replay.url}{BOARD}").status == 200


def test_robots_5xx_means_nothing_may_be_fetched(replay, fast_http) -> None:
    replay.add_fault("/robots.txt", Fault(500, b"down"), times=5)
    with (
        HttpClient(fast_http) as client,
        pytest.raises(RobotsUnavailable, match=r"robots\.txt unreadable \(HTTP 500"),
    ):
        client.get(f"{replay.url}{BOARD}")

    assert BOARD not in [path for path, _ in replay.received]


def test_accepted_status_is_returned_not_raised(replay, fast_http) -> None:
    with HttpClient(fast_http) as client:
        gone = client.get(f"{replay.url}/pages/nothing.html", accept_statuses=frozenset({404}))
        with pytest.raises(HttpStatusError) as raised:
            client.get(f"{replay.url}/pages/nothing.html")

    assert gone.status == 404
    assert raised.value.status == 404


@pytest.mark.parametrize(
    ("header", "declared"),
    [
        ("1048576", 1048576),
        ("0", 0),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),  # past any cap, and up to 4,300 digits Python would not even read
        ("\u00b2", None),  # '²': str.isdigit() says yes, int() says no
        ("-1", None),
        ("12 34", None),
        ("", None),
    ],
)
def test_declared_bytes_reads_only_a_plain_decimal_length(
    header: str, declared: int | None
) -> None:
    assert declared_bytes({"Content-Length": header}) == declared
    assert declared_bytes({}) is None
