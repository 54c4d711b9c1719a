"""``geo-alloggi demo`` and ``geo-alloggi run``: the whole job, with progress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from geo_alloggi._errors import ValidationError
from geo_alloggi.cli._common import console, err_console, progress, set_lang

MIRROR_HELP = "Folder of official files (default: $GEO_ALLOGGI_DATA_MIRROR)."


PREVIOUS_HELP = (
    "Bundle of the previous meeting: the report says what changed since "
    "(see also 'geo-alloggi compare')."
)


def _report(files: list[Path], out_dir: Path, synthetic: bool) -> None:
    """Say what was written, the notes and where to look, in the bundle's language."""
    from geo_alloggi import config
    from geo_alloggi._i18n import t

    manifest = out_dir / "manifest.json"
    meta: dict = {}
    if manifest.exists():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
    lang = meta.get("settings", {}).get("lang", "it")
    said = t("cli.synthetic", lang, label=config.synthetic_label)
    label = f"[{said}] " if synthetic or meta.get("synthetic") else ""
    console.print(label + t("cli.bundle_written", lang, path=out_dir), markup=False)
    for f in files:
        console.print(f"  {f.relative_to(out_dir)}", markup=False)
    for note in meta.get("notes", []):  # already in the meeting's language
        err_console.print(
            f"{t('cli.note', lang)}: {note}", markup=False, highlight=False
        )
    for name, what in (("report.html", "cli.report"), ("summary.md", "cli.figures")):
        if (out_dir / name).exists():
            console.print(f"{t(what, lang)}: {out_dir / name}", markup=False)


@contextmanager
def _steps(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """Show a progress bar over the pipeline's steps; yield its ``on_step``.

    Parameters
    ----------
    description : str
        What the bar says before the first step.

    Yields
    ------
    callable
        ``on_step(name, i, n)`` for :func:`geo_alloggi.pipeline.run`: the bar
        names step ``i`` of ``n``; it is full when the work returns.
    """
    from geo_alloggi.pipeline import STEPS

    with progress(description, total=len(STEPS)) as bar:

        def on_step(name: str, i: int, n: int) -> None:
            bar.update(
                bar.task_ids[0],
                completed=i - 1,
                description=f"[{i}/{n}] {name}",
                refresh=True,
            )

        yield on_step
        bar.update(bar.task_ids[0], completed=len(STEPS), refresh=True)


def demo(
    out_dir: Path = typer.Option(
        Path("out/demo"), "--out-dir", "-o", help="Folder of the bundle."
    ),
    seed: int = typer.Option(
        0, help="Seed of the SYNTHETIC records (same seed, same bundle)."
    ),
    lang: str = typer.Option(
        "it", help="it (default) or en for what the meeting sees."
    ),
    budget: float = typer.Option(
        10_000_000.0, help="Renovation budget in euros, shared by every owner."
    ),
    owner_budget: list[str] = typer.Option(
        [],
        "--owner-budget",
        help="A budget of one owner, OWNER=EUROS (Aler, Comune-MM); repeat it "
        "for each owner: the owners then plan separately (--budget unused).",
    ),
    objective: str = typer.Option(
        "risk",
        help="What the renovation plan maximises: risk (expected occupations "
        "prevented) or units (homes returned).",
    ),
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
    previous: Path | None = typer.Option(None, "--previous", help=PREVIOUS_HELP),
) -> None:
    """Build SYNTHETIC records on the real boundaries and write the meeting bundle.

    Runs every step (geocoding, overlay, hot spots, priorities) and writes
    map.html (offline), map.png/pdf, report.html (one printable page; and
    report.pdf when Chromium is present), tables (CSV for Italian Excel and
    XLSX), layers.gpkg, figures.json, summary.md and manifest.json.
    """
    from geo_alloggi.pipeline import run_demo

    set_lang(lang)
    with _steps("geo-alloggi demo") as on_step:
        files = run_demo(
            out_dir,
            seed=seed,
            lang=lang,
            budget_eur=_owner_budgets(owner_budget) if owner_budget else budget,
            objective=objective,
            mirror=mirror,
            on_step=on_step,
            previous=previous,
        )
    _report(files, out_dir, True)


def _owner_budgets(values: list[str]) -> dict[str, float]:
    """Read ``--owner-budget OWNER=EUROS`` options into a mapping."""
    out: dict[str, float] = {}
    for value in values:
        owner, sep, euros = value.partition("=")
        try:
            amount = float(euros)
        except ValueError:
            amount = float("nan")
        if not sep or not owner.strip() or amount != amount:
            raise ValidationError(
                f"--owner-budget {value!r} must read OWNER=EUROS, e.g. Aler=6000000"
            )
        out[owner.strip()] = amount
    return out


def run(
    config_file: Path = typer.Argument(
        ..., help="Run configuration (TOML), see examples/run.toml."
    ),
    out_dir: Path = typer.Option(..., "--out-dir", "-o", help="Folder of the bundle."),
    districts: Path | None = typer.Option(
        None,
        "--districts",
        help="Custom district layer (GeoJSON, GeoPackage, zipped Shapefile).",
    ),
    id_column: str | None = typer.Option(
        None,
        "--id-column",
        help="Column of district ids in the --districts file (default: the "
        "configuration's [districts] id_column, else district_id).",
    ),
    name_column: str | None = typer.Option(
        None,
        "--name-column",
        help="Column of district names in the --districts file (default: the "
        "configuration's [districts] name_column, else the ids).",
    ),
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
    previous: Path | None = typer.Option(None, "--previous", help=PREVIOUS_HELP),
) -> None:
    """Run the whole analysis on your own record files and write the meeting bundle."""
    from geo_alloggi.pipeline import run as run_pipeline

    with _steps("geo-alloggi run") as on_step:
        files = run_pipeline(
            config_file,
            out_dir,
            mirror=mirror,
            districts_file=districts,
            districts_id_column=id_column,
            districts_name_column=name_column,
            on_step=on_step,
            previous=previous,
        )
    _report(files, out_dir, False)


def register(app: typer.Typer) -> None:
    """Add ``demo`` and ``run`` to the main app."""
    app.command("demo")(demo)
    app.command("run")(run)
