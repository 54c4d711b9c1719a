"""SYNTHETIC records of the estates: occupations, evictions and vacancies.

The stock of each estate at the end of each year is set first
(:func:`targets`, calibrated on :mod:`geo_alloggi.synthetic.calibration`);
a unit-level simulation then writes the spells and evictions that reach it
(:func:`simulate`); :func:`make_records` turns them into the record tables,
some with an address or coordinates instead of the estate id
(:func:`messy_links`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi.address import messy_address
from geo_alloggi.synthetic._common import allocate, dates, day
from geo_alloggi.synthetic.calibration import (
    ADDRESS_ONLY,
    AREA_MULT,
    CINISELLO_OCCUPIED_RATE,
    CINISELLO_UNITS,
    CINISELLO_VACANT_RATE,
    COORDS_ONLY,
    HOT_AREAS,
    LAST_YEAR,
    MILAN_OCCUPIED,
    MILAN_VACANT,
    MISSPELLED,
    NAMED_COMPLEXES,
    TRENDS,
    YEARS,
)

# --------------------------------------------------------------------------
# targets per estate and year


def targets(
    est: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return the occupied and vacant stock per estate at the end of each year.

    Named estates follow their trend (:data:`TRENDS`) or Milan's; background
    estates share the rest of :data:`MILAN_OCCUPIED` by a fixed propensity,
    multiplied in the planted hot areas; vacancies are highest where
    occupation is.

    Parameters
    ----------
    est : pandas.DataFrame
        The estates (:func:`geo_alloggi.synthetic.estates.make_estates`).
    rng : numpy.random.Generator
        The generator of the demo.

    Returns
    -------
    tuple of numpy.ndarray
        ``(occupied, vacant)``, ``int64`` of shape (estates, :data:`YEARS`).
    """
    n, ny = len(est), len(YEARS)
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
    for j, year in enumerate(YEARS):
        named_total = 0
        for c in NAMED_COMPLEXES:
            rows = np.flatnonzero(cx == c.key)
            if c.trend == "global":
                mult = MILAN_OCCUPIED[int(year)] / g2018
            else:
                mult = TRENDS[c.trend][int(year)]
            target = round(c.occupied_2018 * mult)
            occ[rows, j] = allocate(
                target, units[rows], caps=(units[rows] * 0.45).astype(int)
            )
            named_total += int(occ[rows, j].sum())
        rest = MILAN_OCCUPIED[int(year)] - named_total
        rows = np.flatnonzero(background)
        w_year = w_occ.copy()
        for area, nils in HOT_AREAS.items():
            w_year[np.isin(nil, nils)] *= AREA_MULT[area][int(year)]
        occ[rows, j] = allocate(
            rest, w_year[rows], caps=(units[rows] * 0.3).astype(int)
        )
        rows = np.flatnonzero(~milan)
        cin = round(
            CINISELLO_UNITS
            * CINISELLO_OCCUPIED_RATE
            * MILAN_OCCUPIED[int(year)]
            / g2018
        )
        occ[rows, j] = allocate(cin, units[rows], caps=(units[rows] * 0.3).astype(int))
        # vacancies: where occupation is high, vacancy is high too
        room = np.maximum(((units - occ[:, j]) * 0.6).astype(np.int64), 0)
        wv = w_vac * (1.0 + 2.0 * occ[:, j] / units)
        rows = np.flatnonzero(milan)
        vac[rows, j] = allocate(MILAN_VACANT[int(year)], wv[rows], caps=room[rows])
        rows = np.flatnonzero(~milan)
        cin_v = round(
            CINISELLO_UNITS
            * CINISELLO_VACANT_RATE
            * MILAN_VACANT[int(year)]
            / MILAN_VACANT[2014]
        )
        vac[rows, j] = allocate(cin_v, wv[rows], caps=room[rows])
    return occ, vac


# --------------------------------------------------------------------------
# unit-level simulation

# occupations under way on 1 January 2014 were detected from 2006, vacancies from 2008
_INIT_OCC_LO, _INIT_OCC_HI = day("2006-01-01"), day("2013-12-31")
_INIT_VAC_LO = day("2008-01-01")
#: First and last day of each simulated year.
_YEAR_DAYS = {int(y): (day(f"{int(y)}-01-01"), day(f"{int(y)}-12-31")) for y in YEARS}


class _Log:
    """The spells and eviction records written by the simulation."""

    def __init__(self) -> None:
        self.occ: dict[str, list] = {"e": [], "u": [], "start": [], "end": []}
        self.vac: dict[str, list] = {"e": [], "u": [], "start": [], "end": []}
        self.evi: dict[str, list] = {
            "e": [],
            "u": [],
            "date": [],
            "outcome": [],
            "vuln": [],
        }

    @staticmethod
    def open(rec: dict[str, list], e: int, u: int, day: int) -> int:
        """Open a spell of ``rec`` (occupation or vacancy); return its index."""
        rec["e"].append(e)
        rec["u"].append(u)
        rec["start"].append(day)
        rec["end"].append(-1)
        return len(rec["e"]) - 1

    def evict(self, e: int, u: int, day: int, outcome: str, vulnerable: bool) -> None:
        """Write an eviction record."""
        self.evi["e"].append(e)
        self.evi["u"].append(u)
        self.evi["date"].append(day)
        self.evi["outcome"].append(outcome)
        self.evi["vuln"].append(vulnerable)


class _Units:
    """State of the units of one estate: 0 free or assigned, 1 occupied, 2 vacant."""

    def __init__(self, e: int, n: int, log: _Log) -> None:
        self.e = e
        self.log = log
        self.state = np.zeros(n, dtype=np.int8)
        self.start = np.zeros(n, dtype=np.int64)  # start day of the current spell
        self.spell = np.full(n, -1, dtype=np.int64)  # index of the open spell record
        self.avail = np.full(n, _INIT_OCC_LO, dtype=np.int64)  # free from this day

    def occupy(self, u: Any, d: int) -> None:
        """Start an occupation of unit ``u`` on day ``d``."""
        self.state[u], self.start[u] = 1, d
        self.spell[u] = self.log.open(self.log.occ, self.e, int(u), d)

    def vacate(self, u: Any, d: int) -> None:
        """Start a vacancy of unit ``u`` on day ``d``."""
        self.state[u], self.start[u] = 2, d
        self.spell[u] = self.log.open(self.log.vac, self.e, int(u), d)

    def free(self, u: Any, d: int) -> None:
        """Free unit ``u`` (vacated, or assigned) from day ``d``."""
        self.state[u], self.spell[u], self.avail[u] = 0, -1, d


def _initial_stock(
    units: _Units, occupied: int, vacant: int, rng: np.random.Generator
) -> None:
    """Start the occupations and vacancies under way on 1 January 2014."""
    n = len(units.state)
    for u in rng.choice(n, size=occupied, replace=False):
        units.occupy(u, int(rng.integers(_INIT_OCC_LO, _INIT_OCC_HI + 1)))
    free = np.flatnonzero(units.state == 0)
    k = min(vacant, len(free))
    for u in rng.choice(free, size=k, replace=False):
        units.vacate(u, int(rng.integers(_INIT_VAC_LO, _INIT_OCC_HI + 1)))
    units.avail[units.state == 0] = _INIT_OCC_HI


def _end_occupations(
    units: _Units, year: int, target: int, rng: np.random.Generator
) -> None:
    """End occupations (evicted or gone); write failed or postponed evictions."""
    y0, y1 = _YEAR_DAYS[year]
    p_exec = 0.75 if year == 2019 else 0.55
    occ, log, e = units.log.occ, units.log, units.e
    active = np.flatnonzero(units.state == 1)
    n_end = max(int(rng.binomial(len(active), 0.12)), len(active) - target)
    n_end = min(n_end, len(active))
    for u in rng.choice(active, size=n_end, replace=False) if n_end else []:
        d = int(rng.integers(y0, y1 + 1))
        occ["end"][units.spell[u]] = d
        if rng.random() < p_exec:
            log.evict(e, int(u), d, "executed", bool(rng.random() < 0.3))
        units.free(u, d)
    # failed or postponed attempts on ongoing occupations
    still = np.flatnonzero(units.state == 1)
    for u in still[rng.random(len(still)) < 0.03]:
        log.evict(
            e,
            int(u),
            int(rng.integers(y0, y1 + 1)),
            "postponed" if rng.random() < 0.65 else "failed",
            bool(rng.random() < 0.45),
        )


def _end_vacancies(units: _Units, year: int, rng: np.random.Generator) -> None:
    """End vacancies: units renovated and assigned."""
    y0, y1 = _YEAR_DAYS[year]
    active = np.flatnonzero(units.state == 2)
    n_end = int(rng.binomial(len(active), 0.12))
    for u in rng.choice(active, size=n_end, replace=False) if n_end else []:
        d = int(rng.integers(y0, y1 + 1))
        units.log.vac["end"][units.spell[u]] = d
        units.free(u, d)


def _new_occupations(
    units: _Units, year: int, target: int, rng: np.random.Generator
) -> None:
    """Start occupations up to the year's target: vacant units first."""
    y0, y1 = _YEAR_DAYS[year]
    need = target - int((units.state == 1).sum())
    vacant = np.flatnonzero(units.state == 2)
    vacant = vacant[units.start[vacant] < y0]
    need = max(need, 0)
    n_from_vac = min(need, int(rng.binomial(need, 0.65)), len(vacant))
    chosen_vac: Any = (
        rng.choice(vacant, size=n_from_vac, replace=False) if n_from_vac else []
    )
    free = np.flatnonzero((units.state == 0) & (units.avail < y1))
    n_free = min(need - n_from_vac, len(free))
    chosen_free: Any = rng.choice(free, size=n_free, replace=False) if n_free else []
    for u in chosen_vac:
        d = int(rng.integers(y0, y1 + 1))
        units.log.vac["end"][units.spell[u]] = d
        units.occupy(u, d)
    for u in chosen_free:
        units.occupy(u, int(rng.integers(max(y0, int(units.avail[u]) + 1), y1 + 1)))


def _restore_vacancies(
    units: _Units, year: int, target: int, rng: np.random.Generator
) -> None:
    """Start or end vacancies, back to the year's target."""
    y0, y1 = _YEAR_DAYS[year]
    diff = target - int((units.state == 2).sum())
    if diff > 0:
        free = np.flatnonzero((units.state == 0) & (units.avail < y1))
        k = min(diff, len(free))
        for u in rng.choice(free, size=k, replace=False) if k else []:
            d = int(rng.integers(max(y0, int(units.avail[u]) + 1), y1 + 1))
            units.vacate(u, d)
    elif diff < 0:
        old = np.flatnonzero((units.state == 2) & (units.start < y0))
        k = min(-diff, len(old))
        for u in rng.choice(old, size=k, replace=False) if k else []:
            d = int(rng.integers(y0, y1 + 1))
            units.log.vac["end"][units.spell[u]] = d
            units.free(u, d)


def _scheduled_evictions(units: _Units, rng: np.random.Generator) -> None:
    """Schedule evictions of ongoing occupations in the first half of next year."""
    still = np.flatnonzero(units.state == 1)
    lo, hi = day(f"{LAST_YEAR + 1}-01-15"), day(f"{LAST_YEAR + 1}-06-30")
    for u in still[rng.random(len(still)) < 0.05]:
        units.log.evict(
            units.e,
            int(u),
            int(rng.integers(lo, hi + 1)),
            "scheduled",
            bool(rng.random() < 0.35),
        )


def simulate(
    est: pd.DataFrame, occ_t: np.ndarray, vac_t: np.ndarray, rng: np.random.Generator
) -> tuple[dict[str, list], dict[str, list], dict[str, list]]:
    """Simulate the spells of occupation and vacancy per unit, and the evictions.

    Within each estate and year: some occupations end (evictions or
    departures), some vacancies end (renovated and assigned), new occupations
    take vacant units first, then new vacancies restore the year's target. The
    stock at the end of each year equals the target (dates are drawn inside
    the year).

    Parameters
    ----------
    est : pandas.DataFrame
        The estates (:func:`geo_alloggi.synthetic.estates.make_estates`).
    occ_t, vac_t : numpy.ndarray
        Occupied and vacant stock per estate and year (:func:`targets`).
    rng : numpy.random.Generator
        The generator of the demo.

    Returns
    -------
    tuple of dict
        Occupation spells, vacancy spells (``e``, ``u``, ``start``, ``end``;
        -1 for an open spell) and evictions (``e``, ``u``, ``date``,
        ``outcome``, ``vuln``), as lists of estate row, unit and day numbers.
    """
    log = _Log()
    sizes = est[S.UNITS].to_numpy(np.int64)
    for e in range(len(est)):
        units = _Units(e, int(sizes[e]), log)
        _initial_stock(units, int(occ_t[e, 0]), int(vac_t[e, 0]), rng)
        for j in range(1, len(YEARS)):
            year = int(YEARS[j])
            _end_occupations(units, year, int(occ_t[e, j]), rng)
            _end_vacancies(units, year, rng)
            _new_occupations(units, year, int(occ_t[e, j]), rng)
            _restore_vacancies(units, year, int(vac_t[e, j]), rng)
        _scheduled_evictions(units, rng)
    return log.occ, log.vac, log.evi


# --------------------------------------------------------------------------
# messy links


def messy_links(
    table: pd.DataFrame, est: pd.DataFrame, kind: str, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace some estate ids by an address (some misspelled) or coordinates.

    Parameters
    ----------
    table : pandas.DataFrame
        Occupation or eviction records with the estate row ``_e``.
    est : pandas.DataFrame
        The estates.
    kind : str
        ``"occupations"`` or ``"evictions"`` (written in the links).
    rng : numpy.random.Generator
        The generator of the demo.

    Returns
    -------
    records : pandas.DataFrame
        A new frame: ``estate_id`` missing where replaced, ``address``,
        ``lon`` and ``lat`` filled there.
    links : pandas.DataFrame
        ``kind``, ``record_id``, the true ``estate_id`` and the ``form`` of
        each replaced record.
    """
    n = len(table)
    eidx = table["_e"].to_numpy()
    milan = (est[S.COMUNE] == "Milano").to_numpy()[eidx]
    draw = rng.random(n)
    form = np.where(
        draw < ADDRESS_ONLY,
        "address",
        np.where(draw < ADDRESS_ONLY + COORDS_ONLY, "coordinates", "estate_id"),
    )
    form = np.where((form == "address") & ~milan, "coordinates", form)
    misspell = (form == "address") & (rng.random(n) < MISSPELLED)
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


# --------------------------------------------------------------------------
# record tables


def _unit_ids(eid: np.ndarray, e: list[int], u: list[int]) -> list[str]:
    return [f"{eid[a]}-U{b + 1:04d}" for a, b in zip(e, u, strict=True)]


def _numbered(df: pd.DataFrame, by: str, prefix: str) -> pd.DataFrame:
    """Sort by date, estate and unit; number the records ``{prefix}-000001``."""
    df = df.sort_values([by, S.ESTATE_ID, S.UNIT_ID], kind="stable").reset_index(
        drop=True
    )
    df.insert(0, S.RECORD_ID, [f"{prefix}-{i + 1:06d}" for i in range(len(df))])
    return df


def _occupations(eid: np.ndarray, rec: dict[str, list]) -> pd.DataFrame:
    e = np.asarray(rec["e"], dtype=np.int64)
    df = pd.DataFrame(
        {
            "_e": e,
            S.ESTATE_ID: eid[e],
            S.UNIT_ID: _unit_ids(eid, rec["e"], rec["u"]),
            S.DETECTED_ON: dates(rec["start"]),
            S.ENDED_ON: dates(rec["end"]),
        }
    )
    df[S.STATUS] = np.where(df[S.ENDED_ON].isna(), "ongoing", "ended")
    return _numbered(df, S.DETECTED_ON, "OCC")


def _evictions(eid: np.ndarray, rec: dict[str, list]) -> pd.DataFrame:
    e = np.asarray(rec["e"], dtype=np.int64)
    df = pd.DataFrame(
        {
            "_e": e,
            S.ESTATE_ID: eid[e],
            S.UNIT_ID: _unit_ids(eid, rec["e"], rec["u"]),
            S.EVICTION_DATE: dates(rec["date"]),
            S.OUTCOME: rec["outcome"],
            S.VULNERABLE: np.asarray(rec["vuln"], dtype=bool),
        }
    )
    return _numbered(df, S.EVICTION_DATE, "EVI")


def _vacancies(
    eid: np.ndarray, rec: dict[str, list], rng: np.random.Generator
) -> pd.DataFrame:
    ve = np.asarray(rec["e"], dtype=np.int64)
    reasons = np.array(
        ["lack of maintenance", "awaiting assignment", "renovation in progress"]
    )
    df = pd.DataFrame(
        {
            S.ESTATE_ID: eid[ve],
            S.UNIT_ID: _unit_ids(eid, rec["e"], rec["u"]),
            S.VACANT_SINCE: dates(rec["start"]),
            S.ENDED_ON: dates(rec["end"]),
            S.REASON: reasons[rng.choice(3, size=len(ve), p=[0.7, 0.2, 0.1])],
            S.RENOVATION_COST: np.round(rng.gamma(6.0, 4_500.0, size=len(ve)), -2),
        }
    )
    return _numbered(df, S.VACANT_SINCE, "VAC")


def make_records(
    est: pd.DataFrame,
    occ_t: np.ndarray,
    vac_t: np.ndarray,
    rng: np.random.Generator,
    *,
    messy: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """Simulate the records of the estates and return them as tables.

    Parameters
    ----------
    est : pandas.DataFrame
        The estates (:func:`geo_alloggi.synthetic.estates.make_estates`).
    occ_t, vac_t : numpy.ndarray
        Yearly targets (:func:`targets`).
    rng : numpy.random.Generator
        The generator of the demo.
    messy : bool
        Write some occupations and evictions with an address or coordinates
        instead of the estate id (:func:`messy_links`).

    Returns
    -------
    occupations, evictions, vacancies : pandas.DataFrame
        Record tables in canonical form (not yet labelled SYNTHETIC).
    links : list of pandas.DataFrame
        The true estate of each messy record (empty without ``messy``).
    """
    occ_rec, vac_rec, evi_rec = simulate(est, occ_t, vac_t, rng)
    eid = est[S.ESTATE_ID].to_numpy()
    occupations = _occupations(eid, occ_rec)
    evictions = _evictions(eid, evi_rec)
    vacancies = _vacancies(eid, vac_rec, rng)
    links = []
    if messy:
        occupations, l1 = messy_links(occupations, est, "occupations", rng)
        evictions, l2 = messy_links(evictions, est, "evictions", rng)
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
    return occupations, evictions, vacancies, links
