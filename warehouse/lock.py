"""One run at a time per warehouse: an advisory file lock that dies with its process."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType


class RunLocked(RuntimeError):
    """Another skillpulse run holds the warehouse."""


# A holder writes its pid just after taking the lock and blanks it as it lets go, so a run
# refused in between reads an empty file: it waits this long for the pid to appear rather than
# naming no one (two runs started at once hit that window).
PID_WAIT_S = 1.0


def _holder_pid(handle: int) -> str:
    deadline = time.monotonic() + PID_WAIT_S
    while True:
        holder = os.pread(handle, 64, 0).decode(errors="replace").strip()
        if holder or time.monotonic() >= deadline:
            return holder or "unknown"
        time.sleep(0.01)


class RunLock:
    """`with RunLock(path): ...` holds an exclusive flock; a killed holder releases it at exit."""

    def __init__(self, path: Path, wait_s: float = 0.0) -> None:
        self.path = path
        self.wait_s = wait_s
        self._handle: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder_pid(handle)
                    os.close(handle)
                    raise RunLocked(
                        f"another skillpulse run (pid {holder}) is using {self.path.parent}; "
                        "wait for it to finish or stop it"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        self._handle = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            # A finished run's pid left in the file would be named by the next refused run.
            os.ftruncate(self._handle, 0)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            os.close(self._handle)
            self._handle = None
