"""Input checks shared by the map builders: options, district frames, thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import check_lang
from geo_alloggi._validate import require_columns, require_geodataframe, require_unique

__all__ = [
    "check_districts",
    "check_options",
    "check_threshold",
    "require_numeric",
    "row_dicts",
]


def check_threshold(threshold: int | None) -> int:
    """Return the suppression threshold: as given, else ``config``'s; at least 1."""
    value = config.suppression_threshold if threshold is None else threshold
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValidationError(f"threshold={value!r} must be an integer >= 1")
    return int(value)


def check_options(lang: str, simplify_m: float, precision: int) -> None:
    """Check the language, simplification tolerance and coordinate decimals."""
    check_lang(lang)
    if not np.isfinite(simplify_m) or simplify_m < 0:
        raise ValidationError(
            f"simplify_m={simplify_m!r} must be a number >= 0 (metres)"
        )
    if not isinstance(precision, (int, np.integer)) or not 0 <= precision <= 9:
        raise ValidationError(f"precision={precision!r} must be an integer from 0 to 9")


def require_numeric(df: pd.DataFrame, column: str, argument: str) -> None:
    """Refuse a column that is not numeric (booleans are not numbers here)."""
    if not (
        pd.api.types.is_numeric_dtype(df[column])
        and not pd.api.types.is_bool_dtype(df[column])
    ):
        raise ValidationError(
            f"{argument}[{column!r}] must be numeric, "
            f"got dtype {str(df[column].dtype)!r}"
        )


def check_districts(
    districts: Any, argument: str, extra: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    """Return districts checked: a GeoDataFrame with unique ids, names and ``extra``."""
    gdf = require_geodataframe(districts, argument)
    require_columns(gdf, [S.DISTRICT_ID, S.NAME, *extra], argument)
    require_unique(gdf, S.DISTRICT_ID, argument)
    return gdf


def row_dicts(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts (attributes only), much faster than ``iterrows``."""
    cols = [c for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    return pd.DataFrame(df[cols]).to_dict("records")
