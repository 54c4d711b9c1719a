"""Rank districts or estates for patrols and say why, in words.

:func:`patrol_priority` ranks areas by a weighted score of the occupied stock,
the new occupations of the latest period, their trend (the emerging-hotspot
category of :func:`geo_alloggi.stats.emerging_hotspots`) and the pending
evictions, and writes the reasons each area ranks where it does. Households
recorded as vulnerable are not a policing matter: their evictions are left out
of the score and listed for social services by :func:`social_services`.
The per-estate panel that ranks estates instead of districts is
:func:`~geo_alloggi.priorities.panel.estate_panel`. The reasons are worded by
:mod:`geo_alloggi.priorities._reasons`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._periods import (
    period_kind,
    period_start,
)
from geo_alloggi._validate import require_choice, require_columns, require_unique
from geo_alloggi.priorities._common import (
    LANGS,
    Lang,
    PathLike,
    area_id_column,
    emerging_series,
    finite_nonnegative,
    read_toml_section,
    reject_unknown,
    to_dates,
)
from geo_alloggi.priorities._reasons import reasons_text, withheld_cells

__all__ = [
    "PENDING_OUTCOMES",
    "TREND_SCORES",
    "PatrolWeights",
    "patrol_priority",
    "social_services",
]

log = logging.getLogger(__name__)

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

#: Eviction outcomes that count as pending (still to be carried out).
PENDING_OUTCOMES: tuple[str, ...] = ("scheduled", "postponed")


@dataclass(frozen=True)
class PatrolWeights:
    """Weights of the four components of the patrol score.

    Each component is scaled to [0, 1] across the areas ranked together (value
    divided by the largest value; the trend is a category score), so a weight
    is the most that component can add to the score. Weights need not sum to 1.

    Parameters
    ----------
    occupied : float, optional
        Occupied stock at the end of the latest period (default 0.35).
    new_occupations : float, optional
        New occupations detected during the latest period (default 0.30).
    trend : float, optional
        Emerging-hotspot category scored by :data:`TREND_SCORES` (default 0.20).
    evictions : float, optional
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
            if not finite_nonnegative(value):
                raise ValidationError(
                    f"PatrolWeights.{name}={value!r} must be a finite number >= 0"
                )
        if sum(values.values()) <= 0:
            raise ValidationError(
                f"PatrolWeights {values!r}: at least one weight must be > 0"
            )

    def as_dict(self) -> dict[str, float]:
        """Return the weights as a plain dict.

        Returns
        -------
        dict of str to float
            Weight name -> value.
        """
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PatrolWeights:
        """Build from a mapping; unknown keys raise, missing keys keep their default.

        Parameters
        ----------
        values : mapping of str to object
            Component name -> weight (numbers).

        Returns
        -------
        PatrolWeights
            The weights.
        """
        reject_unknown(values, cls, "patrol weight")
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

        Parameters
        ----------
        path : str or os.PathLike
            A TOML file.
        section : str, default 'priorities.patrol'
            Dotted name of the table holding the weights.

        Returns
        -------
        PatrolWeights
            The weights (defaults for keys the table leaves out).
        """
        return cls.from_mapping(read_toml_section(path, section))

    @classmethod
    def coerce(
        cls,
        weights: PatrolWeights | Mapping[str, Any] | None,
        *,
        accepted: str = "a PatrolWeights, a mapping or None",
    ) -> PatrolWeights:
        """Return ``weights`` as PatrolWeights: None gives the defaults.

        Parameters
        ----------
        weights : PatrolWeights, mapping or None
            Weights, a mapping read by :meth:`from_mapping`, or None.
        accepted : str
            What the caller accepts, said by the error.

        Returns
        -------
        PatrolWeights
            The weights.

        Raises
        ------
        ValidationError
            ``weights`` of another type, or a mapping with unknown keys.
        """
        if weights is None:
            return cls()
        if isinstance(weights, cls):
            return weights
        if isinstance(weights, Mapping):
            return cls.from_mapping(weights)
        raise ValidationError(
            f"weights must be {accepted}, got {type(weights).__name__!r}"
        )


# ---------------------------------------------------------------------------
# evictions


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
        pending &= to_dates(evictions[S.EVICTION_DATE]) >= since
    return pending


def _vulnerable(evictions: pd.DataFrame) -> pd.Series:
    v = evictions[S.VULNERABLE]
    if v.dtype == bool:
        return v
    if isinstance(v.dtype, pd.BooleanDtype):
        # what the text rule below gives, without writing each value as text
        return v.fillna(False).astype(bool)
    text = v.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "yes", "si", "sì", "vero"])


def pending_evictions(
    evictions: pd.DataFrame, *, id_column: str, estate_district: pd.Series | None
) -> pd.DataFrame:
    """Return the eviction records that may count as pending, read once.

    The rows :func:`patrol_priority` could count for some period: pending
    (scheduled or postponed), of households not recorded as vulnerable,
    dated and placed in an area. Ranked with this table instead of
    ``evictions``, any period counts the same pending evictions: rankings at
    many origins (the back-test) read the records once.

    Parameters
    ----------
    evictions : pandas.DataFrame
        Eviction records, as for :func:`patrol_priority`.
    id_column : str
        Area id column of the rankings.
    estate_district : pandas.Series or None
        ``estate_id`` → ``district_id``, as for :func:`patrol_priority`.

    Returns
    -------
    pandas.DataFrame
        ``id_column`` (the area, as text), ``date`` (parsed), ``outcome`` and
        ``vulnerable`` (False), one row per eviction kept.
    """
    area = _area_ids_of_evictions(evictions, id_column, estate_district)
    dates = to_dates(evictions[S.EVICTION_DATE])
    keep = (
        (_pending_mask(evictions, None) & ~_vulnerable(evictions)).to_numpy()
        & area.notna().to_numpy()
        & dates.notna().to_numpy()
    )
    return pd.DataFrame(
        {
            id_column: area.array[keep],
            S.EVICTION_DATE: dates.array[keep],
            S.OUTCOME: evictions[S.OUTCOME].array[keep],
            S.VULNERABLE: np.zeros(int(keep.sum()), dtype=bool),
        }
    )


# ---------------------------------------------------------------------------
# patrol priority


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
    reasons: bool = True,
) -> pd.DataFrame:
    """Rank areas (districts or estates) for patrols and say why, in words.

    Parameters
    ----------
    panel : pd.DataFrame
        One row per area × period with ``occupied`` (stock at the period's
        end) and ``new_occupations``: :func:`geo_alloggi.overlay.aggregate` for
        districts, :func:`estate_panel` for estates. A ``name`` column is kept.
    emerging : pandas.DataFrame, pandas.Series or None, optional
        Emerging-hotspot category per area (a frame with the area id and
        ``emerging_category``, or a Series indexed by id). For an estate panel
        a district-level table is accepted together with ``estate_district``
        (each estate takes its district's category). None: trend scores 0.
    evictions : pandas.DataFrame or None, optional
        Eviction records (``estate_id`` or the area id, ``date``, ``outcome``,
        ``vulnerable``). Pending evictions (outcome ``scheduled`` or
        ``postponed``, dated on or after the start of the ranked period) of
        households **not** recorded as vulnerable enter the score; vulnerable
        ones never do (see :func:`social_services`).
    estate_district : pandas.Series or None, optional
        ``estate_id`` → ``district_id`` (see :func:`estate_districts`); needed
        to place evictions (district panel) or categories (estate panel).
    weights : PatrolWeights, mapping of str to object or None, optional
        :class:`PatrolWeights` or a mapping of its fields; None: defaults.
    period : Any, optional
        The period to rank (a value of ``panel["period"]``); default the last.
    id_column : str or None, optional
        Area id column; default ``district_id`` if present, else ``estate_id``.
    lang : Lang, optional
        Language of the reasons: ``"it"`` (default, Italian number format)
        or ``"en"``.
    suppress_below : int or None, optional
        If set, counts from 1 to ``suppress_below - 1`` are written
        "meno di N" in the reasons (and percentages built on them omitted),
        for tables shown at meetings.
    withheld : pandas.DataFrame or None, optional
        Cells withheld by disclosure control elsewhere (complementary
        suppression in the published district table): a boolean frame indexed
        by area id with columns among ``occupied``, ``new_occupations``,
        ``new_occupations_previous``, ``scheduled_evictions``. The reasons then
        say "dato riservato" instead of the number (and no percentage built on
        it); the score still uses the records.
    reasons : bool, optional
        Write the ``reasons`` column (default). False leaves it out: rankings
        computed in bulk and never shown (a back-test's) skip the wording.

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
        precedente); 42 alloggi occupati" (with ``reasons``); ``source`` when
        the panel has it (``"SYNTHETIC"`` for generated records).

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
    w = PatrolWeights.coerce(weights)
    idc = area_id_column(panel, id_column)
    require_columns(panel, [S.PERIOD, S.OCCUPIED, S.NEW_OCCUPATIONS], "panel")
    if suppress_below is not None and suppress_below < 1:
        raise ValidationError(f"suppress_below={suppress_below!r} must be >= 1 or None")
    data = panel.copy()
    data[idc] = data[idc].astype(str)
    period, prev = _ranked_period(data, period)
    _clean_counts(data)
    current = data[data[S.PERIOD] == period]
    require_unique(current, idc, "panel (rows of the ranked period)")
    out = _ranked_counts(current, data, idc, period, prev)
    out[S.EMERGING] = _area_categories(out[idc], emerging, idc, estate_district)
    out[S.TREND_SCORE] = out[S.EMERGING].map(TREND_SCORES).fillna(0.0).astype(float)
    if emerging is None and w.trend > 0:
        log.info(
            "no emerging categories given: the trend component scores 0 everywhere"
        )
    out[S.SCHEDULED_EVICTIONS] = _pending_counts(
        out[idc], evictions, idc, estate_district, period
    )
    out = _score_and_rank(out, w, idc)
    if reasons:
        kind = period_kind(data[S.PERIOD])
        hidden = withheld_cells(withheld)
        out[S.PRIORITY_REASONS] = [
            reasons_text(
                row, kind, lang, suppress_below, hidden.get(str(row[idc]), set())
            )
            for row in out.to_dict("records")
        ]
    if S.SOURCE in current.columns:
        sources = current.set_index(idc)[S.SOURCE].astype("string").fillna("")
        out[S.SOURCE] = out[idc].map(sources).astype(str)
    return out


def _ranked_period(data: pd.DataFrame, period: Any) -> tuple[Any, Any]:
    """Return the period to rank (default the last) and the one before it (or None)."""
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
    return period, (before[-1] if before else None)


def _clean_counts(data: pd.DataFrame) -> None:
    """Count missing or negative stock and new occupations as 0 (with a warning).

    Works in place on the caller's own copy of the panel.
    """
    for col in (S.OCCUPIED, S.NEW_OCCUPATIONS):
        bad = data[col].isna() | (pd.to_numeric(data[col], errors="coerce") < 0)
        if bad.any():
            warn(
                f"panel[{col!r}] has {int(bad.sum())} missing or negative value(s), "
                f"counted as 0",
                "priorities.bad_counts",
                n=int(bad.sum()),
                column=col,
                stacklevel=3,
            )
        data[col] = pd.to_numeric(data[col], errors="coerce").fillna(0).clip(lower=0)


def _ranked_counts(
    current: pd.DataFrame, data: pd.DataFrame, idc: str, period: Any, prev: Any
) -> pd.DataFrame:
    """One row per area of the ranked period: stock, new occupations, change."""
    out = pd.DataFrame({idc: current[idc].to_numpy()})
    if S.NAME in current.columns:
        out[S.NAME] = current[S.NAME].to_numpy()
    out[S.PERIOD] = period
    out[S.OCCUPIED] = current[S.OCCUPIED].to_numpy().astype("int64")
    out[S.NEW_OCCUPATIONS] = current[S.NEW_OCCUPATIONS].to_numpy().astype("int64")
    if prev is not None:
        prev_counts = data[data[S.PERIOD] == prev].groupby(idc)[S.NEW_OCCUPATIONS].sum()
        out[S.NEW_PREVIOUS] = out[idc].map(prev_counts).fillna(0).astype("int64")
        base = out[S.NEW_PREVIOUS].where(out[S.NEW_PREVIOUS] > 0)
        out[S.NEW_CHANGE_PCT] = 100.0 * (out[S.NEW_OCCUPATIONS] - base) / base
    else:
        out[S.NEW_PREVIOUS] = pd.array([pd.NA] * len(out), dtype="Int64")
        out[S.NEW_CHANGE_PCT] = np.nan
    return out


def _area_categories(
    ids: pd.Series,
    emerging: pd.DataFrame | pd.Series | None,
    idc: str,
    estate_district: pd.Series | None,
) -> pd.Series | None:
    """Emerging category of each area (an estate takes its district's); None if none."""
    cats = emerging_series(emerging, idc)
    if len(cats) and idc == S.ESTATE_ID and not cats.index.isin(ids).any():
        if estate_district is None:
            raise ValidationError(
                "emerging is indexed by district but the panel is per estate: pass "
                "estate_district (estate_id -> district_id)"
            )
        mapping = pd.Series(estate_district)
        mapping.index = mapping.index.astype(str)
        cats = ids.map(mapping.astype(str)).map(cats).set_axis(ids.to_numpy())
    return ids.map(cats) if len(cats) else None


def _pending_counts(
    ids: pd.Series,
    evictions: pd.DataFrame | None,
    idc: str,
    estate_district: pd.Series | None,
    period: Any,
) -> pd.Series | int:
    """Pending evictions of non-vulnerable households per area, from ``period`` on."""
    if evictions is None:
        return 0
    since = period_start(period)
    pending = _pending_mask(evictions, since) & ~_vulnerable(evictions)
    area = _area_ids_of_evictions(evictions, idc, estate_district)
    counts = area[pending.to_numpy()].value_counts()
    return ids.map(counts).fillna(0).astype("int64")


def _score_and_rank(out: pd.DataFrame, w: PatrolWeights, idc: str) -> pd.DataFrame:
    """Add the weighted components and the score; sort best first and rank.

    Count components are divided by their largest value; ties go by area id.
    """

    def scaled(col: str) -> pd.Series:
        top = float(out[col].max()) if len(out) else 0.0
        return out[col] / top if top > 0 else out[col] * 0.0

    components = {
        "occupied": scaled(S.OCCUPIED),
        "new_occupations": scaled(S.NEW_OCCUPATIONS),
        "trend": out[S.TREND_SCORE],
        "evictions": scaled(S.SCHEDULED_EVICTIONS),
    }
    wd = w.as_dict()
    for name, comp in components.items():
        out[f"score_{name}"] = wd[name] * comp.astype(float)
    out[S.PRIORITY_SCORE] = sum(out[f"score_{n}"] for n in components)
    out = out.sort_values(
        [S.PRIORITY_SCORE, idc], ascending=[False, True], ignore_index=True
    )
    out.insert(0, S.PRIORITY_RANK, np.arange(1, len(out) + 1))
    return out


# ---------------------------------------------------------------------------
# social services


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
    evictions : pd.DataFrame
        Eviction records with ``estate_id``, ``date``, ``outcome``,
        ``vulnerable``.
    by : str, optional
        ``"estate_id"`` or ``"district_id"`` (the latter needs the column or
        ``estate_district``).
    estate_district : pandas.Series or None, optional
        ``estate_id`` → ``district_id`` mapping.
    since : Any, optional
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
        keep &= (to_dates(evictions[S.EVICTION_DATE]) >= pd.Timestamp(since)).to_numpy()
    outcome = evictions[S.OUTCOME].astype(str).to_numpy()
    frame = pd.DataFrame(
        {
            by: area.to_numpy()[keep],
            S.VULNERABLE_SCHEDULED: np.isin(outcome[keep], PENDING_OUTCOMES).astype(
                "int64"
            ),
            S.VULNERABLE_EXECUTED: (outcome[keep] == "executed").astype("int64"),
        }
    )
    out = frame.groupby(by, as_index=False)[
        [S.VULNERABLE_SCHEDULED, S.VULNERABLE_EXECUTED]
    ].sum()
    out = out[(out[S.VULNERABLE_SCHEDULED] + out[S.VULNERABLE_EXECUTED]) > 0]
    if S.SOURCE in evictions.columns:
        synthetic = (evictions[S.SOURCE].astype(str) == config.synthetic_label).any()
        out[S.SOURCE] = config.synthetic_label if synthetic else ""
    return out.sort_values(
        [S.VULNERABLE_SCHEDULED, by], ascending=[False, True], ignore_index=True
    )
