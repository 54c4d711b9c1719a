"""Decision support: where to patrol and what to renovate with the money available.

Two questions a coordination meeting asks of a hot-spot map:

*Where does the next patrol go?*
    :func:`patrol_priority` ranks districts (or estates) by a weighted score of
    the occupied stock, the new occupations of the latest period, their trend
    (the emerging-hotspot category of :func:`geo_alloggi.stats.emerging_hotspots`)
    and the pending evictions, and says in words why each area ranks where it
    does. Households recorded as vulnerable are not a policing matter: their
    evictions are left out of the score and listed for social services by
    :func:`social_services`.

*Which €1M of renovation money buys the most?*
    :func:`renovation_plan` chooses how many vacant units to renovate in each
    estate to maximise the risk-weighted units returned to assignment within a
    budget, exactly (mixed-integer programme solved by
    :func:`scipy.optimize.milp`), and shows the naive allocations (cheapest
    first, largest estate first) computed the same way. ``risk`` is the
    probability that a vacant unit of the estate is occupied within 12 months,
    estimated from the records by :func:`vacancy_risk`.

:func:`compare_rankings` and :func:`compare_plans` put two weightings or two
budgets side by side; :func:`backtest` measures how well a ranking built with
the records up to one period predicts the new occupations of the next one
(hit rate of the top 10% of areas and predictive accuracy index, PAI).

Every function takes tables (a panel, eviction records, an emerging-category
table, :class:`~geo_alloggi._records.Records`) and returns new tables; none
reads files or calls another analysis module.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import re
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._i18n import emerging_label, fmt_int
from geo_alloggi._records import Records
from geo_alloggi._validate import require_choice, require_columns, require_unique

__all__ = [
    "TREND_SCORES",
    "CostModel",
    "PatrolWeights",
    "RenovationPlan",
    "backtest",
    "compare_plans",
    "compare_rankings",
    "estate_districts",
    "estate_panel",
    "hot_districts",
    "near_hot_spots",
    "patrol_priority",
    "renovation_candidates",
    "renovation_plan",
    "social_services",
    "vacancy_risk",
]

log = logging.getLogger(__name__)

Lang = Literal["it", "en"]
LANGS: tuple[str, ...] = ("it", "en")

#: Score in [0, 1] of each emerging-hotspot category for the ``trend`` component.
#: Growing hot spots (new, intensifying) weigh most; persistent ones a little
#: less; fading or historical ones little; cold spots and no pattern nothing.
TREND_SCORES: dict[str, float] = {
    "New Hot Spot": 1.0,
    "Intensifying Hot Spot": 1.0,
    "Consecutive Hot Spot": 0.9,
    "Persistent Hot Spot": 0.8,
    "Sporadic Hot Spot": 0.6,
    "Oscillating Hot Spot": 0.5,
    "Diminishing Hot Spot": 0.4,
    "Historical Hot Spot": 0.2,
    "New Cold Spot": 0.0,
    "Consecutive Cold Spot": 0.0,
    "Intensifying Cold Spot": 0.0,
    "Persistent Cold Spot": 0.0,
    "Diminishing Cold Spot": 0.0,
    "Sporadic Cold Spot": 0.0,
    "Oscillating Cold Spot": 0.0,
    "Historical Cold Spot": 0.0,
    "No Pattern Detected": 0.0,
}

#: Categories that count as "in a hot spot now" for the renovation risk model.
HOT_CATEGORIES: tuple[str, ...] = tuple(
    c
    for c in S.EMERGING_CATEGORIES
    if c.endswith("Hot Spot") and c != "Historical Hot Spot"
)

#: Eviction outcomes that count as pending (still to be carried out).
PENDING_OUTCOMES: tuple[str, ...] = ("scheduled", "postponed")

#: Default pattern of vacancy reasons that a renovation fixes (case-insensitive).
MAINTENANCE_PATTERN = r"maint|manuten|ripristin|degrad|renovat|ristruttur"

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------------------
# configuration: weights and cost model
# ---------------------------------------------------------------------------


def _read_toml_section(path: PathLike, section: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputFileError(
            f"config file {os.fspath(path)!r} does not exist"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"config file {os.fspath(path)!r} is not valid TOML: {exc}"
        ) from None
    node: Any = data
    for key in section.split("."):
        if not isinstance(node, dict) or key not in node:
            return {}
        node = node[key]
    if not isinstance(node, dict):
        raise InputFileError(
            f"config file {os.fspath(path)!r}: [{section}] must be a table, "
            f"got {node!r}"
        )
    return node


def _finite_nonnegative(value: Any) -> bool:
    """Tell whether ``value`` is a finite int or float >= 0."""
    return isinstance(value, int | float) and math.isfinite(value) and value >= 0


def _reject_unknown(values: Mapping[str, Any], cls: type, what: str) -> None:
    """Raise if ``values`` has keys that are not fields of the dataclass ``cls``."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(
            f"unknown {what}(s) {unknown!r}; expected some of {sorted(known)!r}"
        )


@dataclass(frozen=True)
class PatrolWeights:
    """Weights of the four components of the patrol score.

    Each component is scaled to [0, 1] across the areas ranked together (value
    divided by the largest value; the trend is a category score), so a weight
    is the most that component can add to the score. Weights need not sum to 1.

    Parameters
    ----------
    occupied
        Occupied stock at the end of the latest period (default 0.35).
    new_occupations
        New occupations detected during the latest period (default 0.30).
    trend
        Emerging-hotspot category scored by :data:`TREND_SCORES` (default 0.20).
    evictions
        Pending (scheduled or postponed) evictions of non-vulnerable
        households: an evicted unit must be secured against re-occupation
        (default 0.15).

    Examples
    --------
    >>> PatrolWeights(trend=0.4).trend
    0.4
    """

    occupied: float = 0.35
    new_occupations: float = 0.30
    trend: float = 0.20
    evictions: float = 0.15

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in values.items():
            if not _finite_nonnegative(value):
                raise ValidationError(
                    f"PatrolWeights.{name}={value!r} must be a finite number >= 0"
                )
        if sum(values.values()) <= 0:
            raise ValidationError(
                f"PatrolWeights {values!r}: at least one weight must be > 0"
            )

    def as_dict(self) -> dict[str, float]:
        """Return the weights as a plain dict."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PatrolWeights:
        """Build from a mapping; unknown keys raise, missing keys keep their default."""
        _reject_unknown(values, cls, "patrol weight")
        return cls(**{k: float(v) for k, v in values.items()})

    @classmethod
    def from_toml(
        cls, path: PathLike, *, section: str = "priorities.patrol"
    ) -> PatrolWeights:
        """Read the weights from the ``[priorities.patrol]`` table of a TOML file.

        A missing table gives the defaults. Example::

            [priorities.patrol]
            occupied = 0.4
            new_occupations = 0.3
            trend = 0.2
            evictions = 0.1
        """
        return cls.from_mapping(_read_toml_section(path, section))


@dataclass(frozen=True)
class CostModel:
    """Renovation cost: a fixed cost per estate site plus a cost per unit.

    Parameters
    ----------
    site_eur
        Fixed cost of opening a site in an estate (design, safety plan, site
        set-up, common parts): default €60,000.
    unit_eur
        Cost of bringing one vacant unit back to assignment standard
        (systems, bathroom, fixtures): default €25,000. Used only when neither
        ``unit_overrides`` nor the records' ``renovation_cost_eur`` give a cost.
    site_overrides, unit_overrides
        Per-estate costs (``estate_id`` → euros) that win over everything else.

    Notes
    -----
    The defaults are planning assumptions of the order of the figures
    published for the 2020 Milan programme (about €132 million for units left
    empty for lack of maintenance and for neighbourhood regeneration); set
    them from the owner's own estimates. The per-unit cost of an estate is,
    in order of precedence: ``unit_overrides[estate_id]``; the mean of the
    ``renovation_cost_eur`` recorded for its candidate vacancies; ``unit_eur``.
    """

    site_eur: float = 60_000.0
    unit_eur: float = 25_000.0
    site_overrides: Mapping[str, float] = field(default_factory=dict)
    unit_overrides: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("site_eur", "unit_eur"):
            value = getattr(self, name)
            if not _finite_nonnegative(value):
                raise ValidationError(
                    f"CostModel.{name}={value!r} must be a finite number >= 0"
                )
        if self.unit_eur <= 0:
            raise ValidationError(f"CostModel.unit_eur={self.unit_eur!r} must be > 0")
        for name in ("site_overrides", "unit_overrides"):
            for key, value in getattr(self, name).items():
                ok = _finite_nonnegative(value)
                if not ok or (name == "unit_overrides" and value <= 0):
                    raise ValidationError(
                        f"CostModel.{name}[{key!r}]={value!r} must be a finite number "
                        f"{'> 0' if name == 'unit_overrides' else '>= 0'}"
                    )

    @classmethod
    def from_toml(
        cls, path: PathLike, *, section: str = "priorities.renovation"
    ) -> CostModel:
        """Read the cost model from the ``[priorities.renovation]`` TOML table.

        Example::

            [priorities.renovation]
            site_eur = 80000
            unit_eur = 30000
            [priorities.renovation.unit_overrides]
            "E-0012" = 45000
        """
        values = dict(_read_toml_section(path, section))
        _reject_unknown(values, cls, "renovation setting")
        for name in ("site_overrides", "unit_overrides"):
            if name in values:
                values[name] = {str(k): float(v) for k, v in values[name].items()}
        return cls(**values)


def _weights(weights: PatrolWeights | Mapping[str, Any] | None) -> PatrolWeights:
    if weights is None:
        return PatrolWeights()
    if isinstance(weights, PatrolWeights):
        return weights
    if isinstance(weights, Mapping):
        return PatrolWeights.from_mapping(weights)
    raise ValidationError(
        "weights must be a PatrolWeights, a mapping or None, "
        f"got {type(weights).__name__!r}"
    )


# ---------------------------------------------------------------------------
# number formatting (Italian by default)
# ---------------------------------------------------------------------------


def _fmt_int(value: float, lang: str) -> str:
    return fmt_int(round(value), lang)


def _emerging_words(category: str, lang: str) -> str:
    """Return the category for mid-sentence use ("punto caldo persistente")."""
    label = emerging_label(category, lang)
    return label.lower() if lang == "en" else label[:1].lower() + label[1:]


def _fmt_pct(value: float, lang: str) -> str:
    rounded = round(value)
    sign = "+" if rounded > 0 else ("-" if rounded < 0 else "")
    return f"{sign}{_fmt_int(abs(rounded), lang)}%"


def _period_words(periods: pd.Series) -> dict[str, str]:
    """How to say "on the previous <period>" given the panel's period values."""
    kind = "period"
    sample = periods.dropna()
    if len(sample):
        value = sample.iloc[0]
        if isinstance(value, pd.Period):
            code = value.freqstr[:1].upper()
            kind = {"Y": "year", "A": "year", "Q": "quarter", "M": "month"}.get(
                code, "period"
            )
        elif isinstance(value, int | np.integer):
            kind = "year"
        elif isinstance(value, str):
            if re.fullmatch(r"\d{4}", value):
                kind = "year"
            elif re.fullmatch(r"\d{4}-?Q\d", value):
                kind = "quarter"
            elif re.fullmatch(r"\d{4}-\d{2}", value):
                kind = "month"
    return {
        "year": {
            "it": "sull'anno precedente",
            "en": "on the previous year",
            "it0": "nessuna l'anno precedente",
            "en0": "none the previous year",
        },
        "quarter": {
            "it": "sul trimestre precedente",
            "en": "on the previous quarter",
            "it0": "nessuna il trimestre precedente",
            "en0": "none the previous quarter",
        },
        "month": {
            "it": "sul mese precedente",
            "en": "on the previous month",
            "it0": "nessuna il mese precedente",
            "en0": "none the previous month",
        },
        "period": {
            "it": "sul periodo precedente",
            "en": "on the previous period",
            "it0": "nessuna nel periodo precedente",
            "en0": "none the previous period",
        },
    }[kind]


def _count_phrase(n: float, kind: str, lang: str, suppress_below: int | None) -> str:
    """Say a count: "42 alloggi occupati", "meno di 5 sgomberi programmati"."""
    forms = {
        "it": {
            "occupied": ("alloggio occupato", "alloggi occupati"),
            "new": ("nuova occupazione", "nuove occupazioni"),
            "evictions": ("sgombero programmato", "sgomberi programmati"),
        },
        "en": {
            "occupied": ("occupied unit", "occupied units"),
            "new": ("new occupation", "new occupations"),
            "evictions": ("scheduled eviction", "scheduled evictions"),
        },
    }[lang][kind]
    n = round(n)
    if suppress_below is not None and 0 < n < suppress_below:
        lead = "meno di" if lang == "it" else "fewer than"
        return f"{lead} {_fmt_int(suppress_below, lang)} {forms[1]}"
    return f"{_fmt_int(n, lang)} {forms[0] if n == 1 else forms[1]}"


def _withheld_phrase(kind: str, lang: str) -> str:
    """Say a count withheld by disclosure control ("…: dato riservato")."""
    words = {
        "occupied": ("alloggi occupati", "occupied units"),
        "new": ("nuove occupazioni", "new occupations"),
        "evictions": ("sgomberi programmati", "scheduled evictions"),
    }[kind]
    if lang == "it":
        return f"{words[0]}: dato riservato"
    return f"{words[1]}: withheld"


def _is_suppressed(n: float, suppress_below: int | None) -> bool:
    return suppress_below is not None and 0 < round(n) < suppress_below


# ---------------------------------------------------------------------------
# per-estate panel and estate → district links
# ---------------------------------------------------------------------------


def _require_records(records: Any, argument: str = "records") -> Records:
    if not isinstance(records, Records):
        raise ValidationError(
            f"{argument} must be a geo_alloggi Records, got {type(records).__name__!r}"
        )
    return records


def _source(records: Records) -> str:
    """``"SYNTHETIC"`` for generated records, else ``""`` (as in overlay tables)."""
    return config.synthetic_label if records.synthetic else ""


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce")


def _period_label(p: pd.Period, period: str) -> str:
    """``2019``, ``2019Q3`` or ``2019-07``: the labels of the overlay tables."""
    if period == "year":
        return f"{p.year:04d}"
    if period == "quarter":
        return f"{p.year:04d}Q{p.quarter}"
    return f"{p.year:04d}-{p.month:02d}"


def _warn_unlinked(estates: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> None:
    """Warn about records whose estate id is missing or unknown (not counted)."""
    known = set(estates[S.ESTATE_ID].astype(str))
    for name, table in tables.items():
        ids = table[S.ESTATE_ID]
        bad = ids.isna() | ~ids.astype(str).isin(known)
        if bad.any():
            sample = (
                table.loc[bad, S.RECORD_ID].astype(str).tolist()[:5]
                if (S.RECORD_ID in table)
                else []
            )
            warnings.warn(
                f"{int(bad.sum())} {name} record(s) have no known estate_id and are "
                f"not counted per estate (link them first), e.g. {sample!r}",
                UserWarning,
                stacklevel=3,
            )


# Columns of :func:`estate_panel` (``source`` follows when there are records).
_ESTATE_PANEL_COLUMNS: tuple[str, ...] = (
    S.ESTATE_ID,
    S.NAME,
    S.PERIOD,
    S.UNITS,
    S.OCCUPIED,
    S.NEW_OCCUPATIONS,
    S.EVICTIONS,
    S.VACANT,
    S.OCCUPIED_PER_100,
)


def estate_panel(records: Records, *, period: str = "year") -> pd.DataFrame:
    """Count occupations, evictions and vacancies per estate × period.

    Parameters
    ----------
    records
        Canonical record tables.
    period
        ``"year"``, ``"quarter"`` or ``"month"``.

    Returns
    -------
    pandas.DataFrame
        One row per estate × period from the first to the last period with a
        dated event (detections, ends, executed evictions, vacancy starts and
        ends; scheduled evictions do not extend the span): ``estate_id``,
        ``name``, ``period`` (label ``2019``, ``2019Q3`` or ``2019-07``),
        ``units``, ``occupied`` (stock at the period's end),
        ``new_occupations`` (detected during the period), ``evictions``
        (executed during the period), ``vacant`` (stock at the period's end),
        ``occupied_per_100``, ``source`` (``"SYNTHETIC"`` for generated
        records, else empty).
        The same columns as :func:`geo_alloggi.overlay.aggregate`, per estate.

    Raises
    ------
    ValidationError
        If ``records`` is not a :class:`Records` or a table lacks a column.
    """
    records = _require_records(records)
    require_choice(period, S.PERIODS, "period")
    freq = {"year": "Y", "quarter": "Q", "month": "M"}[period]
    est = records.estates
    require_columns(est, [S.ESTATE_ID, S.UNITS], "records.estates")
    require_unique(est, S.ESTATE_ID, "records.estates")
    occ, ev, vac = records.occupations, records.evictions, records.vacancies
    require_columns(
        occ, [S.ESTATE_ID, S.DETECTED_ON, S.ENDED_ON], "records.occupations"
    )
    require_columns(ev, [S.ESTATE_ID, S.EVICTION_DATE, S.OUTCOME], "records.evictions")
    require_columns(vac, [S.ESTATE_ID, S.VACANT_SINCE, S.ENDED_ON], "records.vacancies")
    _warn_unlinked(est, {"occupations": occ, "evictions": ev, "vacancies": vac})
    detected, occ_end = _dates(occ[S.DETECTED_ON]), _dates(occ[S.ENDED_ON])
    ev_date, vac_since, vac_end = (
        _dates(ev[S.EVICTION_DATE]),
        _dates(vac[S.VACANT_SINCE]),
        _dates(vac[S.ENDED_ON]),
    )
    executed = (ev[S.OUTCOME].astype(str) == "executed").to_numpy()
    # the span of the dated events, as in overlay tables: scheduled evictions
    # lie in the future and do not open a period of their own
    all_dates = pd.concat(
        [detected, occ_end, ev_date[executed], vac_since, vac_end]
    ).dropna()
    ids = est[S.ESTATE_ID].astype(str).to_numpy()
    if all_dates.empty:
        return pd.DataFrame(columns=list(_ESTATE_PANEL_COLUMNS))
    periods = pd.period_range(all_dates.min(), all_dates.max(), freq=freq)
    occ_e = occ[S.ESTATE_ID].astype(str).to_numpy()
    ev_e = ev[S.ESTATE_ID].astype(str).to_numpy()
    vac_e = vac[S.ESTATE_ID].astype(str).to_numpy()
    rows = []
    for p in periods:
        start, end = p.start_time, p.end_time
        occupied = (detected <= end) & (occ_end.isna() | (occ_end > end))
        new = (detected >= start) & (detected <= end)
        evicted = (ev_date >= start) & (ev_date <= end) & executed
        vacant = (vac_since <= end) & (vac_end.isna() | (vac_end > end))
        frame = pd.DataFrame({S.ESTATE_ID: ids})
        for col, mask, keys in (
            (S.OCCUPIED, occupied, occ_e),
            (S.NEW_OCCUPATIONS, new, occ_e),
            (S.EVICTIONS, evicted, ev_e),
            (S.VACANT, vacant, vac_e),
        ):
            counts = pd.Series(keys[np.asarray(mask, dtype=bool)]).value_counts()
            frame[col] = frame[S.ESTATE_ID].map(counts).fillna(0).astype("int64")
        frame[S.PERIOD] = _period_label(p, period)
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    units = pd.Series(est[S.UNITS].to_numpy(), index=ids)
    out[S.UNITS] = out[S.ESTATE_ID].map(units).astype("int64")
    names = pd.Series(est[S.NAME].to_numpy(), index=ids) if S.NAME in est else None
    out[S.NAME] = out[S.ESTATE_ID].map(names) if names is not None else pd.NA
    out[S.OCCUPIED_PER_100] = (
        100.0 * out[S.OCCUPIED] / out[S.UNITS].where(out[S.UNITS] > 0)
    )
    cols = [*_ESTATE_PANEL_COLUMNS, S.SOURCE]
    out[S.SOURCE] = _source(records)
    return out[cols].sort_values([S.PERIOD, S.ESTATE_ID], ignore_index=True)


def _estate_points(estates: gpd.GeoDataFrame) -> gpd.GeoSeries:
    if not isinstance(estates, gpd.GeoDataFrame) or estates.crs is None:
        raise ValidationError(
            "estates must be a GeoDataFrame with a CRS "
            "(geo_alloggi never guesses a CRS)"
        )
    geom = estates.geometry
    placed = geom.notna() & ~geom.is_empty
    if (~placed).any():
        missing = estates.loc[~placed, S.ESTATE_ID].astype(str).tolist()
        warnings.warn(
            f"{len(missing)} estate(s) have no position and are left out of "
            f"the spatial link, e.g. {missing[:5]!r}",
            UserWarning,
            stacklevel=3,
        )
    pts = geom[placed].to_crs(config.metric_crs)
    return gpd.GeoSeries(
        pts.representative_point().to_numpy(),
        index=estates.loc[placed, S.ESTATE_ID].astype(str).to_numpy(),
        crs=config.metric_crs,
    )


def estate_districts(
    estates: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> pd.Series:
    """Return the district holding each estate (point in polygon, metric CRS).

    Parameters
    ----------
    estates
        Estates with ``estate_id`` and point (or polygon) geometry and a CRS.
    districts
        District layer with ``district_id`` and a CRS.

    Returns
    -------
    pandas.Series
        ``district_id`` indexed by ``estate_id`` (named ``district_id``); estates
        without a position or outside every district are absent (warning).

    Raises
    ------
    ValidationError, CRSError
        If a layer lacks its id column or its CRS.
    """
    require_columns(estates, [S.ESTATE_ID], "estates")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if not isinstance(districts, gpd.GeoDataFrame) or districts.crs is None:
        raise ValidationError("districts must be a GeoDataFrame with a CRS")
    pts = _estate_points(estates)
    polys = districts[[S.DISTRICT_ID, "geometry"]].to_crs(config.metric_crs)
    left = gpd.GeoDataFrame(
        {S.ESTATE_ID: pts.index}, geometry=pts.to_numpy(), crs=pts.crs
    )
    joined = gpd.sjoin(left, polys, how="left", predicate="within")
    joined = joined.sort_values([S.ESTATE_ID, S.DISTRICT_ID]).drop_duplicates(
        S.ESTATE_ID
    )
    outside = joined[joined[S.DISTRICT_ID].isna()][S.ESTATE_ID].tolist()
    if outside:
        warnings.warn(
            f"{len(outside)} estate(s) fall outside every district, "
            f"e.g. {outside[:5]!r}",
            UserWarning,
            stacklevel=2,
        )
    joined = joined.dropna(subset=[S.DISTRICT_ID])
    return pd.Series(
        joined[S.DISTRICT_ID].astype(str).to_numpy(),
        index=pd.Index(joined[S.ESTATE_ID].to_numpy(), name=S.ESTATE_ID),
        name=S.DISTRICT_ID,
    ).sort_index()


def _emerging_series(
    emerging: pd.DataFrame | pd.Series | None, id_column: str
) -> pd.Series:
    """Normalise the emerging-category input to a Series indexed by area id."""
    if emerging is None:
        return pd.Series(dtype=object)
    if isinstance(emerging, pd.DataFrame):
        require_columns(emerging, [S.EMERGING], "emerging")
        if id_column in emerging.columns:
            ser = pd.Series(
                emerging[S.EMERGING].to_numpy(),
                index=emerging[id_column].astype(str).to_numpy(),
            )
        elif S.DISTRICT_ID in emerging.columns:
            ser = pd.Series(
                emerging[S.EMERGING].to_numpy(),
                index=emerging[S.DISTRICT_ID].astype(str).to_numpy(),
            )
        else:
            ser = emerging[S.EMERGING].copy()
            ser.index = ser.index.astype(str)
    elif isinstance(emerging, pd.Series):
        ser = emerging.copy()
        ser.index = ser.index.astype(str)
    else:
        raise ValidationError(
            "emerging must be a DataFrame, a Series or None, "
            f"got {type(emerging).__name__!r}"
        )
    ser = ser.dropna().astype(str)
    bad = sorted(set(ser) - set(S.EMERGING_CATEGORIES))
    if bad:
        raise ValidationError(
            f"emerging holds unknown categories {bad[:5]!r}; expected values of "
            f"_schema.EMERGING_CATEGORIES such as 'Persistent Hot Spot'"
        )
    if ser.index.duplicated().any():
        dup = sorted(ser.index[ser.index.duplicated()].unique())[:5]
        raise ValidationError(f"emerging has duplicated area ids {dup!r}")
    return ser


def hot_districts(emerging: pd.DataFrame | pd.Series) -> pd.Series:
    """Flag the areas whose emerging category is a current hot spot.

    Parameters
    ----------
    emerging
        Output of :func:`geo_alloggi.stats.emerging_hotspots` (``district_id``
        and ``emerging_category``) or a Series of categories indexed by id.

    Returns
    -------
    pandas.Series
        Boolean, indexed by area id: True for the categories in
        :data:`HOT_CATEGORIES` (every hot-spot category but "Historical").
    """
    ser = _emerging_series(emerging, S.DISTRICT_ID)
    return ser.isin(HOT_CATEGORIES).rename("hot")


def near_hot_spots(
    estates: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    hot: pd.Series,
    *,
    distance_m: float = 500.0,
) -> pd.Series:
    """Flag estates lying in, or within ``distance_m`` of, a hot district.

    Parameters
    ----------
    estates
        Estates with ``estate_id``, geometry and CRS.
    districts
        District layer with ``district_id``, geometry and CRS.
    hot
        Boolean Series indexed by ``district_id`` (e.g. :func:`hot_districts`
        or ``districts.set_index("district_id").hotspot > 0``).
    distance_m
        Distance in metres, measured in :data:`geo_alloggi.config.metric_crs`.

    Returns
    -------
    pandas.Series
        Boolean indexed by ``estate_id`` (every estate; unplaced ones False).
    """
    require_columns(estates, [S.ESTATE_ID], "estates")
    require_columns(districts, [S.DISTRICT_ID], "districts")
    if not isinstance(districts, gpd.GeoDataFrame) or districts.crs is None:
        raise ValidationError("districts must be a GeoDataFrame with a CRS")
    if not math.isfinite(distance_m) or distance_m < 0:
        raise ValidationError(f"distance_m={distance_m!r} must be a finite number >= 0")
    flags = pd.Series(hot).astype(bool)
    flags.index = flags.index.astype(str)
    out = pd.Series(
        False, index=pd.Index(estates[S.ESTATE_ID].astype(str), name=S.ESTATE_ID)
    )
    ids = districts[S.DISTRICT_ID].astype(str)
    hot_polys = districts[ids.map(flags).fillna(False).astype(bool).to_numpy()]
    if hot_polys.empty:
        return out.rename("near_hot_spot")
    pts = _estate_points(estates)
    union = hot_polys.to_crs(config.metric_crs).geometry.union_all()
    near = pts.distance(union) <= distance_m
    out.loc[near.index[near.to_numpy()]] = True
    return out.rename("near_hot_spot")


# ---------------------------------------------------------------------------
# patrol priority
# ---------------------------------------------------------------------------

PRIORITY_SCORE = S.PRIORITY_SCORE
PRIORITY_RANK = S.PRIORITY_RANK
PRIORITY_REASONS = S.PRIORITY_REASONS
NEW_PREVIOUS = S.NEW_PREVIOUS
NEW_CHANGE_PCT = S.NEW_CHANGE_PCT
PENDING_EVICTIONS = S.SCHEDULED_EVICTIONS
TREND_SCORE = S.TREND_SCORE
VULNERABLE_PENDING = S.VULNERABLE_SCHEDULED
VULNERABLE_EXECUTED = S.VULNERABLE_EXECUTED


def _id_column(panel: pd.DataFrame, id_column: str | None) -> str:
    if id_column is not None:
        require_columns(panel, [id_column], "panel")
        return id_column
    for col in (S.DISTRICT_ID, S.ESTATE_ID):
        if col in panel.columns:
            return col
    raise ValidationError(
        f"panel needs a 'district_id' or 'estate_id' column; columns present: "
        f"{list(map(str, panel.columns))!r}"
    )


def _area_ids_of_evictions(
    evictions: pd.DataFrame, id_column: str, estate_district: pd.Series | None
) -> pd.Series:
    if id_column in evictions.columns:
        return evictions[id_column].astype(str)
    if id_column == S.DISTRICT_ID:
        if estate_district is None:
            raise ValidationError(
                "evictions have no 'district_id' column: pass estate_district "
                "(estate_id -> district_id, see estate_districts()) to rank districts"
            )
        require_columns(evictions, [S.ESTATE_ID], "evictions")
        mapping = pd.Series(estate_district)
        mapping.index = mapping.index.astype(str)
        return evictions[S.ESTATE_ID].astype(str).map(mapping.astype(str))
    raise ValidationError(f"evictions have no {id_column!r} column")


def _pending_mask(evictions: pd.DataFrame, since: pd.Timestamp | None) -> pd.Series:
    require_columns(evictions, [S.OUTCOME, S.EVICTION_DATE, S.VULNERABLE], "evictions")
    pending = evictions[S.OUTCOME].astype(str).isin(PENDING_OUTCOMES)
    if since is not None:
        pending &= _dates(evictions[S.EVICTION_DATE]) >= since
    return pending


def _vulnerable(evictions: pd.DataFrame) -> pd.Series:
    v = evictions[S.VULNERABLE]
    if v.dtype == bool:
        return v
    text = v.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "yes", "si", "sì", "vero"])


def _period_start(value: Any) -> pd.Timestamp | None:
    if isinstance(value, pd.Period):
        return value.start_time
    if isinstance(value, int | np.integer):
        return pd.Timestamp(int(value), 1, 1)
    if isinstance(value, pd.Timestamp):
        return value
    try:
        return pd.Period(str(value)).start_time
    except (ValueError, TypeError):
        return None


def patrol_priority(
    panel: pd.DataFrame,
    *,
    emerging: pd.DataFrame | pd.Series | None = None,
    evictions: pd.DataFrame | None = None,
    estate_district: pd.Series | None = None,
    weights: PatrolWeights | Mapping[str, Any] | None = None,
    period: Any = None,
    id_column: str | None = None,
    lang: Lang = "it",
    suppress_below: int | None = None,
    withheld: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank areas (districts or estates) for patrols and say why, in words.

    Parameters
    ----------
    panel
        One row per area × period with ``occupied`` (stock at the period's
        end) and ``new_occupations``: :func:`geo_alloggi.overlay.aggregate` for
        districts, :func:`estate_panel` for estates. A ``name`` column is kept.
    emerging
        Emerging-hotspot category per area (a frame with the area id and
        ``emerging_category``, or a Series indexed by id). For an estate panel
        a district-level table is accepted together with ``estate_district``
        (each estate takes its district's category). None: trend scores 0.
    evictions
        Eviction records (``estate_id`` or the area id, ``date``, ``outcome``,
        ``vulnerable``). Pending evictions (outcome ``scheduled`` or
        ``postponed``, dated on or after the start of the ranked period) of
        households **not** recorded as vulnerable enter the score; vulnerable
        ones never do (see :func:`social_services`).
    estate_district
        ``estate_id`` → ``district_id`` (see :func:`estate_districts`); needed
        to place evictions (district panel) or categories (estate panel).
    weights
        :class:`PatrolWeights` or a mapping of its fields; None: defaults.
    period
        The period to rank (a value of ``panel["period"]``); default the last.
    id_column
        Area id column; default ``district_id`` if present, else ``estate_id``.
    lang
        Language of the reasons: ``"it"`` (default, Italian number format)
        or ``"en"``.
    suppress_below
        If set, counts from 1 to ``suppress_below - 1`` are written
        "meno di N" in the reasons (and percentages built on them omitted),
        for tables shown at meetings.
    withheld
        Cells withheld by disclosure control elsewhere (complementary
        suppression in the published district table): a boolean frame indexed
        by area id with columns among ``occupied``, ``new_occupations``,
        ``new_occupations_previous``, ``scheduled_evictions``. The reasons then
        say "dato riservato" instead of the number (and no percentage built on
        it); the score still uses the records.

    Returns
    -------
    pandas.DataFrame
        One row per area, best first: ``rank`` (1 = patrol first), the id,
        ``name`` when given, ``period``, ``priority_score`` (0 to the sum of
        the weights), ``occupied``, ``new_occupations``,
        ``new_occupations_previous``, ``new_occupations_change_pct`` (NaN when
        there was none before), ``emerging_category``, ``trend_score``,
        ``scheduled_evictions`` (non-vulnerable, pending), one
        ``score_<component>`` column per weighted component, and ``reasons``:
        the components that contribute, largest contribution first, e.g.
        "punto caldo persistente; 13 nuove occupazioni (+18% sull'anno
        precedente); 42 alloggi occupati"; ``source`` when the panel has it
        (``"SYNTHETIC"`` for generated records).

    Raises
    ------
    ValidationError
        On a missing column, an unknown period, category or language, or
        negative weights.

    Notes
    -----
    Score = Σ weight × component, each component in [0, 1]: count components
    are divided by their largest value among the areas ranked; the trend
    component is :data:`TREND_SCORES` of the emerging category. Ties are broken
    by area id, so the ranking is deterministic.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "district_id": ["A", "B", "A", "B"], "period": [2020, 2020, 2021, 2021],
    ...     "occupied": [40, 10, 42, 12], "new_occupations": [11, 2, 13, 3]})
    >>> ranked = patrol_priority(
    ...     panel, emerging=pd.Series({"A": "Persistent Hot Spot"}))
    >>> for part in ranked.loc[0, "reasons"].split("; "):
    ...     print(part)
    42 alloggi occupati
    13 nuove occupazioni (+18% sull'anno precedente)
    punto caldo persistente
    """
    require_choice(lang, LANGS, "lang")
    w = _weights(weights)
    idc = _id_column(panel, id_column)
    require_columns(panel, [S.PERIOD, S.OCCUPIED, S.NEW_OCCUPATIONS], "panel")
    if suppress_below is not None and suppress_below < 1:
        raise ValidationError(f"suppress_below={suppress_below!r} must be >= 1 or None")
    data = panel.copy()
    data[idc] = data[idc].astype(str)
    periods = sorted(data[S.PERIOD].dropna().unique())
    if not periods:
        raise ValidationError("panel has no period values")
    if period is None:
        period = periods[-1]
    elif period not in set(periods):
        raise ValidationError(
            f"period={period!r} is not in panel['period']; available: {periods[-5:]!r}"
        )
    before = [p for p in periods if p < period]
    prev = before[-1] if before else None
    for col in (S.OCCUPIED, S.NEW_OCCUPATIONS):
        bad = data[col].isna() | (pd.to_numeric(data[col], errors="coerce") < 0)
        if bad.any():
            warnings.warn(
                f"panel[{col!r}] has {int(bad.sum())} missing or negative value(s), "
                f"counted as 0",
                UserWarning,
                stacklevel=2,
            )
        data[col] = pd.to_numeric(data[col], errors="coerce").fillna(0).clip(lower=0)
    current = data[data[S.PERIOD] == period]
    require_unique(current, idc, "panel (rows of the ranked period)")
    out = pd.DataFrame({idc: current[idc].to_numpy()})
    if S.NAME in current.columns:
        out[S.NAME] = current[S.NAME].to_numpy()
    out[S.PERIOD] = period
    out[S.OCCUPIED] = current[S.OCCUPIED].to_numpy().astype("int64")
    out[S.NEW_OCCUPATIONS] = current[S.NEW_OCCUPATIONS].to_numpy().astype("int64")
    if prev is not None:
        prev_counts = data[data[S.PERIOD] == prev].groupby(idc)[S.NEW_OCCUPATIONS].sum()
        out[NEW_PREVIOUS] = out[idc].map(prev_counts).fillna(0).astype("int64")
        base = out[NEW_PREVIOUS].where(out[NEW_PREVIOUS] > 0)
        out[NEW_CHANGE_PCT] = 100.0 * (out[S.NEW_OCCUPATIONS] - base) / base
    else:
        out[NEW_PREVIOUS] = pd.array([pd.NA] * len(out), dtype="Int64")
        out[NEW_CHANGE_PCT] = np.nan

    # trend (emerging category)
    cats = _emerging_series(emerging, idc)
    if len(cats) and idc == S.ESTATE_ID and not cats.index.isin(out[idc]).any():
        if estate_district is None:
            raise ValidationError(
                "emerging is indexed by district but the panel is per estate: pass "
                "estate_district (estate_id -> district_id)"
            )
        mapping = pd.Series(estate_district)
        mapping.index = mapping.index.astype(str)
        cats = out[idc].map(mapping.astype(str)).map(cats).set_axis(out[idc].to_numpy())
    out[S.EMERGING] = out[idc].map(cats) if len(cats) else None
    out[TREND_SCORE] = out[S.EMERGING].map(TREND_SCORES).fillna(0.0).astype(float)
    if emerging is None and w.trend > 0:
        log.info(
            "no emerging categories given: the trend component scores 0 everywhere"
        )

    # pending evictions of non-vulnerable households
    if evictions is not None:
        since = _period_start(period)
        pending = _pending_mask(evictions, since) & ~_vulnerable(evictions)
        area = _area_ids_of_evictions(evictions, idc, estate_district)
        counts = area[pending.to_numpy()].value_counts()
        out[PENDING_EVICTIONS] = out[idc].map(counts).fillna(0).astype("int64")
    else:
        out[PENDING_EVICTIONS] = 0

    def scaled(col: str) -> pd.Series:
        top = float(out[col].max()) if len(out) else 0.0
        return out[col] / top if top > 0 else out[col] * 0.0

    components = {
        "occupied": scaled(S.OCCUPIED),
        "new_occupations": scaled(S.NEW_OCCUPATIONS),
        "trend": out[TREND_SCORE],
        "evictions": scaled(PENDING_EVICTIONS),
    }
    wd = w.as_dict()
    for name, comp in components.items():
        out[f"score_{name}"] = wd[name] * comp.astype(float)
    out[PRIORITY_SCORE] = sum(out[f"score_{n}"] for n in components)
    out = out.sort_values(
        [PRIORITY_SCORE, idc], ascending=[False, True], ignore_index=True
    )
    out.insert(0, PRIORITY_RANK, np.arange(1, len(out) + 1))
    words = _period_words(data[S.PERIOD])
    hidden: dict[str, set[str]] = {}
    if withheld is not None:
        for area, flags in withheld.astype(bool).iterrows():
            hidden[str(area)] = {c for c, v in flags.items() if v}
    out[PRIORITY_REASONS] = [
        _reasons(row, words, lang, suppress_below, hidden.get(str(row[idc]), set()))
        for row in out.to_dict("records")
    ]
    if S.SOURCE in current.columns:
        sources = current.set_index(idc)[S.SOURCE].astype("string").fillna("")
        out[S.SOURCE] = out[idc].map(sources).astype(str)
    return out


def _reasons(
    row: dict[str, Any],
    words: dict[str, str],
    lang: str,
    suppress_below: int | None,
    hidden: set[str] = frozenset(),  # type: ignore[assignment]
) -> str:
    """Join the components that raise the score, largest contribution first.

    A count named in ``hidden`` is said as withheld, never as a number.
    """

    def count(n: float, kind: str, column: str) -> str:
        if column in hidden:
            return _withheld_phrase(kind, lang)
        return _count_phrase(n, kind, lang, suppress_below)

    parts: list[tuple[float, int, str]] = []
    cat = row.get(S.EMERGING)
    if isinstance(cat, str) and cat != "No Pattern Detected":
        parts.append((row["score_trend"], 0, _emerging_words(cat, lang)))
    new, prev = row[S.NEW_OCCUPATIONS], row[NEW_PREVIOUS]
    if new > 0:
        text = count(new, "new", S.NEW_OCCUPATIONS)
        if (
            prev is not None
            and not pd.isna(prev)
            and not (
                _is_suppressed(new, suppress_below)
                or _is_suppressed(prev, suppress_below)
                or {S.NEW_OCCUPATIONS, NEW_PREVIOUS} & hidden
            )
        ):
            if prev > 0:
                text += f" ({_fmt_pct(row[NEW_CHANGE_PCT], lang)} {words[lang]})"
            else:
                text += f" ({words[lang + '0']})"
        parts.append((row["score_new_occupations"], 1, text))
    if row[S.OCCUPIED] > 0:
        parts.append(
            (
                row["score_occupied"],
                2,
                count(row[S.OCCUPIED], "occupied", S.OCCUPIED),
            )
        )
    if row[PENDING_EVICTIONS] > 0:
        parts.append(
            (
                row["score_evictions"],
                3,
                count(row[PENDING_EVICTIONS], "evictions", PENDING_EVICTIONS),
            )
        )
    if not parts:
        return "nessun segnale" if lang == "it" else "no signal"
    parts.sort(key=lambda t: (-t[0], t[1]))
    return "; ".join(p[2] for p in parts)


def social_services(
    evictions: pd.DataFrame,
    *,
    by: str = S.ESTATE_ID,
    estate_district: pd.Series | None = None,
    since: Any = None,
) -> pd.DataFrame:
    """Aggregate the evictions of vulnerable households for social services.

    These households are left out of the patrol score; this table lets social
    services plan support instead. No unit or record ids are returned.

    Parameters
    ----------
    evictions
        Eviction records with ``estate_id``, ``date``, ``outcome``,
        ``vulnerable``.
    by
        ``"estate_id"`` or ``"district_id"`` (the latter needs the column or
        ``estate_district``).
    estate_district
        ``estate_id`` → ``district_id`` mapping.
    since
        Count only evictions dated on or after this date (pending and executed);
        None: all.

    Returns
    -------
    pandas.DataFrame
        One row per area with at least one vulnerable household:
        ``vulnerable_scheduled`` (pending: scheduled or postponed),
        ``vulnerable_executed``, sorted by pending count then id; ``source``
        when the records have it (``"SYNTHETIC"`` for generated records).
    """
    require_choice(by, (S.ESTATE_ID, S.DISTRICT_ID), "by")
    require_columns(evictions, [S.OUTCOME, S.EVICTION_DATE, S.VULNERABLE], "evictions")
    area = _area_ids_of_evictions(evictions, by, estate_district)
    vuln = _vulnerable(evictions).to_numpy()
    keep = vuln & area.notna().to_numpy()
    if since is not None:
        keep &= (_dates(evictions[S.EVICTION_DATE]) >= pd.Timestamp(since)).to_numpy()
    outcome = evictions[S.OUTCOME].astype(str).to_numpy()
    frame = pd.DataFrame(
        {
            by: area.to_numpy()[keep],
            VULNERABLE_PENDING: np.isin(outcome[keep], PENDING_OUTCOMES).astype(
                "int64"
            ),
            VULNERABLE_EXECUTED: (outcome[keep] == "executed").astype("int64"),
        }
    )
    out = frame.groupby(by, as_index=False)[
        [VULNERABLE_PENDING, VULNERABLE_EXECUTED]
    ].sum()
    out = out[(out[VULNERABLE_PENDING] + out[VULNERABLE_EXECUTED]) > 0]
    if S.SOURCE in evictions.columns:
        synthetic = (evictions[S.SOURCE].astype(str) == config.synthetic_label).any()
        out[S.SOURCE] = config.synthetic_label if synthetic else ""
    return out.sort_values(
        [VULNERABLE_PENDING, by], ascending=[False, True], ignore_index=True
    )


def compare_rankings(
    panel: pd.DataFrame,
    weightings: Mapping[str, PatrolWeights | Mapping[str, Any]],
    **kwargs: Any,
) -> pd.DataFrame:
    """Rank the same areas under several weightings, side by side.

    Parameters
    ----------
    panel
        As for :func:`patrol_priority`.
    weightings
        Scenario name → weights (at least one).
    **kwargs
        Passed to :func:`patrol_priority` (``emerging``, ``evictions``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per area: the id, ``rank_<scenario>`` and
        ``priority_score_<scenario>`` for each scenario, and with two or more
        scenarios ``rank_change`` (rank in the first minus rank in the last),
        sorted by the first scenario's rank.
    """
    if not weightings:
        raise ValidationError("weightings must name at least one scenario")
    idc = _id_column(panel, kwargs.get("id_column"))
    merged: pd.DataFrame | None = None
    names = list(weightings)
    for name in names:
        ranked = patrol_priority(panel, weights=weightings[name], **kwargs)
        part = ranked[[idc, PRIORITY_RANK, PRIORITY_SCORE]].rename(
            columns={
                PRIORITY_RANK: f"rank_{name}",
                PRIORITY_SCORE: f"priority_score_{name}",
            }
        )
        merged = part if merged is None else merged.merge(part, on=idc, how="outer")
    assert merged is not None
    if len(names) > 1:
        merged["rank_change"] = merged[f"rank_{names[0]}"] - merged[f"rank_{names[-1]}"]
    return merged.sort_values([f"rank_{names[0]}", idc], ignore_index=True)


# ---------------------------------------------------------------------------
# back-test
# ---------------------------------------------------------------------------


def backtest(
    panel: pd.DataFrame,
    *,
    until: Any,
    area_km2: pd.Series | pd.DataFrame | None = None,
    top_share: float = 0.10,
    **kwargs: Any,
) -> dict[str, Any]:
    """Measure how well a ranking predicts the next period's new occupations.

    Parameters
    ----------
    panel
        As for :func:`patrol_priority`, covering at least ``until`` and the
        period after it.
    until
        The last period (a value of ``panel["period"]``) the ranking may see.
        Rows after it are used only as the outcome.
    area_km2
        Area of each area in km² (Series by id, or a frame with the id and
        ``area_km2`` such as a district layer); None: PAI is not computed.
    top_share
        Share of areas flagged (top of the ranking), default 10%; at least one.
    **kwargs
        Passed to :func:`patrol_priority`. ``emerging`` must itself be computed
        from periods up to ``until`` only, and ``evictions`` should hold only
        what was known then, or the back-test peeks at the future.

    Returns
    -------
    dict
        ``until``, ``next_period``, ``areas``, ``top_n``, ``hits`` (new
        occupations of the next period in the flagged areas), ``total``,
        ``hit_rate`` (hits / total), ``area_share`` (flagged km² / all km²),
        ``pai`` (hit_rate / area_share), ``top_ids`` and ``synthetic``
        (the panel's ``source`` says SYNTHETIC).

    Notes
    -----
    PAI (predictive accuracy index, Chainey et al. 2008) above 1 means the
    flagged areas hold more of the next period's occupations than their share
    of the territory; the hit rate alone rewards flagging big areas.
    """
    if not 0 < top_share <= 1:
        raise ValidationError(f"top_share={top_share!r} must be in (0, 1]")
    idc = _id_column(panel, kwargs.get("id_column"))
    require_columns(panel, [S.PERIOD, S.NEW_OCCUPATIONS], "panel")
    periods = sorted(panel[S.PERIOD].dropna().unique())
    if until not in set(periods):
        raise ValidationError(f"until={until!r} is not in panel['period']")
    after = [p for p in periods if p > until]
    if not after:
        raise ValidationError(f"until={until!r} is the last period: nothing to predict")
    nxt = after[0]
    past = panel[panel[S.PERIOD] <= until]
    ranked = patrol_priority(past, period=until, **kwargs)
    n_top = max(1, math.ceil(top_share * len(ranked)))
    top = ranked[idc].head(n_top).tolist()
    future = panel[panel[S.PERIOD] == nxt]
    outcome = future.groupby(future[idc].astype(str))[S.NEW_OCCUPATIONS].sum()
    total = float(outcome.sum())
    hits = float(outcome.reindex(top).fillna(0).sum())
    hit_rate = hits / total if total > 0 else float("nan")
    area_share = float("nan")
    if area_km2 is not None:
        if isinstance(area_km2, pd.DataFrame):
            require_columns(area_km2, [idc, S.AREA_KM2], "area_km2")
            areas = pd.Series(
                area_km2[S.AREA_KM2].to_numpy(),
                index=area_km2[idc].astype(str).to_numpy(),
            )
        else:
            areas = pd.Series(area_km2).copy()
            areas.index = areas.index.astype(str)
        ranked_areas = areas.reindex(ranked[idc])
        if ranked_areas.isna().any():
            miss = ranked[idc][ranked_areas.isna().to_numpy()].tolist()[:5]
            raise ValidationError(f"area_km2 lacks the area of {miss!r}")
        area_share = float(ranked_areas.loc[top].sum() / ranked_areas.sum())
    pai = hit_rate / area_share if area_share and area_share > 0 else float("nan")
    return {
        "until": until,
        "next_period": nxt,
        "areas": len(ranked),
        "top_n": n_top,
        "hits": hits,
        "total": total,
        "hit_rate": hit_rate,
        "area_share": area_share,
        "pai": pai,
        "top_ids": top,
        "synthetic": bool(
            S.SOURCE in panel.columns
            and (panel[S.SOURCE].astype(str) == config.synthetic_label).any()
        ),
    }


# ---------------------------------------------------------------------------
# renovation: risk model, candidates, exact plan, naive plans
# ---------------------------------------------------------------------------

RISK = S.RISK
SELECTED = S.SELECTED
UNITS_CHOSEN = S.UNITS_CHOSEN
COST_EUR = S.COST_EUR
UNIT_COST_EUR = S.UNIT_COST_EUR
SITE_COST_EUR = S.SITE_COST_EUR
RISK_WEIGHTED = S.RISK_WEIGHTED
METHODS: tuple[str, ...] = ("optimal", "cheapest_first", "largest_first")


def _as_of(records: Records, as_of: Any) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    dates = pd.concat(
        [
            _dates(records.occupations[S.DETECTED_ON]),
            _dates(records.vacancies[S.VACANT_SINCE]),
            _dates(records.vacancies[S.ENDED_ON]),
            _dates(records.evictions[S.EVICTION_DATE]),
        ]
    ).dropna()
    if dates.empty:
        raise ValidationError("records hold no dates: pass as_of explicitly")
    return dates.max()


def vacancy_risk(
    records: Records,
    *,
    as_of: Any = None,
    hot: pd.Series | None = None,
    horizon_days: int = 365,
) -> pd.DataFrame:
    """Estimate per estate the probability that a vacant unit is occupied in 12 months.

    Parameters
    ----------
    records
        Canonical records (estates, vacancies, occupations).
    as_of
        Date of the estimate; only records known by then are used. Default:
        the latest date in the records.
    hot
        Boolean Series by ``estate_id``: estate in or near a hot spot (see
        :func:`near_hot_spots`). None: one stratum for all estates.
    horizon_days
        Length of the window after a vacancy starts (default 365).

    Returns
    -------
    pandas.DataFrame
        One row per estate: ``estate_id``, ``hot``, ``vacancies_observed``
        (vacancies that began at least ``horizon_days`` before ``as_of``),
        ``occupied_within`` (of those, units with an occupation detected within
        the window), ``raw_rate``, ``prior_rate`` (pooled rate of the estate's
        stratum), ``prior_strength`` and ``risk`` (posterior mean).

    Notes
    -----
    Empirical-Bayes beta-binomial model. For estate *e* with *n* observed
    vacancies of which *k* were occupied within the window, the risk is
    ``(k + m·s) / (n + s)``: *m* is the pooled rate of the estate's stratum
    (in or near a hot spot, or not; the whole city when a stratum has no
    observations), ``(Σk + ½) / (Σn + 1)`` (Jeffreys), so estates near hot
    spots start from their own, higher, observed rate and no rate is exactly
    zero; *s* is the prior strength, from the method of moments
    across estates: between-estate variance τ² = max(v − m(1−m)·K/N, ε), with
    *v* the unit-weighted variance of the raw rates, *K* estates and *N*
    vacancies, and ``s = m(1−m)/τ² − 1`` clipped to [1, 1000]. Estates with
    no history get the prior rate; estates with a long one keep close to
    their own rate. A vacancy is linked to an occupation by
    ``(estate_id, unit_id)``.
    """
    records = _require_records(records)
    when = _as_of(records, as_of)
    est_ids = records.estates[S.ESTATE_ID].astype(str)
    vac = records.vacancies
    occ = records.occupations
    require_columns(vac, [S.ESTATE_ID, S.UNIT_ID, S.VACANT_SINCE], "records.vacancies")
    require_columns(occ, [S.ESTATE_ID, S.UNIT_ID, S.DETECTED_ON], "records.occupations")
    horizon = pd.Timedelta(days=horizon_days)
    since = _dates(vac[S.VACANT_SINCE])
    observed = since.notna() & (since + horizon <= when)
    v = pd.DataFrame(
        {
            "k": np.arange(len(vac)),
            S.ESTATE_ID: vac[S.ESTATE_ID].astype(str).to_numpy(),
            S.UNIT_ID: vac[S.UNIT_ID].astype(str).to_numpy(),
            "since": since.to_numpy(),
        }
    )[observed.to_numpy()]
    o = pd.DataFrame(
        {
            S.ESTATE_ID: occ[S.ESTATE_ID].astype(str).to_numpy(),
            S.UNIT_ID: occ[S.UNIT_ID].astype(str).to_numpy(),
            "detected": _dates(occ[S.DETECTED_ON]).to_numpy(),
        }
    )
    o = o[o["detected"].notna() & (o["detected"] <= when)]
    pairs = v.merge(o, on=[S.ESTATE_ID, S.UNIT_ID], how="inner")
    inside = (pairs["detected"] >= pairs["since"]) & (
        pairs["detected"] <= pairs["since"] + horizon
    )
    hit_rows = set(pairs.loc[inside, "k"])
    v["hit"] = v["k"].isin(hit_rows).astype("int64")
    per = v.groupby(S.ESTATE_ID)["hit"].agg(["size", "sum"])
    out = pd.DataFrame({S.ESTATE_ID: est_ids.to_numpy()})
    out["vacancies_observed"] = (
        out[S.ESTATE_ID].map(per["size"]).fillna(0).astype("int64")
    )
    out["occupied_within"] = out[S.ESTATE_ID].map(per["sum"]).fillna(0).astype("int64")
    if hot is None:
        out["hot"] = False
    else:
        flags = pd.Series(hot).astype(bool)
        flags.index = flags.index.astype(str)
        out["hot"] = out[S.ESTATE_ID].map(flags).fillna(False).astype(bool)
    n = out["vacancies_observed"].to_numpy(float)
    k = out["occupied_within"].to_numpy(float)
    total_n = n.sum()
    if total_n == 0:
        warnings.warn(
            f"no vacancy began at least {horizon_days} days before {when.date()}: "
            f"risk cannot be estimated from the records and is set to 0",
            UserWarning,
            stacklevel=2,
        )
        out["raw_rate"] = np.nan
        out["prior_rate"] = 0.0
        out["prior_strength"] = np.nan
        out[RISK] = 0.0
        return out
    # pooled rates with Jeffreys' half-count, so that a stratum where no
    # vacancy was ever occupied still gets a small positive rate
    city = (k.sum() + 0.5) / (total_n + 1.0)
    prior = np.full(len(out), city)
    for flag in (True, False):
        mask = out["hot"].to_numpy() == flag
        if n[mask].sum() > 0:
            prior[mask] = (k[mask].sum() + 0.5) / (n[mask].sum() + 1.0)
    has = n > 0
    raw = np.where(has, k / np.where(has, n, 1), np.nan)
    m = np.clip(prior, 1e-6, 1 - 1e-6)
    # unit-weighted variance of raw rates around each estate's own prior mean
    var = float(np.sum(n[has] * (raw[has] - m[has]) ** 2) / total_n)
    binomial = float(np.sum(n[has] * m[has] * (1 - m[has]) / n[has]) / total_n)
    tau2 = max(var - binomial, 1e-6)
    mean_m = float(np.sum(n[has] * m[has]) / total_n)
    strength = float(np.clip(mean_m * (1 - mean_m) / tau2 - 1.0, 1.0, 1000.0))
    out["raw_rate"] = raw
    out["prior_rate"] = prior
    out["prior_strength"] = strength
    out[RISK] = (k + prior * strength) / (n + strength)
    return out


def _candidate_vacancies(
    vacancies: pd.DataFrame, when: pd.Timestamp, reason_pattern: str | None
) -> pd.Series:
    since = _dates(vacancies[S.VACANT_SINCE])
    end = (
        _dates(vacancies[S.ENDED_ON]) if S.ENDED_ON in vacancies else pd.Series(pd.NaT)
    )
    open_ = (since <= when) & (end.isna() | (end > when))
    if reason_pattern is not None and S.REASON in vacancies.columns:
        reason = vacancies[S.REASON].astype("string").fillna("")
        open_ &= reason.str.contains(reason_pattern, case=False, regex=True).to_numpy()
    return open_


def renovation_candidates(
    records: Records,
    *,
    as_of: Any = None,
    cost_model: CostModel | None = None,
    risk: pd.Series | float | None = None,
    hot: pd.Series | None = None,
    reason_pattern: str | None = MAINTENANCE_PATTERN,
) -> pd.DataFrame:
    """One row per estate with vacant units that renovation would return to assignment.

    Parameters
    ----------
    records
        Canonical records.
    as_of
        Date of the plan (default: the latest date in the records). A vacancy
        is a candidate if it began by then and had not ended.
    cost_model
        :class:`CostModel`; None: defaults.
    risk
        Probability that a vacant unit is occupied within 12 months: a Series
        by ``estate_id``, one number for all, or None to estimate it with
        :func:`vacancy_risk` (``hot`` passed through).
    hot
        Estates in or near hot spots, for :func:`vacancy_risk`.
    reason_pattern
        Case-insensitive regular expression on the vacancy ``reason``: by
        default vacancies for lack of maintenance (English or Italian wording);
        None keeps every vacancy.

    Returns
    -------
    pandas.DataFrame
        ``estate_id``, ``name``, ``units`` (candidate vacant units),
        ``unit_cost_eur``, ``site_cost_eur``, ``risk``, ``source``
        (``"SYNTHETIC"`` for generated records); only estates with at least
        one candidate, sorted by id.
    """
    records = _require_records(records)
    cm = cost_model if cost_model is not None else CostModel()
    when = _as_of(records, as_of)
    vac = records.vacancies
    require_columns(vac, [S.ESTATE_ID, S.VACANT_SINCE], "records.vacancies")
    mask = _candidate_vacancies(vac, when, reason_pattern).to_numpy()
    if not mask.any() and len(vac):
        warnings.warn(
            f"no vacancy open on {when.date()} matches "
            f"reason_pattern={reason_pattern!r}; reasons present: "
            f"{sorted(map(str, vac[S.REASON].dropna().unique()))[:5]!r}"
            if S.REASON in vac
            else f"no vacancy open on {when.date()}",
            UserWarning,
            stacklevel=2,
        )
    cand = vac[mask]
    ids = cand[S.ESTATE_ID].astype(str)
    units = ids.value_counts().sort_index()
    out = pd.DataFrame(
        {S.ESTATE_ID: units.index.astype(str), S.UNITS: units.to_numpy()}
    )
    names = records.estates.set_index(records.estates[S.ESTATE_ID].astype(str))
    out[S.NAME] = out[S.ESTATE_ID].map(names[S.NAME]) if S.NAME in names else pd.NA
    recorded = pd.Series(dtype=float)
    if S.RENOVATION_COST in cand.columns:
        costs = pd.to_numeric(cand[S.RENOVATION_COST], errors="coerce")
        bad = costs.notna() & (costs <= 0)
        if bad.any():
            warnings.warn(
                f"{int(bad.sum())} vacancy cost(s) <= 0 ignored (renovation_cost_eur)",
                UserWarning,
                stacklevel=2,
            )
        costs = costs.where(costs > 0)
        recorded = costs.groupby(ids.to_numpy()).mean().dropna()
    unit_cost = out[S.ESTATE_ID].map(recorded).fillna(cm.unit_eur)
    unit_cost = unit_cost.where(
        ~out[S.ESTATE_ID].isin(list(cm.unit_overrides)),
        out[S.ESTATE_ID].map(dict(cm.unit_overrides)),
    )
    out[UNIT_COST_EUR] = unit_cost.astype(float)
    out[SITE_COST_EUR] = (
        out[S.ESTATE_ID].map(dict(cm.site_overrides)).fillna(cm.site_eur).astype(float)
    )
    if risk is None:
        est = vacancy_risk(records, as_of=when, hot=hot)
        out[RISK] = out[S.ESTATE_ID].map(est.set_index(S.ESTATE_ID)[RISK]).fillna(0.0)
    elif isinstance(risk, int | float):
        out[RISK] = float(risk)
    else:
        ser = pd.Series(risk).astype(float)
        ser.index = ser.index.astype(str)
        out[RISK] = out[S.ESTATE_ID].map(ser)
        if out[RISK].isna().any():
            miss = out.loc[out[RISK].isna(), S.ESTATE_ID].tolist()[:5]
            raise ValidationError(f"risk has no value for estate(s) {miss!r}")
    _check_candidates(out, "candidates")
    out[S.SOURCE] = _source(records)
    cols = [S.ESTATE_ID, S.NAME, S.UNITS, UNIT_COST_EUR, SITE_COST_EUR, RISK, S.SOURCE]
    return out[cols].reset_index(drop=True)


def _check_candidates(cand: pd.DataFrame, argument: str) -> None:
    require_columns(
        cand, [S.ESTATE_ID, S.UNITS, UNIT_COST_EUR, SITE_COST_EUR, RISK], argument
    )
    require_unique(cand, S.ESTATE_ID, argument)
    r = cand[RISK].astype(float)
    if ((r < 0) | (r > 1) | r.isna()).any():
        raise ValidationError(
            f"{argument}['risk'] must lie in [0, 1]; got {r.tolist()[:5]!r}"
        )
    u = cand[S.UNITS]
    if (u < 0).any() or (u != np.floor(u)).any():
        raise ValidationError(f"{argument}['units'] must be whole numbers >= 0")
    if (cand[UNIT_COST_EUR] <= 0).any() or (cand[SITE_COST_EUR] < 0).any():
        raise ValidationError(
            f"{argument}: unit_cost_eur must be > 0 and site_cost_eur >= 0"
        )


def _spend(x: np.ndarray, unit: np.ndarray, site: np.ndarray) -> float:
    """Exact (correctly rounded) spend of an allocation, in euros."""
    return math.fsum(float(v) for v in np.concatenate([x * unit, (x > 0) * site]))


def _solve_milp(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    value: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Maximise Σ value·x s.t. Σ unit·x + site·[x>0] ≤ budget, x ≤ units, integer.

    Returns integer ``x``; the spend of ``x`` is checked exactly in euros.
    """
    n = len(units)
    x = np.zeros(n, dtype=np.int64)
    useful = (units > 0) & (value > 0) & (unit + site <= budget)
    idx = np.flatnonzero(useful)
    if len(idx) == 0 or budget <= 0:
        return x
    u, c, f, r = units[idx].astype(float), unit[idx], site[idx], value[idx]
    m = len(idx)
    scale = budget
    cost_row = np.concatenate([c, f]) / scale
    link = sparse.hstack([sparse.identity(m), sparse.diags(-u)], format="csr")
    bounds = Bounds(np.zeros(2 * m), np.concatenate([u, np.ones(m)]))
    integrality = np.ones(2 * m)
    cap = 1.0
    for _ in range(20):
        constraints = [
            LinearConstraint(cost_row[None, :], -np.inf, cap),
            LinearConstraint(link, -np.inf, 0.0),
        ]
        res = milp(
            np.concatenate([-r, np.zeros(m)]),
            constraints=constraints,
            integrality=integrality,
            bounds=bounds,
            options={"mip_rel_gap": 0.0},
        )
        if res.x is None:
            log.warning("milp found no plan (status %s: %s)", res.status, res.message)
            return x
        if res.status != 0:
            log.warning("milp stopped early (status %s: %s)", res.status, res.message)
        cand = np.rint(res.x[:m]).astype(np.int64)
        cand = np.clip(cand, 0, u.astype(np.int64))
        spent = _spend(cand, c, f)
        if spent <= budget:
            x[idx] = cand
            return x
        # the solver's feasibility tolerance (about 1e-7 of the budget) let
        # the budget slip: tighten the row by the excess and solve again
        cap -= (spent - budget) / scale + 1e-12
    return x


def _solve_greedy(
    order: np.ndarray,
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Fill estates in ``order``: all their units if affordable, else as many as fit."""
    x = np.zeros(len(units), dtype=np.int64)
    left = float(budget)
    for i in order:
        if units[i] <= 0 or site[i] + unit[i] > left:
            continue
        k = int(min(units[i], math.floor((left - site[i]) / unit[i])))
        while k > 0 and site[i] + k * unit[i] > left:  # guard float rounding
            k -= 1
        if k > 0:
            x[i] = k
            left -= site[i] + k * unit[i]
    return x


def _solve_bruteforce(
    units: np.ndarray,
    unit: np.ndarray,
    site: np.ndarray,
    value: np.ndarray,
    budget: float,
) -> np.ndarray:
    """Enumerate every allocation (small instances only; benchmark baseline)."""
    best_v, best_x = -1.0, np.zeros(len(units), dtype=np.int64)
    for combo in itertools.product(*(range(int(k) + 1) for k in units)):
        x = np.asarray(combo, dtype=np.int64)
        if _spend(x, unit, site) <= budget:
            v = float(np.dot(value, x))
            if v > best_v + 1e-12:
                best_v, best_x = v, x
    return best_x


def _allocate(cand: pd.DataFrame, budget: float, method: str) -> np.ndarray:
    units = cand[S.UNITS].to_numpy(np.int64)
    unit = cand[UNIT_COST_EUR].to_numpy(float)
    site = cand[SITE_COST_EUR].to_numpy(float)
    value = cand[RISK].to_numpy(float)
    ids = cand[S.ESTATE_ID].astype(str).to_numpy()
    if method == "optimal":
        return _solve_milp(units, unit, site, value, budget)
    if method == "cheapest_first":
        per_unit = (site + unit * units) / np.maximum(units, 1)
        order = np.lexsort((ids, per_unit))
    else:  # largest_first
        order = np.lexsort((ids, -units))
    return _solve_greedy(order, units, unit, site, budget)


@dataclass
class RenovationPlan:
    """The renovation plans of every method and their summary.

    Attributes
    ----------
    plan
        The optimal plan, one row per candidate estate: ``estate_id``,
        ``name``, ``units`` (candidate vacant units), ``unit_cost_eur``,
        ``site_cost_eur``, ``risk``, ``selected``, ``units_chosen``,
        ``cost_eur`` (spent in the estate), ``risk_weighted_units``; then
        ``units_cheapest_first`` and ``units_largest_first`` (the naive plans).
    summary
        One row per method (``optimal``, ``cheapest_first``,
        ``largest_first``): ``budget_eur``, ``spend_eur``, ``estates_selected``,
        ``units_recovered``, ``risk_weighted_units``, and what the next €1M
        would buy (``next_1m_units``, ``next_1m_risk_weighted_units``,
        ``next_1m_spend_eur``).
    plans
        Method → full plan table (as ``plan``, for that method).
    """

    plan: pd.DataFrame
    summary: pd.DataFrame
    plans: dict[str, pd.DataFrame]


def _plan_table(cand: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
    out = cand.copy()
    out[UNITS_CHOSEN] = x.astype("int64")
    out[SELECTED] = x > 0
    out[COST_EUR] = np.where(x > 0, x * out[UNIT_COST_EUR] + out[SITE_COST_EUR], 0.0)
    out[RISK_WEIGHTED] = x * out[RISK]
    return out


def renovation_plan(
    data: Records | pd.DataFrame,
    budget_eur: float,
    *,
    cost_model: CostModel | None = None,
    risk: pd.Series | float | None = None,
    hot: pd.Series | None = None,
    as_of: Any = None,
    reason_pattern: str | None = MAINTENANCE_PATTERN,
    marginal_eur: float = 1_000_000.0,
) -> RenovationPlan:
    """Choose how many vacant units to renovate per estate, within a budget, exactly.

    Parameters
    ----------
    data
        :class:`Records` (candidates built with :func:`renovation_candidates`)
        or a candidates table as that function returns.
    budget_eur
        Money available, in euros (>= 0).
    cost_model, risk, hot, as_of, reason_pattern
        See :func:`renovation_candidates` (ignored when ``data`` is a table).
    marginal_eur
        Extra money for the "what the next €1M would buy" columns.

    Returns
    -------
    RenovationPlan
        ``plan`` (optimal, one row per estate, with the naive plans' unit
        counts alongside), ``summary`` (one row per method), ``plans``.

    Raises
    ------
    ValidationError
        On a negative or non-finite budget or an invalid candidates table.

    Notes
    -----
    The optimal plan solves the mixed-integer programme

    maximise Σₑ riskₑ·xₑ subject to Σₑ (unitₑ·xₑ + siteₑ·yₑ) ≤ budget,
    0 ≤ xₑ ≤ unitsₑ·yₑ, xₑ integer, yₑ ∈ {0, 1}

    with :func:`scipy.optimize.milp` (HiGHS, zero relative gap; the same
    input gives the same plan). ``risk·x`` is the
    expected number of units that renovation keeps from being occupied
    within 12 months. The spend is recomputed exactly (:func:`math.fsum`)
    from the integer solution and the budget row tightened by the excess if
    the solver's feasibility tolerance (about 1e-7 of the budget) let it
    slip, so no plan ever exceeds the budget (a plan spending within that
    tolerance of the budget may then be passed over). Naive plans ignore risk:
    *cheapest first* fills estates by increasing cost per unit (site cost
    shared over the estate's vacant units), *largest first* by decreasing
    number of vacant units; each takes all units of an estate when it can,
    else as many as fit, and moves on.

    Examples
    --------
    >>> import pandas as pd
    >>> candidates = pd.DataFrame({
    ...     "estate_id": ["E1", "E2"], "units": [3, 2],
    ...     "unit_cost_eur": [10_000.0, 20_000.0], "site_cost_eur": [5_000.0, 0.0],
    ...     "risk": [0.1, 0.9]})
    >>> result = renovation_plan(candidates, 40_000)
    >>> result.plan.set_index("estate_id")["units_chosen"].to_dict()
    {'E2': 2, 'E1': 0}
    >>> result.summary.set_index("method")["risk_weighted_units"].round(2).tolist()
    [1.8, 0.3, 0.3]
    """
    if (
        not isinstance(budget_eur, int | float)
        or not math.isfinite(budget_eur)
        or budget_eur < 0
    ):
        raise ValidationError(f"budget_eur={budget_eur!r} must be a finite number >= 0")
    if not math.isfinite(marginal_eur) or marginal_eur <= 0:
        raise ValidationError(
            f"marginal_eur={marginal_eur!r} must be a finite number > 0"
        )
    if isinstance(data, Records):
        cand = renovation_candidates(
            data,
            as_of=as_of,
            cost_model=cost_model,
            risk=risk,
            hot=hot,
            reason_pattern=reason_pattern,
        )
    elif isinstance(data, pd.DataFrame):
        _check_candidates(data, "data")
        cand = data.copy()
        cand[S.ESTATE_ID] = cand[S.ESTATE_ID].astype(str)
        if S.NAME not in cand:
            cand[S.NAME] = pd.NA
        cand = cand.sort_values(S.ESTATE_ID, ignore_index=True)
    else:
        raise ValidationError(
            "data must be Records or a candidates DataFrame, "
            f"got {type(data).__name__!r}"
        )
    plans: dict[str, pd.DataFrame] = {}
    rows = []
    unit_cost = cand[UNIT_COST_EUR].to_numpy(float)
    site_cost = cand[SITE_COST_EUR].to_numpy(float)
    for method in METHODS:
        x = _allocate(cand, float(budget_eur), method)
        table = _plan_table(cand, x)
        x_more = _allocate(cand, float(budget_eur) + marginal_eur, method)
        more = _plan_table(cand, x_more)
        plans[method] = table
        rows.append(
            {
                "method": method,
                "budget_eur": float(budget_eur),
                "spend_eur": _spend(x, unit_cost, site_cost),
                "estates_selected": int(table[SELECTED].sum()),
                "units_recovered": int(table[UNITS_CHOSEN].sum()),
                RISK_WEIGHTED: float(table[RISK_WEIGHTED].sum()),
                "next_1m_units": int(
                    more[UNITS_CHOSEN].sum() - table[UNITS_CHOSEN].sum()
                ),
                "next_1m_risk_weighted_units": float(
                    more[RISK_WEIGHTED].sum() - table[RISK_WEIGHTED].sum()
                ),
                "next_1m_spend_eur": _spend(x_more, unit_cost, site_cost)
                - _spend(x, unit_cost, site_cost),
            }
        )
    summary = pd.DataFrame(rows)
    if S.SOURCE in cand.columns:
        synthetic = (cand[S.SOURCE].astype(str) == config.synthetic_label).any()
        summary[S.SOURCE] = config.synthetic_label if synthetic else ""
    plan = plans["optimal"].copy()
    plan["units_cheapest_first"] = plans["cheapest_first"][UNITS_CHOSEN].to_numpy()
    plan["units_largest_first"] = plans["largest_first"][UNITS_CHOSEN].to_numpy()
    plan = plan.sort_values(
        [RISK_WEIGHTED, S.ESTATE_ID], ascending=[False, True], ignore_index=True
    )
    return RenovationPlan(plan=plan, summary=summary, plans=plans)


def compare_plans(
    data: Records | pd.DataFrame,
    budgets: Mapping[str, float] | Sequence[float],
    **kwargs: Any,
) -> pd.DataFrame:
    """Optimal plans under several budgets, side by side.

    Parameters
    ----------
    data
        As for :func:`renovation_plan`.
    budgets
        Scenario name → budget in euros, or a sequence of budgets (each
        scenario then named by its budget, e.g. ``"€10,000,000"``).
    **kwargs
        Passed to :func:`renovation_candidates` when ``data`` is Records
        (computed once and shared by every scenario).

    Returns
    -------
    pandas.DataFrame
        One row per scenario (in the order given): ``scenario`` and the
        optimal method's summary columns of :attr:`RenovationPlan.summary`
        (spend, estates selected, units recovered, risk-weighted units, next
        €1M), plus ``estates`` listing the ids selected.
    """
    named = (
        dict(budgets)
        if isinstance(budgets, Mapping)
        else {f"€{float(b):,.0f}": float(b) for b in budgets}
    )
    if not named:
        raise ValidationError("budgets must name at least one scenario")
    cand = renovation_candidates(data, **kwargs) if isinstance(data, Records) else data
    rows = []
    for name, budget in named.items():
        result = renovation_plan(cand, budget)
        row = result.summary[result.summary["method"] == "optimal"].iloc[0].to_dict()
        chosen = result.plans["optimal"]
        row["estates"] = ", ".join(sorted(chosen.loc[chosen[SELECTED], S.ESTATE_ID]))
        rows.append(
            {"scenario": name, **{k: v for k, v in row.items() if k != "method"}}
        )
    return pd.DataFrame(rows)
