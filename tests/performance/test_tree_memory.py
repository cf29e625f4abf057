"""benchmarks.common.TreeMemory: what it reads, and that it keeps its PSS reads within budget.

A child process allocates when told to; the tests poll the sampler's counters (never timing it)
and give up after a generous deadline, so a slow machine makes them slower, not wrong.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from benchmarks.common import TreeMemory

ALLOCATED_MB = 200
# Waits for "go" on stdin, then touches ALLOCATED_MB of fresh pages and waits to be killed.
_ALLOCATOR = (
    "import sys\n"
    "sys.stdin.readline()\n"
    f"block = bytearray({ALLOCATED_MB} * 2**20)\n"
    "block[::4096] = b'x' * len(block[::4096])\n"
    "print('done', flush=True)\n"
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


def _allocate(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "done"


def test_reads_the_pss_of_an_allocation_when_its_budget_allows(
    allocator: subprocess.Popen[str],
) -> None:
    with TreeMemory(allocator.pid, every=0.01, pss_share=1.0) as memory:
        _allocate(allocator)
        _until(lambda: memory.peak_bytes > ALLOCATED_MB * 2**20)
    assert memory.peak_rss_sum_bytes >= memory.peak_bytes
    assert memory.largest_bytes > ALLOCATED_MB * 2**20
    assert memory.sampler_cpu_seconds > 0


def test_reads_no_pss_again_before_its_cpu_budget_allows(
    allocator: subprocess.Popen[str],
) -> None:
    # At a billionth of a core, the read after the first is due in about a week.
    with TreeMemory(allocator.pid, every=0.01, pss_share=1e-9) as memory:
        _until(lambda: memory.pss_reads == 1)
        _allocate(allocator)
        _until(lambda: memory.peak_rss_sum_bytes > ALLOCATED_MB * 2**20)
    assert memory.pss_reads == 1
    # The one PSS read saw the interpreter before it allocated; the RSS reads saw the block.
    assert memory.peak_bytes < ALLOCATED_MB * 2**20 < memory.largest_bytes
