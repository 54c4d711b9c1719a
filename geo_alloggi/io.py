"""Read and validate record files; write tables that open in Italian Excel.

Real records come from Aler, MM and the Prefettura as spreadsheets with
Italian headers, semicolons, decimal commas, dd/mm/yyyy dates and cp1252
encoding, and they are never clean. :func:`read_records` turns one such file
into the canonical table of :mod:`geo_alloggi._records` plus a quarantine
table holding every rejected row with the reason; nothing is lost silently
(``rows_read == len(accepted) + len(quarantine)``) and columns outside the
schema (names, fiscal codes, phone numbers...) are never read into any
output.

:func:`write_table` writes a table for a meeting: CSV with ``;``, decimal
comma and a UTF-8 BOM (Italian Excel opens it with a double click) or XLSX,
with spreadsheet formulas neutralised.

Row numbers
-----------
``row_number`` in quarantine tables (and the index of accepted tables) is the
number a person sees when opening the source file:

* CSV: the 1-based line number where the row starts, the header being line 1
  (so the first data row is row 2, as in Excel);
* XLSX: the sheet's row number (the header is the first of the first 20
  rows that names a known column, so title rows above it are skipped);
* GeoPackage / GeoJSON: the 1-based position of the feature in the layer.

Entirely blank rows (including CSV lines made only of delimiters) are not
records: they are neither counted in ``rows_read`` nor quarantined.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import itertools
import logging
import math
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError, InputFileError, ValidationError
from geo_alloggi._records import Records

__all__ = [
    "KINDS",
    "Bundle",
    "ReadResult",
    "load_records",
    "read_bundle",
    "read_records",
    "record_columns",
    "write_table",
]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

#: The record kinds :func:`read_records` understands.
KINDS: tuple[str, ...] = ("estates", "occupations", "evictions", "vacancies")

#: Earliest plausible date in a record; older dates are quarantined.
EARLIEST_DATE = _dt.date(1900, 1, 1)

#: Rough bounds (lon_min, lat_min, lon_max, lat_max) of the study area (Milano
#: and Cinisello Balsamo), used only when the official boundaries are missing.
STUDY_AREA_BOUNDS: tuple[float, float, float, float] = (9.035, 45.383, 9.283, 45.582)

#: Points this far outside the study-area boundary (metres) are still accepted:
#: geocoded estates on a border street sit a few metres off the line.
AREA_TOLERANCE_M = 50.0

# ---------------------------------------------------------------------------
# schemas

_RECORD_LINK_COLUMNS: tuple[str, ...] = (S.ADDRESS, S.COMUNE, S.LON, S.LAT)
#: A house number in its own column is appended to the address.
HOUSE_NUMBER = "house_number"

_CANONICAL: dict[str, tuple[str, ...]] = {
    "estates": S.ESTATE_COLUMNS,
    "occupations": (
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.DETECTED_ON,
        S.ENDED_ON,
        S.STATUS,
    ),
    "evictions": (
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.EVICTION_DATE,
        S.OUTCOME,
        S.VULNERABLE,
    ),
    "vacancies": (
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.VACANT_SINCE,
        S.ENDED_ON,
        S.REASON,
        S.RENOVATION_COST,
    ),
}

_REQUIRED: dict[str, tuple[str, ...]] = {
    "estates": (S.ESTATE_ID, S.UNITS),
    "occupations": (S.RECORD_ID, S.DETECTED_ON),
    "evictions": (S.RECORD_ID, S.EVICTION_DATE, S.OUTCOME),
    "vacancies": (S.VACANT_SINCE,),
}

# header aliases, after folding (lower case, no accents, "_" between words)
_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    S.ESTATE_ID: (
        "estate_id",
        "estate",
        "codice_stabile",
        "cod_stabile",
        "id_stabile",
        "stabile",
        "codice_edificio",
        "cod_edificio",
        "id_edificio",
        "edificio",
        "codice_immobile",
        "id_immobile",
        "codice_complesso",
    ),
    S.UNIT_ID: (
        "unit_id",
        "unit",
        "codice_alloggio",
        "cod_alloggio",
        "id_alloggio",
        "alloggio",
        "codice_uiu",
        "id_uiu",
        "uiu",
        "codice_unita",
        "unita_immobiliare",
    ),
    S.ADDRESS: (
        "address",
        "indirizzo",
        "indirizzo_completo",
        "indirizzo_stabile",
        "ubicazione",
        "via",
    ),
    S.COMUNE: ("comune", "municipality", "city", "citta", "localita"),
    HOUSE_NUMBER: (
        "house_number",
        "housenumber",
        "civico",
        "n_civico",
        "num_civico",
        "numero_civico",
        "nr_civico",
    ),
    S.LON: ("lon", "lng", "long", "longitude", "longitudine", "x_wgs84"),
    S.LAT: ("lat", "latitude", "latitudine", "y_wgs84"),
}

_RECORD_ID_ALIASES: tuple[str, ...] = (
    "record_id",
    "id",
    "id_record",
    "codice_pratica",
    "id_pratica",
    "pratica",
    "n_pratica",
    "numero_pratica",
    "protocollo",
    "n_protocollo",
    "codice_record",
    "id_segnalazione",
)

_KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "estates": {
        S.ESTATE_ID: ("id", "codice", *_COMMON_ALIASES[S.ESTATE_ID]),
        S.NAME: (
            "name",
            "nome",
            "nome_stabile",
            "denominazione",
            "nome_complesso",
            "complesso",
            "quartiere",
        ),
        S.OWNER: (
            "owner",
            "proprietario",
            "proprieta",
            "ente",
            "ente_proprietario",
            "ente_gestore",
            "gestore",
        ),
        S.UNITS: (
            "units",
            "alloggi",
            "n_alloggi",
            "numero_alloggi",
            "num_alloggi",
            "tot_alloggi",
            "totale_alloggi",
            "unita",
            "n_unita",
        ),
        S.POSITION_SOURCE: ("position_source",),
    },
    "occupations": {
        S.RECORD_ID: (*_RECORD_ID_ALIASES, "id_occupazione", "codice_occupazione"),
        S.DETECTED_ON: (
            "detected_on",
            "data_rilevazione",
            "data_rilevamento",
            "data_occupazione",
            "data_accertamento",
            "data_segnalazione",
            "data_inizio",
            "inizio",
            "dal",
        ),
        S.ENDED_ON: (
            "ended_on",
            "data_fine",
            "data_liberazione",
            "data_cessazione",
            "data_rilascio",
            "data_recupero",
            "fine",
            "al",
        ),
        S.STATUS: ("status", "stato", "stato_occupazione"),
    },
    "evictions": {
        S.RECORD_ID: (*_RECORD_ID_ALIASES, "id_sgombero", "codice_sgombero"),
        S.EVICTION_DATE: (
            "date",
            "data",
            "data_sgombero",
            "data_esecuzione",
            "data_intervento",
            "data_accesso",
        ),
        S.OUTCOME: ("outcome", "esito", "stato", "esito_sgombero"),
        S.VULNERABLE: (
            "vulnerable",
            "vulnerabile",
            "fragile",
            "fragilita",
            "nucleo_fragile",
            "famiglia_fragile",
            "soggetto_fragile",
            "vulnerabilita",
        ),
    },
    "vacancies": {
        S.RECORD_ID: (*_RECORD_ID_ALIASES, "id_sfitto", "codice_sfitto"),
        S.VACANT_SINCE: (
            "since",
            "vacant_since",
            "sfitto_dal",
            "data_sfitto",
            "data_inizio",
            "data_rilevazione",
            "dal",
        ),
        S.ENDED_ON: (
            "ended_on",
            "data_fine",
            "data_fine_sfitto",
            "data_riassegnazione",
            "data_assegnazione",
            "al",
        ),
        S.REASON: ("reason", "motivo", "motivazione", "causa", "causale"),
        S.RENOVATION_COST: (
            "renovation_cost_eur",
            "renovation_cost",
            "cost",
            "costo",
            "costo_eur",
            "costo_stimato",
            "costo_ristrutturazione",
            "costo_ripristino",
            "importo",
            "importo_lavori",
        ),
    },
}


def _fold(text: Any) -> str:
    """Lower case, no accents, words joined by ``_`` (for headers)."""
    text = str(text).replace("\ufeff", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _fold_value(text: str) -> str:
    """Lower case, no accents, single spaces (for value lists)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-./]+", " ", text.lower()).strip()


def _aliases(kind: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    kind_aliases = _KIND_ALIASES[kind]
    for col in (*_CANONICAL[kind], *_RECORD_LINK_COLUMNS, HOUSE_NUMBER):
        if col in kind_aliases:
            out[col] = kind_aliases[col]
        elif col in _COMMON_ALIASES:
            out[col] = _COMMON_ALIASES[col]
    return out


def record_columns(kind: str) -> dict[str, tuple[str, ...]]:
    """Return the columns a record file of ``kind`` may hold and their headers.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.

    Returns
    -------
    dict
        Canonical column name -> accepted headers (folded: lower case, no
        accents, words joined by ``_``; headers in files are folded the same
        way before matching, so ``Data Rilevazione`` matches
        ``data_rilevazione``).
    """
    _check_kind(kind)
    return dict(_aliases(kind))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"kind={kind!r} is not one of {list(KINDS)!r}")


# value lists (folded) -> canonical value
_STATUS_VALUES: dict[str, str] = {
    **dict.fromkeys(
        (
            "ongoing",
            "open",
            "active",
            "in corso",
            "incorso",
            "occupato",
            "occupata",
            "attiva",
            "attivo",
            "aperta",
            "aperto",
            "in essere",
        ),
        "ongoing",
    ),
    **dict.fromkeys(
        (
            "ended",
            "closed",
            "released",
            "liberato",
            "liberata",
            "libero",
            "concluso",
            "conclusa",
            "chiuso",
            "chiusa",
            "cessato",
            "cessata",
            "terminato",
            "terminata",
            "recuperato",
            "recuperata",
            "sgomberato",
            "sgomberata",
        ),
        "ended",
    ),
}
_OUTCOME_VALUES: dict[str, str] = {
    **dict.fromkeys(
        ("executed", "done", "eseguito", "eseguita", "effettuato", "effettuata"),
        "executed",
    ),
    **dict.fromkeys(
        (
            "scheduled",
            "planned",
            "programmato",
            "programmata",
            "previsto",
            "prevista",
            "fissato",
            "fissata",
            "calendarizzato",
        ),
        "scheduled",
    ),
    **dict.fromkeys(
        ("postponed", "rinviato", "rinviata", "differito", "differita", "sospeso"),
        "postponed",
    ),
    **dict.fromkeys(
        (
            "failed",
            "fallito",
            "fallita",
            "non eseguito",
            "non eseguita",
            "non riuscito",
            "negativo",
            "esito negativo",
        ),
        "failed",
    ),
}
_BOOL_VALUES: dict[str, bool] = {
    **dict.fromkeys(("si", "s", "yes", "y", "true", "t", "vero", "v", "1", "x"), True),
    **dict.fromkeys(("no", "n", "false", "f", "falso", "0"), False),
}
_OWNER_ALER = re.compile(r"\baler\b")
_OWNER_COMUNE = re.compile(r"\b(comune|mm|municipale|comunale)\b")
_COMUNE_VALUES: dict[str, str] = {
    "milano": "Milano",
    "milan": "Milano",
    "mi": "Milano",
    "cinisello balsamo": "Cinisello Balsamo",
    "cinisello b": "Cinisello Balsamo",
    "cinisello": "Cinisello Balsamo",
}


# ---------------------------------------------------------------------------
# results


@dataclass
class ReadResult:
    """What :func:`read_records` read from one file.

    Attributes
    ----------
    accepted
        The canonical table (see :mod:`geo_alloggi._records`; a GeoDataFrame in
        EPSG:4326 for estates). Its index, named ``row_number``, holds the row
        number of each record in the source file.
    quarantine
        One row per rejected source row: ``row_number``, ``reason`` (every
        problem found, joined by ``"; "``) and the row's schema columns as
        written in the file (text, spaces stripped; a vacancy's own
        ``reason`` column is called ``vacancy_reason`` here). Never holds a
        column outside the schema.
    rows_read
        Data rows in the file (blank rows excluded);
        ``rows_read == len(accepted) + len(quarantine)``.
    dropped_columns
        Headers of the columns outside the schema that were not read.
    kind, source
        The record kind and the file read.
    file_format, encoding, delimiter
        How the file was read (encoding and delimiter for CSV only).
    column_map
        Source header -> canonical column, for the columns read.
    """

    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    dropped_columns: tuple[str, ...]
    kind: str
    source: str
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for a person: rows read, accepted, quarantined."""
        text = (
            f"{self.kind} from {Path(self.source).name}: {self.rows_read} rows read, "
            f"{len(self.accepted)} accepted, {len(self.quarantine)} quarantined"
        )
        if self.dropped_columns:
            text += (
                f", {len(self.dropped_columns)} column(s) outside the schema dropped"
            )
        return text


@dataclass
class Bundle:
    """Records read by :func:`read_bundle` with the result of each file.

    Attributes
    ----------
    records
        The accepted tables as a :class:`~geo_alloggi._records.Records`
        (empty canonical tables for the kinds not given).
    results
        Kind -> :class:`ReadResult` for each file read.
    """

    records: Records
    results: dict[str, ReadResult]

    def summary(self) -> str:
        """One line per file read."""
        return "\n".join(r.summary() for r in self.results.values())


# ---------------------------------------------------------------------------
# raw tables: every reader returns the selected columns as text


@dataclass
class _Raw:
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


def _file_error(path: Path, problem: str, fix: str) -> InputFileError:
    return InputFileError(f"{os.fspath(path)!r}: {problem}; {fix}")


def _sniff_format(path: Path, head: bytes) -> str:
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
            raise _file_error(
                path,
                "is not a valid XLSX workbook (damaged or incomplete?)",
                "open it in Excel and save it again as .xlsx, or export CSV",
            )
        raise _file_error(
            path,
            "is a zip archive, not a table",
            "extract the CSV/XLSX file from it and read that",
        )
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(
            path,
            "is an old Excel .xls workbook, which is not supported",
            "open it in Excel or LibreOffice and save it as .xlsx or CSV",
        )
    if head.startswith(b"%PDF"):
        raise _file_error(
            path, "is a PDF document, not a table", "export the table as CSV or XLSX"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise _file_error(
            path,
            "has an Excel extension but is not an XLSX workbook",
            "save it again from Excel as .xlsx, or as CSV",
        )
    if suffix == ".gpkg":
        raise _file_error(
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
            raise _file_error(
                path, f"is not valid UTF-16 ({exc.reason})", "save it as UTF-8 CSV"
            ) from None
        return text.encode("utf-8"), "utf-16"
    if b"\x00" in raw[:65536]:
        raise _file_error(
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
    c1 = re.search(rb"[\x80-\x9f]", raw) is not None
    if c1:
        try:
            raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw, "latin-1"
        return raw, "cp1252"
    return raw, "latin-1"


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def _sniff_delimiter(header_line: str) -> str:
    counts = {}
    for delim in (";", ",", "\t", "|"):
        try:
            counts[delim] = len(_split_header(header_line, delim)) - 1
        except csv.Error:
            counts[delim] = 0
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 0 else ","


def _read_csv_raw(
    path: Path,
    raw: bytes,
    *,
    select: Any,
    delimiter: str | None,
    encoding: str | None,
    decimal: str | None,
) -> _Raw:
    if encoding is None:
        data, enc = _decode(path, raw)
        read_enc = "utf-8" if enc == "utf-16" else enc
    else:
        data, enc, read_enc = raw, encoding, encoding
        try:
            data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise _file_error(
                path,
                f"cannot be decoded as {encoding!r} ({exc})",
                "leave encoding unset to detect it",
            ) from None
    text_head = data[:1_000_000].decode(read_enc, errors="replace")
    if not text_head.strip():
        raise _file_error(
            path, "is empty", "export the table again with a header row and data rows"
        )
    if read_enc == "utf-8-sig":
        text_head = text_head.lstrip("\ufeff")
    first_line = text_head.splitlines()[0] if text_head.splitlines() else ""
    if not first_line.strip():
        raise _file_error(
            path,
            "has an empty first line",
            "the header row must be on line 1: delete the empty lines above it",
        )
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

    buf = np.frombuffer(data, dtype=np.uint8)
    fast = header_lines == 1 and b'"' not in data and len(positions) > 0
    if fast:
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
        data_lines = np.arange(1, len(starts))
        blank = lengths[1:] == 0
        ok = per_line[1:] == ncols - 1
        if not np.all(ok | blank):
            fast = False
    if fast:
        frame = pd.read_csv(
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
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
        row_number = data_lines[~blank] + 1
        if len(frame) != len(row_number):  # pragma: no cover - defensive
            fast = False
        else:
            frame = frame[positions]
            frame.columns = pd.Index(names)
            structural: dict[int, str] = {}
    if not fast:
        frame, row_number, structural = _read_csv_slow(
            path,
            data.decode(read_enc),
            delim,
            ncols,
            positions,
            names,
            needed=max((i + 1 for i, h in enumerate(headers) if h), default=0),
        )
    if not fast or _padded(buf, delim, dpos, nl):
        frame = _strip_frame(frame)
    # rows made only of delimiters are blank, not records
    if len(frame.columns):
        blank_rows = _all_blank(frame)
        if structural:
            blank_rows[list(structural)] = False
        if blank_rows.any() and fast:
            # a row may be blank in the schema columns but not in the others
            keep = ~blank_rows
            for i in np.flatnonzero(blank_rows):
                line = row_number[i] - 1
                chunk = data[starts[line] : ends[line]]
                if chunk.strip(b" \t\r" + delim.encode()):
                    keep[i] = True
            blank_rows = ~keep
        if blank_rows.any():
            keep_idx = np.flatnonzero(~blank_rows)
            remap = {int(old): new for new, old in enumerate(keep_idx)}
            structural = {remap[k]: v for k, v in structural.items() if k in remap}
            frame = frame.iloc[keep_idx].reset_index(drop=True)
            row_number = row_number[keep_idx]
    return _Raw(
        headers=headers,
        frame=frame,
        row_number=np.asarray(row_number, dtype=np.int64),
        file_format="csv",
        encoding=enc,
        delimiter=delim,
        decimal=dec,
        structural=structural,
    )


def _padded(buf: np.ndarray, delim: str, dpos: np.ndarray, nl: np.ndarray) -> bool:
    """Whether any field may start or end with a space (then strip them all).

    Looks only at the bytes next to delimiters and line ends.
    """
    n = len(buf)
    if not n:
        return False
    table = np.zeros(256, dtype=bool)
    table[[32, 0xA0, 0xC2] + ([9] if delim != "\t" else [])] = True
    if table[buf[0]] or table[buf[-1]]:
        return True
    if table[buf[dpos - 1]].any() or table[buf[np.minimum(dpos + 1, n - 1)]].any():
        return True
    if len(nl):
        prev = buf[nl - 1]
        crlf = prev == 13
        if crlf.any():
            prev = np.where(crlf, buf[np.maximum(nl - 2, 0)], prev)
        if table[prev].any() or table[buf[np.minimum(nl + 1, n - 1)]].any():
            return True
    return False


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
        raise _file_error(
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


def _strip_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip spaces in every column; empty strings become missing.

    Works on the distinct values (``pandas.factorize``), so that columns with
    few distinct values (dates, status, estate ids) cost almost nothing.
    """
    out = {}
    for col in frame.columns:
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


def _duplicate_headers(path: Path, headers: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = h.strip()
        if not key:
            continue
        if key in seen:
            raise _file_error(
                path,
                f"the header {key!r} appears twice "
                f"(columns {seen[key] + 1} and {i + 1})",
                "rename or delete one of the two columns",
            )
        seen[key] = i


_HEADER_SEARCH_ROWS = 20


def _read_xlsx_raw(
    path: Path,
    *,
    select: Any,
    sheet: str | int | None,
    known: Any = lambda header: False,
) -> _Raw:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise _file_error(
            path,
            f"cannot be opened as an XLSX workbook ({type(exc).__name__})",
            "open it in Excel and save it again as .xlsx, or export CSV",
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(wb.worksheets):
                raise _file_error(
                    path,
                    f"has no sheet number {sheet} (it has {len(wb.worksheets)})",
                    f"choose one of {wb.sheetnames!r}",
                )
            ws = wb.worksheets[sheet]
        else:
            if sheet not in wb.sheetnames:
                raise _file_error(
                    path,
                    f"has no sheet {sheet!r}",
                    f"choose one of {wb.sheetnames!r}",
                )
            ws = wb[sheet]
        rows_iter = ws.iter_rows(values_only=True)
        # the header is the first row naming a known column among the first
        # rows (titles often sit above it), else the first non-empty row
        head = list(itertools.islice(rows_iter, _HEADER_SEARCH_ROWS))
        filled = [
            i
            for i, values in enumerate(head)
            if any(v is not None and str(v).strip() for v in values)
        ]
        named = [
            i
            for i in filled
            if any(v is not None and known(str(v).strip()) for v in head[i])
        ]
        headers: list[str] | None = None
        header_row = 0
        if filled:
            idx = named[0] if named else filled[0]
            headers = [("" if v is None else str(v)).strip() for v in head[idx]]
            header_row = idx + 1
            rows_iter = itertools.chain(head[idx + 1 :], rows_iter)
        if headers is None:
            raise _file_error(
                path,
                f"sheet {ws.title!r} is empty",
                "put the header in the first row and one record per row below",
            )
        while headers and not headers[-1]:
            headers.pop()
        selected = select(headers)
        positions = [p for p, _ in selected]
        names = [h for _, h in selected]
        ncols = len(headers)
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
    finally:
        wb.close()
    frame = pd.DataFrame(
        {name: pd.array(c, dtype="str") for name, c in zip(names, cols, strict=True)},
        columns=names,
    )
    return _Raw(
        headers=headers,
        frame=_strip_frame(frame),
        row_number=np.asarray(rows, dtype=np.int64),
        file_format="xlsx",
        structural=structural,
    )


def _gdal_reason(exc: Exception) -> str:
    """First sentence of a GDAL error, without the path it repeats."""
    text = str(exc).splitlines()[0].split(";")[0]
    return re.sub(r"^'[^']*'\s*", "", text).strip(" .") or type(exc).__name__


def _unreadable_layer(path: Path, file_format: str, exc: Exception) -> InputFileError:
    """Return the error for a layer GDAL cannot read."""
    return _file_error(
        path,
        f"cannot be read as a {file_format} layer ({_gdal_reason(exc)})",
        "export the layer again from QGIS as GeoPackage or GeoJSON",
    )


def _read_layer_raw(
    path: Path, *, select: Any, layer: str | int | None, file_format: str
) -> _Raw:
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            raise _file_error(
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
    geom_xy = None
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns:
        geom = gdf.geometry
        present = geom.notna() & ~geom.is_empty
        if present.any():
            if gdf.crs is None:
                raise _file_error(
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
            geom_xy = (x, y)
    frame = pd.DataFrame(
        {
            name: pd.array([_cell_text(v) for v in gdf[name].tolist()], dtype="str")
            for name in names
        },
        columns=names,
    )
    return _Raw(
        headers=headers,
        frame=_strip_frame(frame),
        row_number=np.arange(1, len(frame) + 1, dtype=np.int64),
        file_format=file_format,
        geometry_xy=geom_xy,
    )


# ---------------------------------------------------------------------------
# value parsing (vectorised; expensive work done once per distinct value)

_DMY = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
    r"(?:[ T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?)?$"
)
_YMD = re.compile(
    r"^(\d{4})[\-/.](\d{1,2})[\-/.](\d{1,2})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?$"
)


def _blank(s: pd.Series) -> np.ndarray:
    return s.isna().to_numpy(dtype=bool)


_IMPOSSIBLE, _UNREADABLE, _EARLY, _LATE = 1, 2, 3, 4
# Excel day numbers from 1 January 1928 (10,000) to 18 October 2173 (99,999)
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:[.,]0+)?$")


def _parse_dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse dd/mm/yyyy and ISO dates.

    Returns
    -------
    values
        datetime64[ns] (NaT where blank or bad).
    problem
        int8 array: 0 fine or blank, else one of :data:`_IMPOSSIBLE`,
        :data:`_UNREADABLE`, :data:`_EARLY` (before 1678) or :data:`_LATE`
        (after 2261).
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
    uproblem[matched & ~valid] = _IMPOSSIBLE
    uproblem[~matched] = _UNREADABLE
    # valid calendar dates outside the datetime64[ns] range (years 1..1677 and
    # 2262..9999) are too early or too late for any record
    out_of_ns = valid & np.isnat(uvalues)
    uproblem[out_of_ns & (years < 1678)] = _EARLY
    uproblem[out_of_ns & (years > 2261)] = _LATE
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


def _parse_numbers(
    s: pd.Series, *, decimal: str, thousands: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers written the Italian or the English way.

    Returns float values (NaN where blank or bad) and a mask of unreadable
    non-blank values. ``inf``/``nan`` written in the file parse as such.
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


def _map_values(
    s: pd.Series, table: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Map a value list through ``table`` (folded keys); returns values, unknown."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.array(
        [table.get(_fold_value(u)) for u in uniques] + [None], dtype=object
    )
    values = mapped[codes]  # code -1 takes the trailing None
    unknown = (codes >= 0) & pd.isna(values)
    return values, unknown


# ---------------------------------------------------------------------------
# study area


_AREA_CACHE: dict[str, Any] = {}


def _area_test(study_area: Any) -> Any:
    """Return a function (lon, lat) -> inside mask, and the area's bounds."""
    if study_area is None:
        if "default" not in _AREA_CACHE:
            try:
                from geo_alloggi.boundaries import load_districts

                study_area = load_districts("study_area")
            except DataUnavailableError as exc:
                warnings.warn(
                    "study-area boundaries unavailable "
                    f"({str(exc).split(';')[0]}); checking coordinates against the "
                    f"rough bounds {STUDY_AREA_BOUNDS} instead",
                    UserWarning,
                    stacklevel=4,
                )
                _AREA_CACHE["default"] = _bbox_test(STUDY_AREA_BOUNDS)
                return _AREA_CACHE["default"]
            _AREA_CACHE["default"] = _polygon_test(study_area)
        return _AREA_CACHE["default"]
    if isinstance(study_area, tuple | list) and len(study_area) == 4:
        return _bbox_test(tuple(float(v) for v in study_area))
    if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
        if study_area.crs is None:
            raise ValidationError(
                "study_area has no CRS; set it explicitly (geo_alloggi never "
                "guesses a CRS)"
            )
        return _polygon_test(study_area)
    raise ValidationError(
        f"study_area must be a GeoDataFrame, a (minx, miny, maxx, maxy) tuple or "
        f"None, got {type(study_area).__name__!r}"
    )


def _bbox_test(bounds: tuple[float, ...]) -> Any:
    minx, miny, maxx, maxy = bounds

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)

    return inside


def _polygon_test(study_area: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    geoms = (
        study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
    )
    metric = geoms.to_crs(config.metric_crs)
    area = shapely.union_all(metric.to_numpy()).buffer(AREA_TOLERANCE_M, 4)
    area = gpd.GeoSeries([area], crs=config.metric_crs).to_crs(config.geographic_crs)
    poly = area.iloc[0]
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        idx = np.flatnonzero(out)
        if len(idx):
            out[idx] = shapely.contains_xy(poly, x[idx], y[idx])
        return out

    return inside


# ---------------------------------------------------------------------------
# column resolution


def _resolve_columns(
    path: Path,
    kind: str,
    headers: Sequence[str],
    columns: Mapping[str, str | None] | None,
) -> tuple[list[tuple[int, str]], dict[str, str], list[str]]:
    """Map source headers to canonical columns.

    Returns (position, header) pairs to read, header -> canonical, dropped.
    """
    _duplicate_headers(path, headers)
    allowed = set(_CANONICAL[kind]) | set(_RECORD_LINK_COLUMNS) | {HOUSE_NUMBER}
    aliases = _aliases(kind)
    lookup: dict[str, str] = {}
    for col, names in aliases.items():
        for name in names:
            lookup.setdefault(name, col)
    user: dict[str, str | None] = {}
    if columns:
        folded_headers = {_fold(h): h for h in headers}
        for src, dst in columns.items():
            if dst is not None and dst not in allowed:
                raise ValidationError(
                    f"columns maps {src!r} to {dst!r}, which is not a column of "
                    f"{kind}; expected one of {sorted(allowed)!r} or None to ignore it"
                )
            if src in headers:
                user[src] = dst
            elif _fold(src) in folded_headers:
                user[folded_headers[_fold(src)]] = dst
            else:
                raise _file_error(
                    path,
                    f"the column mapping names {src!r}, which is not a header of "
                    f"the file (headers: {list(headers)!r})",
                    "fix the mapping",
                )
    mapping: dict[str, str] = {}
    chosen: dict[str, str] = {}
    dropped: list[str] = []
    for header in headers:
        canonical = user[header] if header in user else lookup.get(_fold(header))
        if canonical is None:
            if header.strip():
                dropped.append(header)
            continue
        if canonical in chosen:
            raise _file_error(
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


def _require(path: Path, kind: str, present: set[str], geometry: bool) -> None:
    required = list(_REQUIRED[kind])
    missing = [c for c in required if c not in present]
    if missing:
        col = missing[0]
        examples = ", ".join(_aliases(kind)[col][:4])
        raise _file_error(
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
            raise _file_error(
                path,
                f"no column to place the {kind} (estate id, address or lon/lat)",
                "add a codice_stabile, indirizzo or lon/lat column, or map one",
            )
    if (S.LON in present) != (S.LAT in present):
        have, lack = (S.LON, S.LAT) if S.LON in present else (S.LAT, S.LON)
        raise _file_error(
            path,
            f"has a {have!r} column but no {lack!r} column",
            f"add the {lack!r} column or ignore {have!r} with a column mapping",
        )


# ---------------------------------------------------------------------------
# the reader


class _Reasons:
    """Collect row reasons without a Python loop over good rows."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.positions: list[np.ndarray] = []
        self.texts: list[np.ndarray] = []

    def add(self, mask: np.ndarray, reason: Any) -> None:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        if callable(reason):
            texts = np.array([reason(i) for i in idx], dtype=object)
        else:
            texts = np.full(len(idx), reason, dtype=object)
        self.positions.append(idx)
        self.texts.append(texts)

    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for idx in self.positions:
            out[idx] = True
        return out

    def joined(self) -> pd.Series:
        if not self.positions:
            return pd.Series([], dtype="str")
        pos = np.concatenate(self.positions)
        txt = np.concatenate(self.texts)
        order = np.argsort(pos, kind="stable")
        keys: list[int] = []
        texts: list[str] = []
        last = -1
        for p, t in zip(pos[order].tolist(), txt[order].tolist(), strict=True):
            if p == last:
                texts[-1] += "; " + t
            else:
                keys.append(p)
                texts.append(t)
                last = p
        return pd.Series(texts, index=keys, dtype="str")


def _estate_ids(estates: Any) -> set[str] | None:
    if estates is None:
        return None
    if isinstance(estates, ReadResult):
        estates = estates.accepted
    if isinstance(estates, Records):
        estates = estates.estates
    if isinstance(estates, pd.DataFrame):
        if S.ESTATE_ID not in estates.columns:
            raise ValidationError(
                f"estates has no {S.ESTATE_ID!r} column; columns present: "
                f"{list(map(str, estates.columns))!r}"
            )
        values = estates[S.ESTATE_ID]
    elif isinstance(estates, Iterable) and not isinstance(estates, str | bytes):
        values = pd.Series(list(estates), dtype="object")
    else:
        raise ValidationError(
            "estates must be a DataFrame with an 'estate_id' column, a ReadResult, "
            f"Records or an iterable of ids, got {type(estates).__name__!r}"
        )
    return {str(v).strip() for v in values.dropna()}


def _date_check(
    reasons: _Reasons,
    raw: pd.Series,
    col: str,
    header: str,
    *,
    today: np.datetime64,
    earliest: np.datetime64,
    future_ok: np.ndarray | None = None,
) -> np.ndarray:
    values, problem = _parse_dates(raw)
    arr = raw.array  # read only for the rows reported
    where = f"{col} (column {header!r})"
    reasons.add(
        problem == _IMPOSSIBLE,
        lambda i: f"impossible date {arr[i]!r} in {where}, expected dd/mm/yyyy",
    )
    reasons.add(
        problem == _UNREADABLE,
        lambda i: (
            f"unreadable date {arr[i]!r} in {where}, expected dd/mm/yyyy or yyyy-mm-dd"
        ),
    )
    early = (values < earliest) | (problem == _EARLY)  # NaT compares False
    reasons.add(
        early,
        lambda i: (
            f"date {arr[i]!r} in {where} is before {pd.Timestamp(earliest):%d/%m/%Y}"
        ),
    )
    late = values > today
    if future_ok is not None:
        late &= ~future_ok
    late |= problem == _LATE  # beyond year 2261: never a plausible date
    reasons.add(
        late,
        lambda i: (
            f"date {arr[i]!r} in {where} is in the future "
            f"(after {pd.Timestamp(today):%d/%m/%Y})"
        ),
    )
    bad = (problem == _IMPOSSIBLE) | (problem == _UNREADABLE) | early | late
    if bad.any():
        values = values.copy()
        values[bad] = np.datetime64("NaT")
    return values


def read_records(
    path: PathLike,
    kind: str,
    *,
    columns: Mapping[str, str | None] | None = None,
    estates: Any = None,
    study_area: Any = None,
    check_area: bool = True,
    today: _dt.date | str | None = None,
    earliest: _dt.date | str = EARLIEST_DATE,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> ReadResult:
    r"""Read and validate a file of estates or records.

    Parameters
    ----------
    path
        CSV (comma, semicolon, tab or pipe; UTF-8 with or without BOM,
        UTF-16, cp1252 or latin-1, detected), XLSX, GeoPackage or GeoJSON.
        The format is recognised from the content, not the extension.
    kind
        ``"estates"``, ``"occupations"``, ``"evictions"`` or ``"vacancies"``.
    columns
        Source header -> canonical column (see :func:`record_columns`), for
        headers that are not recognised; map a header to ``None`` to ignore
        it. English snake_case and the usual Italian headers
        (``codice_stabile``, ``indirizzo``, ``alloggi``, ``data_rilevazione``,
        ``data_sgombero``, ``esito``, ``vulnerabile``, ``motivo``, ``costo``...)
        are recognised without a mapping, whatever their case and accents.
    estates
        Known estates (a DataFrame with ``estate_id``, a :class:`ReadResult`,
        :class:`~geo_alloggi._records.Records` or an iterable of ids): rows
        naming another estate id are quarantined. Ignored for
        ``kind="estates"``.
    study_area
        Where coordinates must fall: a GeoDataFrame of polygons, a
        ``(minx, miny, maxx, maxy)`` tuple in EPSG:4326, or None to load
        ``load_districts("study_area")`` (the rough bounds
        :data:`STUDY_AREA_BOUNDS` with a warning when the official boundaries
        are unavailable).
    check_area
        Set False to skip the study-area check (coordinates are still checked
        for being finite, in range and not swapped).
    today
        Dates after this day are quarantined (default: the current date);
        scheduled and postponed evictions may lie in the future.
    earliest
        Dates before this day are quarantined (default 1 January 1900).
    sheet
        XLSX sheet name or 0-based index (default: the first sheet).
    layer
        GeoPackage layer (needed when the file holds several).
    encoding, delimiter, decimal
        Override the detected CSV encoding, delimiter and decimal separator
        (default: decimal comma when the delimiter is ``;``).

    Returns
    -------
    ReadResult
        ``accepted`` (canonical table indexed by source ``row_number``),
        ``quarantine`` (``row_number``, ``reason`` and the row's schema
        columns as text), ``rows_read`` and ``dropped_columns``;
        ``rows_read == len(accepted) + len(quarantine)`` always.

    Raises
    ------
    InputFileError
        File-level problems, on one line naming the file, the problem and
        the fix: missing or empty file, binary or not a table, a required
        column missing, duplicated headers, an unreadable workbook or layer.
    ValidationError
        Bad arguments (unknown ``kind``, a mapping to an unknown column).

    Warns
    -----
    UserWarning
        Once, naming the columns outside the schema that were dropped (names,
        fiscal codes, phone numbers...): they are never read into any output.

    Notes
    -----
    Row checks (each quarantined row gets every reason that applies, joined by
    ``"; "``): missing id or required date; unreadable or impossible dates
    (``31/02/2020``), dates before ``earliest`` or after ``today``; end before
    start; status/outcome/vulnerable/owner outside their value lists (Italian
    and English spellings, e.g. ``in corso``/``liberato``,
    ``eseguito``/``programmato``/``rinviato``/``fallito``, ``sì``/``no``);
    ``status`` contradicting the end date; units not a positive integer;
    negative costs; duplicate ids (the first row is kept, later ones name the
    row they repeat); unknown estate ids; a record with no estate id, address
    or coordinates; coordinates not finite, out of range, projected (metres),
    swapped (latitude and longitude exchanged: quarantined, never fixed) or
    outside the study area (with a tolerance of :data:`AREA_TOLERANCE_M`).

    A house number in a column of its own (``civico``, ``numero_civico``...)
    is appended to the address. When ``status`` is missing it is derived from
    ``ended_on``. A missing ``record_id`` column of vacancies is filled with
    ``"row-<row_number>"``. Placeholders (``-``, ``n.d.``, ``N/A``, ``NULL``)
    are empty cells. Times of day in dates are dropped; five-digit
    numbers in a date column are Excel day numbers (``43497`` is 01/02/2019).
    Records keep ``address``, ``comune``, ``lon`` and ``lat`` when the file
    has them (for :func:`geo_alloggi.linking.link_records`). ``vulnerable`` is
    a nullable boolean (missing when not given).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "occ.csv").write_text(
    ...     "Codice Pratica;Codice Stabile;Nominativo;Data Rilevazione;Stato\n"
    ...     "P1;ST1;Mario Rossi;01/02/2019;in corso\n"
    ...     "P2;ST1;Anna Verdi;31/02/2019;in corso\n",
    ...     encoding="cp1252",
    ... )
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 'Nominativo' dropped
    ...     result = read_records(folder / "occ.csv", "occupations")
    >>> result.rows_read, len(result.accepted), len(result.quarantine)
    (2, 1, 1)
    >>> result.dropped_columns
    ('Nominativo',)
    >>> row = result.quarantine.iloc[0]
    >>> int(row["row_number"]), row["reason"][:28]
    (3, "impossible date '31/02/2019'")
    """
    _check_kind(kind)
    p = Path(os.fspath(path))
    if not p.exists():
        raise _file_error(p, "file not found", "check the path and the file name")
    if p.is_dir():
        raise _file_error(p, "is a folder, not a file", "give the path of the file")
    try:
        raw_bytes = p.read_bytes()
    except OSError as exc:
        raise _file_error(
            p, f"cannot be read ({exc.strerror})", "check the file's permissions"
        ) from None
    if not raw_bytes.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _file_error(
            p, "is empty", "export the table again with a header row and data rows"
        )
    fmt = _sniff_format(p, raw_bytes[:1024])
    state: dict[str, Any] = {}

    def select(headers: Sequence[str], geometry: bool = False) -> list[tuple[int, str]]:
        positions, mapping, dropped = _resolve_columns(p, kind, headers, columns)
        if not mapping:
            raise _file_error(
                p,
                f"no recognised {kind} column among the headers "
                f"{list(headers)[:8]!r} (is it a table of {kind}?)",
                f"check the file, or map its columns to {list(_CANONICAL[kind])!r}",
            )
        present = set(mapping.values()) | ({S.LON, S.LAT} if geometry else set())
        _require(p, kind, present, geometry)
        state["mapping"] = mapping
        state["dropped"] = dropped
        return positions

    if fmt == "csv":
        raw = _read_csv_raw(
            p,
            raw_bytes,
            select=select,
            delimiter=delimiter,
            encoding=encoding,
            decimal=decimal,
        )
    elif fmt == "xlsx":
        del raw_bytes
        folded = {a for names in _aliases(kind).values() for a in names}
        user = {_fold(h) for h in (columns or {})}

        def known(header: str) -> bool:
            return _fold(header) in folded or _fold(header) in user

        raw = _read_xlsx_raw(p, select=select, sheet=sheet, known=known)
    else:
        del raw_bytes
        raw = _read_layer_raw(p, select=select, layer=layer, file_format=fmt)
        if decimal:
            raw.decimal = decimal
    mapping: dict[str, str] = state["mapping"]
    dropped: list[str] = state["dropped"]
    if dropped:
        warnings.warn(
            f"{p.name}: dropped {len(dropped)} column(s) outside the {kind} schema, "
            f"never read into any output: {dropped!r}",
            UserWarning,
            stacklevel=2,
        )
    result = _validate(
        raw,
        kind,
        mapping,
        estate_ids=None if kind == "estates" else _estate_ids(estates),
        study_area=study_area,
        check_area=check_area,
        today=today,
        earliest=earliest,
    )
    accepted, quarantine = result
    rows_read = len(raw.frame)
    if rows_read == 0:
        warnings.warn(
            f"{p.name}: the file has a header but no data rows",
            UserWarning,
            stacklevel=2,
        )
    assert rows_read == len(accepted) + len(quarantine)
    logger.info(
        "%s: %d %s rows read, %d accepted, %d quarantined",
        p.name,
        rows_read,
        kind,
        len(accepted),
        len(quarantine),
    )
    return ReadResult(
        accepted=accepted,
        quarantine=quarantine,
        rows_read=rows_read,
        dropped_columns=tuple(dropped),
        kind=kind,
        source=os.fspath(p),
        file_format=raw.file_format,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        column_map=dict(mapping),
    )


#: Cell values that mean "nothing here" in exported tables.
MISSING_PLACEHOLDERS: tuple[str, ...] = tuple(
    v
    for base in ("-", "--", "n.d.", "n.d", "n/d", "n/a", "null", "none")
    for v in {base, base.upper(), base.title()}
)


def _placeholders_missing(s: pd.Series) -> pd.Series:
    """Turn placeholder values (``-``, ``n.d.``, ``NULL``...) into missing."""
    mask = s.isin(MISSING_PLACEHOLDERS)
    return s.where(~mask) if mask.any() else s


def _to_day(value: _dt.date | str | None, default: _dt.date) -> np.datetime64:
    if value is None:
        value = default
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValidationError(
            f"date argument {value!r} is not a date; expected e.g. '2025-12-31'"
        ) from None
    return np.datetime64(ts.normalize().to_datetime64(), "ns")


def _validate(
    raw: _Raw,
    kind: str,
    mapping: Mapping[str, str],
    *,
    estate_ids: set[str] | None,
    study_area: Any,
    check_area: bool,
    today: Any,
    earliest: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(raw.frame)
    today64 = _to_day(today, _dt.date.today())
    earliest64 = _to_day(earliest, EARLIEST_DATE)
    header_of = {canonical: header for header, canonical in mapping.items()}
    text: dict[str, pd.Series] = {
        canonical: _placeholders_missing(raw.frame[header])
        for header, canonical in mapping.items()
    }
    reasons = _Reasons(n)
    for pos, why in sorted(raw.structural.items()):
        mask = np.zeros(n, dtype=bool)
        mask[pos] = True
        reasons.add(mask, why)
    out: dict[str, Any] = {}
    row_number = raw.row_number

    missing_cache: dict[str, np.ndarray] = {}

    def missing(col: str) -> np.ndarray:
        if col not in missing_cache:
            missing_cache[col] = (
                _blank(text[col]) if col in text else np.ones(n, dtype=bool)
            )
        return missing_cache[col]

    structural_rows = np.zeros(n, dtype=bool)
    if raw.structural:
        structural_rows[list(raw.structural)] = True

    # --- ids -----------------------------------------------------------------
    id_col = S.ESTATE_ID if kind == "estates" else S.RECORD_ID
    if id_col in text:
        ids = text[id_col]
        reasons.add(missing(id_col) & ~structural_rows, f"{id_col} missing")
        present = ~missing(id_col)
        dup = ids.duplicated(keep="first").to_numpy(dtype=bool) & present
        if dup.any():
            idv = ids.array
            repeated = set(ids[dup].tolist())
            first: dict[str, int] = {}
            for i in np.flatnonzero(ids.isin(list(repeated)).to_numpy(dtype=bool)):
                first.setdefault(idv[i], int(i))
            reasons.add(
                dup,
                lambda i: (
                    f"duplicate {id_col} {idv[i]!r} (first on row "
                    f"{row_number[first[idv[i]]]})"
                ),
            )
        out[id_col] = ids
    else:  # vacancies without ids
        out[id_col] = pd.Series([f"row-{r}" for r in row_number], dtype="str")
    if kind != "estates":
        out[S.ESTATE_ID] = text.get(S.ESTATE_ID, pd.Series([None] * n, dtype="str"))
    for col in (S.UNIT_ID, S.NAME, S.ADDRESS, S.REASON, S.POSITION_SOURCE):
        if col in _CANONICAL[kind] or (col in text and col in _RECORD_LINK_COLUMNS):
            out[col] = text.get(col, pd.Series([None] * n, dtype="str"))
    if HOUSE_NUMBER in text and S.ADDRESS in text:
        # "Via Bolla" + "30" -> "Via Bolla 30" (the number alone says nothing)
        number = text[HOUSE_NUMBER]
        both = ~missing(S.ADDRESS) & ~missing(HOUSE_NUMBER)
        address = text[S.ADDRESS].copy()
        address[both] = address[both] + " " + number[both]
        out[S.ADDRESS] = address

    # --- comune --------------------------------------------------------------
    if S.COMUNE in text:
        codes, uniques = pd.factorize(text[S.COMUNE], use_na_sentinel=True)
        norm = np.array(
            [_COMUNE_VALUES.get(_fold_value(u), u) for u in uniques] + [None],
            dtype=object,
        )
        out[S.COMUNE] = pd.Series(norm[codes], dtype="str")
    elif kind == "estates":
        out[S.COMUNE] = pd.Series([None] * n, dtype="str")

    # --- coordinates ---------------------------------------------------------
    if S.LON in text or raw.geometry_xy is not None:
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        bad_num = np.zeros(n, dtype=bool)
        given_lon = np.zeros(n, dtype=bool)
        given_lat = np.zeros(n, dtype=bool)
        if S.LON in text:
            for col, target, given in (
                (S.LON, lon, given_lon),
                (S.LAT, lat, given_lat),
            ):
                values, bad = _parse_numbers(
                    text[col], decimal=raw.decimal, thousands=False
                )
                target[:] = values
                given |= ~missing(col)
                arr = text[col].array
                reasons.add(
                    bad,
                    lambda i, arr=arr, col=col: (
                        f"unreadable {col} {arr[i]!r} (column {header_of[col]!r})"
                    ),
                )
                bad_num |= bad
        if raw.geometry_xy is not None:
            gx, gy = raw.geometry_xy
            has_geom = ~np.isnan(gx)
            lon[has_geom] = gx[has_geom]
            lat[has_geom] = gy[has_geom]
            given_lon |= has_geom
            given_lat |= has_geom
            bad_num &= ~has_geom
        reasons.add((given_lon ^ given_lat) & ~bad_num, "only one of lon/lat given")
        both = given_lon & given_lat & ~bad_num
        finite = np.isfinite(lon) & np.isfinite(lat)
        reasons.add(both & ~finite, "coordinates not finite (NaN or infinite)")
        check = both & finite
        projected = check & ((np.abs(lon) > 1000) | (np.abs(lat) > 1000))
        reasons.add(
            projected,
            lambda i: (
                f"coordinates ({lon[i]:.1f}, {lat[i]:.1f}) look projected "
                "(metres), expected longitude and latitude in degrees (EPSG:4326)"
            ),
        )
        check &= ~projected
        in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        swapped_in_range = (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
        if check_area:
            inside = _area_test(study_area)
            ins = np.zeros(n, dtype=bool)
            idx = np.flatnonzero(check)
            ins[idx] = inside(lon[idx], lat[idx])
            sw = np.zeros(n, dtype=bool)
            idx = np.flatnonzero(check & ~ins)
            sw[idx] = inside(lat[idx], lon[idx])
            outside = check & ~ins & ~sw & in_range
            out_range = check & ~ins & ~sw & ~in_range
        else:
            # without an area, a pair only valid once exchanged is swapped
            sw = check & ~in_range & swapped_in_range
            outside = np.zeros(n, dtype=bool)
            out_range = check & ~in_range & ~sw
        reasons.add(
            sw,
            lambda i: (
                f"latitude and longitude look swapped (lon={lon[i]}, "
                f"lat={lat[i]}): exchange the two columns"
            ),
        )
        reasons.add(
            out_range,
            lambda i: f"coordinates out of range (lon={lon[i]}, lat={lat[i]})",
        )
        reasons.add(
            outside,
            lambda i: (
                f"coordinates (lon={lon[i]}, lat={lat[i]}) outside the study area "
                "(check_area=False or --no-area-check keeps such rows)"
            ),
        )
        no_xy = ~(given_lon & given_lat)
        out[S.LON] = np.where(no_xy, np.nan, lon)
        out[S.LAT] = np.where(no_xy, np.nan, lat)
    elif kind == "estates":
        out[S.LON] = np.full(n, np.nan)
        out[S.LAT] = np.full(n, np.nan)

    # --- placing a record ----------------------------------------------------
    if kind != "estates":
        has_xy = (
            np.isfinite(out[S.LON]) & np.isfinite(out[S.LAT])
            if S.LON in out
            else np.zeros(n, dtype=bool)
        )
        unplaceable = missing(S.ESTATE_ID) & missing(S.ADDRESS) & ~has_xy
        if S.LON in text:
            unplaceable &= missing(S.LON)
        reasons.add(
            unplaceable & ~structural_rows,
            "no estate id, address or coordinates to place the record",
        )
        if estate_ids is not None and S.ESTATE_ID in text:
            eid = text[S.ESTATE_ID]
            known = eid.isin(list(estate_ids)).to_numpy(dtype=bool)
            unknown = ~missing(S.ESTATE_ID) & ~known
            earr = eid.array
            reasons.add(
                unknown,
                lambda i: f"unknown estate_id {earr[i]!r} (not in the estates given)",
            )

    # --- kind-specific -------------------------------------------------------
    if kind == "estates":
        _estates_checks(text, header_of, reasons, out, raw.decimal, n, structural_rows)
    elif kind == "occupations":
        _dates_pair(
            text,
            header_of,
            reasons,
            out,
            S.DETECTED_ON,
            S.ENDED_ON,
            today64,
            earliest64,
            structural_rows,
        )
        _status(text, header_of, reasons, out, n)
    elif kind == "evictions":
        outcome = np.full(n, None, dtype=object)
        if S.OUTCOME in text:
            outcome, unknown = _map_values(text[S.OUTCOME], _OUTCOME_VALUES)
            arr = text[S.OUTCOME].array
            reasons.add(
                unknown,
                lambda i: (
                    f"unknown outcome {arr[i]!r} (column "
                    f"{header_of[S.OUTCOME]!r}), expected executed/eseguito, "
                    "scheduled/programmato, postponed/rinviato or failed/fallito"
                ),
            )
            reasons.add(missing(S.OUTCOME) & ~structural_rows, "outcome missing")
        future_ok = np.isin(outcome, ["scheduled", "postponed"])
        reasons.add(
            missing(S.EVICTION_DATE) & ~structural_rows,
            f"{S.EVICTION_DATE} missing",
        )
        out[S.EVICTION_DATE] = _date_check(
            reasons,
            text[S.EVICTION_DATE],
            S.EVICTION_DATE,
            header_of[S.EVICTION_DATE],
            today=today64,
            earliest=earliest64,
            future_ok=future_ok,
        )
        out[S.OUTCOME] = pd.Series(outcome, dtype="str")
        vul = pd.array([pd.NA] * n, dtype="boolean")
        if S.VULNERABLE in text:
            values, unknown = _map_values(text[S.VULNERABLE], _BOOL_VALUES)
            arr = text[S.VULNERABLE].array
            reasons.add(
                unknown,
                lambda i: (
                    f"vulnerable {arr[i]!r} is not yes/no (sì/no, true/false, 1/0)"
                ),
            )
            vul = pd.array(values, dtype="boolean")
        out[S.VULNERABLE] = vul
    else:  # vacancies
        _dates_pair(
            text,
            header_of,
            reasons,
            out,
            S.VACANT_SINCE,
            S.ENDED_ON,
            today64,
            earliest64,
            structural_rows,
        )
        if S.RENOVATION_COST in text:
            cost, bad = _parse_numbers(
                text[S.RENOVATION_COST], decimal=raw.decimal, thousands=True
            )
            arr = text[S.RENOVATION_COST].array
            where = f"(column {header_of[S.RENOVATION_COST]!r})"
            reasons.add(bad, lambda i: f"unreadable cost {arr[i]!r} {where}")
            reasons.add(
                ~bad & ~missing(S.RENOVATION_COST) & ~(np.isfinite(cost) & (cost >= 0)),
                lambda i: f"cost {arr[i]!r} {where} is not a non-negative amount",
            )
            out[S.RENOVATION_COST] = np.where(np.isfinite(cost), cost, np.nan)
        else:
            out[S.RENOVATION_COST] = np.full(n, np.nan)

    # --- assemble ------------------------------------------------------------
    bad = reasons.bad()
    good = ~bad
    order = list(_CANONICAL[kind])
    if kind != "estates":
        order += [c for c in _RECORD_LINK_COLUMNS if c in out]
    full = pd.DataFrame({col: out[col] for col in order}, columns=order)
    accepted = full.loc[good]
    accepted.index = pd.Index(row_number[good], name=S.ROW_NUMBER)
    if kind == "estates":
        accepted[S.UNITS] = accepted[S.UNITS].astype("int64")
        xy = (accepted[S.LON].notna() & accepted[S.LAT].notna()).to_numpy()
        geometry = np.full(len(accepted), None, dtype=object)
        geometry[xy] = shapely.points(
            accepted[S.LON].to_numpy()[xy], accepted[S.LAT].to_numpy()[xy]
        )
        src = accepted[S.POSITION_SOURCE]
        accepted[S.POSITION_SOURCE] = src.where(src.notna() | ~xy, "input")
        accepted = gpd.GeoDataFrame(
            accepted,
            geometry=gpd.GeoSeries(geometry, index=accepted.index),
            crs=config.geographic_crs,
        )
    qcols = [S.ROW_NUMBER, S.QUARANTINE_REASON]
    qdata: dict[str, Any] = {
        S.ROW_NUMBER: row_number[bad],
        S.QUARANTINE_REASON: reasons.joined().to_numpy(dtype=object)
        if bad.any()
        else np.array([], dtype=object),
    }
    for header, canonical in mapping.items():
        # vacancies' own ``reason`` column would clash with the quarantine's
        name = "vacancy_reason" if canonical == S.QUARANTINE_REASON else canonical
        qcols.append(name)
        qdata[name] = (
            raw.frame[header]
            .iloc[np.flatnonzero(bad)]
            .to_numpy(dtype=object, na_value=None)
        )
    quarantine = pd.DataFrame(qdata, columns=qcols)
    quarantine[S.QUARANTINE_REASON] = quarantine[S.QUARANTINE_REASON].astype("str")
    for col in qcols[2:]:
        quarantine[col] = quarantine[col].astype("str")
    return accepted, quarantine


def _estates_checks(
    text: dict[str, pd.Series],
    header_of: Mapping[str, str],
    reasons: _Reasons,
    out: dict[str, Any],
    decimal: str,
    n: int,
    structural_rows: np.ndarray,
) -> None:
    units, _ = _parse_numbers(text[S.UNITS], decimal=decimal, thousands=True)
    arr = text[S.UNITS].array
    where = f"(column {header_of[S.UNITS]!r})"
    ok = np.isfinite(units) & (units > 0) & (np.mod(units, 1) == 0)
    blank = _blank(text[S.UNITS])
    reasons.add(blank & ~structural_rows, f"units missing {where}")
    reasons.add(
        ~blank & ~ok,
        lambda i: f"units {arr[i]!r} {where} is not a positive integer",
    )
    out[S.UNITS] = np.where(ok, units, 0).astype(np.int64)
    owner = np.full(n, None, dtype=object)
    if S.OWNER in text:
        codes, uniques = pd.factorize(text[S.OWNER], use_na_sentinel=True)
        mapped: list[str | None] = []
        for u in uniques:
            f = _fold_value(u)
            if _OWNER_ALER.search(f):
                mapped.append("Aler")
            elif _OWNER_COMUNE.search(f):
                mapped.append("Comune-MM")
            else:
                mapped.append(None)
        table = np.array([*mapped, None], dtype=object)
        owner = table[codes]
        unknown = (codes >= 0) & pd.isna(owner)
        oarr = text[S.OWNER].array
        reasons.add(
            unknown,
            lambda i: (
                f"unknown owner {oarr[i]!r} (column {header_of[S.OWNER]!r}), "
                "expected Aler or Comune/MM"
            ),
        )
    out[S.OWNER] = pd.Series(owner, dtype="str")


def _dates_pair(
    text: dict[str, pd.Series],
    header_of: Mapping[str, str],
    reasons: _Reasons,
    out: dict[str, Any],
    start_col: str,
    end_col: str,
    today: np.datetime64,
    earliest: np.datetime64,
    structural_rows: np.ndarray,
) -> None:
    start_blank = _blank(text[start_col])
    reasons.add(start_blank & ~structural_rows, f"{start_col} missing")
    start = _date_check(
        reasons,
        text[start_col],
        start_col,
        header_of[start_col],
        today=today,
        earliest=earliest,
    )
    n = len(start)
    if end_col in text:
        end = _date_check(
            reasons,
            text[end_col],
            end_col,
            header_of[end_col],
            today=today,
            earliest=earliest,
        )
        before = ~np.isnat(start) & ~np.isnat(end) & (end < start)
        reasons.add(
            before,
            lambda i: (
                f"{end_col} {pd.Timestamp(end[i]):%d/%m/%Y} is before "
                f"{start_col} {pd.Timestamp(start[i]):%d/%m/%Y}"
            ),
        )
        # a bad end date leaves NaT: remember it was given (status check)
        end_given = ~_blank(text[end_col])
    else:
        end = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        end_given = np.zeros(n, dtype=bool)
    out[start_col] = start
    out[end_col] = end
    out["_end_given"] = end_given


def _status(
    text: dict[str, pd.Series],
    header_of: Mapping[str, str],
    reasons: _Reasons,
    out: dict[str, Any],
    n: int,
) -> None:
    end_given = out.pop("_end_given")
    if S.STATUS not in text:
        derived = np.where(end_given, "ended", "ongoing").astype(object)
        out[S.STATUS] = pd.Series(derived, dtype="str")
        return
    status, unknown = _map_values(text[S.STATUS], _STATUS_VALUES)
    arr = text[S.STATUS].array
    where = f"(column {header_of[S.STATUS]!r})"
    reasons.add(
        unknown,
        lambda i: (
            f"unknown status {arr[i]!r} {where}, expected ongoing/in corso "
            "or ended/liberato"
        ),
    )
    ended = status == "ended"
    ongoing = status == "ongoing"
    reasons.add(ended & ~end_given, f"status 'ended' {where} but no end date")
    reasons.add(
        ongoing & end_given, f"status 'ongoing' {where} but an end date is given"
    )
    # blank status: derived from the end date
    final = np.where(ended | (~ongoing & end_given), "ended", "ongoing").astype(object)
    final[unknown] = None
    out[S.STATUS] = pd.Series(final, dtype="str")


# ---------------------------------------------------------------------------
# several files at once


def _empty(kind: str) -> pd.DataFrame:
    cols = list(_CANONICAL[kind])
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in cols})
    dates = {
        "occupations": (S.DETECTED_ON, S.ENDED_ON),
        "evictions": (S.EVICTION_DATE,),
        "vacancies": (S.VACANT_SINCE, S.ENDED_ON),
    }.get(kind, ())
    for c in dates:
        frame[c] = pd.Series([], dtype="datetime64[ns]")
    if kind == "estates":
        frame[S.UNITS] = pd.Series([], dtype="int64")
        frame[S.LON] = pd.Series([], dtype="float64")
        frame[S.LAT] = pd.Series([], dtype="float64")
        return gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries([], crs=config.geographic_crs)
        )
    if kind == "evictions":
        frame[S.VULNERABLE] = pd.Series([], dtype="boolean")
    if kind == "vacancies":
        frame[S.RENOVATION_COST] = pd.Series([], dtype="float64")
    frame.index.name = S.ROW_NUMBER
    return frame


def read_bundle(
    *,
    estates: PathLike | None = None,
    occupations: PathLike | None = None,
    evictions: PathLike | None = None,
    vacancies: PathLike | None = None,
    columns: Mapping[str, Mapping[str, str | None]] | None = None,
    check_estates: bool = True,
    **read_kwds: Any,
) -> Bundle:
    """Read up to four files (estates first) into one :class:`Bundle`.

    Parameters
    ----------
    estates, occupations, evictions, vacancies
        Paths of the files; a kind not given gets an empty canonical table.
    columns
        Kind -> column mapping (see :func:`read_records`).
    check_estates
        Quarantine records whose estate id is not among the accepted estates
        (only when an estates file is given).
    **read_kwds
        Passed to :func:`read_records` (``study_area``, ``today``...).

    Returns
    -------
    Bundle
        ``records`` (:class:`~geo_alloggi._records.Records`) and the
        :class:`ReadResult` of each file in ``results``.

    Raises
    ------
    InputFileError
        As :func:`read_records`, for the first file with a file-level problem.
    """
    paths = {
        "estates": estates,
        "occupations": occupations,
        "evictions": evictions,
        "vacancies": vacancies,
    }
    results: dict[str, ReadResult] = {}
    tables: dict[str, pd.DataFrame] = {}
    known: Any = None
    for kind in KINDS:
        path = paths[kind]
        if path is None:
            tables[kind] = _empty(kind)
            continue
        res = read_records(
            path,
            kind,
            columns=(columns or {}).get(kind),
            estates=known if kind != "estates" else None,
            **read_kwds,
        )
        results[kind] = res
        tables[kind] = res.accepted
        if kind == "estates" and check_estates:
            known = res.accepted
    records = Records(
        estates=tables["estates"],
        occupations=tables["occupations"],
        evictions=tables["evictions"],
        vacancies=tables["vacancies"],
    )
    return Bundle(records=records, results=results)


def load_records(**kwds: Any) -> Records:
    """Read up to four files and return the accepted tables as ``Records``.

    Takes the arguments of :func:`read_bundle`. Warns (``UserWarning``) with
    the number of quarantined rows per file; use :func:`read_bundle` to get
    the quarantine tables themselves.

    Returns
    -------
    Records
        The accepted estates, occupations, evictions and vacancies.
    """
    bundle = read_bundle(**kwds)
    lost = {
        k: len(r.quarantine) for k, r in bundle.results.items() if len(r.quarantine)
    }
    if lost:
        warnings.warn(
            f"rows quarantined (not in the records): {lost!r}; see "
            "read_bundle(...).results[kind].quarantine for the reasons",
            UserWarning,
            stacklevel=2,
        )
    return bundle.records


# ---------------------------------------------------------------------------
# writing tables for meetings

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_table(df: pd.DataFrame, path: PathLike, *, lang: str = "it") -> Path:
    """Write a table that opens correctly in Excel: CSV or XLSX by extension.

    Parameters
    ----------
    df
        The table. A named index (e.g. ``row_number``) is written as the first
        column; an unnamed index is not written. A geometry column is not
        written (use a GeoPackage for layers).
    path
        ``.csv`` or ``.xlsx``; the folder must exist.
    lang
        ``"it"`` (default): CSV with ``;`` separators, decimal comma, UTF-8
        with BOM, dates as ``dd/mm/yyyy``, booleans ``sì``/``no``.
        ``"en"``: CSV with ``,``, decimal point, UTF-8 with BOM, ISO dates,
        booleans ``yes``/``no``. XLSX cells hold real numbers and dates
        (shown ``dd/mm/yyyy`` in Italian, ``yyyy-mm-dd`` in English).

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
    out_path = Path(os.fspath(path))
    ext = out_path.suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise ValidationError(
            f"path {os.fspath(path)!r} must end in '.csv' or '.xlsx', got {ext!r}"
        )
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
    date_fmt = "%d/%m/%Y" if lang == "it" else "%Y-%m-%d"
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
    if ext == ".csv":
        csv_table = table.copy()
        for col in csv_table.columns:
            s = csv_table[col]
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
                fmt = date_fmt + (" %H:%M" if has_time else "")
                csv_table[col] = (
                    s.dt.strftime(fmt).astype(object).where(s.notna(), None)
                )
            elif lang == "it" and pd.api.types.is_object_dtype(s.dtype):
                # mixed columns (numbers and markers such as "riservato"): pandas'
                # decimal= only reaches float columns, so write the comma here
                csv_table[col] = s.map(_decimal_comma)
        csv_table.to_csv(
            out_path,
            sep=";" if lang == "it" else ",",
            decimal="," if lang == "it" else ".",
            index=False,
            encoding="utf-8-sig",
            lineterminator="\r\n",
            quoting=csv.QUOTE_MINIMAL,
        )
        return out_path
    _write_xlsx(
        table, out_path, date_fmt="DD/MM/YYYY" if lang == "it" else "YYYY-MM-DD"
    )
    return out_path


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
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("tabella")
    ws.append([str(c) for c in table.columns])
    columns: list[list[Any]] = []
    is_date: list[bool] = []
    for col in table.columns:
        s = table[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            is_date.append(True)
            columns.append(
                [None if pd.isna(v) else v.to_pydatetime() for v in s.tolist()]
            )
            continue
        is_date.append(False)
        if pd.api.types.is_float_dtype(s.dtype) or pd.api.types.is_integer_dtype(
            s.dtype
        ):
            values = s.astype(object).where(s.notna(), None).tolist()
            columns.append([v.item() if hasattr(v, "item") else v for v in values])
        else:
            # text was neutralised before: no cell starts with "=", "+"...
            columns.append([None if v is None or v is pd.NA else v for v in s.tolist()])
    for values in zip(*columns, strict=True):
        row = []
        for flag, value in zip(is_date, values, strict=True):
            if flag and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = date_fmt
                row.append(cell)
            else:
                row.append(value)
        ws.append(row)
    wb.save(path)
