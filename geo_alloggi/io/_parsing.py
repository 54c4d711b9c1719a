"""Parse the text of record files: headers into columns, cells into values.

Headers are mapped to canonical columns (:func:`resolve_columns`). Cells are
parsed vectorised, each distinct value once: dates written ``dd/mm/yyyy``,
ISO or as Excel day numbers (:func:`parse_dates`), numbers written the
Italian or the English way (:func:`parse_numbers`) and value lists
(:func:`map_values`). Nothing here decides whether a row is accepted.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi.io._columns import (
    CANONICAL,
    HOUSE_NUMBER,
    RECORD_LINK_COLUMNS,
    REQUIRED,
    aliases,
    fold,
    fold_value,
)
from geo_alloggi.io._files import file_error

_DMY = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
    r"(?:[ T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?)?$"
)
_YMD = re.compile(
    r"^(\d{4})[\-/.](\d{1,2})[\-/.](\d{1,2})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?$"
)


def is_blank(s: pd.Series) -> np.ndarray:
    """Return a boolean array: True where the cell is missing."""
    return s.isna().to_numpy(dtype=bool)


#: Problems :func:`parse_dates` reports: an impossible calendar date
#: (``31/02/2020``), unreadable text, a date before 1678 or after 2261.
DATE_IMPOSSIBLE, DATE_UNREADABLE, DATE_EARLY, DATE_LATE = 1, 2, 3, 4
# Excel day numbers from 1 January 1928 (10,000) to 18 October 2173 (99,999)
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:[.,]0+)?$")


def parse_dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse dd/mm/yyyy and ISO dates.

    Parameters
    ----------
    s : pandas.Series
        Dates as text (missing where blank).

    Returns
    -------
    values : numpy.ndarray
        datetime64[ns] (NaT where blank or bad).
    problem : numpy.ndarray
        int8 array: 0 fine or blank, else one of :data:`DATE_IMPOSSIBLE`,
        :data:`DATE_UNREADABLE`, :data:`DATE_EARLY` (before 1678) or
        :data:`DATE_LATE` (after 2261).
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    n = len(uniques)
    years = np.zeros(n, dtype=np.int64)
    months = np.zeros(n, dtype=np.int64)
    days = np.zeros(n, dtype=np.int64)
    matched = np.zeros(n, dtype=bool)
    for i, text in enumerate(np.asarray(uniques, dtype=object).tolist()):
        m = _DMY.match(text)
        if m:
            days[i], months[i], years[i] = int(m[1]), int(m[2]), int(m[3])
            matched[i] = True
            continue
        m = _YMD.match(text)
        if m:
            years[i], months[i], days[i] = int(m[1]), int(m[2]), int(m[3])
            matched[i] = True
            continue
        m = _EXCEL_SERIAL.match(text)
        if m:  # a date cell exported as a number: days since 30/12/1899
            day = _dt.date(1899, 12, 30) + _dt.timedelta(days=int(m[1]))
            years[i], months[i], days[i] = day.year, day.month, day.day
            matched[i] = True
    valid = matched & (months >= 1) & (months <= 12) & (days >= 1) & (years >= 1)
    valid &= days <= _days_in_month(years, months)
    uvalues = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if valid.any():
        ymd = pd.DataFrame(
            {"year": years[valid], "month": months[valid], "day": days[valid]}
        )
        ok_year = (ymd["year"] >= 1678) & (ymd["year"] <= 2261)  # ns range
        parsed = np.full(len(ymd), np.datetime64("NaT"), dtype="datetime64[ns]")
        if ok_year.any():
            parsed[ok_year.to_numpy()] = pd.to_datetime(
                ymd[ok_year], errors="coerce"
            ).to_numpy(dtype="datetime64[ns]")
        uvalues[valid] = parsed
    uproblem = np.zeros(n, dtype=np.int8)
    uproblem[matched & ~valid] = DATE_IMPOSSIBLE
    uproblem[~matched] = DATE_UNREADABLE
    # valid calendar dates outside the datetime64[ns] range (years 1..1677 and
    # 2262..9999) are too early or too late for any record
    out_of_ns = valid & np.isnat(uvalues)
    uproblem[out_of_ns & (years < 1678)] = DATE_EARLY
    uproblem[out_of_ns & (years > 2261)] = DATE_LATE
    # code -1 (missing) picks the appended NaT / None
    values = np.append(uvalues, np.datetime64("NaT"))[codes]
    problem = np.append(uproblem, np.int8(0))[codes]
    return values, problem


def _days_in_month(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    table = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    out = table[np.clip(months, 1, 12) - 1].copy()
    out[(months == 2) & leap] = 29
    return out


_NUM_CLEAN = re.compile(r"[\s\u00a0\u202f€']|eur(o)?$", re.IGNORECASE)
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3}){2,}$")


def _number_text(text: str, decimal: str, thousands: bool) -> str:
    t = _NUM_CLEAN.sub("", text)
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):
            t = t.replace(".", "").replace(",", ".")
        else:
            t = t.replace(",", "")
    elif "," in t:
        t = t.replace(",", "") if _THOUSANDS_COMMA.match(t) else t.replace(",", ".")
    elif (
        "." in t
        and thousands
        and (t.count(".") > 1 or (decimal == "," and _THOUSANDS_DOT.match(t)))
    ):
        t = t.replace(".", "")
    return t


def parse_numbers(
    s: pd.Series, *, decimal: str, thousands: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers written the Italian or the English way.

    Parameters
    ----------
    s : pandas.Series
        Numbers as text (missing where blank).
    decimal : str
        The file's decimal separator, used to read ``1.234`` as a thousand
        when it is ``","``.
    thousands : bool
        Whether thousands separators may appear (amounts, counts; not
        coordinates).

    Returns
    -------
    values : numpy.ndarray
        Floats, NaN where blank or bad; ``inf``/``nan`` written in the file
        parse as such.
    unreadable : numpy.ndarray
        True for non-blank values that are not numbers.

    Notes
    -----
    Each distinct value is parsed once.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    values = np.full(len(u), np.nan)
    unreadable = np.zeros(len(u), dtype=bool)
    if len(u):
        comma = u.str.contains(",", regex=False).to_numpy(dtype=bool)
        dot = u.str.contains(".", regex=False).to_numpy(dtype=bool)
        plain = pd.to_numeric(u.where(~comma), errors="coerce")
        commas = pd.to_numeric(
            u.where(comma & ~dot).str.replace(",", ".", regex=False), errors="coerce"
        )
        values = np.where(comma, commas, plain).astype(float)
        need = np.isnan(values)
        if thousands and decimal == ",":
            # 1.234 is one thousand two hundred and thirty-four in Italian
            need |= u.str.match(_THOUSANDS_DOT.pattern).to_numpy(dtype=bool)
        text_nan = u.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy(dtype=bool)
        need &= ~text_nan
        values[text_nan] = np.nan
        texts = u.array
        for i in np.flatnonzero(need):
            try:
                values[i] = float(_number_text(texts[i], decimal, thousands))
            except ValueError:
                values[i] = np.nan
                unreadable[i] = True
    out = np.append(values, np.nan)[codes]
    bad = np.append(unreadable, False)[codes]
    return out, bad


def map_values(s: pd.Series, table: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Map a value list through ``table`` (folded keys); returns values, unknown."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.array(
        [table.get(fold_value(u)) for u in uniques] + [None], dtype=object
    )
    values = mapped[codes]  # code -1 takes the trailing None
    unknown = (codes >= 0) & pd.isna(mapped)[codes]
    return values, unknown


#: Cell values that mean "nothing here" in exported tables.
MISSING_PLACEHOLDERS: tuple[str, ...] = tuple(
    v
    for base in ("-", "--", "n.d.", "n.d", "n/d", "n/a", "null", "none")
    for v in {base, base.upper(), base.title()}
)


#: The longest placeholder, in characters (all are ASCII).
PLACEHOLDER_MAX_LEN = max(map(len, MISSING_PLACEHOLDERS))


def placeholders_missing(s: pd.Series, rows: np.ndarray | None = None) -> pd.Series:
    """Turn placeholder values (``-``, ``n.d.``, ``NULL``...) into missing.

    Parameters
    ----------
    s : pandas.Series
        Text.
    rows : numpy.ndarray or None, default None
        Boolean, True for the rows that may hold a placeholder (the others
        are not looked at); None: every row may.

    Returns
    -------
    pandas.Series
        ``s`` itself when it holds no placeholder, else a new series.
    """
    if rows is None:
        mask = s.isin(MISSING_PLACEHOLDERS).to_numpy(dtype=bool)
    else:
        mask = np.zeros(len(s), dtype=bool)
        idx = np.flatnonzero(rows)
        if len(idx):
            mask[idx] = s.iloc[idx].isin(MISSING_PLACEHOLDERS).to_numpy(dtype=bool)
    return s.where(~mask) if mask.any() else s


def to_day(value: _dt.date | str | None, default: _dt.date) -> np.datetime64:
    """Return a date argument (``default`` when None) as a day in datetime64[ns]."""
    if value is None:
        value = default
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValidationError(
            f"date argument {value!r} is not a date; expected e.g. '2025-12-31'"
        ) from None
    return np.datetime64(ts.normalize().to_datetime64(), "ns")


# ---------------------------------------------------------------------------
# column resolution


def _duplicate_headers(path: Path, headers: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = h.strip()
        if not key:
            continue
        if key in seen:
            raise file_error(
                path,
                f"the header {key!r} appears twice "
                f"(columns {seen[key] + 1} and {i + 1})",
                "rename or delete one of the two columns",
            )
        seen[key] = i


def resolve_columns(
    path: Path,
    kind: str,
    headers: Sequence[str],
    columns: Mapping[str, str | None] | None,
) -> tuple[list[tuple[int, str]], dict[str, str], list[str]]:
    """Map source headers to canonical columns.

    Parameters
    ----------
    path : pathlib.Path
        The file (named in errors).
    kind : str
        The record kind.
    headers : sequence of str
        The file's headers.
    columns : mapping or None
        The user's mapping, source header -> canonical column (None: ignore).

    Returns
    -------
    positions : list of (int, str)
        The (position, header) pairs to read.
    mapping : dict of str to str
        Source header -> canonical column.
    dropped : list of str
        Headers outside the schema.

    Raises
    ------
    InputFileError
        A header appears twice, two headers mean the same column, or the
        mapping names a header the file does not have.
    ValidationError
        The mapping names a column the kind does not have.
    """
    _duplicate_headers(path, headers)
    allowed = set(CANONICAL[kind]) | set(RECORD_LINK_COLUMNS) | {HOUSE_NUMBER}
    lookup: dict[str, str] = {}
    for col, names in aliases(kind).items():
        for name in names:
            lookup.setdefault(name, col)
    user: dict[str, str | None] = {}
    if columns:
        folded_headers = {fold(h): h for h in headers}
        for src, dst in columns.items():
            if dst is not None and dst not in allowed:
                raise ValidationError(
                    f"columns maps {src!r} to {dst!r}, which is not a column of "
                    f"{kind}; expected one of {sorted(allowed)!r} or None to ignore it"
                )
            if src in headers:
                user[src] = dst
            elif fold(src) in folded_headers:
                user[folded_headers[fold(src)]] = dst
            else:
                raise file_error(
                    path,
                    f"the column mapping names {src!r}, which is not a header of "
                    f"the file (headers: {list(headers)!r})",
                    "fix the mapping",
                )
    mapping: dict[str, str] = {}
    chosen: dict[str, str] = {}
    dropped: list[str] = []
    for header in headers:
        canonical = user[header] if header in user else lookup.get(fold(header))
        if canonical is None:
            if header.strip():
                dropped.append(header)
            continue
        if canonical in chosen:
            raise file_error(
                path,
                f"the columns {chosen[canonical]!r} and {header!r} both mean "
                f"{canonical!r}",
                f"delete one, or ignore it with a column mapping "
                f"({header!r} -> None, CLI: --column '{header}=')",
            )
        chosen[canonical] = header
        mapping[header] = canonical
    positions = [(i, h) for i, h in enumerate(headers) if h in mapping]
    return positions, mapping, dropped


def require_columns(path: Path, kind: str, present: set[str], geometry: bool) -> None:
    """Raise :class:`InputFileError` when a file lacks a column it needs.

    A ``kind`` file needs its required columns, records need a way to be
    placed (estate id, address, lon/lat or a geometry), and lon and lat come
    together.
    """
    required = list(REQUIRED[kind])
    missing = [c for c in required if c not in present]
    if missing:
        col = missing[0]
        examples = ", ".join(aliases(kind)[col][:4])
        raise file_error(
            path,
            f"no column for {col!r}, which a {kind} file needs "
            f"(recognised headers include {examples})",
            f"rename the column or map it (columns={{'<header>': {col!r}}}, "
            f"CLI: --column '<header>={col}')",
        )
    if kind != "estates":
        placeable = (
            S.ESTATE_ID in present
            or S.ADDRESS in present
            or (S.LON in present and S.LAT in present)
            or geometry
        )
        if not placeable:
            raise file_error(
                path,
                f"no column to place the {kind} (estate id, address or lon/lat)",
                "add a codice_stabile, indirizzo or lon/lat column, or map one",
            )
    if (S.LON in present) != (S.LAT in present):
        have, lack = (S.LON, S.LAT) if S.LON in present else (S.LAT, S.LON)
        raise file_error(
            path,
            f"has a {have!r} column but no {lack!r} column",
            f"add the {lack!r} column or ignore {have!r} with a column mapping",
        )
