"""Helpers the priority modules share: settings files, record checks, area ids, trends.

Private to :mod:`geo_alloggi.priorities`; nothing here is public API.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Literal

import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._records import Records
from geo_alloggi._validate import require_columns

Lang = Literal["it", "en"]
LANGS: tuple[str, ...] = ("it", "en")

PathLike = str | os.PathLike[str]


def read_toml_section(path: PathLike, section: str) -> dict[str, Any]:
    """Return the table ``section`` (dotted) of a TOML file; ``{}`` when absent."""
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


def finite_nonnegative(value: Any) -> bool:
    """Tell whether ``value`` is a finite int or float >= 0."""
    return isinstance(value, int | float) and math.isfinite(value) and value >= 0


def reject_unknown(values: Mapping[str, Any], cls: type, what: str) -> None:
    """Raise if ``values`` has keys that are not fields of the dataclass ``cls``."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(
            f"unknown {what}(s) {unknown!r}; expected some of {sorted(known)!r}"
        )


def require_records(records: Any, argument: str = "records") -> Records:
    """Return ``records`` if it is a :class:`Records`; else raise, naming it."""
    if not isinstance(records, Records):
        raise ValidationError(
            f"{argument} must be a geo_alloggi Records, got {type(records).__name__!r}"
        )
    return records


def source_label(records: Records) -> str:
    """``"SYNTHETIC"`` for generated records, else ``""`` (as in overlay tables)."""
    return config.synthetic_label if records.synthetic else ""


def to_dates(s: pd.Series) -> pd.Series:
    """Parse dates; what cannot be read becomes NaT."""
    return pd.to_datetime(s, errors="coerce")


def area_id_column(panel: pd.DataFrame, id_column: str | None) -> str:
    """Return the area id column: ``id_column``, else ``district_id``/``estate_id``."""
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


def emerging_series(
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
