"""Read an XLSX sheet or a GeoPackage/GeoJSON layer into text columns.

Cells become the text a CSV would hold (dates as ``YYYY-MM-DD``, whole
numbers without ``.0``); a layer's geometry becomes each feature's point in
EPSG:4326.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import config
from geo_alloggi._errors import InputFileError
from geo_alloggi.io._files import RawTable, Select, file_error, strip_frame


def _cell_text(value: Any) -> str | None:
    """Return a cell of XLSX or of a layer as the text a CSV would hold."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime | pd.Timestamp):
        if pd.isna(value):
            return None
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(float(value))
    return str(value)


_HEADER_SEARCH_ROWS = 20


def read_xlsx_raw(
    path: Path,
    *,
    select: Select,
    sheet: str | int | None,
    known: Callable[[str], bool] = lambda header: False,
) -> RawTable:
    """Read the columns ``select`` picks from a sheet of an XLSX workbook.

    Parameters
    ----------
    path : pathlib.Path
        The workbook.
    select : callable
        ``select(headers)`` -> (position, header) pairs to read.
    sheet : str, int or None
        Sheet name or 0-based index (None: the first sheet).
    known : callable
        ``known(header)`` is True for a header naming a known column: the
        header row is the first of the first 20 rows holding one (titles
        often sit above it), else the first non-empty row.

    Returns
    -------
    RawTable
        Row numbers are the sheet's; empty rows are left out.
    """
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise file_error(
            path,
            f"cannot be opened as an XLSX workbook ({type(exc).__name__})",
            "open it in Excel and save it again as .xlsx, or export CSV",
        ) from None
    try:
        ws = _worksheet(path, wb, sheet)
        headers, header_row, rows_iter = _sheet_header(path, ws, known)
        selected = select(headers)
        frame, rows, structural = _sheet_rows(
            rows_iter, header_row, len(headers), selected
        )
    finally:
        wb.close()
    return RawTable(
        headers=headers,
        frame=strip_frame(frame),
        row_number=np.asarray(rows, dtype=np.int64),
        file_format="xlsx",
        structural=structural,
    )


def _worksheet(path: Path, wb: Any, sheet: str | int | None) -> Any:
    """Return the sheet asked for (default: the first)."""
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(wb.worksheets):
            raise file_error(
                path,
                f"has no sheet number {sheet} (it has {len(wb.worksheets)})",
                f"choose one of {wb.sheetnames!r}",
            )
        return wb.worksheets[sheet]
    if sheet not in wb.sheetnames:
        raise file_error(
            path,
            f"has no sheet {sheet!r}",
            f"choose one of {wb.sheetnames!r}",
        )
    return wb[sheet]


def _sheet_header(
    path: Path, ws: Any, known: Callable[[str], bool]
) -> tuple[list[str], int, Iterator[tuple[Any, ...]]]:
    """Return the headers, their row number and an iterator over the rows below."""
    rows_iter: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
    # the header is the first row naming a known column among the first
    # rows (titles often sit above it), else the first non-empty row
    head = list(itertools.islice(rows_iter, _HEADER_SEARCH_ROWS))
    filled = [
        i
        for i, values in enumerate(head)
        if any(v is not None and str(v).strip() for v in values)
    ]
    if not filled:
        raise file_error(
            path,
            f"sheet {ws.title!r} is empty",
            "put the header in the first row and one record per row below",
        )
    named = [
        i
        for i in filled
        if any(v is not None and known(str(v).strip()) for v in head[i])
    ]
    idx = named[0] if named else filled[0]
    headers = [("" if v is None else str(v)).strip() for v in head[idx]]
    while headers and not headers[-1]:
        headers.pop()
    return headers, idx + 1, itertools.chain(head[idx + 1 :], rows_iter)


def _sheet_rows(
    rows_iter: Iterator[tuple[Any, ...]],
    header_row: int,
    ncols: int,
    selected: list[tuple[int, str]],
) -> tuple[pd.DataFrame, list[int], dict[int, str]]:
    """Read the selected cells of the rows below the header, as text."""
    positions = [p for p, _ in selected]
    names = [h for _, h in selected]
    cols: list[list[str | None]] = [[] for _ in positions]
    rows: list[int] = []
    structural: dict[int, str] = {}
    excel_row = header_row
    for values in rows_iter:
        excel_row += 1
        texts = [_cell_text(v) for v in values]
        if not any(t is not None and t.strip() for t in texts):
            continue
        if len(texts) > ncols and any(
            t is not None and t.strip() for t in texts[ncols:]
        ):
            structural[len(rows)] = (
                f"row has values beyond the last header (column {ncols})"
            )
        for c, p in zip(cols, positions, strict=True):
            c.append(texts[p] if p < len(texts) else None)
        rows.append(excel_row)
    frame = pd.DataFrame(
        {name: pd.array(c, dtype="str") for name, c in zip(names, cols, strict=True)},
        columns=names,
    )
    return frame, rows, structural


def _gdal_reason(exc: Exception) -> str:
    """First sentence of a GDAL error, without the path it repeats."""
    text = str(exc).splitlines()[0].split(";")[0]
    return re.sub(r"^'[^']*'\s*", "", text).strip(" .") or type(exc).__name__


def _unreadable_layer(path: Path, file_format: str, exc: Exception) -> InputFileError:
    """Return the error for a layer GDAL cannot read."""
    return file_error(
        path,
        f"cannot be read as a {file_format} layer ({_gdal_reason(exc)})",
        "export the layer again from QGIS as GeoPackage or GeoJSON",
    )


def read_layer_raw(
    path: Path, *, select: Select, layer: str | int | None, file_format: str
) -> RawTable:
    """Read the attributes ``select`` picks from a GeoPackage or GeoJSON layer.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    select : callable
        ``select(headers, has_geometry)`` -> (position, header) pairs to read.
    layer : str, int or None
        The layer (needed when the file holds several).
    file_format : str
        ``"gpkg"`` or ``"geojson"`` (named in errors).

    Returns
    -------
    RawTable
        Row numbers are feature positions (1-based); ``geometry_xy`` holds
        each feature's point (a representative point for other geometries)
        in EPSG:4326.
    """
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            raise file_error(
                path,
                f"holds {len(layers)} layers {[str(n) for n, _ in layers]!r}",
                "choose one with layer=",
            )
        info = pyogrio.read_info(path, layer=layer)
    except InputFileError:
        raise
    except Exception as exc:
        raise _unreadable_layer(path, file_format, exc) from None
    headers = [str(f) for f in info["fields"]]
    selected = select(headers, info.get("geometry_type") is not None)
    names = [h for _, h in selected]
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, columns=names)
    except Exception as exc:
        raise _unreadable_layer(path, file_format, exc) from None
    frame = pd.DataFrame(
        {
            name: pd.array([_cell_text(v) for v in gdf[name].tolist()], dtype="str")
            for name in names
        },
        columns=names,
    )
    return RawTable(
        headers=headers,
        frame=strip_frame(frame),
        row_number=np.arange(1, len(frame) + 1, dtype=np.int64),
        file_format=file_format,
        geometry_xy=_layer_xy(path, gdf),
    )


def _layer_xy(path: Path, gdf: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Longitude and latitude of each feature (NaN without geometry)."""
    if not (isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns):
        return None
    geom = gdf.geometry
    present = geom.notna() & ~geom.is_empty
    if not present.any():
        return None
    if gdf.crs is None:
        raise file_error(
            path,
            "the layer has geometries but no CRS",
            "set the layer's CRS in QGIS (geo_alloggi never guesses a CRS)",
        )
    geom = geom.to_crs(config.geographic_crs)
    pts = geom.copy()
    non_point = present & (geom.geom_type != "Point")
    if non_point.any():
        pts[non_point] = geom[non_point].representative_point()
    x = np.full(len(gdf), np.nan)
    y = np.full(len(gdf), np.nan)
    x[present.to_numpy()] = shapely.get_x(pts[present].to_numpy())
    y[present.to_numpy()] = shapely.get_y(pts[present].to_numpy())
    return x, y
