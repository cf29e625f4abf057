"""The one way skillpulse talks to other people's servers: politely.

robots.txt is read per host and obeyed (Protego), every request carries the configured
User-Agent, requests to one host are spaced by a minimum delay shared by every client in the
process (parallel sources often hit the same API host), 429/5xx and connection errors are
retried with backoff honouring a capped Retry-After (urllib3 Retry), and bodies are read against
a size cap. With a `cache_path`, responses carrying an ETag or Last-Modified are kept in a SQLite
HTTP cache (requests-cache) and revalidated with conditional GETs, so an unchanged board costs a
304 instead of a full download.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
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
    # The longest one body may take to arrive, however steadily it drips: timeout_s bounds each
    # read, so without this a server sending a byte a second would hold a source for hours.
    max_body_s: float = 300.0
    max_retry_after_s: float = 120.0
    backoff_factor: float = 0.5
    obey_robots: bool = True


class FetchError(Exception):
    """A request failed for good; the message names the URL and the reason."""


class HttpStatusError(FetchError):
    """The server answered, but not with 2xx (after retries)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids this URL for our User-Agent."""


class RobotsUnavailable(FetchError):
    """robots.txt could not be read (5xx or no answer), which RFC 9309 says means 'disallow all'.

    Kept apart from RobotsDisallowed: a broken robots.txt is a failure worth retrying tomorrow,
    not a decision by the site owner to keep us out.
    """


MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ResponseTooLarge(FetchError):
    """The body exceeded the configured size cap."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime
    from_cache: bool = False
    location: str | None = None  # the Location header of a redirect


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


class HostPacer:
    """Spaces requests to one host by a minimum delay, across every client in the process.

    Prefect runs sources as threads of one process, and ten Greenhouse boards are ten clients
    on one host; pacing per client would let them hit it ten at a time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_request_at: dict[str, float] = {}

    def wait(self, host: str, min_delay_s: float) -> None:
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            last = self._last_request_at.get(host)
            if last is not None:
                remaining = min_delay_s - (time.monotonic() - last)
                if remaining > 0:
                    time.sleep(remaining)
            self._last_request_at[host] = time.monotonic()


SHARED_PACER = HostPacer()


def short_decimal(text: str) -> int | None:
    """The number a string of 1 to 18 ASCII decimal digits spells, else None.

    For numbers a server sends as text (a header, an API's id): Python refuses to read one of
    over 4,300 digits, and a server may send it; 18 digits fit a signed 64-bit integer.
    """
    if 0 < len(text) <= 18 and text.isascii() and text.isdigit():
        return int(text)
    return None


def declared_bytes(headers: Mapping[str, str]) -> int | None:
    """The body size a response's Content-Length declares; None when absent or not a
    short_decimal. The cap is enforced while the body is read either way."""
    return short_decimal(headers.get("Content-Length") or "")


class HttpClient:
    """A thread-safe polite HTTP client; one per source run, pacing shared per host."""

    def __init__(
        self,
        settings: HttpSettings,
        session: requests.Session | None = None,
        cache_path: Path | None = None,
        pacer: HostPacer | None = None,
    ) -> None:
        self.settings = settings
        self.session = session or _new_session(settings, cache_path)
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
        self.pacer = pacer or SHARED_PACER
        self._lock = threading.Lock()
        self._robots: dict[str, Protego | None] = {}
        self._robots_errors: dict[str, str] = {}
        self.requests_made = 0

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        params: dict[str, str | int] | None = None,
        accept_statuses: frozenset[int] = frozenset(),
    ) -> Response:
        """GET a URL politely; raise FetchError unless the final status is 2xx.

        `accept_statuses` (e.g. 404) are returned instead of raised, for callers to whom a
        missing page is an answer rather than a failure.
        """
        full_url = requests.Request("GET", url, params=params).prepare().url or url
        response = self._follow_redirects(full_url)
        if not 200 <= response.status < 300 and response.status not in accept_statuses:
            retried = (
                f" after {self.settings.max_retries} retries"
                if response.status in (429, 500, 502, 503, 504)
                else ""
            )
            raise HttpStatusError(
                f"HTTP {response.status} from {full_url}{retried}", response.status
            )
        return response

    def _follow_redirects(self, url: str) -> Response:
        """Follow redirects ourselves, so every hop is checked against robots.txt, paced per
        host and kept to http(s); a loop or a long chain fails instead of wandering."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if self.settings.obey_robots and not self.allowed(current):
                raise RobotsDisallowed(f"robots.txt disallows {current}")
            response = self._request(current)
            if response.status not in _REDIRECT_STATUSES or not response.location:
                return response
            target = urljoin(current, response.location)
            if urlsplit(target).scheme not in ("http", "https"):
                raise FetchError(f"{current} redirects to a non-HTTP URL {target!r}")
            current = target
        raise FetchError(f"TooManyRedirects: more than {MAX_REDIRECTS} redirects from {url}")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url`; raises RobotsUnavailable if unreadable."""
        host = _host_key(url)
        with self._lock:
            known = host in self._robots
        if not known:
            parser = self._load_robots(host)
            with self._lock:
                self._robots[host] = parser
        if host in self._robots_errors:
            raise RobotsUnavailable(self._robots_errors[host])
        parser = self._robots[host]
        return True if parser is None else parser.can_fetch(url, self.settings.user_agent)

    def _request(self, url: str) -> Response:
        self.pacer.wait(_host_key(url), self.settings.min_delay_s)
        try:
            raw = self.session.get(
                url, timeout=self.settings.timeout_s, stream=True, allow_redirects=False
            )
        except requests.exceptions.RetryError as exc:
            raise FetchError(f"gave up on {url} after {self.settings.max_retries} retries") from exc
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"timed out after {self.settings.timeout_s}s: {url}") from exc
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise FetchError(
                    f"timed out after {self.settings.timeout_s}s "
                    f"({self.settings.max_retries} retries): {url}"
                ) from exc
            if "reset by peer" in str(exc).lower() or "connection aborted" in str(exc).lower():
                raise FetchError(
                    f"connection reset by the server ({self.settings.max_retries} retries): {url}"
                ) from exc
            raise FetchError(f"could not connect to {url}: {exc}") from exc
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
            from_cache=bool(getattr(raw, "from_cache", False)),
            location=raw.headers.get("Location"),
        )

    def _read_capped(self, raw: requests.Response, url: str) -> bytes:
        cap = self.settings.max_bytes
        declared = declared_bytes(raw.headers)
        if declared is not None and declared > cap:
            raise ResponseTooLarge(f"{url} declares {declared} bytes, over the {cap}-byte cap")
        deadline = time.monotonic() + self.settings.max_body_s
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _body_chunks(raw):
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(f"{url} is over the {cap}-byte cap (decoded)")
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{url} took longer than {self.settings.max_body_s}s to send its body"
                    )
                chunks.append(chunk)
        except (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError) as exc:
            encoding = raw.headers.get("Content-Encoding", "")
            raise FetchError(
                f"body of {url} could not be decoded (Content-Encoding: {encoding}): {exc}"
            ) from exc
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise FetchError(f"body of {url} was cut off: {exc}") from exc
        return b"".join(chunks)

    def _load_robots(self, host: str) -> Protego | None:
        """Parse the host's robots.txt as RFC 9309 says: 4xx allows all, 5xx or no answer denies all."""
        url = f"{host}/robots.txt"
        try:
            response = self._request(url)
        except FetchError as exc:
            self._robots_errors[host] = f"robots.txt unreadable, so nothing may be fetched: {exc}"
            return None
        if 400 <= response.status < 500:
            return None
        if not 200 <= response.status < 300:
            self._robots_errors[host] = (
                f"robots.txt unreadable (HTTP {response.status} from {url}), "
                "so nothing may be fetched"
            )
            return None
        return Protego.parse(response.body.decode("utf-8", errors="replace"))


def _body_chunks(raw: requests.Response, size: int = 64 * 1024) -> Iterator[bytes]:
    """The decoded body in chunks, each from at most one socket read.

    iter_content blocks until a whole chunk has arrived, so a dripping server would never let the
    caller look at the clock; read1 returns whatever one read brought. A body already read (the
    HTTP cache reads what it stores) comes from iter_content, which replays it from memory.
    """
    stream = raw.raw
    if getattr(raw, "_content_consumed", False) or not hasattr(stream, "read1"):
        yield from raw.iter_content(chunk_size=size)
        return
    while chunk := stream.read1(size, decode_content=True):
        yield chunk


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _new_session(settings: HttpSettings, cache_path: Path | None) -> requests.Session:
    if cache_path is None:
        return requests.Session()
    cache_path.parent.mkdir(parents=True, exist_ok=True)

    def worth_caching(response: requests.Response) -> bool:
        # Only validators make a cached copy useful (a 304 instead of a download); a body
        # that declares itself over the cap is refused before the cache reads it whole.
        headers = response.headers
        if not (headers.get("ETag") or headers.get("Last-Modified")):
            return False
        declared = declared_bytes(headers)
        return not (declared is not None and declared > settings.max_bytes)

    # Imported here: requests_cache pulls in its optional backends (redis, ~0.8 s) on import,
    # a start-up cost every `skillpulse ingest` would pay without ever caching a request.
    import requests_cache

    return requests_cache.CachedSession(
        cache_name=str(cache_path),
        backend=requests_cache.SQLiteCache(str(cache_path), wal=True, busy_timeout=30_000),
        # Stored copies are always revalidated, never trusted blindly: a posting list must be
        # as fresh as the run, and revalidation is what saves the bandwidth.
        expire_after=requests_cache.EXPIRE_IMMEDIATELY,
        always_revalidate=True,
        allowable_codes=(200,),
        filter_fn=worth_caching,
        stale_if_error=False,
    )
