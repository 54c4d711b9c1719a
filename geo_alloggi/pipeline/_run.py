"""Entry points of a run: the SYNTHETIC demo, and a user's record files."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _gc
from geo_alloggi import _schema as S
from geo_alloggi._forked import Forked, say_again, warnings_of
from geo_alloggi._i18n import Note
from geo_alloggi._records import Records
from geo_alloggi.datasets import sha256_file
from geo_alloggi.pipeline._analyse import analyse
from geo_alloggi.pipeline._bundle import write_bundle
from geo_alloggi.pipeline._link import link_bundle
from geo_alloggi.pipeline._notes import collect_notes
from geo_alloggi.pipeline._progress import STEPS, StepCallback, step_reporter
from geo_alloggi.pipeline._settings import (
    DEFAULT_BUDGET_EUR,
    DEFAULT_OBJECTIVE,
    PathLike,
    RunSettings,
    check_settings,
    load_settings,
)

__all__ = ["DemoRecords", "demo_records", "run", "run_demo"]


@dataclass(frozen=True)
class DemoRecords:
    """The SYNTHETIC demo's records as every door uses them: linked, with their span.

    Attributes
    ----------
    records : Records
        Estates and records after linking (what could not be linked left out).
    links : pandas.DataFrame
        Counts per link method and record kind, ``unlinked`` included.
    start, end : str
        The calibrated years (the span of every table: occupations under way
        on 1 January of ``start`` were detected earlier).
    seed : int
        The seed the records were generated with.
    """

    records: Records
    links: pd.DataFrame
    start: str
    end: str
    seed: int


def demo_records(*, seed: int = 0, mirror: PathLike | None = None) -> DemoRecords:
    """Generate the SYNTHETIC demo records and link them, as ``geo-alloggi demo`` does.

    The records keep their messy addresses and coordinates
    (:func:`geo_alloggi.synthetic.make_demo`) and are linked to estates by
    :func:`link_bundle`, so the library, ``geo-alloggi prioritise --synthetic``
    and ``geo-alloggi demo`` publish the same figures for the same seed.

    Parameters
    ----------
    seed : int, default 0
        Seed of the synthetic records.
    mirror : str, os.PathLike or None, default None
        Folder of official files (default ``GEO_ALLOGGI_DATA_MIRROR``).

    Returns
    -------
    DemoRecords
        Linked records, link counts, and the span to aggregate over
        (``aggregate(demo.records, districts, start=demo.start, end=demo.end)``).

    Examples
    --------
    >>> demo = demo_records(seed=0)  # doctest: +SKIP
    >>> int(demo.links["unlinked"].sum())  # doctest: +SKIP
    1
    """
    from geo_alloggi.synthetic import make_demo

    return _linked_demo(make_demo(seed=seed, mirror=mirror), seed)


def _linked_demo(records: Records, seed: int) -> DemoRecords:
    """Link the demo's records with the default settings; keep the calibrated span."""
    linked, links = link_bundle(records)
    first, last = records.truth["years"]
    return DemoRecords(linked, links, str(first), str(last), seed)


@_gc.holding  # a whole run: the objects alive at its start stay out of full passes
def run_demo(
    out_dir: PathLike,
    *,
    seed: int = 0,
    lang: str = "it",
    budget_eur: float | Mapping[str, float] = DEFAULT_BUDGET_EUR,
    objective: str = DEFAULT_OBJECTIVE,
    mirror: PathLike | None = None,
    on_step: StepCallback | None = None,
    previous: PathLike | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Build the SYNTHETIC demo on the real boundaries and write the meeting bundle.

    The records are those of :func:`demo_records` (messy, then linked).

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder of the bundle (created).
    seed : int, default 0
        Seed of the synthetic records: the same seed gives the same bundle
        (apart from the manifest's timestamp).
    lang : str, default 'it'
        ``"it"`` (default) or ``"en"`` for everything a meeting sees.
    budget_eur : float or mapping of str to float, default 10000000.0
        Renovation budget: euros shared by every estate, or euros per owner
        (``{"Aler": ..., "Comune-MM": ...}``).
    objective : str, default 'risk'
        What the renovation plan maximises: ``"risk"`` or ``"units"``.
    mirror : str, os.PathLike or None, default None
        Folder of official files (default ``GEO_ALLOGGI_DATA_MIRROR``).
    on_step : StepCallback or None, default None
        Progress callback ``(name, i, n)``.
    previous : PathLike or None, default None
        The previous meeting's bundle: the report says what changed since.
    pdf : bool, default True
        Print ``report.pdf`` when Chromium is present.

    Returns
    -------
    list of pathlib.Path
        Every file written, manifest last.
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.synthetic import make_demo

    step = step_reporter(on_step, STEPS)
    step("districts")
    districts = load_districts("study_area", mirror=mirror)
    comuni = load_districts("comuni", mirror=mirror, all_comuni=True)
    step("records")
    raw = make_demo(seed=seed, mirror=mirror)
    step("geocoding and linking")
    demo = _linked_demo(raw, seed)
    settings = RunSettings(
        lang=lang,
        seed=seed,
        budget_eur=budget_eur,
        objective=objective,
        synthetic=True,
        start=demo.start,
        end=demo.end,
    )
    check_settings(settings)

    analysis = analyse(
        demo.records,
        districts,
        settings=settings,
        comuni=comuni,
        link=False,
        links=demo.links,
        on_step=on_step,
    )
    return write_bundle(
        analysis,
        out_dir,
        inputs={"records": f"SYNTHETIC make_demo(seed={seed})"},
        mirror=mirror,
        previous=previous,
        pdf=pdf,
    )


@_gc.holding  # a whole run: the objects alive at its start stay out of full passes
def run(
    settings: RunSettings | PathLike,
    out_dir: PathLike,
    *,
    mirror: PathLike | None = None,
    districts_file: PathLike | None = None,
    districts_id_column: str | None = None,
    districts_name_column: str | None = None,
    on_step: StepCallback | None = None,
    previous: PathLike | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Run the whole analysis on a user's record files and write the bundle.

    Parameters
    ----------
    settings : RunSettings, str or os.PathLike
        :class:`RunSettings` or the path of a TOML configuration.
    out_dir : str or os.PathLike
        Folder of the bundle.
    mirror : str, os.PathLike or None, default None
        Folder of official files.
    districts_file : str, os.PathLike or None, default None
        A custom district layer; it replaces the configuration's level and
        ``comuni`` (the study area of the geocoder and of the records' area
        check is then the default one). Its id column is
        ``districts_id_column``, else the configuration's, else
        ``district_id``.
    districts_id_column, districts_name_column : str or None, default None
        Columns of the custom layer holding the district ids and names (they
        override the configuration's ``[districts] id_column`` and
        ``name_column``); only with a custom layer.
    on_step : StepCallback or None, default None
        Progress callback.
    previous : PathLike or None, default None
        The previous meeting's bundle: the report says what changed since.
    pdf : bool, default True
        Print ``report.pdf`` when Chromium is present.

    Returns
    -------
    list of pathlib.Path
        Every file written, manifest last.
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.io import read_bundle

    s = settings if isinstance(settings, RunSettings) else load_settings(settings)
    s = _with_districts(s, districts_file, districts_id_column, districts_name_column)
    check_settings(s)
    step = step_reporter(on_step, STEPS)
    step("districts")
    # the layers do not depend on the records: a child process loads them while
    # this one reads the records (in process where it cannot fork)
    with Forked(warnings_of, _layers, s, mirror) as layers:
        step("records")
        files: dict[str, Any] = dict(s.records)
        read_notes: list[Note] = []
        try:
            with collect_notes(read_notes):
                bundle = read_bundle(
                    **files,
                    columns=s.columns or None,
                    # checked only for files with coordinates
                    study_area=functools.partial(
                        load_districts, "study_area", mirror=mirror, comuni=s.comuni
                    ),
                )
        except Exception:
            # a district layer that cannot be read is said first, as when it
            # was loaded before the records
            layers.result()
            raise
        (districts, comuni), said = layers.result()
    say_again(said)
    inputs = _inputs(bundle.results, s)
    lost = sum(len(r.quarantine) for r in bundle.results.values())
    if lost:
        read_notes.append(Note("io.quarantined", {"n": lost}))

    records = bundle.records
    if s.synthetic:
        # the files say so ([records] synthetic = true): every output is labelled
        records = dataclasses.replace(records, synthetic=True)
    analysis = analyse(records, districts, settings=s, comuni=comuni, on_step=on_step)
    analysis.notes[:0] = [n for n in read_notes if n not in analysis.notes]
    quarantined = _write_quarantine(bundle.results, Path(out_dir), s.lang)
    return write_bundle(
        analysis,
        out_dir,
        inputs=inputs,
        extra_files=quarantined,
        mirror=mirror,
        previous=previous,
        pdf=pdf,
    )


def _with_districts(
    s: RunSettings,
    file: PathLike | None,
    id_column: str | None,
    name_column: str | None,
) -> RunSettings:
    """Return the settings with a custom district layer and its columns applied."""
    from geo_alloggi._errors import ValidationError

    if file is None and s.districts_file is None:
        if id_column is not None or name_column is not None:
            raise ValidationError(
                "a district id or name column was given without a custom district "
                "layer: give the layer too (--districts FILE on the command line, "
                "[districts] file in the configuration)"
            )
        return s
    return dataclasses.replace(
        s,
        districts_file=Path(file) if file is not None else s.districts_file,
        districts_id_column=id_column or s.districts_id_column or S.DISTRICT_ID,
        districts_name_column=name_column or s.districts_name_column,
        # a layer given here replaces the configuration's level and comuni
        comuni=None if file is not None else s.comuni,
    )


def _layers(
    s: RunSettings, mirror: PathLike | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the run's district layer and the comuni drawn under it."""
    from geo_alloggi.boundaries import load_districts

    districts = _districts(s, mirror)
    return districts, load_districts("comuni", mirror=mirror, all_comuni=True)


def _districts(s: RunSettings, mirror: PathLike | None) -> gpd.GeoDataFrame:
    """Return the settings' district layer: a custom file, or an official level."""
    from geo_alloggi.boundaries import load_districts, read_districts

    if s.districts_file is not None:
        return read_districts(
            s.districts_file,
            id_column=str(s.districts_id_column),
            name_column=s.districts_name_column,
        )
    return load_districts(s.level, mirror=mirror, comuni=s.comuni)


def _inputs(results: Mapping[str, Any], s: RunSettings) -> dict[str, Any]:
    """Return what the manifest says of each record file (name, SHA-256, rows)."""
    inputs: dict[str, Any] = {}
    for kind, res in results.items():
        path = Path(s.records[kind])
        inputs[kind] = {
            "file": path.name,
            "sha256": sha256_file(path),
            "rows_read": int(res.rows_read),
            "accepted": len(res.accepted),
            "quarantined": len(res.quarantine),
        }
    return inputs


def _write_quarantine(
    results: Mapping[str, Any], out_dir: Path, lang: str
) -> list[Path]:
    """Write each kind's rejected rows, with their reasons, under ``quarantine/``."""
    from geo_alloggi._i18n import quarantine_in
    from geo_alloggi.io import label_row_numbers, write_table

    quarantined = []
    for kind, res in results.items():
        if len(res.quarantine):
            folder = out_dir / "quarantine"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{kind}.csv"
            # the first column says what it counts: file_line or sheet_row
            # the reasons in the run's language (the library writes English)
            table = label_row_numbers(
                quarantine_in(res.quarantine, lang), res.file_format
            )
            quarantined.append(write_table(table, path, lang=lang))
    return quarantined
