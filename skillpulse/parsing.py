"""Parsing payloads, and labelling their postings, in worker processes while this one lands.

An ingest's load used one core while the other idled: this process read a chunk, parsed its
lines, classified the new postings (role family, seniority), then landed them in DuckDB, chunk
after chunk. Parsing and classifying need nothing but the payload, so workers do them for the
chunks ahead while this process lands the one before; it keeps only the DuckDB work, which
must stay with the one connection. Measured per 100k synthetic postings (one-off timing, one
process): parsing 2.9 s, classifying 2.7 s and hashing texts 0.3 s move to the workers, and
unpickling their results costs this process 0.4 s.

Workers label every posting of a payload, not only those new or changed, which only the
landing can tell; the landing uses the labels only for the postings it would have classified
itself, so what is stored is exactly what one process stores (landing.land_outcome). They
compress each payload's body too (warehouse.payload_files), which the landing did at 2.1 s per
100k postings while the workers waited for it. On a re-run nearly every label and body would
be thrown away, so the landing asks for none for a payload it has already stored, nor once
the chunks it lands are mostly postings already stored (landing.LABEL_AHEAD_MIN_SHARE).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from extractors.classify import posting_labels
from extractors.sources.base import ParseResult, Payload
from extractors.sources.registry import get_source
from extractors.workers import processes_worth, started_executor, stop_now
from warehouse import payload_files

Labels = tuple[str, str]  # role_family, seniority
# What a worker returns for one payload (parse_ahead): its parse, and the labels and compressed
# body when they were asked for.
WorkDone = tuple[ParseResult, list[Labels] | None, bytes | None]

# Below this many bytes of input, one process parses it: a spawned worker needed 0.3-0.5 s to
# start when workers also imported the command line (docs/BENCHMARKS.md item 47; less now),
# about what parsing and classifying ~8 MB of postings costs in one process.
PARALLEL_MIN_BYTES = 8 << 20


def default_parse_processes(input_bytes: int) -> int:
    """Worker processes worth using to parse an input of this size: min(2, CPUs), or 1."""
    return processes_worth(input_bytes, PARALLEL_MIN_BYTES)


@dataclass(frozen=True)
class ParsedPayload:
    """One payload, what its source parsed from it, and, when a worker computed them, the
    labels of its postings (in parsed.postings order). `parsed` is None for a payload passed
    over unparsed (ParsePool.parse's `passed_over`)."""

    payload: Payload
    parsed: ParseResult | None
    labels: list[Labels] | None = None
    # The body compressed as the raw store keeps it (warehouse.payload_files.compress), when a
    # worker did it: the landing then only writes it.
    compressed_body: bytes | None = None


class ParsingWorkerDied(RuntimeError):
    """A parsing worker process ended before returning a payload (killed for memory, say).
    The payloads before it have landed whole; a re-run lands the rest."""


def parse_ahead(kind: str, payload: Payload, ahead: bool = True) -> WorkDone:
    """What a worker does with one payload: parse it and, if asked, do ahead what the landing
    does for a payload it has not stored: label every posting and compress the body.

    Each posting's content hash is computed here too, so it travels back cached (the landing
    reads it) instead of being computed in the landing process.
    """
    parsed = get_source(kind).parse(payload)
    for posting in parsed.postings:
        _ = posting.content_hash
    if not ahead:
        return parsed, None, None
    labels = [posting_labels(p.title, p.text) for p in parsed.postings]
    return parsed, labels, payload_files.compress(payload.body)


# CPU priority below the landing process (os.nice), and above the extraction workers, which
# start while postings land (extractors.skills.pool.EXTRACTION_NICENESS): the landing is the one
# process the load waits on, and parsed chunks are what it waits for. At equal priority, five
# processes on two cores (the landing, two parsing workers, two extraction workers starting)
# left the landing 0.4-0.6 of a core while 100k postings landed.
PARSING_NICENESS = 3


class ParsePool:
    """Worker processes that parse and label payloads, returning them in input order.

    At most `window` payloads are in the workers' hands at once (a JSONL payload is 5,000
    lines), so memory stays bounded however long the input is.
    """

    def __init__(self, processes: int = 2, window: int | None = None) -> None:
        self.processes = max(1, processes)
        self.window = window or 2 * self.processes + 1
        self._executor = started_executor(self.processes, niceness=PARSING_NICENESS)

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        stop_now(self._executor)

    def parse(
        self,
        kind: str,
        payloads: Iterable[Payload],
        ahead_wanted: Callable[[Payload], bool] = lambda payload: True,
        passed_over: Callable[[Payload], bool] = lambda payload: False,
    ) -> Iterator[ParsedPayload]:
        """Each payload with its parse, labels and compressed body, in input order; payloads
        are read lazily.

        `ahead_wanted` is asked about each payload as it is handed out; when it says no, it
        comes back without labels or compressed body (and the landing classifies and compresses
        what it must itself). The first payload is parsed in this process, unlabelled, while
        the workers start (0.3-0.5 s): a small input's re-run, with nothing to classify, then
        costs what one process costs. A payload `passed_over` says yes to, asked first, is not
        parsed at all: it comes back, in its turn, with `parsed` None.
        A parse that raises (a SourceError, say) raises here, at its payload's turn, as it would
        in one process. Raises ParsingWorkerDied, naming the payload, when a worker ends first.
        """
        source = get_source(kind)
        stream = iter(payloads)
        # A payload passed over holds no future: it waits its turn behind those in the workers.
        in_flight: deque[tuple[Payload, Future[WorkDone] | None]] = deque()

        def hand_out() -> None:
            while len(in_flight) < self.window and (payload := next(stream, None)) is not None:
                future = (
                    None
                    if passed_over(payload)
                    else self._executor.submit(parse_ahead, kind, payload, ahead_wanted(payload))
                )
                in_flight.append((payload, future))

        def oldest() -> ParsedPayload:
            payload, future = in_flight[0]
            if future is None:
                in_flight.popleft()
                return ParsedPayload(payload, None)
            # On failure the payload stays first, to be named.
            parsed, labels, compressed_body = future.result()
            in_flight.popleft()
            return ParsedPayload(payload, parsed, labels, compressed_body)

        first = next(stream, None)
        if first is None:
            return
        try:
            first_passed_over = passed_over(first)
            hand_out()
            yield ParsedPayload(first, None if first_passed_over else source.parse(first))
            while in_flight:
                item = oldest()
                hand_out()
                yield item
        except BrokenProcessPool as exc:
            lost = in_flight[0][0].url if in_flight else "a payload"
            raise ParsingWorkerDied(
                f"a parsing worker process died before returning {lost}; what was read "
                "before it has landed, and a re-run lands the rest"
            ) from exc
