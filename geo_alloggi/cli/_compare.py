"""``geo-alloggi compare OLD NEW``: what changed between two meeting bundles."""

from __future__ import annotations

from pathlib import Path

import typer

from geo_alloggi.cli._common import console, set_lang


def compare(
    old: Path = typer.Argument(..., help="Bundle of the previous meeting (folder)."),
    new: Path = typer.Argument(..., help="Bundle of this meeting (folder)."),
    out_dir: Path | None = typer.Option(
        None,
        "--out-dir",
        "-o",
        help="Folder for compare.md and compare.csv (default: the NEW bundle).",
    ),
    lang: str = typer.Option("it", help="it (default) or en."),
) -> None:
    """Say what changed from OLD to NEW: hot spots, rises and falls, renovation.

    Reads the figures.json of each bundle (only published values: districts
    withheld in either bundle are left out of the rises and falls) and writes
    compare.md and compare.csv (Italian Excel). To put the same section in
    the report, build the new bundle with --previous OLD.
    """
    from geo_alloggi._i18n import t
    from geo_alloggi.io import write_table
    from geo_alloggi.report import (
        compare_figures,
        comparison_markdown,
        comparison_table,
        read_figures,
    )

    set_lang(lang)
    before, after = read_figures(old), read_figures(new)
    result = compare_figures(before, after)
    folder = out_dir if out_dir is not None else new
    folder.mkdir(parents=True, exist_ok=True)
    text = comparison_markdown(result, lang)
    md = folder / "compare.md"
    md.write_text(text, encoding="utf-8")
    csv = write_table(comparison_table(result, lang), folder / "compare.csv", lang=lang)
    console.print(text, markup=False, highlight=False)
    for path in (md, csv):
        console.print(t("cli.written", lang, path=path), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the main app."""
    app.command("compare")(compare)
