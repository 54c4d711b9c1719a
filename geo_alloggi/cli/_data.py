"""``geo-alloggi data ...`` and ``geo-alloggi districts ...``: official data."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from geo_alloggi.cli._common import console, err_console

data_app = typer.Typer(
    help="Official datasets: list them, download them.", no_args_is_help=True
)
districts_app = typer.Typer(
    help="District layers: summarise and check.", no_args_is_help=True
)

MIRROR_HELP = "Folder of official files (default: $GEO_ALLOGGI_DATA_MIRROR)."


@data_app.command("list")
def data_list(
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
) -> None:
    """List each dataset: licence, release, where it would come from, coverage."""
    from geo_alloggi import datasets

    table = Table(title="geo_alloggi datasets")
    for col in ("dataset", "licence", "release", "source", "coverage", "location"):
        table.add_column(col, overflow="fold")
    for row in datasets.describe(mirror=mirror).itertuples():
        table.add_row(
            row.dataset,
            row.licence,
            row.release,
            row.source,
            row.coverage,
            row.location,
        )
    console.print(table)


@data_app.command("fetch")
def data_fetch(
    names: list[str] = typer.Argument(
        None, help="Datasets to download (default: all)."
    ),
) -> None:
    """Download official datasets into the per-user cache (checksums recorded)."""
    from geo_alloggi import datasets

    for name in names or sorted(datasets.REGISTRY):
        with err_console.status(f"downloading {name} ..."):
            (path,) = datasets.fetch(name)
        console.print(f"{name}: {path}")


@districts_app.command("summary")
def districts_summary(
    level: str = typer.Option(
        "study_area", help="nil, municipi, comuni or study_area."
    ),
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
) -> None:
    """Load a district layer and summarise it (counts, areas, tiling check)."""
    from geo_alloggi import _schema as S
    from geo_alloggi.boundaries import check_districts, load_districts
    from geo_alloggi.datasets import attribution

    with err_console.status(f"loading {level} ..."):
        gdf = load_districts(level, mirror=mirror)
        comuni = load_districts("comuni", mirror=mirror)
    table = Table(title=f"{level}: {len(gdf)} districts")
    for col in ("comune", "level", "districts", "area km²"):
        table.add_column(
            col, justify="right" if col in ("districts", "area km²") else "left"
        )
    grouped = gdf.groupby([S.COMUNE, S.LEVEL], sort=True)
    for (comune, lvl), part in grouped:
        table.add_row(
            str(comune), str(lvl), str(len(part)), f"{part[S.AREA_KM2].sum():.2f}"
        )
    console.print(table)
    milano = gdf[gdf[S.COMUNE_ISTAT] == S.MILANO_ISTAT]
    if len(milano) and level in ("nil", "municipi", "study_area"):
        check = check_districts(
            milano, reference=comuni[comuni[S.DISTRICT_ID] == S.MILANO_ID]
        )
        console.print(f"Milano check: {check.summary()}")
    console.print(f"Sources: {attribution(['nil', 'municipi', 'comuni'])}")


def register(app: typer.Typer) -> None:
    """Add the ``data`` and ``districts`` groups to the main app."""
    app.add_typer(data_app, name="data")
    app.add_typer(districts_app, name="districts")
