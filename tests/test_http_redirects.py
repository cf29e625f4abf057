"""Redirects are followed by the client itself: each hop obeys robots.txt and stays http(s)."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from extractors.http import FetchError, HttpClient, HttpSettings, RobotsDisallowed

SETTINGS = HttpSettings(min_delay_s=0.0, max_retries=0, timeout_s=5)


def _robots(server: HTTPServer, body: str = "User-agent: *\nAllow: /\n") -> None:
    server.expect_request("/robots.txt").respond_with_data(body, content_type="text/plain")


def test_redirect_is_followed_to_the_final_body(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_json({"ok": True})
    with HttpClient(SETTINGS) as client:
        response = client.get(httpserver.url_for("/old"))
    assert response.status == 200
    assert json.loads(response.body) == {"ok": True}
    assert response.url.endswith("/new")


def test_redirect_into_a_path_robots_forbids_is_not_fetched(httpserver: HTTPServer) -> None:
    _robots(httpserver, "User-agent: *\nDisallow: /private\n")
    httpserver.expect_request("/open").respond_with_data(
        "", status=302, headers={"Location": "/private/data"}
    )
    with HttpClient(SETTINGS) as client, pytest.raises(RobotsDisallowed, match="/private/data"):
        client.get(httpserver.url_for("/open"))
    assert "/private/data" not in [request.path for request, _ in httpserver.log]


def test_redirect_to_a_non_http_scheme_fails(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/jump").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    with HttpClient(SETTINGS) as client, pytest.raises(FetchError, match="non-HTTP URL"):
        client.get(httpserver.url_for("/jump"))


def test_redirect_loop_stops_after_the_limit(httpserver: HTTPServer) -> None:
    _robots(httpserver)
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with HttpClient(SETTINGS) as client, pytest.raises(FetchError, match="TooManyRedirects"):
        client.get(httpserver.url_for("/loop"))
    assert [request.path for request, _ in httpserver.log].count("/loop") == 6
