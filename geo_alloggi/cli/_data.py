"""``geo-alloggi data ...`` and ``geo-alloggi districts ...``: official data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from geo_alloggi.cli._common import COMUNI_HELP, console, err_console, split_comuni

data_app = typer.Typer(
    help="Official datasets: list them, download them, import a folder of them.",
    no_args_is_help=True,
)
districts_app = typer.Typer(
    help="District layers: summarise and check.", no_args_is_help=True
)

MIRROR_HELP = "Folder of official files (default: $GEO_ALLOGGI_DATA_MIRROR)."


@data_app.command("list")
def data_list(
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
    comuni: list[str] | None = typer.Option(None, "--comuni", help=COMUNI_HELP),
) -> None:
    """List each dataset, then the civic points of each comune of the study area.

    The first table gives each dataset's licence, release, where it would come
    from and its coverage; the second, for each comune of the study area and
    each official source of civic-number points, how many points it holds and
    how many have a position.
    """
    from geo_alloggi import datasets
    from geo_alloggi.boundaries import study_area_comuni

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
    area = study_area_comuni(split_comuni(comuni), mirror=mirror)
    codes = dict(zip(area["cadastral_code"], area["comune"], strict=True))
    with err_console.status("counting civic points ..."):
        cov = datasets.civic_sources(codes, mirror=mirror)
    points = Table(title="Civic-number points per comune of the study area")
    for col in ("comune", "source", "points", "with position", "note"):
        points.add_column(
            col, justify="right" if col in ("points", "with position") else "left"
        )
    for row in cov.itertuples():
        share = (
            f"{row.with_position:,} ({row.share_with_position:.0%})"
            if not pd.isna(row.share_with_position)
            else ("" if pd.isna(row.with_position) else f"{row.with_position:,}")
        )
        points.add_row(
            str(row.comune),
            str(row.source),
            "" if pd.isna(row.points) else f"{row.points:,}",
            share,
            str(row.note),
        )
    console.print(points)
    placed = cov.groupby("comune")["with_position"].sum(min_count=1).fillna(0)
    missing = sorted(str(c) for c, n in placed.items() if n == 0)
    if missing:
        console.print(datasets.no_points_message(missing))


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


@data_app.command("import")
def data_import(
    folder: Path = typer.Argument(
        ...,
        metavar="DIR",
        help="Folder of official files (e.g. the project's shared/data/raw).",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Print one line instead of the table."
    ),
) -> None:
    """Copy a folder of official files into the per-user cache (checksums recorded).

    Afterwards every command finds the data with no variable set and no
    network, from any folder. Files already imported are left as they are.
    """
    from geo_alloggi import config, datasets

    result = datasets.import_folder(folder)
    done = result[result["status"] != "missing"]
    new = int((result["status"] == "imported").sum())
    target = config.cache_dir() / "datasets"
    if quiet:
        console.print(
            f"official data: {len(done)} file(s) in {target} ({new} newly imported)"
        )
        return
    table = Table(title=f"official files imported into {target}")
    for col in ("dataset", "file", "status", "release", "sha256"):
        table.add_column(col, overflow="fold")
    for row in result.itertuples():
        table.add_row(
            row.dataset, row.file, row.status, row.release, str(row.sha256)[:12]
        )
    console.print(table)


@districts_app.command("summary")
def districts_summary(
    level: str = typer.Option(
        "study_area", help="nil, municipi, comuni or study_area."
    ),
    comuni: list[str] | None = typer.Option(None, "--comuni", help=COMUNI_HELP),
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
) -> None:
    """Load a district layer and summarise it (counts, areas, tiling check)."""
    from geo_alloggi import _schema as S
    from geo_alloggi.boundaries import check_districts, load_districts
    from geo_alloggi.datasets import attribution

    chosen = split_comuni(comuni)
    with err_console.status(f"loading {level} ..."):
        gdf = load_districts(level, mirror=mirror, comuni=chosen)
        milano_polygon = load_districts("comuni", mirror=mirror, comuni=["Milano"])
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
        check = check_districts(milano, reference=milano_polygon)
        console.print(f"Milano check: {check.summary()}")
    clipped = gdf.attrs.get("clipped_km2", {})
    if clipped:
        console.print(
            "Comune polygons (ISTAT 2019) overlapping Milan's NIL, clipped so that "
            "every point has one district: "
            + ", ".join(f"{k} {v:.3f} km²" for k, v in sorted(clipped.items()))
        )
    console.print(f"Sources: {attribution(['nil', 'municipi', 'comuni'])}")


def register(app: typer.Typer) -> None:
    """Add the ``data`` and ``districts`` groups to the main app."""
    app.add_typer(data_app, name="data")
    app.add_typer(districts_app, name="districts")
