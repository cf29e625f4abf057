"""Collecting one configured source: fetch and parse it, never raising."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from extractors.http import (
    FetchError,
    HttpClient,
    HttpSettings,
    HttpStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
)
from extractors.sources.base import (
    ParseResult,
    Payload,
    SourceConfig,
    SourceError,
    SourceSkipped,
)
from extractors.sources.registry import get_source

# Imported here for callers, and for the nightly flow's collect results persisted (pickled)
# before SourceOutcome moved to skillpulse.outcome: they name skillpulse.collect.SourceOutcome.
from skillpulse.outcome import SourceOutcome


def collect_source(
    config: SourceConfig,
    http: HttpSettings,
    client: HttpClient | None = None,
    cache_path: Path | None = None,
) -> SourceOutcome:
    """Fetch and parse one configured source. Never raises: failures become a failed outcome
    holding no postings, so one bad source cannot stop the others or land half its data.

    `cache_path` (e.g. `<storage.db dir>/http_cache.sqlite`) turns on the conditional-GET HTTP
    cache; without it nothing is cached. A source whose first request robots.txt forbids (or
    that raises SourceSkipped) is `skipped`, which is neither a failure nor a fresh snapshot.
    """
    started = datetime.now(UTC)
    board = config.board if config.kind != "jsonl" else Path(config.board).stem
    own_client: HttpClient | None = None
    payloads: list[Payload] = []
    try:
        source = get_source(config.kind)
        if client is None:
            client = own_client = HttpClient(http, cache_path=cache_path)
        parsed = ParseResult()
        for payload in source.fetch(config, client):
            payloads.append(payload)
            parsed.extend(source.parse(payload))
    except (SourceSkipped, RobotsDisallowed) as exc:
        skipped = isinstance(exc, SourceSkipped) or not payloads
        return SourceOutcome(
            config.kind,
            board,
            "skipped" if skipped else "failed",
            error=_named(f"{config.kind}/{board}", exc),
            started_at=started,
            finished_at=datetime.now(UTC),
        )
    except (FetchError, SourceError, KeyError, OSError) as exc:
        return SourceOutcome(
            config.kind,
            board,
            "failed",
            error=_named(f"{config.kind}/{board}", exc),
            started_at=started,
            finished_at=datetime.now(UTC),
            retryable=is_transient(exc),
        )
    except Exception as exc:  # a parser bug must not take the other sources down with it
        return SourceOutcome(
            config.kind,
            board,
            "failed",
            error=f"{config.kind}/{board}: unexpected {type(exc).__name__}: {exc}",
            started_at=started,
            finished_at=datetime.now(UTC),
        )
    finally:
        if own_client is not None:
            own_client.close()
    return SourceOutcome(
        config.kind,
        board,
        "ok",
        payloads=payloads,
        parsed=parsed,
        started_at=started,
        finished_at=datetime.now(UTC),
    )


def _named(label: str, exc: BaseException) -> str:
    """The error prefixed with source/board once, whether or not the source already named it."""
    message = str(exc)
    return message if message.startswith(f"{label}:") else f"{label}: {message}"


def is_transient(error: BaseException) -> bool:
    """Whether trying the same request later could succeed: network trouble, 429 and 5xx."""
    if isinstance(error, HttpStatusError):
        return error.status == 429 or error.status >= 500
    return isinstance(error, FetchError) and not isinstance(
        error, RobotsDisallowed | ResponseTooLarge
    )


def source_host(config: SourceConfig) -> str:
    """The host a source talks to, so the flow never runs two tasks against one host at once."""
    from urllib.parse import urlsplit

    if config.kind == "jsonl":
        return f"file:{config.board}"
    if config.kind == "jsonld":
        urls = config.options.get("urls") or []
        return urlsplit(str(urls[0])).netloc if urls else f"jsonld:{config.board}"
    base = config.base_url or get_source(config.kind).default_base_url
    return urlsplit(base).netloc
