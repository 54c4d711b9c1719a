"""Hot-spot signals a run ranks with: the trend, and Gi* of one period, at any origin.

:func:`trend` is the run's emerging-hot-spot step (the patrol ranking's trend
component); :func:`backtest_signals` re-runs it, and the Gi* hot spots of the
origin's period, on the periods up to each origin of a back-test, so that the
back-test ranks with what the run would have had then.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError, warn

__all__ = ["backtest_signals", "trend"]


def trend(panel: pd.DataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Emerging hot spots of the occupied-stock rate, or None if they cannot be had.

    Used by the patrol ranking as its trend component; without enough periods
    (or with a panel the statistics refuse) the trend scores 0 and a warning
    says why.

    Parameters
    ----------
    panel : pandas.DataFrame
        The raw district × period table.
    districts : geopandas.GeoDataFrame
        The district layer of ``panel``.

    Returns
    -------
    geopandas.GeoDataFrame or None
        The emerging hot spot categories per district, None when they cannot be computed
        (a warning says why).
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
        warn(
            f"emerging hot spots not computed ({exc}); the trend scores 0",
            "trend.not_computed",
            stacklevel=2,
        )
        return None


def period_hotspots(
    panel: pd.DataFrame, districts: gpd.GeoDataFrame, period: Any
) -> gpd.GeoDataFrame:
    """Gi* hot spots of the occupied-stock rate in one period, as the map shows them."""
    from geo_alloggi.stats import hotspots

    layer = period_layer(panel, districts, period)
    return hotspots(layer, S.OCCUPIED, units=S.UNITS, id_column=S.DISTRICT_ID)


def period_layer(
    panel: pd.DataFrame, districts: gpd.GeoDataFrame, period: Any
) -> gpd.GeoDataFrame:
    """Return the districts with one period's rows of the panel (no statistics).

    Parameters
    ----------
    panel : pandas.DataFrame
        The raw district × period table.
    districts : geopandas.GeoDataFrame
        The district layer of ``panel``: its columns and geometry are kept.
    period : object
        The period.

    Returns
    -------
    geopandas.GeoDataFrame
        Every district, with the period's counts (missing where it has no row).
    """
    rows = pd.DataFrame(
        panel[panel[S.PERIOD] == period].drop(columns="geometry", errors="ignore")
    )
    rows = rows.drop(
        columns=[
            c for c in rows.columns if c in districts.columns and c != S.DISTRICT_ID
        ]
    )
    return districts.merge(rows, on=S.DISTRICT_ID, how="left")


def backtest_signals(
    panel: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    trend_at: Sequence[Any],
    hotspots_at: Sequence[Any],
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Trend and Gi* as the run would have computed them at each origin.

    Parameters
    ----------
    panel : pandas.DataFrame
        The raw district × period table.
    districts : geopandas.GeoDataFrame
        The district layer of ``panel``.
    trend_at : sequence of object
        Origins at which to compute the emerging hot spots from the periods
        up to each (an origin with too few periods has none, as a run then).
    hotspots_at : sequence of object
        Origins at which to compute the Gi* hot spots of that period.

    Returns
    -------
    tuple
        ``district_id, period, emerging_category`` and ``district_id, period,
        gi_z`` (``period`` is the origin); None where nothing was computed.
    """
    from geo_alloggi.stats import emerging_hotspots_by_origin, hotspots_at_periods

    with warnings.catch_warnings():
        # what each origin lacked is said by the back-test's components column
        warnings.simplefilter("ignore", UserWarning)
        # as trend() on the periods up to each origin: None where it gives None
        rolled = emerging_hotspots_by_origin(
            panel, S.OCCUPIED, districts=districts, origins=trend_at, units=S.UNITS
        )
        # as period_hotspots() at each origin: no rows where it refuses (fewer
        # than three districts with units: no Gi* rule at that origin)
        gis = hotspots_at_periods(
            panel, S.OCCUPIED, districts=districts, periods=hotspots_at, units=S.UNITS
        )
    trends = (
        pd.DataFrame(
            {
                S.DISTRICT_ID: rolled[S.DISTRICT_ID].to_numpy(),
                S.PERIOD: rolled[S.PERIOD].to_numpy(),
                S.EMERGING: rolled[S.EMERGING].to_numpy(),
            }
        )
        if len(rolled)
        else None
    )
    return trends, (
        pd.DataFrame(
            {
                S.DISTRICT_ID: gis[S.DISTRICT_ID].to_numpy(),
                S.PERIOD: gis[S.PERIOD].to_numpy(),
                S.GI_Z: gis[S.GI_Z].to_numpy(),
            }
        )
        if len(gis)
        else None
    )
