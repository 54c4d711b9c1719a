"""Read a CSV, XLSX or GeoPackage/GeoJSON file into text columns, as Excel shows it.

Every reader returns a :class:`RawTable`: the selected columns as text
(spaces stripped, empty cells missing), the row number a person sees in the
source file, and the rows whose structure is broken. Values are parsed and
checked later (:mod:`geo_alloggi.io._validation`).

CSV files come as Italian Excel writes them: ``;`` and decimal comma, cp1252
or UTF-8 with a BOM; the encoding and delimiter are detected. Files are read
by pandas' C parser, the line where each row starts found from the bytes
(outside quotes, for quoted values); a file with ragged rows or unusual
quotes by the ``csv`` module, which knows those lines too.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import itertools
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import config
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
        blank), one row per non-blank data row.
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
    if not raw_bytes.strip(b" \t\r\n\xef\xbb\xbf"):
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


def _decode(path: Path, raw: bytes) -> tuple[bytes, str]:
    """Return bytes readable with the returned encoding (UTF-16 re-encoded)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise file_error(
                path, f"is not valid UTF-16 ({exc.reason})", "save it as UTF-8 CSV"
            ) from None
        return text.encode("utf-8"), "utf-16"
    if b"\x00" in raw[:65536]:
        raise file_error(
            path,
            "is a binary file, not a text table",
            "export the table as CSV (UTF-8 or Windows encoding) or XLSX",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:
            return raw, "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return raw, "utf-8"
    # Windows-1252 is what Italian Excel writes; it differs from latin-1 only
    # in 0x80-0x9F (€, ’, “...), which latin-1 uses for control characters
    c1 = bool(np.any((np.frombuffer(raw, dtype=np.uint8) - 0x80) < 0x20))  # 80-9F
    if c1:
        try:
            raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw, "latin-1"
        return raw, "cp1252"
    return raw, "latin-1"


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


#: Delimiter of a one-column file: the ASCII unit separator, which no table
#: holds, so a value's commas or semicolons ("Via Roma 1, Milano") stay in it.
ONE_COLUMN = "\x1f"


def _sniff_delimiter(header_line: str) -> str:
    """Return the delimiter of a CSV from its header line.

    The candidate (``;``, ``,``, tab, ``|``) splitting the header into the
    most fields, ``;`` on a tie; :data:`ONE_COLUMN` when none splits it (a
    one-column file, e.g. a list of addresses under ``indirizzo``).
    """
    counts = {}
    for delim in (";", ",", "\t", "|"):
        try:
            counts[delim] = len(_split_header(header_line, delim)) - 1
        except csv.Error:
            counts[delim] = 0
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 0 else ONE_COLUMN


def _csv_bytes(path: Path, raw: bytes, encoding: str | None) -> tuple[bytes, str, str]:
    """Return the bytes to read, the encoding found and the one to read with."""
    if encoding is None:
        data, enc = _decode(path, raw)
        return data, enc, "utf-8" if enc == "utf-16" else enc
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise file_error(
            path,
            f"cannot be decoded as {encoding!r} ({exc})",
            "leave encoding unset to detect it",
        ) from None
    return raw, encoding, encoding


def _csv_head(path: Path, data: bytes, read_enc: str) -> tuple[str, str]:
    """Return the first megabyte as text and its first line (the header)."""
    text_head = data[:1_000_000].decode(read_enc, errors="replace")
    if not text_head.strip():
        raise file_error(
            path, "is empty", "export the table again with a header row and data rows"
        )
    if read_enc == "utf-8-sig":
        text_head = text_head.lstrip("\ufeff")
    first_line = text_head.splitlines()[0] if text_head.splitlines() else ""
    if not first_line.strip():
        raise file_error(
            path,
            "has an empty first line",
            "the header row must be on line 1: delete the empty lines above it",
        )
    return text_head, first_line


@dataclass
class _Lines:
    """Where each line of an unquoted CSV starts and ends (bytes)."""

    buf: np.ndarray  # the file as uint8
    nl: np.ndarray  # positions of "\n"
    dpos: np.ndarray  # positions of the delimiter
    starts: np.ndarray
    ends: np.ndarray  # position of the "\n" ending the line (or the file's end)
    blank: np.ndarray  # per data line: empty
    data_lines: np.ndarray  # 0-based line index of each data line

    @classmethod
    def scan(cls, data: bytes, delim: str, ncols: int) -> _Lines | None:
        """Find the lines; None when a line has the wrong number of fields."""
        buf = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(buf == 10)
        starts = np.concatenate(([0], nl + 1))
        ends = np.concatenate((nl, [len(buf)]))
        if ends[-1] == starts[-1]:  # file ends with a newline
            starts, ends = starts[:-1], ends[:-1]
        lengths = ends - starts
        cr = np.zeros(len(ends), dtype=bool)
        nz = lengths > 0
        cr[nz] = buf[ends[nz] - 1] == 13
        lengths = lengths - cr
        dpos = np.flatnonzero(buf == ord(delim))
        per_line = np.bincount(np.searchsorted(nl, dpos), minlength=len(starts))
        per_line = per_line[: len(starts)]
        blank = lengths[1:] == 0
        ok = per_line[1:] == ncols - 1
        if not np.all(ok | blank):
            return None
        return cls(
            buf=buf,
            nl=nl,
            dpos=dpos,
            starts=starts,
            ends=ends,
            blank=blank,
            data_lines=np.arange(1, len(starts)),
        )

    def padded_columns(self, delim: str, ncols: int) -> np.ndarray:
        """Which columns may hold a field that starts or ends with a space.

        Looks only at the bytes next to delimiters and line ends, and flags a
        column when one of its fields starts or ends with a byte that can
        begin or end a character :meth:`str.strip` removes (spaces, tabs, the
        no-break space, other Unicode spaces; a few letters too, such as the
        last byte of ``à`` in UTF-8: flagging more only costs a strip).
        """
        buf, dpos, nl = self.buf, self.dpos, self.nl
        n = len(buf)
        cols = np.zeros(ncols, dtype=bool)
        if not n:
            return cols
        starts, ends = _edge_bytes(delim)
        before = ends[buf[np.maximum(dpos - 1, 0)]] & (dpos > 0)
        after = starts[buf[np.minimum(dpos + 1, n - 1)]] & (dpos + 1 < n)
        flagged = np.flatnonzero(before | after)
        if len(flagged):
            # the column of the field before a delimiter: its rank in its line
            line = np.searchsorted(nl, dpos[flagged])
            rank = flagged - np.searchsorted(dpos, self.starts[line])
            cols[np.unique(rank[before[flagged]])] = True
            cols[np.unique(rank[after[flagged]] + 1)] = True
        # first field of each line, and last: the byte before "\n" or "\r\n"
        nonblank = self.ends > self.starts
        if starts[buf[self.starts[nonblank]]].any():
            cols[0] = True
        last = self.ends[nonblank] - 1
        crlf = buf[last] == 13
        last = np.where(crlf & (last > self.starts[nonblank]), last - 1, last)
        if ends[buf[last]].any():
            cols[-1] = True
        return cols

    def holds_values(self, data: bytes, line: int, delim: str) -> bool:
        """Whether ``line`` holds anything besides spaces and delimiters."""
        chunk = data[self.starts[line] : self.ends[line]]
        return bool(chunk.strip(b" \t\r" + delim.encode()))


def _edge_bytes(delim: str) -> tuple[np.ndarray, np.ndarray]:
    """Bytes that can begin, and end, a character :meth:`str.strip` removes.

    Two tables indexed by byte value: spaces, tabs, line breaks (inside
    quotes), the no-break space, other Unicode spaces (their UTF-8 lead and
    last bytes: a few letters too, such as the last byte of ``à``; flagging
    more only costs a strip). The delimiter is never flagged.
    """
    space = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xA0]
    starts = np.zeros(256, dtype=bool)
    starts[[*space, 0xC2, 0xE1, 0xE2, 0xE3]] = True
    ends = np.zeros(256, dtype=bool)
    ends[[*space, 0x9F, 0xA8, 0xA9, 0xAF]] = True
    ends[0x80:0x8B] = True
    starts[ord(delim)] = ends[ord(delim)] = False
    return starts, ends


def _quoted_padded_columns(
    buf: np.ndarray,
    q: np.ndarray,
    dpos: np.ndarray,
    rec_end: np.ndarray,
    delim: str,
    ncols: int,
) -> np.ndarray:
    """Which columns of a plain quoted CSV may hold a field with edge spaces.

    The byte test of :meth:`_Lines.padded_columns`, aware of quotes: a
    field's first byte follows a record start, a delimiter outside quotes or
    an opening quote; its last byte precedes a record end (before a carriage
    return and newline), a delimiter outside quotes or a closing quote. A
    byte's column is the number of delimiters outside quotes before it in its
    record. Quotes doubled inside a field add bytes to test (flagging more
    only costs a strip). ``q``, ``dpos`` and ``rec_end`` are the positions
    of the quotes, of the delimiters outside quotes and of the newlines
    outside quotes, as :func:`_quoted_records` finds them.
    """
    n = len(buf)
    cols = np.zeros(ncols, dtype=bool)
    if not n:
        return cols
    starts, ends = _edge_bytes(delim)
    rec_start = np.concatenate(([0], rec_end + 1))
    before_end = np.concatenate((rec_end, [n])) - 1
    crlf = (before_end >= 0) & (buf[np.maximum(before_end, 0)] == 13)
    before_end = before_end - crlf
    # one source of positions at a time (they are as many as the fields)
    for base, shift, table in (
        (rec_start, 0, starts),
        (dpos, 1, starts),
        (q[0::2], 1, starts),
        (before_end, 0, ends),
        (dpos, -1, ends),
        (q[1::2], -1, ends),
    ):
        pos = base + shift
        pos = pos[(pos >= 0) & (pos < n)]
        pos = pos[table[buf[pos]]]
        if not len(pos):
            continue
        record = np.searchsorted(rec_end, pos)
        rank = np.searchsorted(dpos, pos) - np.searchsorted(dpos, rec_start[record])
        cols[np.unique(rank[(rank >= 0) & (rank < ncols)])] = True
    return cols


def _c_parser(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    *,
    quoted: bool,
) -> pd.DataFrame:
    """Read the data rows (header skipped) with pandas' C parser, as text.

    Columns are numbered 0..``ncols - 1`` and only ``positions`` are read;
    blank cells are NaN, blank lines skipped. ``quoted``: ``"`` quotes a
    cell (doubled inside it); otherwise quotes are plain characters.
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
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=True,
        engine="c",
        **quoting,
    )


def _read_csv_fast(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    names: list[str],
    lines: _Lines,
) -> tuple[pd.DataFrame, np.ndarray] | None:
    """Read an unquoted CSV with pandas' C parser (None if the rows disagree)."""
    frame = _c_parser(data, read_enc, delim, ncols, positions, quoted=False)
    row_number = lines.data_lines[~lines.blank] + 1
    if len(frame) != len(row_number):  # pragma: no cover - defensive
        return None
    frame = frame[positions]
    frame.columns = pd.Index(names)
    padded = lines.padded_columns(delim, ncols)[positions]
    if padded.any():
        frame = _strip_frame(frame, list(frame.columns[padded]))
    return frame, row_number


def _quoted_records(
    data: bytes, delim: str, ncols: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Line where each non-blank record of a quoted CSV starts; padded columns.

    The lines are 1-based; the padded columns are those that may hold a
    field with edge spaces (:func:`_quoted_padded_columns`).

    Record ends are the newlines outside quotes (an even number of ``"``
    before them). None, so that the ``csv`` module reads the file, unless
    the quotes are plain CSV: each opening quote starts a field, each closing
    quote ends one (or is doubled inside it), the quotes balance, no lone
    carriage return, no record longer than the ``csv`` module's field limit,
    and every non-blank record has ``ncols`` fields.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    n = len(buf)
    q = np.flatnonzero(buf == 34)
    if len(q) % 2:
        return None
    cr = np.flatnonzero(buf == 13)
    if len(cr) and (cr[-1] == n - 1 or (buf[cr + 1] != 10).any()):
        return None
    d = ord(delim)
    opening, closing = q[0::2], q[1::2]
    prev = buf[np.maximum(opening - 1, 0)]
    glued = np.zeros(len(opening), dtype=bool)  # the second quote of a ""
    glued[1:] = closing[:-1] == opening[1:] - 1
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    starts_field = (prev == d) | (prev == 10) | (opening == bom) | glued
    if not starts_field.all():
        return None
    after = buf[np.minimum(closing + 1, n - 1)]
    ends_field = (closing == n - 1) | (after == d) | (after == 10) | (after == 13)
    ends_field[:-1] |= glued[1:]
    if not ends_field.all():
        return None
    nl = np.flatnonzero(buf == 10)
    # 1 where an odd number of quotes precedes the byte (inside quotes)
    odd = np.bitwise_xor.accumulate((buf == 34).view(np.uint8))
    inside = odd[nl] == 1
    ends = nl[~inside]  # newlines that end a record
    line_of_end = np.flatnonzero(~inside)  # their index among all newlines
    rec_start = np.concatenate(([0], ends + 1))
    rec_end = np.concatenate((ends, [n]))
    first_line = np.concatenate(([0], line_of_end + 1)) + 1
    if rec_end[-1] == rec_start[-1]:  # the file ends with a newline
        rec_start, rec_end, first_line = rec_start[:-1], rec_end[:-1], first_line[:-1]
    length = rec_end - rec_start
    if length.max(initial=0) > csv.field_size_limit():
        return None  # the csv module decides whether a field is too large
    has_cr = np.zeros(len(length), dtype=bool)
    has_cr[length > 0] = buf[rec_end[length > 0] - 1] == 13
    blank = (length - has_cr) == 0
    dpos = np.flatnonzero(buf == d)
    dpos = dpos[odd[dpos] == 0]
    del odd
    fields = np.bincount(np.searchsorted(ends, dpos), minlength=len(rec_start)) + 1
    if not np.all(blank | (fields[: len(rec_start)] == ncols)):
        return None
    padded = _quoted_padded_columns(buf, q, dpos, ends, delim, ncols)
    return first_line[1:][~blank[1:]], padded


def _read_csv_quoted(
    data: bytes,
    read_enc: str,
    delim: str,
    ncols: int,
    positions: list[int],
    names: list[str],
    row_number: np.ndarray,
    padded: np.ndarray,
) -> pd.DataFrame | None:
    """Read a quoted CSV with pandas' C parser (None if the rows disagree).

    Only the columns flagged in ``padded`` (one flag per column of the file)
    are stripped.
    """
    try:
        frame = _c_parser(data, read_enc, delim, ncols, positions, quoted=True)
    except (pd.errors.ParserError, ValueError):  # pragma: no cover - defensive
        return None
    if len(frame) != len(row_number):
        return None
    frame = frame[positions]
    frame.columns = pd.Index(names)
    padded = padded[positions]
    if padded.any():
        frame = _strip_frame(frame, list(frame.columns[padded]))
    return frame


def read_csv_raw(
    path: Path,
    raw: bytes,
    *,
    select: Select,
    delimiter: str | None,
    encoding: str | None,
    decimal: str | None,
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

    Returns
    -------
    RawTable
        Rows made only of blanks and delimiters are left out.
    """
    data, enc, read_enc = _csv_bytes(path, raw, encoding)
    text_head, first_line = _csv_head(path, data, read_enc)
    delim = delimiter or _sniff_delimiter(first_line)
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
        lines = _Lines.scan(data, delim, ncols)
    fast = None
    if lines is not None:
        fast = _read_csv_fast(data, read_enc, delim, ncols, positions, names, lines)
    elif header_lines == 1 and quoted and len(positions) > 0:
        # quoted values: record ends found outside the quotes, then the C parser
        found = _quoted_records(data, delim, ncols)
        if found is not None:
            starts, padded = found
            read = _read_csv_quoted(
                data, read_enc, delim, ncols, positions, names, starts, padded
            )
            fast = None if read is None else (read, starts)
    structural: dict[int, str] = {}
    if fast is not None:
        frame, row_number = fast
    else:
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
        frame = _strip_frame(frame)
    frame, row_number, structural = _drop_blank_rows(
        frame, row_number, structural, lines, data, delim
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
    )


def _drop_blank_rows(
    frame: pd.DataFrame,
    row_number: np.ndarray,
    structural: dict[int, str],
    lines: _Lines | None,
    data: bytes,
    delim: str,
) -> tuple[pd.DataFrame, np.ndarray, dict[int, str]]:
    """Leave out rows made only of delimiters: they are blank, not records."""
    if not len(frame.columns):
        return frame, row_number, structural
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
    return frame, row_number, structural


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


def _strip_frame(frame: pd.DataFrame, columns: list[Any] | None = None) -> pd.DataFrame:
    """Strip spaces in ``columns`` (default every one); empty strings become missing.

    Works on the distinct values (``pandas.factorize``), so that columns with
    few distinct values (dates, status, estate ids) cost almost nothing.
    """
    out = {}
    for col in frame.columns:
        if columns is not None and col not in columns:
            out[col] = frame[col]
            continue
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=True)
        values = np.asarray(uniques, dtype=object).tolist()
        stripped = np.array([u.strip() or None for u in values] + [None], dtype=object)
        out[col] = pd.Series(stripped[codes], dtype="str")
    return pd.DataFrame(out, columns=frame.columns)


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
        frame=_strip_frame(frame),
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
        frame=_strip_frame(frame),
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
