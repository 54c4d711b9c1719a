"""User corrections: read, add and apply address -> position (or -> address) fixes.

A corrections table says, for an address as the records write it, either where
it is (``lon``/``lat`` in WGS 84) or which address to geocode instead
(``matched_address``); optionally for one comune only. Corrections are looked
up by street and house number (:func:`street_and_number`), so that the case,
abbreviations and punctuation of the records do not matter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi.address import ParsedAddress, parse_address
from geo_alloggi.geocoding.comuni import comune_key

#: Columns of a corrections file (``lon``/``lat`` or ``matched_address``).
CORRECTION_COLUMNS: tuple[str, ...] = (
    "address",
    "comune",
    "lon",
    "lat",
    "matched_address",
)
#: Score given to a user's correction.
SCORE_CORRECTION = 1.0

Corrections: TypeAlias = str | os.PathLike[str] | pd.DataFrame | Mapping[str, Any]


def street_and_number(parsed: ParsedAddress) -> str:
    """Return ``VIA GIUSEPPE SCALARINI 7``: the street and number of an address.

    Parameters
    ----------
    parsed : ParsedAddress
        A parsed address.

    Returns
    -------
    str
        Street and house number with esponente, ``""`` for an empty address.
    """
    return " ".join(p for p in (parsed.street, parsed.number_text) if p)


def _read_table(corrections: Corrections) -> tuple[pd.DataFrame, str]:
    """Return the corrections as a DataFrame, and how to name them in a message."""
    if isinstance(corrections, pd.DataFrame):
        return corrections.copy(), "corrections"
    if isinstance(corrections, Mapping):
        rows = []
        for addr, value in corrections.items():
            if isinstance(value, str):
                rows.append({"address": addr, "matched_address": value})
                continue
            try:
                lon, lat = value
            except (TypeError, ValueError):
                raise ValidationError(
                    f"corrections[{addr!r}] = {value!r}; "
                    "expected (lon, lat) or an address"
                ) from None
            rows.append({"address": addr, "lon": lon, "lat": lat})
        return pd.DataFrame(rows), "corrections"
    path = Path(corrections)
    where = str(path)
    if not path.is_file():
        raise InputFileError(f"corrections file {where!r} does not exist")
    try:
        df = pd.read_csv(
            path,
            sep=None,
            engine="python",
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
    except Exception as exc:
        raise InputFileError(
            f"corrections file {where!r} cannot be read as CSV ({exc})"
        ) from None
    return df, where


def read_corrections(corrections: Corrections) -> pd.DataFrame:
    """Read a corrections table: address -> coordinates or -> address to use.

    Parameters
    ----------
    corrections : str, os.PathLike, pandas.DataFrame or mapping
        A CSV file (``,`` or ``;``), a DataFrame, or a mapping
        ``{address: (lon, lat)}`` / ``{address: "matched address"}``. Columns:
        ``address`` (required), ``comune`` (optional; empty means any comune),
        and either ``lon`` and ``lat`` (WGS 84) or ``matched_address``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CORRECTION_COLUMNS` plus ``key`` and ``comune_key``.

    Raises
    ------
    InputFileError
        The file cannot be read or lacks the ``address`` column.
    ValidationError
        A row has neither valid coordinates nor a matched address.
    """
    df, where = _read_table(corrections)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "address" not in df.columns:
        if len(df) == 0 and len(df.columns) == 0:
            df = pd.DataFrame(columns=["address"])
        else:
            raise InputFileError(
                f"{where!r} has no 'address' column; "
                f"columns found: {list(df.columns)!r}"
            )
    for col in CORRECTION_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    out = df[list(CORRECTION_COLUMNS)].copy()
    for col in ("address", "comune", "matched_address"):
        out[col] = out[col].astype("string").fillna("").str.strip()
    for col in ("lon", "lat"):
        text = out[col].astype("string").fillna("").str.replace(",", ".", regex=False)
        out[col] = pd.to_numeric(text, errors="coerce").astype("float64")
    has_xy = out["lon"].between(-180, 180) & out["lat"].between(-90, 90)
    bad = ~has_xy & (out["matched_address"] == "")
    if bad.any():
        first = out.loc[bad, "address"].head(3).tolist()
        raise ValidationError(
            f"{where!r}: {int(bad.sum())} correction(s) have neither lon/lat in "
            f"WGS 84 nor a matched_address, e.g. {first!r}"
        )
    parsed = [parse_address(a) for a in out["address"]]
    out["key"] = [street_and_number(p) for p in parsed]
    out["comune_key"] = [
        comune_key(c) if c else comune_key(p.comune)
        for c, p in zip(out["comune"], parsed, strict=True)
    ]
    return out.reset_index(drop=True)


def add_correction(
    path: str | os.PathLike[str],
    address: str,
    *,
    lon: float | None = None,
    lat: float | None = None,
    matched_address: str | None = None,
    comune: str | None = None,
) -> Path:
    """Add or replace one correction in a corrections CSV file (created if absent).

    Parameters
    ----------
    path : str or os.PathLike
        The corrections file, kept across runs.
    address : str
        The address as it appears in the records.
    lon, lat : float, optional
        The right position (WGS 84), or
    matched_address : str, optional
        The address to geocode instead.
    comune : str, optional
        Restrict the correction to one comune.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValidationError
        Neither coordinates nor a matched address are given.
    """
    if (lon is None or lat is None) and not matched_address:
        raise ValidationError(
            f"add_correction({address!r}): give lon and lat, or matched_address"
        )
    p = Path(path)
    table = (
        read_corrections(p)
        if p.is_file()
        else read_corrections(pd.DataFrame(columns=["address"]))
    )
    row = {
        "address": address,
        "comune": comune or "",
        "lon": lon if lon is not None else np.nan,
        "lat": lat if lat is not None else np.nan,
        "matched_address": matched_address or "",
    }
    new = read_corrections(pd.DataFrame([row]))
    same = (table["key"] == new.loc[0, "key"]) & (
        table["comune_key"] == new.loc[0, "comune_key"]
    )
    table = pd.concat([table[~same], new], ignore_index=True)
    p.parent.mkdir(parents=True, exist_ok=True)
    table[list(CORRECTION_COLUMNS)].to_csv(p, index=False)
    return p


@dataclass
class Corrected:
    """A batch of addresses after the corrections (arrays of one item per row)."""

    parsed: list[ParsedAddress]
    """The addresses to match: the row's own, or a correction's address."""
    fixed: np.ndarray
    """True where a correction gives the position."""
    lon: np.ndarray
    lat: np.ndarray
    matched_address: np.ndarray
    """The correction's address (or the row's) where ``fixed``, else ``""``."""
    redirected: np.ndarray
    """True where a correction gives the address to match instead."""


def apply_corrections(
    parsed: list[ParsedAddress], ckeys: list[str], table: pd.DataFrame | None
) -> Corrected:
    """Apply a corrections table to a batch of parsed addresses.

    Parameters
    ----------
    parsed : list of ParsedAddress
        The rows' parsed addresses (not modified).
    ckeys : list of str
        The rows' comune keys; a correction for one comune applies only there.
    table : pandas.DataFrame or None
        Output of :func:`read_corrections`; None for no corrections.

    Returns
    -------
    Corrected
    """
    n = len(parsed)
    lookup: dict[tuple[str, str], dict[str, Any]] = {}
    for row in table.to_dict("records") if table is not None else ():
        lookup[(row["key"], row["comune_key"])] = row
    out = Corrected(
        parsed=list(parsed),
        fixed=np.zeros(n, dtype=bool),
        lon=np.full(n, np.nan),
        lat=np.full(n, np.nan),
        matched_address=np.full(n, "", dtype=object),
        redirected=np.zeros(n, dtype=bool),
    )
    if not lookup:
        return out
    for i, (p, ck) in enumerate(zip(parsed, ckeys, strict=True)):
        key = street_and_number(p)
        if not key:
            continue
        row = lookup.get((key, ck)) or lookup.get((key, ""))
        if row is None:
            continue
        if np.isfinite(row["lon"]) and np.isfinite(row["lat"]):
            out.lon[i], out.lat[i] = row["lon"], row["lat"]
            out.fixed[i] = True
            out.matched_address[i] = row["matched_address"] or row["address"]
        else:
            out.parsed[i] = parse_address(row["matched_address"])
            out.redirected[i] = True
    return out
