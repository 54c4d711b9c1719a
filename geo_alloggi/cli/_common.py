"""Shared pieces of the command line: consoles, progress bars, the comuni option."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.status import Status
from rich.text import Text

#: Help of every ``--comuni`` option.
COMUNI_HELP = (
    "Comuni of the study area: names or ISTAT codes of comuni of the Città "
    "metropolitana, comma-separated or repeated (default: Milano, Cinisello "
    "Balsamo)."
)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

# the language of the running command (its --lang): warnings are said in it
_LANG = {"current": "it"}


def set_lang(lang: str) -> None:
    """Say the running command's warnings in ``lang`` (``"it"`` or ``"en"``)."""
    from geo_alloggi._i18n import check_lang

    check_lang(lang)
    _LANG["current"] = lang


def current_lang() -> str:
    """Return the running command's language (``"it"`` unless it set another)."""
    return _LANG["current"]


def said(key: str, /, **fmt: Any) -> str:
    """Return a catalogue line in the running command's language.

    Parameters
    ----------
    key : str
        Catalogue key (``cli.*``).
    **fmt : Any
        Values of the line's placeholders.

    Returns
    -------
    str
        The line, plain text.
    """
    from geo_alloggi._i18n import t

    return t(key, current_lang(), **fmt)


def say(key: str, /, **fmt: Any) -> None:
    """Print a catalogue line on stdout in the running command's language.

    Parameters
    ----------
    key : str
        Catalogue key (``cli.*``).
    **fmt : Any
        Values of the line's placeholders.
    """
    console.print(said(key, **fmt), markup=False, highlight=False)


def busy(key: str, /, **fmt: Any) -> Status:
    """Return a spinner on stderr saying a catalogue line while work runs.

    Parameters
    ----------
    key : str
        Catalogue key (``cli.busy.*``).
    **fmt : Any
        Values of the line's placeholders.

    Returns
    -------
    rich.status.Status
        A context manager, as ``Console.status`` returns.
    """
    return err_console.status(Text(said(key, **fmt)))


def kind_word(kind: str) -> str:
    """Return the word for a record kind (``occupations`` -> ``occupazioni``).

    Parameters
    ----------
    kind : str
        ``estates``, ``occupations``, ``evictions``, ``vacancies`` or
        ``evictions_undated``.

    Returns
    -------
    str
        The word in the running command's language (``kind`` if unknown).
    """
    from geo_alloggi._i18n import has_key

    for key in (f"kind.{kind}", f"cli.kind.{kind}"):
        if has_key(key):
            return said(key)
    return kind


def count(value: Any) -> str:
    """Return a count as the running command's language writes it (``1.234``).

    Parameters
    ----------
    value : Any
        An integer count.

    Returns
    -------
    str
        The count with thousands separators.
    """
    from geo_alloggi._i18n import fmt_int

    return fmt_int(value, current_lang())


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Progress]:
    """Show a progress bar on stderr; yield the bar (task id 0).

    The bar is drawn when it is updated (``refresh=True``), without a
    refreshing thread, so the work it follows runs in a single-threaded
    process (the bundle may then write its tables in a forked child).
    """
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        auto_refresh=False,
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


def warning_text(message: Warning | str, lang: str | None = None) -> str | None:
    """Say a warning to a command-line user, or None when it is only logged.

    geo_alloggi's warnings are said from the catalogue (no Python names) in
    ``lang`` (None: the running command's language), after the word for
    "warning"; known third-party warnings are restated; anything else goes
    to the log (shown with ``--verbose``), never printed raw.
    """
    from geo_alloggi._i18n import note_of, render_note, t

    note = note_of(message) if isinstance(message, Warning) else None
    if note is None:
        logging.getLogger("geo_alloggi.cli").info("warning: %s", message)
        return None
    lang = lang or current_lang()
    return f"{t('cli.warning', lang)}: {render_note(note, lang)}"
