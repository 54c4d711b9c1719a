"""Write tables for meetings that open right in Italian Excel, formulas neutralised.

CSV with ``;``, decimal comma and a UTF-8 BOM (Italian Excel opens it with a
double click), or XLSX with real numbers and dates. Text cells that a
spreadsheet would run as formulas are neutralised (CSV injection).
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi._errors import ValidationError

PathLike = str | os.PathLike[str]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XLSX tables of more cells are streamed to disk row by row (constant memory);
# smaller ones are built in memory (about 45 MiB at this size), a little faster
_STREAM_CELLS = 200_000


def _neutralise(value: Any) -> Any:
    """Prefix ``'`` to text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_table(
    df: pd.DataFrame,
    path: PathLike,
    *,
    lang: str = "it",
    also: Sequence[PathLike] = (),
) -> Path:
    """Write a table that opens correctly in Excel: CSV or XLSX by extension.

    Parameters
    ----------
    df : pd.DataFrame
        The table. A named index (e.g. ``row_number``) is written as the first
        column; an unnamed index is not written. A geometry column is not
        written (use a GeoPackage for layers).
    path : str or os.PathLike
        ``.csv`` or ``.xlsx``; the folder must exist.
    lang : str, optional
        ``"it"`` (default): CSV with ``;`` separators, decimal comma, UTF-8
        with BOM, dates as ``dd/mm/yyyy``, booleans ``sì``/``no``.
        ``"en"``: CSV with ``,``, decimal point, UTF-8 with BOM, ISO dates,
        booleans ``yes``/``no``. XLSX cells hold real numbers and dates
        (shown ``dd/mm/yyyy`` in Italian, ``yyyy-mm-dd`` in English).
    also : sequence of str or os.PathLike, default ()
        More files of the same table (e.g. ``t.xlsx`` beside ``t.csv``), each
        in the format of its extension: the table is prepared once.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValidationError
        Unknown ``lang`` or extension, or ``df`` is not a DataFrame.

    Notes
    -----
    Text cells (and headers) starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return are prefixed with ``'`` so that a spreadsheet never
    runs them as formulas (CSV injection). Missing values are empty cells.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> table = pd.DataFrame({"quartiere": ["San Siro", "=1+1"], "quota": [21.8, 0.5]})
    >>> path = write_table(table, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> path.read_text(encoding="utf-8-sig").splitlines()
    ['quartiere;quota', 'San Siro;21,8', "'=1+1;0,5"]
    """
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(
            f"df must be a pandas DataFrame, got {type(df).__name__!r}"
        )
    if lang not in ("it", "en"):
        raise ValidationError(f"lang={lang!r} is not one of ['it', 'en']")
    outs = [Path(os.fspath(p)) for p in (path, *also)]
    for out_path in outs:
        ext = out_path.suffix.lower()
        if ext not in (".csv", ".xlsx"):
            raise ValidationError(
                f"path {os.fspath(out_path)!r} must end in '.csv' or '.xlsx', "
                f"got {ext!r}"
            )
    date_fmt = "%d/%m/%Y" if lang == "it" else "%Y-%m-%d"
    table = _export_table(df, lang=lang, date_fmt=date_fmt)
    for out_path in outs:  # the writers do not modify the table
        if out_path.suffix.lower() == ".csv":
            _write_csv(table, out_path, lang=lang, date_fmt=date_fmt)
        else:
            _write_xlsx(
                table,
                out_path,
                date_fmt="DD/MM/YYYY" if lang == "it" else "YYYY-MM-DD",
            )
    return outs[0]


def _export_table(df: pd.DataFrame, *, lang: str, date_fmt: str) -> pd.DataFrame:
    """Return a copy without geometry, the named index as a column, text neutralised.

    Booleans become ``sì``/``no`` (``yes``/``no``), time zones are dropped;
    numbers and dates are left for the writer.
    """
    table = pd.DataFrame(df.copy())
    if isinstance(df, gpd.GeoDataFrame) or any(
        isinstance(table[c].dtype, gpd.array.GeometryDtype) for c in table.columns
    ):
        geo_cols = [
            c
            for c in table.columns
            if isinstance(table[c].dtype, gpd.array.GeometryDtype)
        ]
        table = table.drop(columns=geo_cols)
    if any(name is not None for name in table.index.names):
        table = table.reset_index()
    else:
        table = table.reset_index(drop=True)
    table.columns = [_neutralise(str(c)) for c in table.columns]
    yes, no = ("sì", "no") if lang == "it" else ("yes", "no")
    for col in table.columns:
        s = table[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            table[col] = s.map({True: yes, False: no}).astype(object)
        elif isinstance(s.dtype, pd.DatetimeTZDtype):
            table[col] = s.dt.tz_localize(None)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype) or (
            pd.api.types.is_numeric_dtype(s.dtype)
        ):
            continue
        else:  # text, categories, periods, anything else: neutralised text
            cell = _neutralise_cell(yes, no, date_fmt)
            table[col] = pd.Series(
                [cell(v) for v in s.astype(object).tolist()],
                index=table.index,
                dtype=object,
            )
    return table


def _write_csv(table: pd.DataFrame, path: Path, *, lang: str, date_fmt: str) -> None:
    """Write ``;`` and decimal comma (``it``) or ``,`` and point (``en``), with BOM."""
    csv_table = table.copy()
    for col in csv_table.columns:
        s = csv_table[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
            fmt = date_fmt + (" %H:%M" if has_time else "")
            csv_table[col] = s.dt.strftime(fmt).astype(object).where(s.notna(), None)
        elif lang == "it" and pd.api.types.is_object_dtype(s.dtype):
            # mixed columns (numbers and markers such as "riservato"): pandas'
            # decimal= only reaches float columns, so write the comma here
            csv_table[col] = s.map(_decimal_comma)
    csv_table.to_csv(
        path,
        sep=";" if lang == "it" else ",",
        decimal="," if lang == "it" else ".",
        index=False,
        encoding="utf-8-sig",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
    )


def _decimal_comma(value: Any) -> Any:
    """Write a float held in an object column with a decimal comma."""
    if isinstance(value, float | np.floating) and math.isfinite(value):
        return repr(float(value)).replace(".", ",")
    return value


def _neutralise_cell(yes: str, no: str, date_fmt: str) -> Any:
    def cell(value: Any) -> Any:
        if value is None or value is pd.NA:
            return None
        if isinstance(value, bool | np.bool_):
            return yes if value else no
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, str):
            return _neutralise(value)
        if isinstance(value, _dt.datetime | pd.Timestamp):
            has_time = (value.hour, value.minute, value.second) != (0, 0, 0)
            return value.strftime(date_fmt + (" %H:%M" if has_time else ""))
        if isinstance(value, _dt.date):
            return value.strftime(date_fmt)
        if isinstance(value, int | float | np.number):
            return value.item() if isinstance(value, np.generic) else value
        return _neutralise(str(value))

    return cell


def _write_xlsx(table: pd.DataFrame, path: Path, *, date_fmt: str) -> None:
    """Write the exported table as one XLSX sheet: real numbers and dates.

    Text is always written as text (never read as a formula, a link or a
    number), missing values are empty cells, infinities Excel's ``#DIV/0!``.
    Each column's writer is chosen once (XlsxWriter's typed calls, not its
    generic ``write``, which tests every cell's type again). A table of more
    than ``_STREAM_CELLS`` cells is streamed row by row through temporary
    files (XlsxWriter's constant-memory mode); a smaller one is built in
    memory, without temporary files.
    """
    import xlsxwriter

    stream = table.size > _STREAM_CELLS
    book = xlsxwriter.Workbook(
        os.fspath(path),
        {
            "constant_memory": stream,
            "in_memory": not stream,
            "nan_inf_to_errors": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet("tabella")
    dates = book.add_format({"num_format": date_fmt})
    text, number = sheet.write_string, sheet.write_number

    def date(row: int, col: int, value: _dt.datetime) -> Any:
        return sheet.write_datetime(row, col, value, dates)

    columns: list[list[Any]] = []
    # one writer per column; None: text and numbers mixed, chosen per cell
    writers: list[Any] = []
    for col in table.columns:
        cells, kind = _xlsx_cells(table[col])
        columns.append(cells)
        writers.append({"date": date, "number": number}.get(kind))
    for c, name in enumerate(table.columns):
        text(0, c, str(name))
    for r, values in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(values):
            if value is None:
                continue  # missing, NaN, empty text: an empty cell
            write = writers[c]
            if write is None:
                # text was neutralised before: no cell starts with "=", "+"...
                write = text if isinstance(value, str) else number
            write(r, c, value)
    book.close()


def _xlsx_cells(s: pd.Series) -> tuple[list[Any], str]:
    """Return a column's cell values (None: an empty cell) and their kind.

    The kind is ``"date"``, ``"number"`` or ``"mixed"`` (text and numbers, as
    the export leaves them); numbers are Python numbers.
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in s.tolist()], "date"
    if pd.api.types.is_float_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype):
        values = s.astype(object).where(s.notna(), None).tolist()
        return [
            None if v is None or v != v else v.item() if hasattr(v, "item") else v
            for v in values
        ], "number"
    return [
        None if v is None or v is pd.NA or v != v or v == "" else v for v in s.tolist()
    ], "mixed"
