"""Entry points of a run: the SYNTHETIC demo, and a user's record files."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo_alloggi import _schema as S
from geo_alloggi.datasets import sha256_file
from geo_alloggi.pipeline._analyse import analyse
from geo_alloggi.pipeline._bundle import write_bundle
from geo_alloggi.pipeline._progress import STEPS, StepCallback, step_reporter
from geo_alloggi.pipeline._settings import (
    DEFAULT_BUDGET_EUR,
    PathLike,
    RunSettings,
    check_settings,
    load_settings,
)

__all__ = ["run", "run_demo"]


def run_demo(
    out_dir: PathLike,
    *,
    seed: int = 0,
    lang: str = "it",
    budget_eur: float = DEFAULT_BUDGET_EUR,
    mirror: PathLike | None = None,
    on_step: StepCallback | None = None,
) -> list[Path]:
    """Build the SYNTHETIC demo on the real boundaries and write the meeting bundle.

    Parameters
    ----------
    out_dir
        Folder of the bundle (created).
    seed
        Seed of the synthetic records: the same seed gives the same bundle
        (apart from the manifest's timestamp).
    lang
        ``"it"`` (default) or ``"en"`` for everything a meeting sees.
    budget_eur
        Renovation budget.
    mirror
        Folder of official files (default ``GEO_ALLOGGI_DATA_MIRROR``).
    on_step
        Progress callback ``(name, i, n)``.
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.synthetic import make_demo

    step = step_reporter(on_step, STEPS)
    step("districts")
    districts = load_districts("study_area", mirror=mirror)
    comuni = load_districts("comuni", mirror=mirror, all_comuni=True)
    step("records")
    records = make_demo(seed=seed, mirror=mirror)
    first, last = records.truth.get("years", (None, None))
    settings = RunSettings(
        lang=lang,
        seed=seed,
        budget_eur=budget_eur,
        synthetic=True,
        start=str(first) if first else None,
        end=str(last) if last else None,
    )
    check_settings(settings)

    analysis = analyse(
        records, districts, settings=settings, comuni=comuni, on_step=on_step
    )
    return write_bundle(
        analysis, out_dir, inputs={"records": f"SYNTHETIC make_demo(seed={seed})"}
    )


def run(
    settings: RunSettings | PathLike,
    out_dir: PathLike,
    *,
    mirror: PathLike | None = None,
    districts_file: PathLike | None = None,
    on_step: StepCallback | None = None,
) -> list[Path]:
    """Run the whole analysis on a user's record files and write the bundle.

    Parameters
    ----------
    settings
        :class:`RunSettings` or the path of a TOML configuration.
    out_dir
        Folder of the bundle.
    mirror
        Folder of official files.
    districts_file
        A custom district layer (overrides the configuration's districts);
        its id column is read from the configuration or defaults to
        ``district_id``.
    on_step
        Progress callback.
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.io import read_bundle

    s = settings if isinstance(settings, RunSettings) else load_settings(settings)
    if districts_file is not None:
        s = RunSettings(
            **{
                **s.__dict__,
                "districts_file": Path(districts_file),
                "districts_id_column": s.districts_id_column or S.DISTRICT_ID,
            }
        )
    check_settings(s)
    step = step_reporter(on_step, STEPS)
    step("districts")
    districts = _districts(s, mirror)
    comuni = load_districts("comuni", mirror=mirror, all_comuni=True)
    step("records")
    files: dict[str, Any] = dict(s.records)
    bundle = read_bundle(
        **files,
        columns=s.columns or None,
        # checked only for files with coordinates
        study_area=functools.partial(
            load_districts, "study_area", mirror=mirror, comuni=s.comuni
        ),
    )
    inputs = _inputs(bundle.results, s)

    records = bundle.records
    if s.synthetic:
        # the files say so ([records] synthetic = true): every output is labelled
        records = dataclasses.replace(records, synthetic=True)
    analysis = analyse(records, districts, settings=s, comuni=comuni, on_step=on_step)
    quarantined = _write_quarantine(bundle.results, Path(out_dir), s.lang)
    return write_bundle(analysis, out_dir, inputs=inputs, extra_files=quarantined)


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
    from geo_alloggi.io import write_table

    quarantined = []
    for kind, res in results.items():
        if len(res.quarantine):
            folder = out_dir / "quarantine"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{kind}.csv"
            quarantined.append(write_table(res.quarantine, path, lang=lang))
    return quarantined
