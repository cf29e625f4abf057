"""Rich progress bars for long steps, shown only when stderr is a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

Update = Callable[[int, int], None]
_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def step(description: str, total: int | None = None) -> Iterator[Update]:
    """`with step("extracting", n) as update: update(done, total)`; silent off a terminal."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console,
        transient=True,
        disable=not _console.is_terminal,
    ) as progress:
        task_id = progress.add_task(description, total=total)

        def update(done: int, new_total: int) -> None:
            progress.update(task_id, completed=done, total=new_total)

        yield update
