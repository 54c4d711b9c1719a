"""Shared pieces of the command line: consoles and progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Progress]:
    """Show a progress bar on stderr; yield the bar (task id 0)."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        bar.add_task(description, total=total)
        yield bar
