"""The calibrated SYNTHETIC demo: estates, their records, and the truth planted."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._records import Records
from geo_alloggi.synthetic._common import label
from geo_alloggi.synthetic.calibration import (
    FIRST_YEAR,
    HOT_AREAS,
    LAST_YEAR,
    NAMED_COMPLEXES,
    YEARS,
)
from geo_alloggi.synthetic.estates import estate_layer, make_estates
from geo_alloggi.synthetic.records import make_records, targets


def make_demo(
    *,
    seed: int = 0,
    messy: bool = True,
    mirror: str | os.PathLike[str] | None = None,
) -> Records:
    """Generate the calibrated SYNTHETIC demo: estates and their records.

    Parameters
    ----------
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical
        frames.
    messy : bool, default True
        When True (default), about 6% of occupation and eviction records carry
        an address instead of an estate id (40% of those misspelled with
        :func:`geo_alloggi.address.messy_address`) and about 4% only
        coordinates a few metres from the building, to exercise linking. The
        true estate of each such record is in ``truth["links"]``. With False
        every record carries its estate id.
    mirror : str, os.PathLike[str] or None, default None
        Folder of official files (default ``GEO_ALLOGGI_DATA_MIRROR``): the
        ds634 civic points, NIL and comuni are read from there.

    Returns
    -------
    Records
        ``synthetic=True``; frames in the canonical form of
        :mod:`geo_alloggi._records` plus a ``source`` column equal to
        ``"SYNTHETIC"``; occupations and evictions also have ``address``,
        ``lon`` and ``lat`` (filled only where the estate id is missing).
        ``truth`` documents the planted hot areas, the yearly Milan targets,
        the named estates and the links of messy records.

    Raises
    ------
    DataUnavailableError
        The civic points or the district layers are not available.

    Notes
    -----
    Years 2014–2025; occupations already under way on 1 January 2014 were
    detected between 2006 and 2013. The occupied stock of Milan at the end of
    each year equals :data:`MILAN_OCCUPIED` (a unit is occupied at the end of
    a day when ``detected_on <= day < ended_on``), and so does the vacant
    stock (:data:`MILAN_VACANT`). Planted hot areas (:data:`HOT_AREAS`, a core
    NIL and its neighbours; ``truth["hot_areas"][kind]["district_ids"]`` lists
    the core first): ``persistent`` (San Siro, NIL 57: high throughout),
    ``fading`` (Via Gola, Porta Ticinese - Conchetta, NIL 44: high until 2018,
    then falling), ``new`` (Corvetto, Lodi - Corvetto, NIL 35: background level
    until 2020, rising from 2021).
    The civic points are read once per process.
    """
    rng = np.random.default_rng(seed)
    folder = config.mirror_dir(mirror)
    est = make_estates(os.fspath(folder) if folder is not None else None, rng)
    occ_t, vac_t = targets(est, rng)
    occupations, evictions, vacancies, links = make_records(
        est, occ_t, vac_t, rng, messy=messy
    )
    return Records(
        estates=label(estate_layer(est)),
        occupations=label(occupations),
        evictions=label(evictions),
        vacancies=label(vacancies),
        synthetic=True,
        truth=_truth(est, occ_t, vac_t, seed, links),
    )


def _truth(
    est: pd.DataFrame, occ_t: np.ndarray, vac_t: np.ndarray, seed: int, links: list
) -> dict[str, Any]:
    def ids(key: str) -> list[str]:
        return est.loc[est["_complex"] == key, S.ESTATE_ID].tolist()

    named = {
        c.key: {
            "name": c.name,
            "district_id": f"MI-NIL-{c.nil}",
            "owner": c.owner,
            "units": int(est.loc[est["_complex"] == c.key, S.UNITS].sum()),
            "occupied_2018": c.occupied_2018,
            "trend": c.trend,
            "estate_ids": ids(c.key),
        }
        for c in NAMED_COMPLEXES
    }
    years = [int(y) for y in YEARS]
    milan = (est[S.COMUNE] == "Milano").to_numpy()
    return {
        "label": config.synthetic_label,
        "seed": seed,
        "years": (FIRST_YEAR, LAST_YEAR),
        "hot_areas": {
            "persistent": {
                "district_ids": [f"MI-NIL-{i}" for i in HOT_AREAS["persistent"]],
                "core": "MI-NIL-57",
                "names": ["San Siro"],
                "estates": ids("san_siro"),
                "years": (FIRST_YEAR, LAST_YEAR),
                "direction": "high throughout: San Siro about 20 occupied per 100 "
                "units, its neighbours about 3 times the background rate",
            },
            "new": {
                "district_ids": [f"MI-NIL-{i}" for i in HOT_AREAS["new"]],
                "core": "MI-NIL-35",
                "names": ["Lodi - Corvetto"],
                "estates": ids("corvetto"),
                "years": (2021, LAST_YEAR),
                "direction": "background level until 2020, rising every year from "
                "2021 (core and neighbours)",
            },
            "fading": {
                "district_ids": [f"MI-NIL-{i}" for i in HOT_AREAS["fading"]],
                "core": "MI-NIL-44",
                "names": ["Porta Ticinese - Conchetta"],
                "estates": ids("via_gola"),
                "years": (FIRST_YEAR, 2018),
                "direction": "high until 2018 (Via Gola about 25 per 100, neighbours "
                "3 times the background), falling every year from 2019",
            },
        },
        "named_estates": named,
        "milan_occupied_end_of_year": dict(
            zip(years, occ_t[milan].sum(axis=0).tolist(), strict=True)
        ),
        "milan_vacant_end_of_year": dict(
            zip(years, vac_t[milan].sum(axis=0).tolist(), strict=True)
        ),
        "milan_units": int(est.loc[milan, S.UNITS].sum()),
        "cinisello_units": int(est.loc[~milan, S.UNITS].sum()),
        "links": (
            pd.concat(links, ignore_index=True)
            if links
            else pd.DataFrame(columns=["kind", S.RECORD_ID, S.ESTATE_ID, "form"])
        ),
        "note": (
            "SYNTHETIC records generated by geo_alloggi.synthetic.make_demo; "
            "calibrated on public figures, not real data. Year 2013 means the stock "
            "on 1 January 2014."
        ),
    }
