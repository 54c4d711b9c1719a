"""Config-driven runs: records in, the coordination-meeting bundle out.

This module only wires the layers together (datasets → boundaries → io →
geocoding/linking → overlay → stats → priorities → maps/report) and writes
the outputs; every computation lives in its own module.

The bundle written to ``out_dir``:

``map.html``
    the meeting map, one offline file (no network request at all);
``map.png``, ``map.pdf``
    the main map for printed handouts (matplotlib);
``tables/*.csv`` and ``tables/*.xlsx``
    tables for Italian Excel (``;``, decimal comma, BOM), small counts
    suppressed, formula injection neutralised;
``layers.gpkg``
    every layer for QGIS;
``summary.md``
    the key figures;
``manifest.json``
    inputs (with SHA-256), versions, seed, data sources and licences; the only
    file holding timestamps.

Examples
--------
>>> from geo_alloggi.pipeline import run_demo
>>> files = run_demo("out/demo", seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import logging
import math
import os
import platform
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._records import Records
from geo_alloggi._version import __version__
from geo_alloggi.datasets import sha256_file

__all__ = [
    "Analysis",
    "PriorityTables",
    "RunSettings",
    "analyse",
    "link_bundle",
    "load_settings",
    "prioritise",
    "run",
    "run_demo",
    "trend",
]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]
#: Called with (step name, step number from 1, number of steps).
StepCallback = Callable[[str, int, int], None]

RECORD_KINDS = ("estates", "occupations", "evictions", "vacancies")


DEFAULT_BUDGET_EUR = 10_000_000.0


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs besides the records.

    Read from a TOML file with :func:`load_settings`; every field has a
    documented default.
    """

    records: Mapping[str, Path] = field(default_factory=dict)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    level: str = "study_area"
    districts_file: Path | None = None
    districts_id_column: str | None = None
    districts_name_column: str | None = None
    period: str = "year"
    start: str | None = None
    end: str | None = None
    threshold: int = config.suppression_threshold
    budget_eur: float = DEFAULT_BUDGET_EUR
    lang: str = "it"
    seed: int | None = None
    corrections: Path | None = None
    osm_extracts: tuple[Path, ...] = ()
    online: bool = False
    nominatim_url: str | None = None
    config_file: Path | None = None
    synthetic: bool = False


def _section(doc: Mapping[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, Mapping):
        raise InputFileError(f"{str(path)!r}: [{name}] must be a table")
    return dict(value)


def load_settings(path: PathLike) -> RunSettings:
    """Read a run configuration (TOML); relative paths are relative to the file.

    See ``examples/run.toml`` for every key with its default.

    Raises
    ------
    InputFileError
        The file is missing, not TOML, or names an unknown key or a record
        file that does not exist.
    """
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"config {str(p)!r}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"config {str(p)!r} is not valid TOML ({exc})") from None
    base = p.resolve().parent
    known = {"records", "districts", "analysis", "geocoding", "priorities", "output"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise InputFileError(
            f"config {str(p)!r}: unknown section(s) {unknown!r}; "
            f"known: {sorted(known)!r}"
        )
    rec = _section(doc, "records", p)
    columns = rec.pop("columns", {})
    synthetic = bool(rec.pop("synthetic", False))
    bad = sorted(set(rec) - set(RECORD_KINDS))
    if bad:
        raise InputFileError(
            f"config {str(p)!r}: [records] keys {bad!r} are not among {RECORD_KINDS!r}"
        )
    files = {k: (base / v).resolve() for k, v in rec.items()}
    for kind, f in files.items():
        if not f.is_file():
            raise InputFileError(
                f"config {str(p)!r}: [records] {kind} = {str(f)!r} does not exist"
            )
    if "estates" not in files:
        raise InputFileError(
            f"config {str(p)!r}: [records] needs at least estates = 'FILE'"
        )
    dist = _section(doc, "districts", p)
    ana = _section(doc, "analysis", p)
    geo = _section(doc, "geocoding", p)
    pri = _section(doc, "priorities", p)
    out = _section(doc, "output", p)

    def rel(value: Any) -> Path | None:
        return (base / str(value)).resolve() if value else None

    settings = RunSettings(
        records=files,
        columns={k: dict(v) for k, v in dict(columns).items()},
        level=str(dist.get("level", "study_area")),
        districts_file=rel(dist.get("file")),
        districts_id_column=dist.get("id_column"),
        districts_name_column=dist.get("name_column"),
        period=str(ana.get("period", "year")),
        start=str(ana["start"]) if "start" in ana else None,
        end=str(ana["end"]) if "end" in ana else None,
        threshold=int(ana.get("suppression_threshold", config.suppression_threshold)),
        budget_eur=float(pri.get("budget_eur", DEFAULT_BUDGET_EUR)),
        lang=str(out.get("lang", "it")),
        seed=int(ana["seed"]) if "seed" in ana else None,
        corrections=rel(geo.get("corrections")),
        osm_extracts=tuple(rel(x) for x in geo.get("osm_extracts", []) if x),  # type: ignore[misc]
        online=bool(geo.get("online", False)),
        nominatim_url=geo.get("nominatim_url"),
        config_file=p.resolve(),
        synthetic=synthetic,
    )
    _check_settings(settings)
    return settings


def _check_settings(s: RunSettings) -> None:
    if s.period not in S.PERIODS:
        raise ValidationError(f"period={s.period!r} is not one of {list(S.PERIODS)!r}")
    if s.lang not in ("it", "en"):
        raise ValidationError(f"lang={s.lang!r} is not one of ['it', 'en']")
    if s.threshold < 1:
        raise ValidationError(f"suppression_threshold={s.threshold!r} must be >= 1")
    if not math.isfinite(s.budget_eur) or s.budget_eur < 0:
        raise ValidationError(
            f"budget_eur={s.budget_eur!r} must be a number of euros >= 0"
        )
    if s.districts_file is None and s.level not in S.LEVELS:
        raise ValidationError(f"level={s.level!r} is not one of {list(S.LEVELS)!r}")
    if s.districts_file is not None and not s.districts_id_column:
        raise ValidationError("a districts file needs districts id_column")


# --------------------------------------------------------------------------
# analysis


@dataclass
class Analysis:
    """Every table and layer a run produces (before writing)."""

    settings: RunSettings
    records: Records
    districts: gpd.GeoDataFrame
    comuni: gpd.GeoDataFrame
    panel: gpd.GeoDataFrame
    published: pd.DataFrame
    shared_panel: pd.DataFrame
    latest: gpd.GeoDataFrame
    estates: gpd.GeoDataFrame
    contours: gpd.GeoDataFrame | None
    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    plan: Any
    backtest: dict[str, Any] | None
    links: pd.DataFrame
    moran: Any
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """True when the records are SYNTHETIC."""
        return bool(self.records.synthetic)

    @property
    def last_period(self) -> Any:
        """The most recent period of the panel."""
        return self.latest[S.PERIOD].iloc[0]


def _steps(on_step: StepCallback | None, names: list[str]) -> Callable[[str], None]:
    """Report each step by name: its number comes from its place in ``names``."""

    def step(name: str) -> None:
        i = names.index(name) + 1
        log.info("step %d/%d: %s", i, len(names), name)
        if on_step is not None:
            on_step(name, i, len(names))

    return step


STEPS = [
    "districts",
    "records",
    "geocoding and linking",
    "overlay per district and period",
    "hot spots",
    "emerging hot spots",
    "density",
    "patrol priorities",
    "renovation plan",
    "back-test",
]


def link_bundle(
    records: Records, settings: RunSettings | None = None
) -> tuple[Records, pd.DataFrame]:
    """Place estates without coordinates and link every record to an estate.

    Records link by estate id, else by address (offline geocoder, with the
    settings' corrections, OSM extracts and opt-in online fallback), else by
    coordinates snapped to the nearest estate
    (:func:`geo_alloggi.linking.link_records`).

    Returns
    -------
    tuple
        The linked :class:`~geo_alloggi._records.Records` (records that could
        not be linked are left out) and one row per record kind with the
        counts per link method, ``unlinked`` included: reported, never dropped
        silently.
    """
    from geo_alloggi.geocoding import Geocoder
    from geo_alloggi.linking import link_records, place_estates

    settings = settings or RunSettings()
    geocoder = Geocoder(osm_extracts=[str(p) for p in settings.osm_extracts])
    kw: dict[str, Any] = {}
    if settings.corrections is not None or settings.online:
        kw["geocode_kwds"] = {
            "corrections": settings.corrections,
            "online": settings.online,
            "nominatim_url": settings.nominatim_url,
        }
    estates = records.estates
    geom = estates.geometry
    if (geom.isna() | geom.is_empty).any():
        estates = place_estates(estates, geocoder=geocoder, **kw)
    rows = []
    linked: dict[str, pd.DataFrame] = {}
    for kind in ("occupations", "evictions", "vacancies"):
        table = getattr(records, kind)
        if table is None or len(table) == 0:
            linked[kind] = table
            continue
        res = link_records(table, estates, geocoder=geocoder, **kw)
        counts = res.counts()
        rows.append({"kind": kind, "records": len(table), **counts})
        linked[kind] = res.records[res.records["link_method"] != "unlinked"].drop(
            columns=["link_method", "link_distance_m", "link_note"], errors="ignore"
        )
    out = Records(
        estates=estates,
        occupations=linked["occupations"],
        evictions=linked["evictions"],
        vacancies=linked["vacancies"],
        synthetic=records.synthetic,
        truth=records.truth,
    )
    return out, pd.DataFrame(rows)


def _estate_summary(
    records: Records,
    districts: gpd.GeoDataFrame,
    period_end: pd.Timestamp,
    period_start: pd.Timestamp,
) -> gpd.GeoDataFrame:
    """Estates with counts at the end of the last period (aggregated, no names)."""
    est = records.estates
    keep = [
        c
        for c in (S.ESTATE_ID, S.NAME, S.ADDRESS, S.COMUNE, S.OWNER, S.UNITS)
        if c in est
    ]
    out = gpd.GeoDataFrame(est[keep].copy(), geometry=est.geometry.values, crs=est.crs)
    occ = records.occupations
    stock = occ[
        (occ[S.DETECTED_ON] <= period_end)
        & (occ[S.ENDED_ON].isna() | (occ[S.ENDED_ON] > period_end))
    ]
    vac = records.vacancies
    vstock = vac[
        (vac[S.VACANT_SINCE] <= period_end)
        & (vac[S.ENDED_ON].isna() | (vac[S.ENDED_ON] > period_end))
    ]
    ev = records.evictions
    evs = ev[
        (ev[S.EVICTION_DATE] >= period_start)
        & (ev[S.EVICTION_DATE] <= period_end)
        & (ev[S.OUTCOME] == "executed")
    ]
    for col, table in ((S.OCCUPIED, stock), (S.VACANT, vstock), (S.EVICTIONS, evs)):
        counts = table.groupby(S.ESTATE_ID).size()
        out[col] = out[S.ESTATE_ID].map(counts).fillna(0).astype("int64")
    return out


def _protect_estates(
    estates: gpd.GeoDataFrame,
    estate_district: pd.Series,
    shared_last: pd.DataFrame,
    threshold: int,
) -> gpd.GeoDataFrame:
    """Withhold estate counts that are small or would reveal a district cell."""
    from geo_alloggi.disclosure import suppress_nested

    table = pd.DataFrame(estates.drop(columns="geometry"))
    table["_district"] = table[S.ESTATE_ID].map(estate_district)
    cols = {S.OCCUPIED: S.OCCUPIED, S.VACANT: S.VACANT, S.EVICTIONS: S.EVICTIONS}
    nested = suppress_nested(
        table, shared_last, parent_key="_district", columns=cols, threshold=threshold
    ).rename(columns={"_district": S.DISTRICT_ID})
    return gpd.GeoDataFrame(nested, geometry=estates.geometry.values, crs=estates.crs)


def _period_bounds(label: Any, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    freq = {"year": "Y", "quarter": "Q", "month": "M"}[period]
    p = pd.Period(str(label), freq=freq)
    return p.start_time, p.end_time.normalize()


def trend(panel: pd.DataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Emerging hot spots of the occupied-stock rate, or None if they cannot be had.

    Used by the patrol ranking as its trend component; without enough periods
    (or with a panel the statistics refuse) the trend scores 0 and a warning
    says why.
    """
    from geo_alloggi.stats import emerging_hotspots

    try:
        with warnings.catch_warnings():
            # weights and excluded districts are reported by the hot-spot step
            warnings.simplefilter("ignore", UserWarning)
            return emerging_hotspots(
                panel, S.OCCUPIED, districts=districts, units=S.UNITS
            )
    except ValidationError as exc:
        warnings.warn(
            f"emerging hot spots not computed ({exc}); the trend scores 0",
            UserWarning,
            stacklevel=2,
        )
        return None


@dataclass
class PriorityTables:
    """The patrol ranking, social-services table, renovation plan and back-test."""

    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    candidates: pd.DataFrame
    plan: Any
    backtest: dict[str, Any] | None
    estate_district: pd.Series
    weights: Any
    cost_model: Any
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None


def prioritise(
    records: Records,
    districts: gpd.GeoDataFrame,
    panel: pd.DataFrame,
    *,
    emerging: gpd.GeoDataFrame | None,
    budget_eur: float = DEFAULT_BUDGET_EUR,
    config_file: Path | None = None,
    lang: str = "it",
    threshold: int | None = None,
    on_step: Callable[[str], None] | None = None,
) -> PriorityTables:
    """Rank districts and estates for patrols, plan renovations, back-test the ranking.

    Parameters
    ----------
    records, districts
        As for :func:`analyse`.
    panel
        The raw district × period table of :func:`geo_alloggi.overlay.aggregate`.
    emerging
        :func:`trend` of the panel (None: the trend scores 0).
    budget_eur
        Renovation budget.
    config_file
        TOML with ``[priorities.patrol]`` weights and ``[priorities.renovation]``
        costs (defaults otherwise).
    lang, threshold
        Language of the reasons; counts below ``threshold`` are said as
        "fewer than" in them (None: shown).
    on_step
        Called with ``"renovation plan"`` and ``"back-test"`` as they start.
    """
    from geo_alloggi import priorities

    step = on_step or (lambda name: None)
    weights = (
        priorities.PatrolWeights.from_toml(config_file)
        if config_file is not None
        else priorities.PatrolWeights()
    )
    cost_model = (
        priorities.CostModel.from_toml(config_file)
        if config_file is not None
        else priorities.CostModel()
    )
    periods = sorted(panel[S.PERIOD].dropna().unique())
    last = str(periods[-1])
    estate_district = priorities.estate_districts(records.estates, districts)
    epanel = priorities.estate_panel(
        records, period=str(panel.attrs.get("period", "year"))
    )
    withheld_d = withheld_e = None
    if threshold is not None:
        withheld_d, withheld_e = _withheld_counts(
            panel, epanel, estate_district, periods, threshold
        )
    kw: dict[str, Any] = {
        "weights": weights,
        "lang": lang,
        "suppress_below": threshold,
        "emerging": emerging,
        "evictions": records.evictions,
        "estate_district": estate_district,
    }
    patrol_d = priorities.patrol_priority(panel, withheld=withheld_d, **kw)
    patrol_e = priorities.patrol_priority(
        epanel,
        period=last if last in set(epanel[S.PERIOD]) else None,
        withheld=withheld_e,
        **kw,
    )
    social = priorities.social_services(
        records.evictions,
        by=S.DISTRICT_ID,
        estate_district=estate_district,
        since=pd.Period(last).start_time,
    )
    names = districts.set_index(S.DISTRICT_ID)[S.NAME]
    social.insert(1, S.NAME, social[S.DISTRICT_ID].map(names))

    step("renovation plan")
    hot = (
        priorities.near_hot_spots(
            records.estates, districts, priorities.hot_districts(emerging)
        )
        if emerging is not None
        else None
    )
    cand = priorities.renovation_candidates(records, cost_model=cost_model, hot=hot)
    plan = priorities.renovation_plan(cand, budget_eur)

    step("back-test")
    bt = None
    if len(periods) >= 3:
        until = periods[-2]
        past = panel[panel[S.PERIOD] <= until]
        bt = priorities.backtest(
            panel,
            until=until,
            area_km2=districts,
            emerging=trend(past, districts),
            weights=weights,
        )
    return PriorityTables(
        patrol_districts=patrol_d,
        patrol_estates=patrol_e,
        social=social,
        candidates=cand,
        plan=plan,
        backtest=bt,
        estate_district=estate_district,
        weights=weights,
        cost_model=cost_model,
        withheld_districts=withheld_d,
        withheld_estates=withheld_e,
    )


def published_districts(panel: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Return the district × period table as published: suppressed, with totals.

    Parent and grand-total rows (``row_type`` ``parent`` / ``total``) are
    published in the meeting table, so the suppression accounts for them;
    every other table and layer withholds what this one withholds.
    """
    from geo_alloggi.disclosure import suppress

    raw = pd.DataFrame(panel.drop(columns="geometry", errors="ignore"))
    return suppress(raw, threshold=threshold, totals=True)


def _district_rows(published: pd.DataFrame) -> pd.DataFrame:
    """Return the district rows of :func:`published_districts`."""
    rows = published[published[S.ROW_TYPE] == "district"]
    return rows.reset_index(drop=True)


def _withheld_counts(
    panel: pd.DataFrame,
    epanel: pd.DataFrame,
    estate_district: pd.Series,
    periods: list[Any],
    threshold: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of the patrol tables withheld by the published district table.

    The district table is protected with complementary suppression; the patrol
    rankings show the same counts (districts) and counts that add up to them
    (estates), so they must withhold what it withholds, and the estates get
    their own nested suppression (:func:`geo_alloggi.disclosure.suppress_nested`).
    Returns boolean frames indexed by district id and by estate id.
    """
    from geo_alloggi.disclosure import suppress_nested, withheld

    shared = _district_rows(published_districts(panel, threshold))
    frames_d: list[pd.DataFrame] = []
    frames_e: list[pd.DataFrame] = []
    # (period, column in the patrol table, column of the district table)
    pairs = [(periods[-1], S.OCCUPIED), (periods[-1], S.NEW_OCCUPATIONS)]
    if len(periods) > 1:
        pairs.append((periods[-2], S.NEW_PREVIOUS))
    for when, col in pairs:
        source = S.NEW_OCCUPATIONS if col == S.NEW_PREVIOUS else col
        rows = shared[shared[S.PERIOD].astype(str) == str(when)]
        ids = rows[[S.DISTRICT_ID]].reset_index(drop=True)
        flags = withheld(ids, rows, key=S.DISTRICT_ID, columns={col: source})
        flags.index = ids[S.DISTRICT_ID].astype(str)
        frames_d.append(flags)
        est = epanel[epanel[S.PERIOD].astype(str) == str(when)]
        est = est[[S.ESTATE_ID, source]].reset_index(drop=True)
        est["_district"] = est[S.ESTATE_ID].map(estate_district)
        nested = suppress_nested(
            est,
            rows,
            parent_key="_district",
            columns={source: source},
            threshold=threshold,
        )
        eflags = pd.DataFrame({col: nested[source].isna().to_numpy()})
        eflags.index = est[S.ESTATE_ID].astype(str)
        frames_e.append(eflags)
    return pd.concat(frames_d, axis=1).fillna(False), pd.concat(
        frames_e, axis=1
    ).fillna(False)


def analyse(
    records: Records,
    districts: gpd.GeoDataFrame,
    *,
    settings: RunSettings | None = None,
    comuni: gpd.GeoDataFrame | None = None,
    link: bool = True,
    on_step: StepCallback | None = None,
) -> Analysis:
    """Run every analysis step on records and districts.

    Parameters
    ----------
    records
        Estates and records (:class:`~geo_alloggi._records.Records`).
    districts
        District layer in the normalised schema.
    settings
        Period, threshold, budget, language, geocoding options.
    comuni
        Comuni for the map's basemap (default: the 133 of the Città metropolitana).
    link
        Place estates and link records by address and coordinates first.
    on_step
        Progress callback ``(name, i, n)``.

    Returns
    -------
    Analysis

    Notes
    -----
    Hot spots (Gi* with FDR, latest period), global Moran's I and emerging hot
    spots (every period) are computed on the occupied-stock rate, occupied
    units over public units, smoothed with empirical Bayes: a district with
    few units does not become a hot spot by chance. Districts without public
    units are left out and reported. The back-test ranks with the records up
    to the second-last period and scores against the last.
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.stats import (
        density_surface,
        global_moran,
        hotspots,
    )

    s = settings or RunSettings()
    step = _steps(on_step, STEPS)
    notes: list[str] = []
    if link:
        step("geocoding and linking")
        records, links = link_bundle(records, s)
    else:
        links = pd.DataFrame()
    step("overlay per district and period")
    panel = aggregate(records, districts, period=s.period, start=s.start, end=s.end)
    periods = sorted(panel[S.PERIOD].dropna().unique())
    if len(periods) < 2:
        raise ValidationError(
            f"the records span {len(periods)} {s.period}(s); at least 2 are needed "
            "for change, trends and the back-test"
        )
    # the district table as published (parent and grand totals included): every
    # other table and layer withholds what it withholds
    published = published_districts(panel, s.threshold)
    shared = _district_rows(published)
    last = periods[-1]

    step("hot spots")
    latest_panel = pd.DataFrame(
        panel[panel[S.PERIOD] == last].drop(columns="geometry", errors="ignore")
    )
    latest_panel = latest_panel.drop(
        columns=[
            c
            for c in latest_panel.columns
            if c in districts.columns and c != S.DISTRICT_ID
        ]
    )
    latest = districts.merge(latest_panel, on=S.DISTRICT_ID, how="left")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hs = hotspots(latest, S.OCCUPIED, units=S.UNITS, id_column=S.DISTRICT_ID)
        moran = global_moran(
            latest, S.OCCUPIED, units=S.UNITS, id_column=S.DISTRICT_ID, seed=s.seed or 0
        )
    notes += sorted({str(w.message) for w in caught})
    latest = hs

    step("emerging hot spots")
    emerging = trend(panel, districts)
    if emerging is not None:
        emerging_cols = [c for c in emerging.columns if c != "geometry"]
        latest = latest.merge(
            pd.DataFrame(emerging[emerging_cols]),
            on=S.DISTRICT_ID,
            how="left",
            suffixes=("", "_emerging"),
        )
    # what a meeting may see of the latest period: suppressed counts and rates;
    # the raw and smoothed rates of the statistics would give withheld counts
    # back (units are public), so they stay out of the published layer
    latest = latest.drop(columns=[S.RATE, S.RATE_EB], errors="ignore")
    shown = shared[shared[S.PERIOD] == last].set_index(S.DISTRICT_ID)
    for col in (*S.PANEL_MEASURES[1:], S.SUPPRESSED):  # units are public
        if col in shown:
            latest[col] = latest[S.DISTRICT_ID].map(shown[col])

    step("density")
    start, end = _period_bounds(last, s.period)
    est = records.estates.set_index(S.ESTATE_ID).geometry
    occ = records.occupations
    ongoing = occ[
        (occ[S.DETECTED_ON] <= end) & (occ[S.ENDED_ON].isna() | (occ[S.ENDED_ON] > end))
    ]
    pts = gpd.GeoDataFrame(
        {S.RECORD_ID: ongoing[S.RECORD_ID].values},
        geometry=est.reindex(ongoing[S.ESTATE_ID]).values,
        crs=records.estates.crs,
    )
    pts = pts[pts.geometry.notna() & ~pts.geometry.is_empty]
    # only the density contours are published: hexagon counts cut across
    # districts and could give back a withheld district cell
    contours = None
    if len(pts) >= s.threshold:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            contours = density_surface(pts, area=districts, min_count=s.threshold)
        notes += sorted({str(w.message) for w in caught} - set(notes))

    step("patrol priorities")
    pri = prioritise(
        records,
        districts,
        panel,
        emerging=emerging,
        budget_eur=s.budget_eur,
        config_file=s.config_file,
        lang=s.lang,
        threshold=s.threshold,
        on_step=step,
    )

    estates = _protect_estates(
        _estate_summary(records, districts, end, start),
        pri.estate_district,
        shared[shared[S.PERIOD] == last],
        s.threshold,
    )
    return Analysis(
        settings=s,
        records=records,
        districts=districts,
        comuni=comuni
        if comuni is not None
        else load_districts("comuni", all_comuni=True),
        panel=panel,
        published=published,
        shared_panel=shared,
        latest=latest,
        estates=estates,
        contours=contours,
        patrol_districts=pri.patrol_districts,
        patrol_estates=pri.patrol_estates,
        social=pri.social,
        plan=pri.plan,
        backtest=pri.backtest,
        links=links,
        moran=moran,
        withheld_districts=pri.withheld_districts,
        withheld_estates=pri.withheld_estates,
        notes=notes,
    )


# --------------------------------------------------------------------------
# writing the bundle


def write_bundle(
    analysis: Analysis,
    out_dir: PathLike,
    *,
    inputs: Mapping[str, Any] | None = None,
    extra_files: list[Path] | None = None,
) -> list[Path]:
    """Write map, tables, GeoPackage, summary and manifest into ``out_dir``.

    Returns
    -------
    list of Path
        Every file written, manifest last.
    """
    from geo_alloggi import maps, report

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(f"out_dir {str(out)!r} is a file; give a folder")
    (out / "tables").mkdir(parents=True, exist_ok=True)
    s = analysis.settings
    written: list[Path] = []

    m = maps.meeting_map(
        analysis.latest,
        estates=analysis.estates,
        comuni=analysis.comuni,
        contours=analysis.contours,
        periods=analysis.shared_panel,
        patrol=analysis.patrol_districts,
        renovation=analysis.plan,
        lang=s.lang,
        synthetic=analysis.synthetic,
        threshold=s.threshold,
    )
    written.append(maps.save_offline(m, out / "map.html"))
    for ext in ("png", "pdf"):
        written.append(
            maps.export_static(
                analysis.latest,
                out / f"map.{ext}",
                estates=analysis.estates,
                comuni=analysis.comuni,
                threshold=s.threshold,
                lang=s.lang,
                synthetic=analysis.synthetic,
            )
        )
    written += report.write_tables(analysis, out / "tables")
    written.append(report.write_geopackage(analysis, out / "layers.gpkg"))
    written.append(report.write_summary(analysis, out / "summary.md"))
    written += list(extra_files or [])
    written.append(_write_manifest(analysis, out, written, inputs or {}))
    return written


def _write_manifest(
    analysis: Analysis, out: Path, written: list[Path], inputs: Mapping[str, Any]
) -> Path:
    from importlib.metadata import PackageNotFoundError, version

    from geo_alloggi.datasets import REGISTRY

    versions: dict[str, str | None] = {}
    for pkg in (
        "geopandas",
        "shapely",
        "pandas",
        "numpy",
        "scipy",
        "esda",
        "libpysal",
        "folium",
        "pyproj",
        "rtree",
        "rapidfuzz",
    ):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    s = analysis.settings
    manifest = {
        "generated_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "geo_alloggi": __version__,
        "python": platform.python_version(),
        "versions": versions,
        "synthetic": analysis.synthetic,
        "label": config.synthetic_label if analysis.synthetic else None,
        "seed": s.seed,
        "settings": {
            "level": s.level if s.districts_file is None else "custom",
            "period": s.period,
            "suppression_threshold": s.threshold,
            "budget_eur": s.budget_eur,
            "lang": s.lang,
        },
        "inputs": dict(inputs),
        "sources": {
            name: {
                "title": d.title,
                "publisher": d.publisher,
                "licence": d.licence,
                "url": d.url,
                "attribution": d.attribution,
            }
            for name, d in REGISTRY.items()
        },
        # SHA-256 of the byte-deterministic files; XLSX, GeoPackage, PNG and PDF
        # embed their own timestamps (their content is deterministic)
        "files": {
            str(p.relative_to(out)): sha256_file(p)
            if p.suffix in (".html", ".csv", ".md")
            else None
            for p in written
        },
    }
    path = out / "manifest.json"
    path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------
# entry points


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

    step = _steps(on_step, STEPS)
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
    _check_settings(settings)

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
    from geo_alloggi.boundaries import load_districts, read_districts
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
    _check_settings(s)
    step = _steps(on_step, STEPS)
    step("districts")
    if s.districts_file is not None:
        districts = read_districts(
            s.districts_file,
            id_column=str(s.districts_id_column),
            name_column=s.districts_name_column,
        )
    else:
        districts = load_districts(s.level, mirror=mirror)
    comuni = load_districts("comuni", mirror=mirror, all_comuni=True)
    step("records")
    files: dict[str, Any] = dict(s.records)
    bundle = read_bundle(**files, columns=s.columns or None)
    inputs: dict[str, Any] = {}
    for kind, res in bundle.results.items():
        path = Path(s.records[kind])
        inputs[kind] = {
            "file": path.name,
            "sha256": sha256_file(path),
            "rows_read": int(res.rows_read),
            "accepted": len(res.accepted),
            "quarantined": len(res.quarantine),
        }

    records = bundle.records
    if s.synthetic:
        # the files say so ([records] synthetic = true): every output is labelled
        records = dataclasses.replace(records, synthetic=True)
    analysis = analyse(records, districts, settings=s, comuni=comuni, on_step=on_step)
    quarantined = []
    for kind, res in bundle.results.items():
        if len(res.quarantine):
            from geo_alloggi.io import write_table

            folder = Path(out_dir) / "quarantine"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{kind}.csv"
            quarantined.append(write_table(res.quarantine, path, lang=s.lang))
    return write_bundle(analysis, out_dir, inputs=inputs, extra_files=quarantined)
