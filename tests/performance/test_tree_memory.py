"""benchmarks.common.TreeMemory: what it reads, and that it keeps its PSS reads within budget.

A child process allocates when told; the tests poll the sampler's counters (never timing it)
and give up after a generous deadline, so a slow machine makes them slower, not wrong.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from benchmarks.common import TreeMemory

MB = 2**20
ALLOCATED_MB = 200
# Waits for "go" on stdin, touches ALLOCATED_MB of fresh pages, and, told "fork", forks a
# grandchild that shares those pages (copy-on-write) and waits for the parent to die.
_ALLOCATOR = (
    "import os, sys, time\n"
    "sys.stdin.readline()\n"
    f"block = bytearray({ALLOCATED_MB} * 2**20)\n"
    "block[::4096] = b'x' * len(block[::4096])\n"
    "print('allocated', flush=True)\n"
    "if sys.stdin.readline().strip() == 'fork' and os.fork() == 0:\n"
    "    parent = os.getppid()\n"
    "    while os.getppid() == parent:\n"
    "        time.sleep(0.05)\n"
    "    os._exit(0)\n"
    "print('forked', flush=True)\n"
    "sys.stdin.readline()\n"
)


@pytest.fixture
def allocator() -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(
        [sys.executable, "-c", _ALLOCATOR],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    yield child
    child.kill()
    child.wait()


def _until(condition: Callable[[], bool], deadline_s: float = 30.0) -> None:
    given_up_at = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > given_up_at:
            raise AssertionError("the sampler never got there")
        time.sleep(0.01)


def _tell(child: subprocess.Popen[str], line: str, answer: str) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(f"{line}\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == answer


def test_pss_counts_pages_a_fork_shares_once_and_rss_twice(
    allocator: subprocess.Popen[str],
) -> None:
    with TreeMemory(allocator.pid, every=0.01, pss_share=1.0) as memory:
        _tell(allocator, "go", "allocated")
        _tell(allocator, "fork", "forked")
        # Both processes hold the block: the summed RSS counts it twice.
        _until(lambda: memory.peak_rss_sum_bytes > 2 * ALLOCATED_MB * MB)
        reads_after_fork = memory.pss_reads
        _until(lambda: memory.pss_reads >= reads_after_fork + 2)
    # The PSS splits the shared pages between the two: the block once, plus two interpreters.
    assert ALLOCATED_MB * MB < memory.peak_pss_sum_bytes < 1.5 * ALLOCATED_MB * MB
    assert memory.peak_rss_sum_bytes >= memory.peak_pss_sum_bytes
    assert memory.sampler_cpu_seconds > 0


def test_reads_no_pss_again_before_its_cpu_budget_allows(
    allocator: subprocess.Popen[str],
) -> None:
    # At a billionth of a core, the read after the first is due in about a week.
    with TreeMemory(allocator.pid, every=0.01, pss_share=1e-9) as memory:
        _until(lambda: memory.pss_reads == 1)
        _tell(allocator, "go", "allocated")
        _until(lambda: memory.largest_bytes > ALLOCATED_MB * MB)
    assert memory.pss_reads == 1
    # The one PSS read saw the interpreter before it allocated; the RSS reads saw the block.
    assert memory.peak_pss_sum_bytes < ALLOCATED_MB * MB < memory.peak_rss_sum_bytes
