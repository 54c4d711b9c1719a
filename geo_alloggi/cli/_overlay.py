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
    busy,
    console,
    count,
    err_console,
    kind_word,
    said,
    say,
    set_lang,
    split_comuni,
    warning_text,
)

MIRROR_HELP = "Folder of official files (default: $GEO_ALLOGGI_DATA_MIRROR)."


def _link(records: Any) -> Any:
    """Place estates and link records (address, coordinates) to estates."""
    from geo_alloggi.pipeline import link_bundle

    with busy("cli.busy.linking"):
        linked, counts = link_bundle(records)
    for row in counts.itertuples():
        say(
            "cli.linked",
            kind=kind_word(str(row.kind)),
            linked=count(row.records - row.unlinked),
            n=count(row.records),
        )
    return linked


def _say_files(bundle: Any) -> None:
    """Say, per file read, the rows read, accepted and quarantined."""
    for result in bundle.results.values():
        line = said(
            "cli.file_read",
            kind=kind_word(result.kind),
            file=Path(result.source).name,
            rows=count(result.rows_read),
            accepted=count(len(result.accepted)),
            quarantined=count(len(result.quarantine)),
        )
        if result.dropped_columns:
            n = count(len(result.dropped_columns))
            line += ", " + said("cli.file_dropped", n=n)
        console.print(line, markup=False, highlight=False)


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
    from geo_alloggi import config
    from geo_alloggi._errors import InputFileError, ValidationError
    from geo_alloggi._i18n import column_label, has_key, t
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
        with busy("cli.busy.districts", level=level):
            layer = load_districts(level, mirror=mirror, comuni=chosen)
        level_name = level

    # records
    if synthetic:
        from geo_alloggi.synthetic import FIRST_YEAR, LAST_YEAR, make_demo

        with busy("cli.busy.synthetic"):
            records = make_demo(seed=seed, mirror=mirror)
        say(
            "cli.synthetic_records",
            label=config.synthetic_label,
            seed=seed,
            estates=count(len(records.estates)),
            occupations=count(len(records.occupations)),
            evictions=count(len(records.evictions)),
            vacancies=count(len(records.vacancies)),
        )
        start = start or str(FIRST_YEAR)
        end = end or str(LAST_YEAR)
    else:
        from geo_alloggi.io import read_bundle

        with busy("cli.busy.reading_files"):
            bundle = read_bundle(
                estates=estates,
                occupations=occupations,
                evictions=evictions,
                vacancies=vacancies,
                study_area=partial(
                    load_districts, "study_area", mirror=mirror, comuni=chosen
                ),
            )
        _say_files(bundle)
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
        if has_key(f"cli.overlay.col.{column}"):
            return t(f"cli.overlay.col.{column}", lang)
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
                lambda v: (
                    t(f"cli.overlay.row.{v}", lang)
                    if has_key(f"cli.overlay.row.{v}")
                    else v
                )
            )
        return frame.rename(columns=label)

    csv_path = write_table(for_csv(table), out_dir / f"{stem}.csv", lang=lang)
    written = [gpkg, csv_path]
    if totals is not None:
        written.append(
            write_table(for_csv(totals), out_dir / f"{stem}_totals.csv", lang=lang)
        )
    say(
        "cli.overlay.rows",
        level=level_name,
        districts=count(table[S.DISTRICT_ID].nunique()),
        periods=count(table[S.PERIOD].nunique()),
        period=said(f"cli.period.{period}"),
        rows=count(len(table)),
    )
    unplaced = {k: v for k, v in raw.attrs.get("unplaced", {}).items() if v}
    if unplaced:
        counts = ", ".join(f"{count(n)} {kind_word(k)}" for k, n in unplaced.items())
        say("cli.overlay.not_counted", counts=counts)
    if suppress:
        say(
            "cli.overlay.suppressed",
            threshold=table.attrs["threshold"],
            n=count(int((table[S.SUPPRESSED] != "").sum())),
        )
    for path in written:
        say("cli.written", path=path)


def register(app: typer.Typer) -> None:
    """Add the ``overlay`` command to the main app."""
    app.command("overlay")(overlay)
