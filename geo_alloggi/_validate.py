"""Checks shared by every public function (validate at the door)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi._errors import CRSError, ValidationError


def require_geodataframe(obj: Any, argument: str) -> gpd.GeoDataFrame:
    """Raise unless ``obj`` is a GeoDataFrame with a CRS."""
    if not isinstance(obj, gpd.GeoDataFrame):
        raise ValidationError(
            f"{argument} must be a geopandas.GeoDataFrame, got {type(obj).__name__!r}"
        )
    if obj.crs is None:
        raise CRSError(
            f"{argument} has no CRS; set it explicitly (for example "
            f"gdf.set_crs('EPSG:4326')): geo_alloggi never guesses a CRS"
        )
    return obj


def require_columns(df: pd.DataFrame, columns: Iterable[str], argument: str) -> None:
    """Raise naming the missing columns and those that are present."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(
            f"{argument} is missing column(s) {missing!r}; "
            f"columns present: {list(map(str, df.columns))!r}"
        )


def require_unique(df: pd.DataFrame, column: str, argument: str) -> None:
    """Raise if ``df[column]`` has duplicates, showing a few of them."""
    dup = df[column][df[column].duplicated(keep=False)]
    if len(dup):
        sample = sorted(map(str, dup.unique()))[:5]
        raise ValidationError(
            f"{argument}[{column!r}] must be unique; duplicated values: {sample!r}"
        )


def require_choice(value: Any, allowed: Sequence[Any], argument: str) -> Any:
    """Raise unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValidationError(f"{argument}={value!r} is not one of {list(allowed)!r}")
    return value
