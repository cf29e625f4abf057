"""The one way skillpulse talks to other people's servers: politely.

robots.txt is read per host and obeyed (Protego), every request carries the configured
User-Agent, requests to one host are spaced by a minimum delay, 429/5xx and connection errors
are retried with backoff honouring a capped Retry-After (urllib3 Retry), and bodies are read
against a size cap so a huge or decompression-bomb page cannot exhaust memory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


@dataclass(frozen=True)
class HttpSettings:
    """The `[http]` table of skillpulse.toml."""

    user_agent: str = "skillpulse/0.1 (+mailto:you@example.org)"
    timeout_s: float = 20.0
    max_retries: int = 3
    min_delay_s: float = 1.0
    max_bytes: int = 50 * 1024 * 1024
    max_retry_after_s: float = 120.0
    backoff_factor: float = 0.5
    obey_robots: bool = True


class FetchError(Exception):
    """A request failed for good; the message names the URL and the reason."""


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids this URL for our User-Agent."""


class ResponseTooLarge(FetchError):
    """The body exceeded the configured size cap."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime


class _CappedRetry(Retry):
    """urllib3 Retry whose Retry-After wait is capped, so one server cannot stall the night."""

    max_retry_after_s: float = 120.0

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        value = super().get_retry_after(response)
        if value is None:
            return None
        return min(value, self.max_retry_after_s)

    def new(self, **kw):  # type: ignore[no-untyped-def]
        fresh = super().new(**kw)
        fresh.max_retry_after_s = self.max_retry_after_s
        return fresh


class HttpClient:
    """A thread-safe polite HTTP client shared by every source in a run."""

    def __init__(self, settings: HttpSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        retry = _CappedRetry(
            total=settings.max_retries,
            connect=settings.max_retries,
            read=settings.max_retries,
            status=settings.max_retries,
            backoff_factor=settings.backoff_factor,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET", "HEAD"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after_s = settings.max_retry_after_s
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_request_at: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}
        self.requests_made = 0

    def get(self, url: str, params: dict[str, str | int] | None = None) -> Response:
        """GET a URL politely; raise FetchError unless the final status is 2xx."""
        full_url = requests.Request("GET", url, params=params).prepare().url or url
        if self.settings.obey_robots and not self._allowed(full_url):
            raise RobotsDisallowed(f"robots.txt disallows {full_url}")
        response = self._request(full_url)
        if not 200 <= response.status < 300:
            raise FetchError(f"HTTP {response.status} from {full_url}")
        return response

    def _host_key(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _wait_for_host(self, host: str) -> None:
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            last = self._last_request_at.get(host)
            if last is not None:
                remaining = self.settings.min_delay_s - (time.monotonic() - last)
                if remaining > 0:
                    time.sleep(remaining)
            self._last_request_at[host] = time.monotonic()

    def _request(self, url: str) -> Response:
        self._wait_for_host(self._host_key(url))
        try:
            raw = self.session.get(url, timeout=self.settings.timeout_s, stream=True)
        except requests.exceptions.RetryError as exc:
            raise FetchError(f"gave up on {url} after {self.settings.max_retries} retries") from exc
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"timed out after {self.settings.timeout_s}s: {url}") from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"{type(exc).__name__} for {url}: {exc}") from exc
        with self._lock:
            self.requests_made += 1
        try:
            body = self._read_capped(raw, url)
        finally:
            raw.close()
        return Response(
            url=url,
            status=raw.status_code,
            content_type=raw.headers.get("Content-Type", ""),
            body=body,
            fetched_at=datetime.now(UTC),
        )

    def _read_capped(self, raw: requests.Response, url: str) -> bytes:
        cap = self.settings.max_bytes
        declared = raw.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(f"{url} declares {declared} bytes, over the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in raw.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(f"{url} is over the {cap}-byte cap (decoded)")
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"body of {url} was cut off: {exc}") from exc
        return b"".join(chunks)

    def _allowed(self, url: str) -> bool:
        host = self._host_key(url)
        with self._lock:
            known = host in self._robots
        if not known:
            parser = self._load_robots(host)
            with self._lock:
                self._robots[host] = parser
        parser = self._robots[host]
        return True if parser is None else parser.can_fetch(url, self.settings.user_agent)

    def _load_robots(self, host: str) -> Protego | None:
        """Parse the host's robots.txt as RFC 9309 says: 4xx allows all, 5xx or no answer denies all."""
        deny_all = Protego.parse("User-agent: *\nDisallow: /")
        try:
            response = self._request(f"{host}/robots.txt")
        except FetchError:
            return deny_all
        if 400 <= response.status < 500:
            return None
        if not 200 <= response.status < 300:
            return deny_all
        return Protego.parse(response.body.decode("utf-8", errors="replace"))
