"""Reading what a flow run left in the Prefect API of the test harness."""

from __future__ import annotations


def run_log_messages(flow_run_id: object) -> list[str]:
    """Every log line of a flow run and its task runs, from the harness's REST API."""
    import httpx
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_API_URL

    APILogHandler().flush()  # records are sent in batches: send what is queued first
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/logs/filter",
        json={"logs": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "limit": 200},
    )
    response.raise_for_status()
    return [str(log["message"]) for log in response.json()]
