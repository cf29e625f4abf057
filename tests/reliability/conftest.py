"""Shared pieces of the reliability suite: a raw-socket fault server and a figures recorder.

The recorder counts every fault injected and every bad input tried; with
SKILLPULSE_RELIABILITY_FIGURES=path set, the session writes the counts there as JSON
(docs/RELIABILITY.md cites that file). Without it nothing is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# --- figures ---------------------------------------------------------------------------------

_FIGURES: dict[tuple[str, str], dict[str, object]] = {}
_FIGURES_LOCK = threading.Lock()


def record_figure(category: str, what: str, times: int = 1, result: str = "survived") -> None:
    """Count `times` injections of fault/bad input `what` under `category`, with the result."""
    with _FIGURES_LOCK:
        entry = _FIGURES.setdefault((category, what), {"times": 0, "results": set()})
        entry["times"] = int(entry["times"]) + times  # type: ignore[call-overload]
        entry["results"].add(result)  # type: ignore[union-attr]


@pytest.fixture
def figures() -> Callable[..., None]:
    return record_figure


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("SKILLPULSE_RELIABILITY_FIGURES")
    if not target or not _FIGURES:
        return
    rows = [
        {
            "category": category,
            "fault": what,
            "times": entry["times"],
            "results": sorted(entry["results"]),  # type: ignore[arg-type]
        }
        for (category, what), entry in sorted(_FIGURES.items())
    ]
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "SKILLPULSE_RELIABILITY_FIGURES=... .venv/bin/python -m pytest tests/reliability",
        "tests_collected": session.testscollected,
        "tests_failed": session.testsfailed,
        "exit_status": int(exitstatus),
        "faults": rows,
    }
    Path(target).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


# --- a server that misbehaves at the socket level --------------------------------------------

Handler = Callable[[socket.socket, str], None]


def http_head(status: str, headers: dict[str, str]) -> bytes:
    """A response head; every connection is closed after one response."""
    headers = {"Connection": "close", **headers}
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST instead of a clean FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class RawServer:
    """A threaded TCP server on 127.0.0.1; each request path maps to a raw-socket handler.

    Unknown paths (and /robots.txt) get a 404, which robots.txt rules read as 'allow all'.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.default: Handler | None = None  # for paths without a route (else a 404)
        self.hits: dict[str, int] = {}
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        # close() alone leaves a thread blocked in accept() on Linux, for the rest of the
        # session (five of them were still there by tests/reliability/test_properties.py);
        # shutdown() wakes it.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    conn.close()
                    return
                request += chunk
            target = request.split(b" ", 2)[1].decode("latin-1")
            path = target.split("?", 1)[0]
            self.hits[path] = self.hits.get(path, 0) + 1
            handler = self.routes.get(path, self.default)
            if handler is None:
                conn.sendall(http_head("404 Not Found", {"Content-Length": "0"}))
                conn.close()
                return
            handler(conn, target)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    with RawServer() as server:
        yield server
