"""``geo-alloggi overlay``: records per district and period, as GeoPackage and CSV.

Aggregates occupation, eviction and vacancy records to an official level
(``nil``, ``municipi``, ``comuni``, ``study_area``) or a user's district layer
(``--districts FILE``), per month, quarter or year, and writes into
``--out-dir``:

``overlay_<level>_<period>.gpkg``
    layer ``overlay`` (one polygon per district and period) for QGIS;
``overlay_<level>_<period>.csv``
    the same table for Italian Excel (``;``, decimal comma, BOM; headers in
    Italian by default);
``overlay_<level>_<period>_totals.csv``
    parent and grand totals, suppressed consistently with the districts.

Small counts are suppressed by default (:mod:`geo_alloggi.disclosure`);
``--no-suppress`` writes the raw table and says so. Outputs built from
synthetic records start with ``SYNTHETIC_`` and carry ``source = SYNTHETIC``.
"""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path
from typing import Any

import typer

from geo_alloggi.cli._common import (
    COMUNI_HELP,
    console,
    err_console,
    set_lang,
    split_comuni,
    warning_text,
)

MIRROR_HELP = "Folder of official files (default: $GEO_ALLOGGI_DATA_MIRROR)."

#: Headers of the overlay CSV not covered by ``_i18n.column_label`` (it, en).
_HEADERS: dict[str, tuple[str, str]] = {
    "name": ("Nome", "Name"),
    "parent_id": ("Codice quartiere superiore", "Parent district id"),
    "period_start": ("Inizio periodo", "Period start"),
    "period_end": ("Fine periodo", "Period end"),
    "suppressed": ("Dati oscurati (riservatezza)", "Suppressed (confidentiality)"),
    "source": ("Fonte", "Source"),
    "row_type": ("Tipo riga", "Row type"),
}
_ROW_TYPES: dict[str, tuple[str, str]] = {
    "parent": ("totale quartiere superiore", "parent total"),
    "total": ("totale generale", "grand total"),
}


def _link(records: Any) -> Any:
    """Place estates and link records (address, coordinates) to estates."""
    from geo_alloggi.pipeline import link_bundle

    with err_console.status("placing estates and linking records ..."):
        linked, counts = link_bundle(records)
    for row in counts.itertuples():
        console.print(
            f"{row.kind}: {row.records - row.unlinked} of {row.records} records "
            f"linked to an estate"
        )
    return linked


def overlay(
    out_dir: Path = typer.Option(
        ..., "--out-dir", "-o", help="Folder for the outputs."
    ),
    level: str = typer.Option(
        "study_area", help="nil, municipi, comuni or study_area (NIL + Cinisello)."
    ),
    comuni: list[str] | None = typer.Option(None, "--comuni", help=COMUNI_HELP),
    districts: Path | None = typer.Option(
        None, "--districts", help="A user's district layer (GeoPackage, GeoJSON...)."
    ),
    id_column: str | None = typer.Option(
        None, "--id-column", help="District id column of --districts."
    ),
    name_column: str | None = typer.Option(
        None, "--name-column", help="District name column of --districts."
    ),
    parent_column: str | None = typer.Option(
        None,
        "--parent-column",
        help="Parent district column of --districts (used by suppression).",
    ),
    period: str = typer.Option("year", help="month, quarter or year."),
    start: str | None = typer.Option(None, help="First period, e.g. 2014 or 2019Q3."),
    end: str | None = typer.Option(None, help="Last period, e.g. 2025 or 2025-12."),
    synthetic: bool = typer.Option(
        False, "--synthetic", help="Use the SYNTHETIC demo records (make_demo)."
    ),
    seed: int = typer.Option(0, help="Seed of the synthetic records."),
    estates: Path | None = typer.Option(None, help="Estates file."),
    occupations: Path | None = typer.Option(None, help="Occupations file."),
    evictions: Path | None = typer.Option(None, help="Evictions file."),
    vacancies: Path | None = typer.Option(None, help="Vacancies file."),
    suppress: bool = typer.Option(
        True,
        "--suppress/--no-suppress",
        help="Suppress small counts (default). --no-suppress is for internal use only.",
    ),
    threshold: int | None = typer.Option(
        None, help="Suppression threshold (default: config.suppression_threshold)."
    ),
    lang: str = typer.Option("it", help="CSV language: it (default) or en."),
    mirror: Path | None = typer.Option(None, help=MIRROR_HELP),
) -> None:
    """Aggregate records to districts and periods; write GeoPackage and CSV."""
    from geo_alloggi import _schema as S
    from geo_alloggi._errors import InputFileError, ValidationError
    from geo_alloggi._i18n import column_label, t
    from geo_alloggi.boundaries import load_districts, read_districts
    from geo_alloggi.disclosure import suppress as suppress_table
    from geo_alloggi.io import write_table
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.report import area_name

    if period not in S.PERIODS:
        raise ValidationError(f"--period {period!r} is not one of {list(S.PERIODS)!r}")
    if lang not in ("it", "en"):
        raise ValidationError(f"--lang {lang!r} is not one of ['it', 'en']")
    set_lang(lang)
    files = {
        "estates": estates,
        "occupations": occupations,
        "evictions": evictions,
        "vacancies": vacancies,
    }
    given = {k: v for k, v in files.items() if v is not None}
    if synthetic == bool(given):
        raise ValidationError(
            "give either --synthetic or record files (--estates FILE plus "
            "--occupations/--evictions/--vacancies FILE)"
        )
    if given and estates is None:
        raise ValidationError(
            "--estates FILE is needed with record files: estates carry the positions"
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError(f"--out-dir {str(out_dir)!r} is a file; give a folder")

    # districts
    chosen = split_comuni(comuni)
    if chosen is not None and (
        districts is not None or level not in ("comuni", "study_area")
    ):
        raise ValidationError("--comuni applies to --level study_area or comuni")
    if districts is not None:
        if id_column is None:
            raise ValidationError(
                "--districts needs --id-column (the district id column)"
            )
        layer = read_districts(
            districts,
            id_column=id_column,
            name_column=name_column,
            columns={S.PARENT_ID: parent_column} if parent_column else None,
        )
        level_name = districts.stem
    else:
        if level not in S.LEVELS:
            raise ValidationError(f"--level {level!r} is not one of {list(S.LEVELS)!r}")
        with err_console.status(f"loading {level} ..."):
            layer = load_districts(level, mirror=mirror, comuni=chosen)
        level_name = level

    # records
    if synthetic:
        from geo_alloggi.synthetic import FIRST_YEAR, LAST_YEAR, make_demo

        with err_console.status("generating SYNTHETIC records ..."):
            records = make_demo(seed=seed, mirror=mirror)
        console.print(
            f"SYNTHETIC records (seed {seed}): {len(records.estates)} estates, "
            f"{len(records.occupations)} occupations, {len(records.evictions)} "
            f"evictions, {len(records.vacancies)} vacancies"
        )
        start = start or str(FIRST_YEAR)
        end = end or str(LAST_YEAR)
    else:
        from geo_alloggi.io import read_bundle

        with err_console.status("reading record files ..."):
            bundle = read_bundle(
                estates=estates,
                occupations=occupations,
                evictions=evictions,
                vacancies=vacancies,
                study_area=partial(
                    load_districts, "study_area", mirror=mirror, comuni=chosen
                ),
            )
        for line in bundle.summary().splitlines():
            console.print(line)
        records = bundle.records
    records = _link(records)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = aggregate(records, layer, period=period, start=start, end=end)
    for text in filter(None, (warning_text(w.message) for w in caught)):
        err_console.print(text, markup=False, highlight=False)

    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = "SYNTHETIC_" if records.synthetic else ""
    stem = f"{prefix}overlay_{level_name}_{period}"
    if suppress:
        table = suppress_table(raw, threshold=threshold)
        with_totals = suppress_table(raw, threshold=threshold, totals=True)
        totals = with_totals[with_totals[S.ROW_TYPE] != "district"]
    else:
        table = raw
        totals = None
        err_console.print(
            f"{t('cli.warning', lang)}: {t('cli.no_suppress', lang)}",
            markup=False,
            highlight=False,
        )
    gpkg = out_dir / f"{stem}.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    table.to_file(gpkg, layer="overlay", driver="GPKG")

    def label(column: str) -> str:
        if column in _HEADERS:
            return _HEADERS[column][0 if lang == "it" else 1]
        return column_label(column, lang)

    def for_csv(df: Any) -> Any:
        # write_table drops the geometry; rates rounded, headers and the list
        # of suppressed columns in the meeting's language
        frame = df.copy()
        frame[S.OCCUPIED_PER_100] = frame[S.OCCUPIED_PER_100].round(1)
        frame[S.SUPPRESSED] = frame[S.SUPPRESSED].map(
            lambda text: ", ".join(label(c) for c in str(text).split(",") if c)
        )
        if S.ROW_TYPE in frame:
            # parent and total rows named in words (Municipio 1, not MI-MUN-1)
            areas = frame[S.DISTRICT_ID].map(lambda i: area_name(i, lang))
            upper = (frame[S.ROW_TYPE] != "district").to_numpy()
            frame[S.NAME] = frame[S.NAME].astype(object)
            frame.loc[upper, S.NAME] = areas[upper].fillna(frame.loc[upper, S.NAME])
            frame[S.ROW_TYPE] = frame[S.ROW_TYPE].map(
                lambda v: _ROW_TYPES.get(v, (v, v))[0 if lang == "it" else 1]
            )
        return frame.rename(columns=label)

    csv_path = write_table(for_csv(table), out_dir / f"{stem}.csv", lang=lang)
    written = [gpkg, csv_path]
    if totals is not None:
        written.append(
            write_table(for_csv(totals), out_dir / f"{stem}_totals.csv", lang=lang)
        )
    n_d = table[S.DISTRICT_ID].nunique()
    n_p = table[S.PERIOD].nunique()
    console.print(
        f"{level_name}: {n_d} districts x {n_p} periods ({period}) = {len(table)} rows"
    )
    unplaced = {k: v for k, v in raw.attrs.get("unplaced", {}).items() if v}
    if unplaced:
        said = ", ".join(f"{n:,} {kind}" for kind, n in unplaced.items())
        console.print(f"not counted (see warnings): {said}")
    if suppress:
        n_sup = int((table[S.SUPPRESSED] != "").sum())
        console.print(
            f"suppression at threshold {table.attrs['threshold']}: {n_sup} row(s) with "
            f"suppressed cells"
        )
    for path in written:
        console.print(f"written: {path}")


def register(app: typer.Typer) -> None:
    """Add the ``overlay`` command to the main app."""
    app.command("overlay")(overlay)
