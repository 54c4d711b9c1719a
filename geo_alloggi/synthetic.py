"""Seeded, calibrated and clearly labelled SYNTHETIC estates and records.

Real occupation and eviction records are confidential. Tests, notebooks,
benchmarks and the demo use the records generated here, calibrated on public
figures (see ``DESIGN.md``):

- Milan: 66,730 public units (2018), Aler about 56% and Comune/MM the rest;
  4,564 units occupied abusively in 2018, about 4,487 on 1 January 2019 and
  about 500 fewer during 2019;
- strong concentration: San Siro about 4,000 Aler units with 873 occupied;
  Via Gola about 200 of 800; Via Bolla 26–42, 67 of 244; and the estates often
  named (Lorenteggio–Giambellino, Gratosoglio, Corvetto, Quarto Oggiaro,
  Molise–Calvairate, Ponte Lambro, Comasina, Stadera), each in its real NIL;
- about 9,754 vacant units in 2014;
- Cinisello Balsamo: 1,163 public units.

Milan estates sit at real current civic points (status 2) of the official
ds634 release, with their real addresses; Cinisello Balsamo has no address
points in the official data, so its estates sit at seeded points inside the
comune (``position_source`` says which). Every frame carries a ``source``
column equal to :data:`geo_alloggi.config.synthetic_label` and
``attrs["synthetic"] = True``.

Examples
--------
>>> from geo_alloggi.synthetic import make_demo
>>> demo = make_demo(seed=0)  # doctest: +SKIP
>>> demo.truth["hot_areas"]["persistent"]["core"]  # doctest: +SKIP
'MI-NIL-57'
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
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
from geo_alloggi._records import Records

__all__ = ["make_demo", "make_occupations"]

log = logging.getLogger(__name__)

#: First and last year of the generated records.
FIRST_YEAR = 2014
LAST_YEAR = 2025
_YEARS = np.arange(FIRST_YEAR - 1, LAST_YEAR + 1)  # 2013 = stock on 1 January 2014

#: Milan: abusively occupied units at the end of each year (2013 = 1 Jan 2014).
#: 4,564 during 2018 (peak, end of 2017), 4,487 on 1 January 2019, ~500 fewer
#: during 2019, then a slow decline under the 2020 plan.
MILAN_OCCUPIED: dict[int, int] = {
    2013: 4180,
    2014: 4260,
    2015: 4340,
    2016: 4420,
    2017: 4564,
    2018: 4487,
    2019: 3987,
    2020: 3820,
    2021: 3700,
    2022: 3610,
    2023: 3520,
    2024: 3450,
    2025: 3400,
}
#: Milan: vacant units at the end of each year (about 9,754 in 2014), falling
#: with the renovation money from 2020.
MILAN_VACANT: dict[int, int] = {
    2013: 9650,
    2014: 9754,
    2015: 9880,
    2016: 9990,
    2017: 10050,
    2018: 9960,
    2019: 9600,
    2020: 9050,
    2021: 8300,
    2022: 7500,
    2023: 6900,
    2024: 6400,
    2025: 6050,
}
MILAN_UNITS = 66_730
MILAN_ALER_UNITS = 37_400
CINISELLO_UNITS = 1_163
CINISELLO_OCCUPIED_RATE = 0.05
CINISELLO_VACANT_RATE = 0.09

OWNER_ALER = "Aler"
OWNER_COMUNE = "Comune-MM"


@dataclass(frozen=True)
class _Complex:
    key: str
    name: str
    nil: int
    streets: tuple[str, ...]
    owner: str
    units: int
    occupied_2018: int
    buildings: int
    trend: str = "global"  # global | persistent | fading | new
    numbers: tuple[int, int] | None = None


#: The estates named in DESIGN.md, in their real NIL (checked on ds634 points).
NAMED_COMPLEXES: tuple[_Complex, ...] = (
    _Complex(
        "san_siro",
        "Quartiere San Siro",
        57,
        (
            "DANIELE RICCIARELLI",
            "BERNARDO ZAMAGNA",
            "MAR JONIO",
            "PRENESTE",
            "MATTEO CIVITALI",
            "FILIPPO ABBIATI",
            "SELINUNTE",
            "CARLO MARATTA",
            "TRACIA",
            "MARIO MORGANTINI",
            "PIER ALESSANDRO PARAVIA",
            "GIACINTO GIGANTE",
        ),
        OWNER_ALER,
        4000,
        873,
        48,
        "persistent",
    ),
    _Complex(
        "via_gola",
        "Via Gola",
        44,
        ("EMILIO GOLA", "MARIO PICHI", "GIOSUE' BORSI"),
        OWNER_COMUNE,
        800,
        200,
        12,
        "fading",
    ),
    _Complex(
        "via_bolla",
        "Via Bolla 26-42",
        65,
        ("BOLLA",),
        OWNER_ALER,
        244,
        67,
        9,
        numbers=(26, 42),
    ),
    _Complex(
        "lorenteggio",
        "Lorenteggio",
        53,
        ("LORENTEGGIO", "ANGELO INGANNI"),
        OWNER_ALER,
        1300,
        150,
        16,
    ),
    _Complex(
        "giambellino",
        "Giambellino",
        49,
        ("GIAMBELLINO", "EMANUELE ODAZIO", "RECOARO", "METAURO"),
        OWNER_ALER,
        1100,
        120,
        14,
    ),
    _Complex(
        "gratosoglio",
        "Gratosoglio",
        41,
        ("DEI MISSAGLIA", "MICHELE SAPONARO", "COSTANTINO BARONI"),
        OWNER_ALER,
        2600,
        170,
        26,
    ),
    _Complex(
        "corvetto",
        "Corvetto",
        35,
        (
            "GIACINTO MOMPIANI",
            "POLESINE",
            "GABRIELE ROSA",
            "COMACCHIO",
            "DEI CINQUECENTO",
            "OMERO",
        ),
        OWNER_ALER,
        1800,
        70,
        20,
        "new",
    ),
    _Complex(
        "quarto_oggiaro",
        "Quarto Oggiaro",
        76,
        (
            "CESARE PASCARELLA",
            "SABATINO LOPEZ",
            "ANTONIO ALDINI",
            "VAL TROMPIA",
            "LUIGI CAPUANA",
            "CARLO AMORETTI",
            "SEBASTIANO SATTA",
        ),
        OWNER_ALER,
        3000,
        280,
        30,
    ),
    _Complex(
        "molise_calvairate",
        "Molise-Calvairate",
        28,
        (
            "MOLISE",
            "LAURA CICERI VISCONTI",
            "CALVAIRATE",
            "EMILIO FAA' DI BRUNO",
            "UGO TOMMEI",
        ),
        OWNER_ALER,
        1600,
        180,
        18,
    ),
    _Complex(
        "ponte_lambro",
        "Ponte Lambro",
        31,
        ("GUIDO UCELLI DI NEMI", "GIACINTO SERRATI MENOTTI", "ELIO VITTORINI"),
        OWNER_COMUNE,
        700,
        70,
        8,
    ),
    _Complex(
        "comasina",
        "Comasina",
        82,
        ("SALEMI", "COMASINA", "TEANO"),
        OWNER_ALER,
        1200,
        110,
        12,
    ),
    _Complex(
        "stadera",
        "Stadera",
        42,
        ("ANTON GIULIO BARRILI", "NICOLA PALMIERI", "NEERA", "LODOVICO MONTEGANI"),
        OWNER_ALER,
        1500,
        140,
        16,
    ),
)

#: Trends of the three planted hot areas (multipliers of the 2018 stock).
_TRENDS: dict[str, dict[int, float]] = {
    "persistent": dict.fromkeys(range(2013, 2026), 1.0),
    "fading": {
        2013: 1.0,
        2014: 1.0,
        2015: 1.0,
        2016: 1.0,
        2017: 1.02,
        2018: 1.0,
        2019: 0.55,
        2020: 0.35,
        2021: 0.25,
        2022: 0.18,
        2023: 0.15,
        2024: 0.12,
        2025: 0.1,
    },
    "new": {
        2013: 1.0,
        2014: 1.0,
        2015: 1.0,
        2016: 1.0,
        2017: 1.0,
        2018: 1.0,
        2019: 0.95,
        2020: 1.0,
        2021: 2.0,
        2022: 3.2,
        2023: 4.2,
        2024: 5.0,
        2025: 5.6,
    },
}

#: The three planted hot areas: the NIL of a named estate (core, listed first)
#: and its neighbours sharing a border (checked on the NIL layer; parks and
#: neighbours holding another named estate left out). Background estates in the
#: area get their occupation propensity multiplied by :data:`_AREA_MULT` each
#: year, so that the area is hot as a whole.
HOT_AREAS: dict[str, tuple[int, ...]] = {
    "persistent": (57, 52, 51, 58, 66),
    "new": (35, 34, 32, 33, 36, 30, 29),
    "fading": (44, 43, 45, 6, 50, 7),
}
_AREA_MULT: dict[str, dict[int, float]] = {
    "persistent": dict.fromkeys(range(2013, 2026), 3.0),
    "new": {
        **dict.fromkeys(range(2013, 2021), 1.0),
        2021: 1.8,
        2022: 2.6,
        2023: 3.3,
        2024: 3.8,
        2025: 4.2,
    },
    "fading": {
        **dict.fromkeys(range(2013, 2019), 3.0),
        2019: 2.2,
        2020: 1.6,
        2021: 1.3,
        2022: 1.15,
        2023: 1.05,
        2024: 1.0,
        2025: 0.9,
    },
}

#: Street names of Cinisello Balsamo (ANNCSU, Agenzia delle Entrate/ISTAT,
#: CC BY 4.0); the official data has no civic points there.
_CINISELLO_STREETS: tuple[str, ...] = (
    "Via Milanese",
    "Piazza Andrea Costa",
    "Via Giovanni Paisiello",
    "Via Pablo Picasso",
    "Via Moncenisio",
    "Via Giuseppe Garibaldi",
    "Via Lanfranco della Pila",
    "Via Luisa Sanfelice",
    "Via Primo Maggio",
    "Via Monte Ortigara",
    "Via della Repubblica",
    "Via Nazario Sauro",
    "Via Vittorio Emanuele Orlando",
    "Via Rodolfo da Cinisello",
    "Via Vincenzo Bellini",
    "Via Istria",
    "Via Cadore",
    "Via Giuseppe Parini",
    "Viale Sicilia",
    "Via Saverio Mercadante",
)

# Shares of occupation and eviction records written without an estate id.
_ADDRESS_ONLY = 0.06
_COORDS_ONLY = 0.04
_MISSPELLED = 0.4  # of the address-only records

_EPOCH = np.datetime64("1970-01-01", "D")


def _day(text: str) -> int:
    return int((np.datetime64(text, "D") - _EPOCH).astype(int))


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


# --------------------------------------------------------------------------
# allocation helpers


def _allocate(
    total: int, weights: np.ndarray, caps: np.ndarray | None = None
) -> np.ndarray:
    """Split ``total`` in integers proportional to ``weights`` (largest remainder).

    No share exceeds its cap in ``caps``; the excess goes to the others.
    """
    w = np.asarray(weights, dtype=float)
    out = np.zeros(len(w), dtype=np.int64)
    caps = np.full(len(w), np.iinfo(np.int64).max) if caps is None else np.asarray(caps)
    remaining = int(total)
    free = (w > 0) & (caps > 0)
    for _ in range(50):
        if remaining <= 0 or not free.any():
            break
        share = np.where(free, w, 0.0)
        exact = remaining * share / share.sum()
        base = np.floor(exact).astype(np.int64)
        rest = remaining - int(base.sum())
        order = np.lexsort((np.arange(len(w)), -(exact - base)))
        base[order[:rest]] += 1
        room = caps - out
        take = np.minimum(base, room)
        out += take
        remaining -= int(take.sum())
        free = free & (out < caps)
    return out


def _split_units(
    total: int, n: int, rng: np.random.Generator, *, minimum: int
) -> np.ndarray:
    """``n`` building sizes summing to ``total``, each at least ``minimum``."""
    weights = rng.gamma(4.0, 1.0, size=n)
    return minimum + _allocate(total - minimum * n, weights)


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
    streets = rng.choice(len(_CINISELLO_STREETS), size=n, replace=True)
    numbers = rng.integers(1, 120, size=n)
    aler = rng.random(n) < 0.6
    rows = []
    for i in range(n):
        address = f"{_CINISELLO_STREETS[streets[i]]} {numbers[i]}"
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
# targets per estate and year


def _targets(
    est: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Occupied and vacant stock per estate (rows) at the end of each year (columns)."""
    n, ny = len(est), len(_YEARS)
    units = est[S.UNITS].to_numpy(np.int64)
    milan = (est[S.COMUNE] == "Milano").to_numpy()
    cx = est["_complex"].to_numpy()
    occ = np.zeros((n, ny), dtype=np.int64)
    vac = np.zeros((n, ny), dtype=np.int64)
    g2018 = MILAN_OCCUPIED[2018]
    background = milan & (cx == "")
    nil = est["_nil"].to_numpy()
    # fixed propensities: the same estates stay above or below the mean
    w_occ = units * rng.gamma(2.0, 0.5, size=n)
    w_vac = units * rng.gamma(3.0, 1.0 / 3.0, size=n)
    for j, year in enumerate(_YEARS):
        named_total = 0
        for c in NAMED_COMPLEXES:
            rows = np.flatnonzero(cx == c.key)
            if c.trend == "global":
                mult = MILAN_OCCUPIED[int(year)] / g2018
            else:
                mult = _TRENDS[c.trend][int(year)]
            target = round(c.occupied_2018 * mult)
            occ[rows, j] = _allocate(
                target, units[rows], caps=(units[rows] * 0.45).astype(int)
            )
            named_total += int(occ[rows, j].sum())
        rest = MILAN_OCCUPIED[int(year)] - named_total
        rows = np.flatnonzero(background)
        w_year = w_occ.copy()
        for area, nils in HOT_AREAS.items():
            w_year[np.isin(nil, nils)] *= _AREA_MULT[area][int(year)]
        occ[rows, j] = _allocate(
            rest, w_year[rows], caps=(units[rows] * 0.3).astype(int)
        )
        rows = np.flatnonzero(~milan)
        cin = round(
            CINISELLO_UNITS
            * CINISELLO_OCCUPIED_RATE
            * MILAN_OCCUPIED[int(year)]
            / g2018
        )
        occ[rows, j] = _allocate(cin, units[rows], caps=(units[rows] * 0.3).astype(int))
        # vacancies: where occupation is high, vacancy is high too
        room = np.maximum(((units - occ[:, j]) * 0.6).astype(np.int64), 0)
        wv = w_vac * (1.0 + 2.0 * occ[:, j] / units)
        rows = np.flatnonzero(milan)
        vac[rows, j] = _allocate(MILAN_VACANT[int(year)], wv[rows], caps=room[rows])
        rows = np.flatnonzero(~milan)
        cin_v = round(
            CINISELLO_UNITS
            * CINISELLO_VACANT_RATE
            * MILAN_VACANT[int(year)]
            / MILAN_VACANT[2014]
        )
        vac[rows, j] = _allocate(cin_v, wv[rows], caps=room[rows])
    return occ, vac


# --------------------------------------------------------------------------
# unit-level simulation


def _simulate(
    est: pd.DataFrame, occ_t: np.ndarray, vac_t: np.ndarray, rng: np.random.Generator
) -> tuple[dict[str, list], dict[str, list], dict[str, list]]:
    """Spells of occupation and vacancy per unit, and eviction records.

    Within each estate and year: some occupations end (evictions or departures),
    some vacancies end (renovated and assigned), new occupations take vacant
    units first, then new vacancies restore the year's target. The stock at the
    end of each year equals the target (dates are drawn inside the year).
    """
    occ_rec: dict[str, list] = {"e": [], "u": [], "start": [], "end": []}
    vac_rec: dict[str, list] = {"e": [], "u": [], "start": [], "end": []}
    evi_rec: dict[str, list] = {"e": [], "u": [], "date": [], "outcome": [], "vuln": []}
    units = est[S.UNITS].to_numpy(np.int64)
    init_occ_lo, init_occ_hi = _day("2006-01-01"), _day("2013-12-31")
    init_vac_lo = _day("2008-01-01")
    for e in range(len(est)):
        U = int(units[e])
        state = np.zeros(U, dtype=np.int8)  # 0 free/assigned, 1 occupied, 2 vacant
        start = np.zeros(U, dtype=np.int64)  # start day of the current spell
        spell = np.full(U, -1, dtype=np.int64)  # index of the open spell record
        avail = np.full(U, init_occ_lo, dtype=np.int64)  # free from this day

        def open_spell(rec: dict[str, list], u: int, day: int, e: int = e) -> int:
            rec["e"].append(e)
            rec["u"].append(u)
            rec["start"].append(day)
            rec["end"].append(-1)
            return len(rec["e"]) - 1

        # initial stock (1 January 2014)
        k = int(occ_t[e, 0])
        for u in rng.choice(U, size=k, replace=False):
            d = int(rng.integers(init_occ_lo, init_occ_hi + 1))
            state[u], start[u] = 1, d
            spell[u] = open_spell(occ_rec, int(u), d)
        free = np.flatnonzero(state == 0)
        k = min(int(vac_t[e, 0]), len(free))
        for u in rng.choice(free, size=k, replace=False):
            d = int(rng.integers(init_vac_lo, init_occ_hi + 1))
            state[u], start[u] = 2, d
            spell[u] = open_spell(vac_rec, int(u), d)
        avail[state == 0] = init_occ_hi
        for j in range(1, len(_YEARS)):
            year = int(_YEARS[j])
            y0, y1 = _day(f"{year}-01-01"), _day(f"{year}-12-31")
            p_exec = 0.75 if year == 2019 else 0.55
            # 1. occupations ending
            active = np.flatnonzero(state == 1)
            n_end = max(
                int(rng.binomial(len(active), 0.12)), len(active) - int(occ_t[e, j])
            )
            n_end = min(n_end, len(active))
            for u in rng.choice(active, size=n_end, replace=False) if n_end else []:
                d = int(rng.integers(y0, y1 + 1))
                occ_rec["end"][spell[u]] = d
                if rng.random() < p_exec:
                    evi_rec["e"].append(e)
                    evi_rec["u"].append(int(u))
                    evi_rec["date"].append(d)
                    evi_rec["outcome"].append("executed")
                    evi_rec["vuln"].append(bool(rng.random() < 0.3))
                state[u], spell[u], avail[u] = 0, -1, d
            # failed or postponed attempts on ongoing occupations
            still = np.flatnonzero(state == 1)
            for u in still[rng.random(len(still)) < 0.03]:
                evi_rec["e"].append(e)
                evi_rec["u"].append(int(u))
                evi_rec["date"].append(int(rng.integers(y0, y1 + 1)))
                evi_rec["outcome"].append(
                    "postponed" if rng.random() < 0.65 else "failed"
                )
                evi_rec["vuln"].append(bool(rng.random() < 0.45))
            # 2. vacancies ending (renovated and assigned)
            active = np.flatnonzero(state == 2)
            n_end = int(rng.binomial(len(active), 0.12))
            for u in rng.choice(active, size=n_end, replace=False) if n_end else []:
                d = int(rng.integers(y0, y1 + 1))
                vac_rec["end"][spell[u]] = d
                state[u], spell[u], avail[u] = 0, -1, d
            # 3. new occupations: vacant units first
            need = int(occ_t[e, j]) - int((state == 1).sum())
            vacant = np.flatnonzero(state == 2)
            vacant = vacant[start[vacant] < y0]
            need = max(need, 0)
            n_from_vac = min(need, int(rng.binomial(need, 0.65)), len(vacant))
            chosen_vac: Any = (
                rng.choice(vacant, size=n_from_vac, replace=False) if n_from_vac else []
            )
            free = np.flatnonzero((state == 0) & (avail < y1))
            n_free = min(need - n_from_vac, len(free))
            chosen_free: Any = (
                rng.choice(free, size=n_free, replace=False) if n_free else []
            )
            for u in chosen_vac:
                d = int(rng.integers(y0, y1 + 1))
                vac_rec["end"][spell[u]] = d
                state[u], start[u] = 1, d
                spell[u] = open_spell(occ_rec, int(u), d)
            for u in chosen_free:
                d = int(rng.integers(max(y0, int(avail[u]) + 1), y1 + 1))
                state[u], start[u] = 1, d
                spell[u] = open_spell(occ_rec, int(u), d)
            # 4. vacancies back to the year's target
            diff = int(vac_t[e, j]) - int((state == 2).sum())
            if diff > 0:
                free = np.flatnonzero((state == 0) & (avail < y1))
                k = min(diff, len(free))
                for u in rng.choice(free, size=k, replace=False) if k else []:
                    d = int(rng.integers(max(y0, int(avail[u]) + 1), y1 + 1))
                    state[u], start[u] = 2, d
                    spell[u] = open_spell(vac_rec, int(u), d)
            elif diff < 0:
                old = np.flatnonzero((state == 2) & (start < y0))
                k = min(-diff, len(old))
                for u in rng.choice(old, size=k, replace=False) if k else []:
                    d = int(rng.integers(y0, y1 + 1))
                    vac_rec["end"][spell[u]] = d
                    state[u], spell[u], avail[u] = 0, -1, d
        # scheduled evictions of ongoing occupations (first half of next year)
        still = np.flatnonzero(state == 1)
        lo, hi = _day(f"{LAST_YEAR + 1}-01-15"), _day(f"{LAST_YEAR + 1}-06-30")
        for u in still[rng.random(len(still)) < 0.05]:
            evi_rec["e"].append(e)
            evi_rec["u"].append(int(u))
            evi_rec["date"].append(int(rng.integers(lo, hi + 1)))
            evi_rec["outcome"].append("scheduled")
            evi_rec["vuln"].append(bool(rng.random() < 0.35))
    return occ_rec, vac_rec, evi_rec


def _dates(days: list[int] | np.ndarray) -> pd.Series:
    arr = np.asarray(days, dtype=np.int64)
    out = (_EPOCH + arr.astype("timedelta64[D]")).astype("datetime64[ns]")
    out[arr < 0] = np.datetime64("NaT")
    return pd.Series(out)


def _label(df: pd.DataFrame) -> pd.DataFrame:
    df[S.SOURCE] = config.synthetic_label
    df.attrs["synthetic"] = True
    df.attrs["label"] = config.synthetic_label
    return df


def _messy_links(
    table: pd.DataFrame, est: pd.DataFrame, kind: str, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace some estate ids by an address (some misspelled) or coordinates."""
    from geo_alloggi.address import messy_address

    n = len(table)
    eidx = table["_e"].to_numpy()
    milan = (est[S.COMUNE] == "Milano").to_numpy()[eidx]
    draw = rng.random(n)
    form = np.where(
        draw < _ADDRESS_ONLY,
        "address",
        np.where(draw < _ADDRESS_ONLY + _COORDS_ONLY, "coordinates", "estate_id"),
    )
    form = np.where((form == "address") & ~milan, "coordinates", form)
    misspell = (form == "address") & (rng.random(n) < _MISSPELLED)
    form = np.where(misspell, "misspelled_address", form)
    address = pd.array([pd.NA] * n, dtype="string")
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    for i in np.flatnonzero(form == "address"):
        address[i] = est[S.ADDRESS].iat[eidx[i]]
    for i in np.flatnonzero(misspell):
        e = eidx[i]
        address[i] = messy_address(
            str(est["_street_type"].iat[e]),
            str(est["_street_name"].iat[e]),
            str(est["_housenumber"].iat[e]),
            rng=rng,
            typo_rate=0.5,
        )
    coords = np.flatnonzero(form == "coordinates")
    if len(coords):
        # a few metres from the building (GPS of a field report)
        dx, dy = rng.normal(0.0, 8.0, size=(2, len(coords)))
        lat0 = est[S.LAT].to_numpy()[eidx[coords]]
        lon[coords] = est[S.LON].to_numpy()[eidx[coords]] + dx / (
            111_320.0 * np.cos(np.radians(lat0))
        )
        lat[coords] = lat0 + dy / 111_320.0
    out = table.copy()
    estate = out[S.ESTATE_ID].astype("string")
    estate[form != "estate_id"] = pd.NA
    out[S.ESTATE_ID] = estate
    out[S.ADDRESS] = address
    out[S.LON] = lon
    out[S.LAT] = lat
    links = pd.DataFrame(
        {
            "kind": kind,
            S.RECORD_ID: out[S.RECORD_ID].to_numpy(),
            S.ESTATE_ID: table[S.ESTATE_ID].to_numpy(),
            "form": form,
        }
    )
    links = links[links["form"] != "estate_id"].reset_index(drop=True)
    return out, links


def make_demo(
    *,
    seed: int = 0,
    messy: bool = True,
    mirror: str | os.PathLike[str] | None = None,
) -> Records:
    """Generate the calibrated SYNTHETIC demo: estates and their records.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical
        frames.
    messy
        When True (default), about 6% of occupation and eviction records carry
        an address instead of an estate id (40% of those misspelled with
        :func:`geo_alloggi.address.messy_address`) and about 4% only
        coordinates a few metres from the building, to exercise linking. The
        true estate of each such record is in ``truth["links"]``. With False
        every record carries its estate id.
    mirror
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
    key = os.fspath(folder) if folder is not None else None
    civ = _civic_points(key)
    used = np.zeros(len(civ), dtype=bool)
    named = _named_estates(civ, rng, used)
    named_units = sum(r[S.UNITS] for r in named)
    named_aler = sum(r[S.UNITS] for r in named if r[S.OWNER] == OWNER_ALER)
    rows = named + _background_estates(
        civ, rng, used, MILAN_UNITS - named_units, MILAN_ALER_UNITS - named_aler
    )
    rows += _cinisello_estates(_cinisello_polygon(key), rng)
    est = pd.DataFrame(rows)
    prefix = np.where(est[S.COMUNE] == "Milano", "MI-E", "CB-E")
    counters = est.groupby(prefix).cumcount() + 1
    est.insert(
        0, S.ESTATE_ID, [f"{p}{c:04d}" for p, c in zip(prefix, counters, strict=True)]
    )

    occ_t, vac_t = _targets(est, rng)
    occ_rec, vac_rec, evi_rec = _simulate(est, occ_t, vac_t, rng)
    eid = est[S.ESTATE_ID].to_numpy()

    def unit_ids(e: list[int], u: list[int]) -> list[str]:
        return [f"{eid[a]}-U{b + 1:04d}" for a, b in zip(e, u, strict=True)]

    occupations = pd.DataFrame(
        {
            "_e": np.asarray(occ_rec["e"], dtype=np.int64),
            S.ESTATE_ID: eid[np.asarray(occ_rec["e"], dtype=np.int64)],
            S.UNIT_ID: unit_ids(occ_rec["e"], occ_rec["u"]),
            S.DETECTED_ON: _dates(occ_rec["start"]),
            S.ENDED_ON: _dates(occ_rec["end"]),
        }
    )
    occupations[S.STATUS] = np.where(occupations[S.ENDED_ON].isna(), "ongoing", "ended")
    occupations = occupations.sort_values(
        [S.DETECTED_ON, S.ESTATE_ID, S.UNIT_ID], kind="stable"
    ).reset_index(drop=True)
    occupations.insert(
        0, S.RECORD_ID, [f"OCC-{i + 1:06d}" for i in range(len(occupations))]
    )

    evictions = pd.DataFrame(
        {
            "_e": np.asarray(evi_rec["e"], dtype=np.int64),
            S.ESTATE_ID: eid[np.asarray(evi_rec["e"], dtype=np.int64)],
            S.UNIT_ID: unit_ids(evi_rec["e"], evi_rec["u"]),
            S.EVICTION_DATE: _dates(evi_rec["date"]),
            S.OUTCOME: evi_rec["outcome"],
            S.VULNERABLE: np.asarray(evi_rec["vuln"], dtype=bool),
        }
    )
    evictions = evictions.sort_values(
        [S.EVICTION_DATE, S.ESTATE_ID, S.UNIT_ID], kind="stable"
    ).reset_index(drop=True)
    evictions.insert(
        0, S.RECORD_ID, [f"EVI-{i + 1:06d}" for i in range(len(evictions))]
    )

    ve = np.asarray(vac_rec["e"], dtype=np.int64)
    reasons = np.array(
        ["lack of maintenance", "awaiting assignment", "renovation in progress"]
    )
    vacancies = pd.DataFrame(
        {
            S.ESTATE_ID: eid[ve],
            S.UNIT_ID: unit_ids(vac_rec["e"], vac_rec["u"]),
            S.VACANT_SINCE: _dates(vac_rec["start"]),
            S.ENDED_ON: _dates(vac_rec["end"]),
            S.REASON: reasons[rng.choice(3, size=len(ve), p=[0.7, 0.2, 0.1])],
            S.RENOVATION_COST: np.round(rng.gamma(6.0, 4_500.0, size=len(ve)), -2),
        }
    )
    vacancies = vacancies.sort_values(
        [S.VACANT_SINCE, S.ESTATE_ID, S.UNIT_ID], kind="stable"
    ).reset_index(drop=True)
    vacancies.insert(
        0, S.RECORD_ID, [f"VAC-{i + 1:06d}" for i in range(len(vacancies))]
    )

    links = []
    if messy:
        occupations, l1 = _messy_links(occupations, est, "occupations", rng)
        evictions, l2 = _messy_links(evictions, est, "evictions", rng)
        links = [l1, l2]
    else:
        for df in (occupations, evictions):
            df[S.ADDRESS] = pd.array([pd.NA] * len(df), dtype="string")
            df[S.LON] = np.nan
            df[S.LAT] = np.nan
    occupations = occupations.drop(columns="_e")
    evictions = evictions.drop(columns="_e")
    for df in (occupations, evictions, vacancies):
        for col in (S.RECORD_ID, S.ESTATE_ID, S.UNIT_ID):
            df[col] = df[col].astype("string")
    occupations[S.STATUS] = occupations[S.STATUS].astype("string")
    evictions[S.OUTCOME] = evictions[S.OUTCOME].astype("string")
    vacancies[S.REASON] = vacancies[S.REASON].astype("string")

    estates = gpd.GeoDataFrame(
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
    truth = _truth(est, occ_t, vac_t, seed, links)
    return Records(
        estates=_label(estates),
        occupations=_label(occupations),
        evictions=_label(evictions),
        vacancies=_label(vacancies),
        synthetic=True,
        truth=truth,
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
    years = [int(y) for y in _YEARS]
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


# --------------------------------------------------------------------------
# large point sets for benchmarks


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
    n
        Number of records (1,000,000 takes about a second or two).
    seed
        Seed; the same seed gives the same frame.
    districts
        Layer whose polygons receive the points, uniformly by area (default: the
        study area from :func:`geo_alloggi.boundaries.load_districts`).
    mirror
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
    lo, hi = _day(f"{FIRST_YEAR}-01-01"), _day(f"{LAST_YEAR}-12-31")
    start = rng.integers(lo, hi + 1, size=n)
    end = start + rng.exponential(700.0, size=n).astype(np.int64) + 1
    end = np.where(end > hi, -1, end)
    ended = _dates(end)
    status = np.where(end < 0, "ongoing", "ended")
    gdf = gpd.GeoDataFrame(
        {
            S.RECORD_ID: pd.array(
                np.char.add("OCC-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
                dtype="string",
            ),
            S.DETECTED_ON: _dates(start),
            S.ENDED_ON: ended,
            S.STATUS: pd.array(status, dtype="string"),
            S.LON: x,
            S.LAT: y,
        },
        geometry=shapely.points(x, y),
        crs=config.geographic_crs,
    )
    return _label(gdf)
