"""Shared pieces of the command line: consoles, progress bars, the comuni option."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

#: Help of every ``--comuni`` option.
COMUNI_HELP = (
    "Comuni of the study area: names or ISTAT codes of comuni of the Città "
    "metropolitana, comma-separated or repeated (default: Milano, Cinisello "
    "Balsamo)."
)

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


def split_comuni(values: list[str] | None) -> list[str] | None:
    """Return the comuni of ``--comuni`` options (comma-separated or repeated).

    Parameters
    ----------
    values : list of str or None
        The option's values as typer gives them.

    Returns
    -------
    list of str or None
        Each comune once, in order; None when the option was not given.
    """
    if not values:
        return None
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip() and part.strip() not in out:
                out.append(part.strip())
    return out or None
