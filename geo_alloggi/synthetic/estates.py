"""SYNTHETIC estates: named estates, background estates and those of Cinisello.

Milan estates sit at real current civic points (status 2, main entrance) of
the official ds634 release, with their real addresses and NIL; Cinisello
Balsamo has no address points in the official data, so its estates sit at
seeded points inside the comune (``position_source`` says which).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config, datasets
from geo_alloggi._errors import ValidationError
from geo_alloggi._names import title_name
from geo_alloggi.synthetic._common import allocate
from geo_alloggi.synthetic.calibration import (
    CINISELLO_STREETS,
    CINISELLO_UNITS,
    MILAN_ALER_UNITS,
    MILAN_UNITS,
    NAMED_COMPLEXES,
    OWNER_ALER,
    OWNER_COMUNE,
)

# --------------------------------------------------------------------------
# reference points


@lru_cache(maxsize=4)
def _civic_points(mirror: str | None) -> pd.DataFrame:
    """Read Milan's current (status 2) main-entrance civic points with their NIL."""
    from geo_alloggi.boundaries import load_districts

    civ = datasets.read_civici(datasets.dataset_path("civici", mirror=mirror))
    civ = civ[(civ["status"] == 2) & (civ["entrance"] == "") & civ["lon"].notna()]
    civ = civ[civ["number"].notna()].reset_index(drop=True)
    nil = load_districts("nil", mirror=mirror)
    pts = shapely.points(civ["lon"].to_numpy(float), civ["lat"].to_numpy(float))
    tree = shapely.STRtree(pts)
    nil_num = np.full(len(civ), -1, dtype=int)
    ids = (
        nil[S.DISTRICT_ID]
        .astype(str)
        .str.rsplit("-", n=1)
        .str[-1]
        .astype(int)
        .to_numpy()
    )
    for geom, num in zip(nil.geometry.values, ids, strict=True):
        hit = tree.query(geom, predicate="contains")
        nil_num[hit[nil_num[hit] < 0]] = num
    # keep points inside both a NIL and the ISTAT polygon of Milano (the two
    # official layers differ slightly along the border), so that demo estates
    # fall in a district at every level
    com = load_districts("comuni", mirror=mirror)
    milano = com.loc[com[S.DISTRICT_ID] == S.MILANO_ID].geometry.union_all()
    inside = np.zeros(len(civ), dtype=bool)
    inside[tree.query(milano, predicate="contains")] = True
    civ["nil"] = np.where(inside, nil_num, -1)
    civ = civ[civ["nil"] > 0].reset_index(drop=True)
    types = civ["street_type"].astype(str)
    names = civ["street_name"].astype(str)
    full = (types.str.upper() + " " + names).map(title_name)
    civ["address"] = full + " " + civ["housenumber"].astype(str)
    return civ


@lru_cache(maxsize=4)
def _cinisello_polygon(mirror: str | None) -> shapely.Geometry:
    from geo_alloggi.boundaries import load_districts

    com = load_districts("comuni", mirror=mirror)
    return (
        com.loc[com[S.DISTRICT_ID] == S.CINISELLO_ID]
        .geometry.to_crs(config.metric_crs)
        .union_all()
    )


def _split_units(
    total: int, n: int, rng: np.random.Generator, *, minimum: int
) -> np.ndarray:
    """``n`` building sizes summing to ``total``, each at least ``minimum``."""
    weights = rng.gamma(4.0, 1.0, size=n)
    return minimum + allocate(total - minimum * n, weights)


# --------------------------------------------------------------------------
# estates


def _named_estates(
    civ: pd.DataFrame, rng: np.random.Generator, used: np.ndarray
) -> list[dict]:
    rows: list[dict] = []
    for cx in NAMED_COMPLEXES:
        cand = civ[(civ["nil"] == cx.nil) & civ["street_name"].isin(cx.streets)]
        if cx.numbers is not None:
            lo, hi = cx.numbers
            num = cand["number"].astype(int)
            cand = cand[(num >= lo) & (num <= hi) & (num % 2 == lo % 2)]
        cand = cand[~used[cand.index.to_numpy()]]
        if cand.empty:
            raise ValidationError(
                f"civic points: no current point on {cx.streets!r} in NIL {cx.nil}; "
                f"the ds634 release does not match the one make_demo was built on"
            )
        k = min(cx.buildings, len(cand))
        pick = np.sort(rng.choice(cand.index.to_numpy(), size=k, replace=False))
        used[pick] = True
        sizes = _split_units(cx.units, k, rng, minimum=8)
        for idx, size in zip(pick, sizes, strict=True):
            rows.append(
                _civic_point_estate(
                    civ.loc[idx],
                    complex_key=cx.key,
                    nil=cx.nil,
                    name=cx.name,
                    owner=cx.owner,
                    units=int(size),
                )
            )
    return rows


def _civic_point_estate(
    pt: pd.Series, *, complex_key: str, nil: int, name: str, owner: str, units: int
) -> dict[str, Any]:
    """Return the row of an estate placed on the Milan civic point ``pt``."""
    return {
        "_complex": complex_key,
        "_nil": nil,
        S.NAME: name,
        S.ADDRESS: pt["address"],
        S.COMUNE: "Milano",
        S.OWNER: owner,
        S.UNITS: units,
        S.LON: float(pt["lon"]),
        S.LAT: float(pt["lat"]),
        S.POSITION_SOURCE: "civic_point",
        "_street_type": pt["street_type"],
        "_street_name": pt["street_name"],
        "_housenumber": pt["housenumber"],
    }


def _background_estates(
    civ: pd.DataFrame,
    rng: np.random.Generator,
    used: np.ndarray,
    total_units: int,
    aler_units: int,
) -> list[dict]:
    # public housing lies mostly outside the centre: weight each NIL's points
    central = {1, 2, 3, 4, 6, 7, 8, 9, 21, 50, 51, 68, 69}
    parks = {60, 84, 85, 86, 87, 88}
    nil = civ["nil"].to_numpy()
    w = np.where(np.isin(nil, list(central)), 0.15, 1.0)
    w = np.where(np.isin(nil, list(parks)), 0.05, w)
    w = np.where(used, 0.0, w)
    mean_size = 64
    n = round(total_units / mean_size)
    pick = np.sort(rng.choice(len(civ), size=n, replace=False, p=w / w.sum()))
    used[pick] = True
    sizes = _split_units(total_units, n, rng, minimum=6)
    p_aler = aler_units / total_units
    aler = rng.random(n) < p_aler
    rows = []
    for idx, size, is_aler in zip(pick, sizes, aler, strict=True):
        pt = civ.iloc[idx]
        rows.append(
            _civic_point_estate(
                pt,
                complex_key="",
                nil=int(pt["nil"]),
                name=f"Stabile {'Aler' if is_aler else 'MM'} {pt['address']}",
                owner=OWNER_ALER if is_aler else OWNER_COMUNE,
                units=int(size),
            )
        )
    return rows


def _cinisello_estates(poly: shapely.Geometry, rng: np.random.Generator) -> list[dict]:
    n = 18
    inner = poly.buffer(-200.0)
    shapely.prepare(inner)
    minx, miny, maxx, maxy = inner.bounds
    xs: list[float] = []
    ys: list[float] = []
    while len(xs) < n:
        x = rng.uniform(minx, maxx, size=4 * n)
        y = rng.uniform(miny, maxy, size=4 * n)
        ok = shapely.contains_xy(inner, x, y)
        xs.extend(x[ok])
        ys.extend(y[ok])
    pts = gpd.GeoSeries(shapely.points(xs[:n], ys[:n]), crs=config.metric_crs).to_crs(
        config.geographic_crs
    )
    sizes = _split_units(CINISELLO_UNITS, n, rng, minimum=10)
    streets = rng.choice(len(CINISELLO_STREETS), size=n, replace=True)
    numbers = rng.integers(1, 120, size=n)
    aler = rng.random(n) < 0.6
    rows = []
    for i in range(n):
        address = f"{CINISELLO_STREETS[streets[i]]} {numbers[i]}"
        rows.append(
            {
                "_complex": "",
                "_nil": 0,
                S.NAME: f"Stabile {'Aler' if aler[i] else 'Comunale'} {address}",
                S.ADDRESS: address,
                S.COMUNE: "Cinisello Balsamo",
                S.OWNER: OWNER_ALER if aler[i] else OWNER_COMUNE,
                S.UNITS: int(sizes[i]),
                S.LON: float(pts.x.iloc[i]),
                S.LAT: float(pts.y.iloc[i]),
                S.POSITION_SOURCE: "seeded_point",
                "_street_type": "",
                "_street_name": "",
                "_housenumber": "",
            }
        )
    return rows


# --------------------------------------------------------------------------
# the estates table


def make_estates(mirror: str | None, rng: np.random.Generator) -> pd.DataFrame:
    """Generate the estates of Milan and Cinisello Balsamo, with their ids.

    Parameters
    ----------
    mirror : str or None
        Folder of the official files (already resolved), or None.
    rng : numpy.random.Generator
        The generator of the demo (drawn from in a fixed order).

    Returns
    -------
    pandas.DataFrame
        ``estate_id`` (``MI-E0001``, ``CB-E0001``), the estate columns of
        :data:`geo_alloggi._schema.ESTATE_COLUMNS`, and the private
        ``_complex``, ``_nil``, ``_street_type``, ``_street_name``,
        ``_housenumber`` used to write records.

    Raises
    ------
    ValidationError
        The civic points do not hold a named estate's streets.
    """
    civ = _civic_points(mirror)
    used = np.zeros(len(civ), dtype=bool)
    named = _named_estates(civ, rng, used)
    named_units = sum(r[S.UNITS] for r in named)
    named_aler = sum(r[S.UNITS] for r in named if r[S.OWNER] == OWNER_ALER)
    rows = named + _background_estates(
        civ, rng, used, MILAN_UNITS - named_units, MILAN_ALER_UNITS - named_aler
    )
    rows += _cinisello_estates(_cinisello_polygon(mirror), rng)
    est = pd.DataFrame(rows)
    prefix = np.where(est[S.COMUNE] == "Milano", "MI-E", "CB-E")
    counters = est.groupby(prefix).cumcount() + 1
    est.insert(
        0, S.ESTATE_ID, [f"{p}{c:04d}" for p, c in zip(prefix, counters, strict=True)]
    )
    return est


def estate_layer(est: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the published estates: schema columns and points in EPSG:4326.

    Parameters
    ----------
    est : pandas.DataFrame
        Output of :func:`make_estates`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return gpd.GeoDataFrame(
        est[list(S.ESTATE_COLUMNS)].astype(
            {
                S.ESTATE_ID: "string",
                S.NAME: "string",
                S.ADDRESS: "string",
                S.COMUNE: "string",
                S.OWNER: "string",
                S.POSITION_SOURCE: "string",
                S.UNITS: "int64",
            }
        ),
        geometry=gpd.points_from_xy(est[S.LON], est[S.LAT]),
        crs=config.geographic_crs,
    )
