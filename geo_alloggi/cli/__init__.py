"""The ``geo-alloggi`` command line.

Each group of commands lives in its own private module and is registered here.
The CLI is the only place (with :mod:`geo_alloggi.pipeline`) that configures
logging, shows progress and prints; a user's mistake ends with one line on
stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import logging
import sys
import warnings

import typer

from geo_alloggi._errors import GeoAlloggiError
from geo_alloggi._version import __version__

app = typer.Typer(
    name="geo-alloggi",
    help=(
        "GIS for public housing in Milan and Cinisello Balsamo: official districts, "
        "geocoding, overlays, hot spots, priorities and offline meeting maps."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"geo-alloggi {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log what the library does."
    ),
) -> None:
    """Set up logging for the library's messages."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _short_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    from geo_alloggi.cli._common import warning_text

    text = warning_text(message)
    if text is not None:
        sys.stderr.write(f"{text}\n")


# --- command groups (each module registers its commands on ``app``) ---------
from geo_alloggi.cli import _data  # noqa: E402

_data.register(app)

from geo_alloggi.cli import _geocode  # noqa: E402

_geocode.register(app)

from geo_alloggi.cli import _prioritise  # noqa: E402

_prioritise.register(app)

from geo_alloggi.cli import _records  # noqa: E402

_records.register(app)

from geo_alloggi.cli import _overlay  # noqa: E402

_overlay.register(app)

from geo_alloggi.cli import _pipeline  # noqa: E402

_pipeline.register(app)

from geo_alloggi.cli import _compare  # noqa: E402

_compare.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``geo-alloggi`` console script."""
    from geo_alloggi.cli._common import set_lang

    warnings.showwarning = _short_warning
    set_lang("it")  # until a command's --lang says otherwise
    try:
        app(args=argv, prog_name="geo-alloggi")
    except SystemExit:
        if argv is None:  # the console script: the process ends now
            _ending()
        raise
    except GeoAlloggiError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except OSError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None


def _ending() -> None:
    """Let the process end without the collector walking every object once more.

    While the interpreter shuts down it runs full collections over every object
    still alive (modules, caches): more than a second after a large run. The
    process ends now and its memory goes back whole, so they are frozen out
    of those passes (:func:`gc.freeze`); files were closed by the command.
    """
    import gc

    gc.freeze()
