"""What the file readers share: the RawTable, a file's bytes, format and errors.

A reader (:mod:`~geo_alloggi.io._csv`, :mod:`~geo_alloggi.io._sheets`)
returns a :class:`RawTable`: the selected columns as text (spaces stripped,
empty cells missing), the row number a person sees in the source file, and
the rows whose structure is broken. Values are parsed and checked later
(:mod:`geo_alloggi.io._validation`).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi._errors import InputFileError

#: File format -> the header that says what a written row number counts.
ROW_NUMBER_COLUMNS: dict[str, str] = {
    "csv": "file_line",
    "xlsx": "sheet_row",
    "gpkg": "layer_feature",
    "geojson": "layer_feature",
}

#: File format -> the words for a row number in a sentence ("first on line 2").
ROW_NUMBER_WORDS: dict[str, str] = {
    "csv": "line",
    "xlsx": "sheet row",
    "gpkg": "feature",
    "geojson": "feature",
}

#: ``select(headers)`` (``select(headers, has_geometry)`` for layers) returns
#: the (position, header) pairs to read; it raises for a file it cannot use.
Select = Callable[..., list[tuple[int, str]]]


@dataclass
class RawTable:
    """The selected columns of a file as text, with the source row numbers.

    Attributes
    ----------
    headers : list of str
        Every header of the file, in order.
    frame : pandas.DataFrame
        One column per selected source header (string dtype, missing where
        blank; a CSV reader may give a column with few distinct values as
        categories of strings), one row per non-blank data row.
    row_number : numpy.ndarray
        The row number a person sees in the source, one per row of ``frame``.
    file_format : str
        ``"csv"``, ``"xlsx"``, ``"gpkg"`` or ``"geojson"``.
    encoding, delimiter : str or None
        As detected (CSV only).
    decimal : str
        The decimal separator of numbers written as text.
    structural : dict of int to str
        Position in ``frame`` -> the file-structure problem of that row.
    geometry_xy : tuple of numpy.ndarray, or None
        Longitude and latitude (EPSG:4326) from a layer's geometry.
    maybe_placeholder : dict of str to numpy.ndarray
        Source header -> boolean array, True for the rows whose cell may be
        a placeholder (``-``, ``n.d.``...: short values); the other rows
        hold none. A header not in it: any row may.
    """

    headers: list[str]
    frame: pd.DataFrame  # columns: source headers of the schema columns; str/NA
    row_number: np.ndarray
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    # position in ``frame`` -> reason (file-structure problems of that row)
    structural: dict[int, str] = field(default_factory=dict)
    # canonical lon/lat from a layer's geometry (GeoPackage/GeoJSON)
    geometry_xy: tuple[np.ndarray, np.ndarray] | None = None
    # source header -> rows whose cell may be a placeholder (short enough);
    # the other rows hold none. A header not in it: any row may.
    maybe_placeholder: dict[str, np.ndarray] = field(default_factory=dict)


def file_error(path: Path, problem: str, fix: str) -> InputFileError:
    """Return the one-line error naming the file, the problem and the fix."""
    return InputFileError(f"{os.fspath(path)!r}: {problem}; {fix}")


def file_bytes(p: Path) -> bytes:
    """Return the content of a file that exists, is readable and is not empty."""
    if not p.exists():
        raise file_error(p, "file not found", "check the path and the file name")
    if p.is_dir():
        raise file_error(p, "is a folder, not a file", "give the path of the file")
    try:
        raw_bytes = p.read_bytes()
    except OSError as exc:
        raise file_error(
            p, f"cannot be read ({exc.strerror})", "check the file's permissions"
        ) from None
    blank = b" \t\r\n\xef\xbb\xbf"
    # the head tells almost every file: no copy of a large one
    if not raw_bytes[:4096].strip(blank) and not raw_bytes.strip(blank):
        raise file_error(
            p, "is empty", "export the table again with a header row and data rows"
        )
    return raw_bytes


def sniff_format(path: Path, head: bytes) -> str:
    """Recognise a file from its first bytes: csv, xlsx, gpkg or geojson.

    Raises :class:`InputFileError` for what is not a table (zip, old .xls,
    PDF, a damaged workbook or GeoPackage).
    """
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            names = []
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if suffix in (".xlsx", ".xlsm"):
            raise file_error(
                path,
                "is not a valid XLSX workbook (damaged or incomplete?)",
                "open it in Excel and save it again as .xlsx, or export CSV",
            )
        raise file_error(
            path,
            "is a zip archive, not a table",
            "extract the CSV/XLSX file from it and read that",
        )
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(
            path,
            "is an old Excel .xls workbook, which is not supported",
            "open it in Excel or LibreOffice and save it as .xlsx or CSV",
        )
    if head.startswith(b"%PDF"):
        raise file_error(
            path, "is a PDF document, not a table", "export the table as CSV or XLSX"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise file_error(
            path,
            "has an Excel extension but is not an XLSX workbook",
            "save it again from Excel as .xlsx, or as CSV",
        )
    if suffix == ".gpkg":
        raise file_error(
            path, "is not a GeoPackage", "export the layer again from QGIS"
        )
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "geojson"
    return "csv"


def strip_frame(frame: pd.DataFrame, columns: list[Any] | None = None) -> pd.DataFrame:
    """Strip spaces in ``columns`` (default every one); empty strings become missing.

    Works on the distinct values (``pandas.factorize``), so that columns with
    few distinct values (dates, status, estate ids) cost almost nothing.
    """
    out = {}
    for col in frame.columns:
        if columns is not None and col not in columns:
            out[col] = frame[col]
            continue
        out[col] = _strip_distinct(frame[col])
    return pd.DataFrame(out, columns=frame.columns)


def _strip_distinct(s: pd.Series) -> pd.Series:
    """Strip each distinct value of a text (or categorical) column once."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object).tolist()
    return text_from_codes(_stripped(values), codes)


def text_from_codes(values: Sequence[str | None], codes: np.ndarray) -> pd.Series:
    """Return the text series ``values[codes]``, missing where a code is -1.

    Parameters
    ----------
    values : sequence of str or None
        The distinct texts (None: missing).
    codes : numpy.ndarray
        One position in ``values`` per row, -1 for a missing cell.

    Returns
    -------
    pandas.Series
        String dtype, a default index; the distinct texts are checked once,
        not once per row.
    """
    distinct = pd.array(list(values), dtype="str")
    return pd.Series(distinct.take(np.asarray(codes, dtype=np.intp), allow_fill=True))


def missing_text(n: int) -> pd.Series:
    """Return a text series of ``n`` missing cells (string dtype)."""
    return text_from_codes([], np.full(n, -1, dtype=np.intp))


def strip_rows(frame: pd.DataFrame, rows: dict[Any, np.ndarray]) -> pd.DataFrame:
    """Strip spaces in the cells ``rows`` flags; empty strings become missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        Text columns (string dtype).
    rows : dict
        Column -> boolean array, True for the rows to strip (the cells of
        the other rows strip to themselves). Columns not in it are kept.

    Returns
    -------
    pandas.DataFrame
        A new frame, as :func:`strip_frame` of every column returns it (a
        categorical column with a cell to strip becomes text).
    """
    out = {}
    for col in frame.columns:
        flag = rows.get(col)
        s = frame[col]
        if flag is not None and flag.any() and isinstance(s.dtype, pd.CategoricalDtype):
            s = _strip_distinct(s)
        elif flag is not None and flag.any():
            idx = np.flatnonzero(flag)
            s = s.copy()
            s.iloc[idx] = _stripped(s.iloc[idx].tolist())
        out[col] = s
    return pd.DataFrame(out, columns=frame.columns)


def _stripped(values: list[Any]) -> list[str | None]:
    """Each text stripped of spaces (None when nothing is left or missing)."""
    return [v.strip() or None if isinstance(v, str) else None for v in values]
