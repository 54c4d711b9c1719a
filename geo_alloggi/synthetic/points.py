"""Large SYNTHETIC point sets for benchmarks: occupations spread over districts."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi.synthetic._common import dates, day, label
from geo_alloggi.synthetic.calibration import FIRST_YEAR, LAST_YEAR


def make_occupations(
    n: int,
    *,
    seed: int = 0,
    districts: gpd.GeoDataFrame | None = None,
    mirror: str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame:
    """Generate ``n`` SYNTHETIC occupation records as points, quickly.

    Parameters
    ----------
    n : int
        Number of records (1,000,000 takes about a second or two).
    seed : int, default 0
        Seed; the same seed gives the same frame.
    districts : geopandas.GeoDataFrame or None, default None
        Layer whose polygons receive the points, uniformly by area (default: the
        study area from :func:`geo_alloggi.boundaries.load_districts`).
    mirror : str, os.PathLike[str] or None, default None
        Folder of official files when ``districts`` is None.

    Returns
    -------
    geopandas.GeoDataFrame
        ``record_id``, ``detected_on`` (2014–2025), ``ended_on`` (NaT for about
        half), ``status``, ``lon``, ``lat``, ``source`` and point geometry in
        EPSG:4326; rows in random order.

    Raises
    ------
    ValidationError
        ``n`` negative, or ``districts`` without CRS.
    """
    if n < 0:
        raise ValidationError(f"n={n!r} must be a non-negative integer")
    if districts is None:
        from geo_alloggi.boundaries import load_districts

        districts = load_districts("study_area", mirror=mirror)
    if districts.crs is None:
        raise ValidationError("districts has no CRS; it is never guessed")
    rng = np.random.default_rng(seed)
    geoms = districts.geometry.to_crs(config.geographic_crs).values
    areas = districts.geometry.to_crs(config.metric_crs).area.to_numpy()
    counts = rng.multinomial(n, areas / areas.sum())
    xs, ys = [], []
    for geom, k in zip(geoms, counts, strict=True):
        if k == 0:
            continue
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        fill = geom.area / ((maxx - minx) * (maxy - miny))
        got_x: list[np.ndarray] = []
        got = 0
        got_y: list[np.ndarray] = []
        while got < k:
            m = int((k - got) / max(fill, 0.05) * 1.2) + 16
            x = rng.uniform(minx, maxx, m)
            y = rng.uniform(miny, maxy, m)
            ok = shapely.contains_xy(geom, x, y)
            got_x.append(x[ok])
            got_y.append(y[ok])
            got += int(ok.sum())
        xs.append(np.concatenate(got_x)[:k])
        ys.append(np.concatenate(got_y)[:k])
    x = np.concatenate(xs) if xs else np.empty(0)
    y = np.concatenate(ys) if ys else np.empty(0)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    lo, hi = day(f"{FIRST_YEAR}-01-01"), day(f"{LAST_YEAR}-12-31")
    start = rng.integers(lo, hi + 1, size=n)
    end = start + rng.exponential(700.0, size=n).astype(np.int64) + 1
    end = np.where(end > hi, -1, end)
    ended = dates(end)
    status = np.where(end < 0, "ongoing", "ended")
    gdf = gpd.GeoDataFrame(
        {
            S.RECORD_ID: pd.array(
                np.char.add("OCC-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
                dtype="string",
            ),
            S.DETECTED_ON: dates(start),
            S.ENDED_ON: ended,
            S.STATUS: pd.array(status, dtype="string"),
            S.LON: x,
            S.LAT: y,
        },
        geometry=shapely.points(x, y),
        crs=config.geographic_crs,
    )
    return label(gdf)
