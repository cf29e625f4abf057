"""Reading what a flow run left in the Prefect API of the test harness."""

from __future__ import annotations

import time


def run_log_messages(flow_run_id: object, awaited: str, wait_s: float = 10.0) -> list[str]:
    """Every log line of a flow run and its task runs, from the harness's REST API, once one
    holds `awaited` (or `wait_s` has passed): Prefect sends log records in batches, so the
    last ones may still be on their way when the run returns."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    deadline = time.monotonic() + wait_s
    while True:
        response = httpx.post(
            f"{PREFECT_API_URL.value()}/logs/filter",
            json={"logs": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "limit": 200},
        )
        response.raise_for_status()
        messages = [str(log["message"]) for log in response.json()]
        if any(awaited in m for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)
