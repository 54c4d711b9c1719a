"""Read any table of a CSV or XLSX file as text, rows numbered as a person counts them.

:func:`read_records` reads record files into the schema; the geocoding
command reads any table with an address column, keeps every column and must
say, for each row, where it is in the file. :func:`label_row_numbers` names
a written row-number column by what it counts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import InputFileError
from geo_alloggi.io._columns import aliases, fold
from geo_alloggi.io._csv import read_csv_raw
from geo_alloggi.io._files import (
    ROW_NUMBER_COLUMNS,
    ROW_NUMBER_WORDS,
    RawTable,
    file_bytes,
    file_error,
    sniff_format,
)
from geo_alloggi.io._sheets import read_xlsx_raw

__all__ = ["find_column", "label_of", "label_row_numbers", "read_table"]


def _every_column(headers: list[str]) -> list[tuple[int, str]]:
    """Select every named column (a repeated header: its first column)."""
    seen: set[str] = set()
    out = []
    for i, h in enumerate(headers):
        if h and h not in seen:
            seen.add(h)
            out.append((i, h))
    return out


def read_table(
    path: str | os.PathLike[str], *, sheet: str | int | None = None
) -> pd.DataFrame:
    r"""Read every column of a CSV or XLSX table as text.

    Parameters
    ----------
    path : str or path-like
        The file: CSV (any of ``;``, ``,``, tab, ``|``; UTF-8, BOM, cp1252,
        latin-1, UTF-16) or XLSX.
    sheet : str or int, optional
        XLSX sheet name or 0-based position (default: the first).

    Returns
    -------
    pandas.DataFrame
        One text column per header (blank cells are ``""``), one row per
        non-blank data row. The index, named ``row_number``, is the row a
        person sees: for CSV the line of the file where the row starts (the
        header is line 1; a quoted cell may span lines), for XLSX the sheet's
        row number (the header is the first of the first 20 rows naming a
        known column such as ``indirizzo``, else the first non-empty row).
        ``attrs["file_format"]`` is ``"csv"`` or ``"xlsx"``.

    Raises
    ------
    InputFileError
        The file is missing, empty, not a CSV or XLSX table, or damaged.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text('indirizzo;note\nvia Padova 1;"a\nb"\nvia Roma 2;x\n')
    >>> read_table(p).index.tolist()
    [2, 4]
    """
    p = Path(os.fspath(path))
    raw_bytes = file_bytes(p)
    fmt = sniff_format(p, raw_bytes[:1024])
    raw: RawTable
    if fmt == "csv":
        raw = read_csv_raw(
            p,
            raw_bytes,
            select=_every_column,
            delimiter=None,
            encoding=None,
            decimal=None,
        )
    elif fmt == "xlsx":
        # the header is the first row naming a known column (titles may sit above)
        known_headers = {n for names in aliases("estates").values() for n in names}
        raw = read_xlsx_raw(
            p,
            select=_every_column,
            sheet=sheet,
            known=lambda header: fold(header) in known_headers,
        )
    else:
        raise file_error(
            p,
            f"is a {fmt} layer, not a CSV or XLSX table",
            "export its attribute table as CSV",
        )
    if raw.structural:
        position, problem = next(iter(sorted(raw.structural.items())))
        raise InputFileError(
            f"{str(p)!r}, {label_of(fmt)} {int(raw.row_number[position])}: {problem}; "
            "fix the row (a cell holding the separator must be quoted)"
        )
    frame = raw.frame.astype("object").where(raw.frame.notna(), "").astype("str")
    frame.index = pd.Index(raw.row_number, name=S.ROW_NUMBER)
    frame.attrs["file_format"] = fmt
    return frame


def label_of(file_format: str) -> str:
    """Return the words for a row number of ``file_format`` (``"line"``...).

    Parameters
    ----------
    file_format : str
        A file format (``"csv"``, ``"xlsx"``...).

    Returns
    -------
    str
        The words for a row number (``"row"`` by default).
    """
    return ROW_NUMBER_WORDS.get(file_format, "row")


def label_row_numbers(table: pd.DataFrame, file_format: str) -> pd.DataFrame:
    """Return ``table`` with its ``row_number`` named by what it counts.

    The index or column ``row_number`` becomes ``file_line`` (CSV: the line
    where the record starts, the header on line 1), ``sheet_row`` (XLSX: the
    sheet's row number) or ``layer_feature`` (GeoPackage/GeoJSON: the
    feature's 1-based position), so a written table says what it counts.

    Parameters
    ----------
    table : pandas.DataFrame
        A table read by :func:`read_table` or :func:`read_records`.
    file_format : str
        ``"csv"``, ``"xlsx"``, ``"gpkg"`` or ``"geojson"``.

    Returns
    -------
    pandas.DataFrame
        A renamed copy (the input is not changed).
    """
    name = ROW_NUMBER_COLUMNS.get(file_format, S.ROW_NUMBER)
    out = table.rename(columns={S.ROW_NUMBER: name})
    if out.index.name == S.ROW_NUMBER:
        out.index = out.index.rename(name)
    return out


def find_column(
    headers: list[str] | pd.Index, column: str, *, kind: str = "estates"
) -> str | None:
    """Return the header of ``headers`` that names ``column``, or None.

    Headers are folded (lower case, no accents) and looked up among the
    Italian and English names recognised for ``column`` in a file of
    ``kind`` (:func:`record_columns`): ``Indirizzo`` names ``address``,
    ``Comune`` names ``comune``. The first header in the order of the names
    wins (``address`` before ``via``).

    Parameters
    ----------
    headers : list of str or pandas.Index
        The headers of a file.
    column : str
        A canonical column name (``"address"``).
    kind : str, default 'estates'
        The kind of records file, which sets the names recognised.

    Returns
    -------
    str or None
        The matching header, None when no header names the column.

    Examples
    --------
    >>> find_column(["codice_stabile", "Indirizzo", "Comune"], "address")
    'Indirizzo'
    >>> find_column(["x"], "address") is None
    True
    """
    names = aliases(kind).get(column, ())
    by_fold: dict[str, str] = {}
    for h in map(str, headers):
        by_fold.setdefault(fold(h), h)
    return next((by_fold[n] for n in names if n in by_fold), None)
