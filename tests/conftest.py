"""The one conftest: shared fixtures. Append new fixtures at the end; keep them cheap."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def small_taxonomy_path() -> Path:
    """A nine-skill taxonomy with parents, case-sensitive forms and in-article skills."""
    return FIXTURES / "taxonomy_small.toml"


@pytest.fixture(scope="session")
def small_taxonomy(small_taxonomy_path: Path):  # type: ignore[no-untyped-def]
    from extractors.skills.taxonomy import load_taxonomy

    return load_taxonomy(small_taxonomy_path)


# --- collection layer (tests/sources, tests/test_http.py) -----------------------------------

API_FIXTURES = FIXTURES / "api"


@pytest.fixture
def replay():  # type: ignore[no-untyped-def]
    """A ReplayServer on 127.0.0.1 serving tests/fixtures/api (payloads shaped like the APIs)."""
    from skillpulse.demo.server import ReplayServer

    with ReplayServer(API_FIXTURES) as server:
        yield server


@pytest.fixture
def fast_http():  # type: ignore[no-untyped-def]
    """HttpSettings for local servers: no pacing, tiny backoff, short timeout."""
    from extractors.http import HttpSettings

    return HttpSettings(
        user_agent="skillpulse-test/1.0 (+mailto:test@example.org)",
        timeout_s=2.0,
        max_retries=2,
        min_delay_s=0.0,
        backoff_factor=0.01,
        max_retry_after_s=5.0,
    )


# --- report layer (tests/reports) -----------------------------------------------------------

REPORT_POSTINGS = FIXTURES / "reports" / "postings_hostile.jsonl"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def report_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by `skillpulse ingest` from 32 postings written for the report tests:
    an earlier (2024) and a recent (2026) period, salaries, remote and on-site, two sources, and
    two postings whose title, company, URL and text are hostile HTML/JS."""
    from typer.testing import CliRunner

    from skillpulse.cli import app

    db = tmp_path_factory.mktemp("report-wh") / "warehouse.duckdb"
    result = CliRunner().invoke(app, ["ingest", "--input", str(REPORT_POSTINGS), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Headless Chromium from Debian's `chromium` package, installed here when missing and root."""
    import os
    import shutil
    import subprocess

    if not CHROMIUM.exists():
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip("/usr/bin/chromium is missing and installing it needs root and apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                pytest.fail(f"{' '.join(command)} failed: {done.stderr[-500:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def skill_extractor():  # type: ignore[no-untyped-def]
    """The bundled taxonomy and rules on the real spaCy pipeline, built once per session."""
    from extractors.skills.matcher import SkillExtractor
    from extractors.skills.taxonomy import load_taxonomy

    return SkillExtractor(load_taxonomy())


@pytest.fixture(scope="session")
def prefect_harness():  # type: ignore[no-untyped-def]
    """A throwaway Prefect API (SQLite) for the whole session; only flow tests request it."""
    import os
    import random

    import websockets.asyncio.connection

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    # Prefect's events client keeps a websocket open to this server for the rest of the
    # session, and websockets draws each keepalive ping's payload from the global `random`
    # (getrandbits), on Prefect's event-loop thread, every 10-20 s. Hypothesis compares the
    # global state before and after each draw, so a ping landing inside one made the suite's
    # intermittent HypothesisDeprecationWarning ("Do not use the `random` module inside
    # strategies"). A payload only has to differ from the pings awaiting a pong: a generator
    # of its own does that and leaves the global state to the tests.
    with (
        pytest.MonkeyPatch.context() as patch,
        prefect_test_harness(server_startup_timeout=120),
    ):
        patch.setattr(websockets.asyncio.connection, "random", random.Random())
        yield


# --- landing (tests/warehouse/test_raw_landing.py, tests/performance) -----------------------


@pytest.fixture
def classified_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The posting ids the landing classifies in this process (landing.classify_postings),
    in order; the real classifier still answers."""
    from skillpulse import landing

    seen: list[str] = []
    real = landing.classify_postings

    def counting(postings):  # type: ignore[no-untyped-def]
        seen.extend(p.source_posting_id for p in postings)
        return real(postings)

    monkeypatch.setattr(landing, "classify_postings", counting)
    return seen
