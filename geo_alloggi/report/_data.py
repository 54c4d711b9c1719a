"""What the meeting tables, layers, summary and report draw on: :class:`MeetingData`."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._i18n import Note

__all__ = ["MeetingData"]


@dataclass(frozen=True, kw_only=True)
class MeetingData:
    """What the meeting tables, layers and summary draw on: frames and options.

    Every table and layer is already protected (suppressed cells NA and named
    in ``suppressed``) except ``panel``, the raw district × period table, of
    which the summary states only the study-area totals.

    Attributes
    ----------
    districts, latest, estates, contours : geopandas.GeoDataFrame
        Districts; districts in the last period (published counts, hot spots,
        trend); estates (protected counts); density contours (or None).
    panel, published : pandas.DataFrame
        The district × period table, raw and as published (with totals).
    patrol_districts, patrol_estates, social : pandas.DataFrame
        Patrol rankings and the social-services table.
    renovation_plan, renovation_summary : pandas.DataFrame
        The renovation plan (of the run's objective) and its comparison with
        the naive rules, all owners together.
    renovation_by_owner, renovation_frontier : pandas.DataFrame or None
        The same comparison per owner, and the trade-off between units
        recovered and risk-weighted units
        (:func:`geo_alloggi.priorities.renovation_frontier`).
    objective : str
        What the renovation plan maximises (``"risk"`` or ``"units"``).
    backtest, backtest_summary : pandas.DataFrame or None
        The back-test of the patrol ranking: one row per ranking × origin
        (:meth:`geo_alloggi.priorities.Backtest.to_frame`) and one row per
        ranking (means, intervals, share of origins the published ranking
        won); None without a back-test.
    backtest_verdict : str
        The back-test in plain words, in the meeting's language (best rule
        first when a naive rule beat the published ranking; what PAI means).
    links : pandas.DataFrame
        Counts per link method and record kind (empty: not linked).
    moran_i, moran_p : float
        Global Moran's I and its permutation p-value (NaN: not computed).
    budget_eur : float or mapping
        The renovation budget, shared or per owner.
    withheld_districts, withheld_estates : pandas.DataFrame or None
        Cells of the patrol tables withheld by the district table.
    notes : tuple of Note
        Warnings restated for the meeting (:class:`geo_alloggi._i18n.Note`).
    lang : str, default 'it'
        Meeting language, period length, suppression threshold, seed of
        SYNTHETIC records (None: records from files), SYNTHETIC label.
    period : str, default 'year'
        Meeting language, period length, suppression threshold, seed of
        SYNTHETIC records (None: records from files), SYNTHETIC label.
    threshold : int, default 5
        Meeting language, period length, suppression threshold, seed of
        SYNTHETIC records (None: records from files), SYNTHETIC label.
    seed : int or None, default None
        Meeting language, period length, suppression threshold, seed of
        SYNTHETIC records (None: records from files), SYNTHETIC label.
    synthetic : bool, default False
        Meeting language, period length, suppression threshold, seed of
        SYNTHETIC records (None: records from files), SYNTHETIC label.
    sources : pandas.DataFrame or None
        The reference datasets used (``dataset``, ``release``, ``source``
        as :func:`geo_alloggi.datasets.describe`); None: not stated.
    today : datetime.date or None
        Day the age of the reference datasets is measured on (None: today).
    previous : dict or None
        ``figures.json`` of the previous meeting's bundle, for the section
        "since the last meeting" (None: no such section).
    """

    districts: gpd.GeoDataFrame
    panel: pd.DataFrame
    published: pd.DataFrame
    latest: gpd.GeoDataFrame
    estates: gpd.GeoDataFrame
    contours: gpd.GeoDataFrame | None
    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    renovation_plan: pd.DataFrame
    renovation_summary: pd.DataFrame
    backtest: pd.DataFrame | None
    links: pd.DataFrame
    moran_i: float
    moran_p: float
    budget_eur: float | Mapping[str, float]
    renovation_by_owner: pd.DataFrame | None = None
    renovation_frontier: pd.DataFrame | None = None
    objective: str = "risk"
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None
    backtest_summary: pd.DataFrame | None = None
    backtest_verdict: str = ""
    notes: tuple[Note, ...] = ()
    lang: str = "it"
    period: str = "year"
    threshold: int = config.suppression_threshold
    seed: int | None = None
    synthetic: bool = False
    sources: pd.DataFrame | None = None
    today: _dt.date | None = None
    previous: Mapping[str, Any] | None = None

    @property
    def last_period(self) -> Any:
        """The most recent period (that of ``latest``)."""
        return self.latest[S.PERIOD].iloc[0]

    @property
    def names(self) -> dict[str, str]:
        """District id -> name, so that districts appear by name."""
        return {
            str(i): str(n)
            for i, n in zip(
                self.districts[S.DISTRICT_ID], self.districts[S.NAME], strict=True
            )
        }
