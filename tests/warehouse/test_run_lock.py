"""The run lock names the run holding it, even when a refused run looks in the first instant."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from warehouse.lock import RunLock, RunLocked


def test_a_run_refused_before_the_holder_wrote_its_pid_still_names_it(tmp_path: Path) -> None:
    path = tmp_path / ".warehouse.lock"
    # The holder has taken the lock but not yet written its pid (the file is empty).
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    writer = threading.Timer(0.1, lambda: os.pwrite(holder, b"4242", 0))
    writer.start()
    try:
        with pytest.raises(RunLocked, match=r"another skillpulse run \(pid 4242\) is using"):
            RunLock(path).__enter__()
    finally:
        writer.join()
        os.close(holder)


def test_a_finished_run_leaves_no_pid_for_the_next_refusal_to_name(tmp_path: Path) -> None:
    path = tmp_path / ".warehouse.lock"
    with RunLock(path):
        assert path.read_text() == str(os.getpid())
    assert path.read_text() == ""
