"""Read a CSV file into text columns, as Excel shows it.

CSV files come as Italian Excel writes them: ``;`` and decimal comma, cp1252
or UTF-8 with a BOM; the encoding and delimiter are detected
(:mod:`~geo_alloggi.io._csv_scan`). Files are read by pandas' C parser, the
line where each row starts found from the bytes (outside quotes, for quoted
values); a file with ragged rows or unusual quotes by the ``csv`` module,
which knows those lines too.
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi.io._csv_scan import (
    CsvLines,
    csv_bytes,
    csv_head,
    quoted_records,
    sniff_delimiter,
)
from geo_alloggi.io._files import (
    RawTable,
    Select,
    file_error,
    strip_frame,
    strip_rows,
)
from geo_alloggi.io._parsing import PLACEHOLDER_MAX_LEN


def _c_parser(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    *,
    quoted: bool,
    categories: frozenset[int] = frozenset(),
) -> pd.DataFrame:
    """Read the data rows (header skipped) with pandas' C parser, as text.

    Columns are numbered 0..``ncols - 1`` and only ``positions`` are read;
    blank cells are NaN, blank lines skipped. ``quoted``: ``"`` quotes a
    cell (doubled inside it); otherwise quotes are plain characters. The
    columns in ``categories`` are read as categories of strings.
    """
    quoting: dict[str, Any] = (
        {"quoting": csv.QUOTE_MINIMAL, "quotechar": '"', "doublequote": True}
        if quoted
        else {"quoting": csv.QUOTE_NONE}
    )
    return pd.read_csv(
        _io.BytesIO(data),
        sep=delim,
        encoding=read_enc,
        header=None,
        skiprows=1,
        names=list(range(ncols)),
        usecols=positions,
        dtype={p: "category" if p in categories else str for p in positions},
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=True,
        engine="c",
        **quoting,
    )


#: Encodings whose bytes :meth:`CsvLines.cell_flags` can test cell by cell.
_ASCII_COMPATIBLE = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1"})


def _read_csv_fast(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    names: list[str],
    lines: CsvLines,
    few_values: Callable[[str], bool] | None,
) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]] | None:
    """Read an unquoted CSV with pandas' C parser (None if the rows disagree).

    Returns the frame, the row numbers and the rows of each column whose
    cell may be a placeholder (empty when not known). Columns with few
    values (``few_values(header)``) are read as categories.
    """
    known = read_enc in _ASCII_COMPATIBLE
    frame = _c_parser_text(
        data, read_enc, delim, ncols, positions, names, few_values, quoted=False
    )
    row_number = lines.data_lines[~lines.blank] + 1
    if len(frame) != len(row_number):  # pragma: no cover - defensive
        return None
    if not known:
        padded = lines.padded_columns(delim, ncols)
        return _selected(frame, positions, names, padded), row_number, {}
    # only the cells with edge spaces are stripped, only short ones may be
    # placeholders: a cell holds at least as many bytes as characters
    edge, short = lines.cell_flags(delim, ncols, positions, PLACEHOLDER_MAX_LEN)
    frame = _selected(frame, positions, names, np.zeros(ncols, dtype=bool))
    frame = strip_rows(frame, dict(zip(names, edge, strict=True)))
    return frame, row_number, dict(zip(names, short, strict=True))


def _few_valued(
    read_enc: str,
    positions: list[int],
    names: list[str],
    few_values: Callable[[str], bool] | None,
) -> frozenset[int]:
    """Positions of the columns to read as categories (few distinct values).

    Only for encodings whose bytes the C parser compares as the text's.
    """
    if read_enc not in _ASCII_COMPATIBLE or few_values is None:
        return frozenset()
    return frozenset(
        p for p, name in zip(positions, names, strict=True) if few_values(name)
    )


def _c_parser_text(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    names: list[str],
    few_values: Callable[[str], bool] | None,
    *,
    quoted: bool,
) -> pd.DataFrame:
    """:func:`_c_parser`, few-valued columns as categories (:func:`_few_valued`).

    Read again without categories if pandas typed them.
    """
    categories = _few_valued(read_enc, positions, names, few_values)
    frame = _c_parser(
        data, read_enc, delim, ncols, positions, quoted=quoted, categories=categories
    )
    if not all(_text_categories(frame[p]) for p in categories):
        # pandas turned a column's categories into numbers or booleans: the
        # text as written is lost, read it again as text
        frame = _c_parser(data, read_enc, delim, ncols, positions, quoted=quoted)
    return frame


def _text_categories(column: pd.Series) -> bool:
    """Whether a categorical column's categories are the strings as written."""
    cats = column.cat.categories
    return len(cats) == 0 or isinstance(cats.dtype, pd.StringDtype)


def _read_csv_quoted(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    names: list[str],
    row_number: np.ndarray,
    padded: np.ndarray,
    few_values: Callable[[str], bool] | None = None,
) -> pd.DataFrame | None:
    """Read a quoted CSV with pandas' C parser (None if the rows disagree).

    Only the columns flagged in ``padded`` (one flag per column of the file)
    are stripped. Columns with few values (``few_values(header)``) are read
    as categories.
    """
    try:
        frame = _c_parser_text(
            data, read_enc, delim, ncols, positions, names, few_values, quoted=True
        )
    except (pd.errors.ParserError, ValueError):  # pragma: no cover - defensive
        return None
    if len(frame) != len(row_number):
        return None
    return _selected(frame, positions, names, padded)


def _selected(
    frame: pd.DataFrame, positions: list[int], names: list[str], padded: np.ndarray
) -> pd.DataFrame:
    """Keep the selected columns under their names, padded ones stripped.

    ``padded`` holds one flag per column of the file.
    """
    frame = frame[positions]
    frame.columns = pd.Index(names)
    padded = padded[positions]
    if padded.any():
        frame = strip_frame(frame, list(frame.columns[padded]))
    return frame


def read_csv_raw(
    path: Path,
    raw: bytes,
    *,
    select: Select,
    delimiter: str | None,
    encoding: str | None,
    decimal: str | None,
    few_values: Callable[[str], bool] | None = None,
) -> RawTable:
    """Read the columns ``select`` picks from a CSV file's bytes.

    Parameters
    ----------
    path : pathlib.Path
        The file (named in errors).
    raw : bytes
        Its content.
    select : callable
        ``select(headers)`` -> (position, header) pairs to read.
    delimiter, encoding, decimal : str or None
        Overrides; detected when None (decimal comma with ``;``).
    few_values : callable or None, default None
        ``few_values(header)``: True for a column with few distinct values,
        which an unquoted file gives as categories of strings.

    Returns
    -------
    RawTable
        Rows made only of blanks and delimiters are left out.
    """
    data, enc, read_enc = csv_bytes(path, raw, encoding)
    text_head, first_line = csv_head(path, data, read_enc)
    delim = delimiter or sniff_delimiter(first_line)
    # the header may span lines only when quoted; read it with the csv module
    reader = csv.reader(_io.StringIO(text_head, newline=""), delimiter=delim)
    headers = [h.strip() for h in next(reader)]
    header_lines = reader.line_num
    dec = decimal or ("," if delim == ";" else ".")
    selected = select(headers)  # list of (position, header)
    positions = [p for p, _ in selected]
    names = [h for _, h in selected]
    ncols = len(headers)

    lines = None
    quoted = b'"' in data
    if header_lines == 1 and not quoted and len(positions) > 0:
        lines = CsvLines.scan(data, delim, ncols)
    fast: tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]] | None = None
    if lines is not None:
        fast = _read_csv_fast(
            data, read_enc, delim, ncols, positions, names, lines, few_values
        )
    elif header_lines == 1 and quoted and len(positions) > 0:
        # quoted values: record ends found outside the quotes, then the C parser
        found = quoted_records(data, delim, ncols)
        if found is not None:
            starts, padded = found
            read = _read_csv_quoted(
                data,
                read_enc,
                delim,
                ncols,
                positions,
                names,
                starts,
                padded,
                few_values,
            )
            fast = None if read is None else (read, starts, {})
    structural: dict[int, str] = {}
    if fast is not None:
        frame, row_number, maybe_placeholder = fast
    else:
        maybe_placeholder = {}
        lines = None
        frame, row_number, structural = _read_csv_slow(
            path,
            data.decode(read_enc),
            delim,
            ncols,
            positions,
            names,
            needed=max((i + 1 for i, h in enumerate(headers) if h), default=0),
        )
        frame = strip_frame(frame)
    frame, row_number, structural, maybe_placeholder = _drop_blank_rows(
        frame, row_number, structural, maybe_placeholder, lines, data, delim
    )
    return RawTable(
        headers=headers,
        frame=frame,
        row_number=np.asarray(row_number, dtype=np.int64),
        file_format="csv",
        encoding=enc,
        delimiter=delim,
        decimal=dec,
        structural=structural,
        maybe_placeholder=maybe_placeholder,
    )


def _drop_blank_rows(
    frame: pd.DataFrame,
    row_number: np.ndarray,
    structural: dict[int, str],
    per_row: dict[str, np.ndarray],
    lines: CsvLines | None,
    data: bytes,
    delim: str,
) -> tuple[pd.DataFrame, np.ndarray, dict[int, str], dict[str, np.ndarray]]:
    """Leave out rows made only of delimiters: they are blank, not records.

    ``per_row`` holds arrays with one value per row, kept in step.
    """
    if not len(frame.columns):
        return frame, row_number, structural, per_row
    blank_rows = _all_blank(frame)
    if structural:
        blank_rows[list(structural)] = False
    if blank_rows.any() and lines is not None:
        # a row may be blank in the schema columns but not in the others
        keep = ~blank_rows
        for i in np.flatnonzero(blank_rows):
            if lines.holds_values(data, row_number[i] - 1, delim):
                keep[i] = True
        blank_rows = ~keep
    if blank_rows.any():
        keep_idx = np.flatnonzero(~blank_rows)
        remap = {int(old): new for new, old in enumerate(keep_idx)}
        structural = {remap[k]: v for k, v in structural.items() if k in remap}
        frame = frame.iloc[keep_idx].reset_index(drop=True)
        row_number = row_number[keep_idx]
        per_row = {k: v[keep_idx] for k, v in per_row.items()}
    return frame, row_number, structural, per_row


def _read_csv_slow(
    path: Path,
    text: str,
    delim: str,
    ncols: int,
    positions: list[int],
    names: list[str],
    needed: int,
) -> tuple[pd.DataFrame, np.ndarray, dict[int, str]]:
    """Read with the csv module: exact line numbers, ragged rows detected.

    A row needs ``needed`` fields (up to the last named header); fewer is a
    structural problem, more is one only when the extra fields hold values.
    """
    text = text.lstrip("\ufeff")
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim)
    next(reader, None)
    cols: list[list[str | None]] = [[] for _ in positions]
    rows: list[int] = []
    structural: dict[int, str] = {}
    last_line = reader.line_num
    try:
        for fields in reader:
            start = last_line + 1
            last_line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            n = len(fields)
            if n > ncols and any(f.strip() for f in fields[ncols:]):
                structural[len(rows)] = (
                    f"row has {n} fields but the header has {ncols} "
                    f"(an unquoted {delim!r} inside a value?)"
                )
                for c in cols:
                    c.append(None)
            elif n < needed:
                structural[len(rows)] = (
                    f"row has {n} fields but the header has {needed}"
                )
                for c in cols:
                    c.append(None)
            else:
                for c, p in zip(cols, positions, strict=True):
                    c.append(fields[p])
            rows.append(start)
    except csv.Error as exc:
        raise file_error(
            path,
            f"cannot be parsed as CSV near line {reader.line_num} ({exc})",
            "check the quotes on that line",
        ) from None
    frame = pd.DataFrame(
        {name: pd.array(c, dtype="str") for name, c in zip(names, cols, strict=True)},
        columns=names,
    )
    return frame, np.asarray(rows, dtype=np.int64), structural


def _all_blank(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose columns (already stripped) are all missing."""
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        blank &= frame[col].isna().to_numpy(dtype=bool)
        if not blank.any():
            break
    return blank
