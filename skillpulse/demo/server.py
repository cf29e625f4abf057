"""A local HTTP server that answers like the job-board APIs, from payload files on disk.

Routes (the same paths as the public APIs):
  /v1/boards/{board}/jobs            Greenhouse   → greenhouse/{board}.json
  /v0/postings/{site}?skip=&limit=   Lever        → lever/{site}.json, paged
  /posting-api/job-board/{board}     Ashby        → ashby/{board}.json
  /api/v1/search_by_date?page=&hitsPerPage=   HN Algolia → hn/search_by_date.json, paged
  /api/v1/items/{id}                 HN Algolia   → hn/items/{id}.json
  /api/v1/widget/accounts/{slug}     Workable     → workable/{slug}.json
  /v1/companies/{id}/postings?offset=&limit=   SmartRecruiters list → smartrecruiters/{id}.json, paged
  /v1/companies/{id}/postings/{pid}  SmartRecruiters detail → smartrecruiters/{id}/{pid}.json
  /pages/{name}                      career pages (JSON-LD) → pages/{name}, served as HTML
  /robots.txt                        allows everything unless `robots_txt` says otherwise
Answers from files carry an ETag and honour If-None-Match with a 304, like the real APIs that
support revalidation. Tests add faults per path: a queue of canned (status, headers, body)
answers served first. Every request's path and headers are recorded in `received`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SAMPLE_DIR = Path(__file__).with_name("sample")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v1/boards/(?P<name>[^/]+)/jobs/?$"), "greenhouse"),
    (re.compile(r"^/v0/postings/(?P<name>[^/]+)/?$"), "lever"),
    (re.compile(r"^/posting-api/job-board/(?P<name>[^/]+)/?$"), "ashby"),
    (re.compile(r"^/api/v1/search_by_date/?$"), "hn_search"),
    (re.compile(r"^/api/v1/items/(?P<name>\d+)/?$"), "hn_item"),
    (re.compile(r"^/api/v1/widget/accounts/(?P<name>[^/]+)/?$"), "workable"),
    (re.compile(r"^/v1/companies/(?P<name>[^/]+)/postings/?$"), "smartrecruiters_list"),
    (
        re.compile(r"^/v1/companies/(?P<name>[^/]+)/postings/(?P<posting>[^/]+)/?$"),
        "smartrecruiters_detail",
    ),
    (re.compile(r"^/pages/(?P<name>[^/]+)$"), "page"),
)


@dataclass
class Fault:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class ReplayServer:
    """`with ReplayServer(sample_dir) as server:` serves on 127.0.0.1:<free port>."""

    def __init__(
        self,
        sample_dir: Path = SAMPLE_DIR,
        robots_txt: str = "User-agent: *\nAllow: /\n",
        etags: bool = True,
    ) -> None:
        self.sample_dir = sample_dir
        self.robots_txt = robots_txt
        self.etags = etags
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[str] = []
        self.received: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add_fault(self, path: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self.faults[path].extend([fault] * times)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def respond(
        self, raw_path: str, request_headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        parts = urlsplit(raw_path)
        with self._lock:
            self.requests.append(raw_path)
            self.received.append((raw_path, dict(request_headers or {})))
            queue = self.faults.get(parts.path)
            if queue:
                fault = queue.popleft()
                return fault.status, fault.headers, fault.body, fault.delay_s
        if parts.path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots_txt.encode(), 0.0
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        for pattern, route in _ROUTES:
            match = pattern.match(parts.path)
            if match:
                body = self._route(route, match.groupdict(), query)
                if body is not None:
                    content_type = (
                        "text/html; charset=utf-8"
                        if route == "page"
                        else "application/json; charset=utf-8"
                    )
                    return self._with_etag(body, content_type, request_headers or {})
        return 404, {"Content-Type": "application/json"}, b'{"error": "not found"}', 0.0

    def _with_etag(
        self, body: bytes, content_type: str, request_headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, float]:
        headers = {"Content-Type": content_type}
        if not self.etags:
            return 200, headers, body, 0.0
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        headers["ETag"] = etag
        sent = {k.lower(): v for k, v in request_headers.items()}.get("if-none-match", "")
        if etag in [tag.strip() for tag in sent.split(",")]:
            return 304, {"ETag": etag}, b"", 0.0
        return 200, headers, body, 0.0

    def _route(
        self, route: str, groups: dict[str, str | None], query: dict[str, str]
    ) -> bytes | None:
        name = groups.get("name")
        if any(value is not None and not _SAFE_NAME.match(value) for value in groups.values()):
            return None
        if route == "greenhouse":
            return self._file("greenhouse", f"{name}.json")
        if route == "ashby":
            return self._file("ashby", f"{name}.json")
        if route == "hn_item":
            return self._file("hn/items", f"{name}.json")
        if route == "workable":
            return self._file("workable", f"{name}.json")
        if route == "page":
            return self._file("pages", str(name))
        if route == "smartrecruiters_detail":
            return self._file(f"smartrecruiters/{name}", f"{groups.get('posting')}.json")
        if route == "smartrecruiters_list":
            body = self._file("smartrecruiters", f"{name}.json")
            if body is None:
                return None
            listing = json.loads(body)
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
            content = listing.get("content", [])
            listing.update(
                offset=offset,
                limit=limit,
                totalFound=len(content),
                content=content[offset : offset + limit],
            )
            return json.dumps(listing).encode()
        if route == "lever":
            body = self._file("lever", f"{name}.json")
            if body is None:
                return None
            postings = json.loads(body)
            skip, limit = int(query.get("skip", 0)), query.get("limit")
            page = postings[skip : skip + int(limit)] if limit else postings[skip:]
            return json.dumps(page).encode()
        if route == "hn_search":
            body = self._file("hn", "search_by_date.json")
            if body is None:
                return None
            search = json.loads(body)
            per_page = int(query.get("hitsPerPage", 20))
            page = int(query.get("page", 0))
            hits = search["hits"]
            search.update(
                hits=hits[page * per_page : (page + 1) * per_page],
                page=page,
                hitsPerPage=per_page,
                nbHits=len(hits),
                nbPages=max(1, -(-len(hits) // per_page)),
            )
            return json.dumps(search).encode()
        return None

    def _file(self, folder: str, name: str) -> bytes | None:
        path = self.sample_dir / folder / name
        return path.read_bytes() if path.is_file() else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                import time

                status, headers, body, delay = server.respond(self.path, dict(self.headers))
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers and status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def sample_sources(base_url: str, sample_dir: Path = SAMPLE_DIR) -> list[dict[str, object]]:
    """A [[sources]] list covering every board in the sample, pointed at `base_url`."""
    sources: list[dict[str, object]] = []
    for kind in ("greenhouse", "lever", "ashby", "workable", "smartrecruiters"):
        for path in sorted((sample_dir / kind).glob("*.json")):
            sources.append({"kind": kind, "board": path.stem, "base_url": base_url})
    if (sample_dir / "hn" / "search_by_date.json").is_file():
        sources.append(
            {"kind": "hn", "board": "whoishiring", "base_url": base_url, "since": "2000-01"}
        )
    return sources
