"""Read record files into canonical tables: read_records, read_bundle, load_records.

Each file is recognised (:mod:`~geo_alloggi.io._files`), its headers mapped
to canonical columns (:mod:`~geo_alloggi.io._parsing`) and its rows checked
(:mod:`~geo_alloggi.io._validation`). The result keeps the accepted table,
the quarantine with the reason for every rejected row, and how the file was
read.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._records import Records
from geo_alloggi.io._area import StudyArea
from geo_alloggi.io._columns import (
    CANONICAL,
    FEW_VALUES,
    KINDS,
    aliases,
    check_kind,
    fold,
)
from geo_alloggi.io._csv import read_csv_raw
from geo_alloggi.io._files import RawTable, file_bytes, file_error, sniff_format
from geo_alloggi.io._overlap import read_in_turn
from geo_alloggi.io._parsing import require_columns, resolve_columns
from geo_alloggi.io._sheets import read_layer_raw, read_xlsx_raw
from geo_alloggi.io._validation import EARLIEST_DATE, validate_rows

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class ReadResult:
    """What :func:`read_records` read from one file.

    Attributes
    ----------
    accepted : pandas.DataFrame
        The canonical table (see :mod:`geo_alloggi._records`; a GeoDataFrame in
        EPSG:4326 for estates). Its index, named ``row_number``, holds the row
        number of each record in the source file.
    quarantine : pandas.DataFrame
        One row per rejected source row: ``row_number``, ``reason`` (every
        problem found, joined by ``"; "``) and the row's schema columns as
        written in the file (text, spaces stripped; a vacancy's own
        ``reason`` column is called ``vacancy_reason`` here). Never holds a
        column outside the schema.
    rows_read : int
        Data rows in the file (blank rows excluded);
        ``rows_read == len(accepted) + len(quarantine)``.
    dropped_columns : tuple of str
        Headers of the columns outside the schema that were not read.
    kind, source : str
        The record kind and the file read.
    file_format : str
        How the file was read: its format.
    encoding : str or None
        Encoding the file was read with (CSV only).
    delimiter : str or None
        Delimiter the file was read with (CSV only).
    column_map : dict of str to str
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

    def to_frame(self) -> pd.DataFrame:
        """Return the accepted records (a copy of :attr:`accepted`).

        Returns
        -------
        pandas.DataFrame
            The accepted records.
        """
        return self.accepted.copy()

    def summary(self) -> str:
        """One line for a person: rows read, accepted, quarantined.

        Returns
        -------
        str
            The counts on one line.
        """
        text = (
            f"{self.kind} from {Path(self.source).name}: {self.rows_read} rows read, "
            f"{len(self.accepted)} accepted, {len(self.quarantine)} quarantined"
        )
        if self.dropped_columns:
            text += (
                f", {len(self.dropped_columns)} column(s) outside the schema dropped"
            )
        return text


@dataclass(frozen=True)
class Bundle:
    """Records read by :func:`read_bundle` with the result of each file.

    Attributes
    ----------
    records : Records
        The accepted tables as a :class:`~geo_alloggi._records.Records`
        (empty canonical tables for the kinds not given).
    results : dict of str to ReadResult
        Kind -> :class:`ReadResult` for each file read.
    """

    records: Records
    results: dict[str, ReadResult]

    def to_frame(self) -> pd.DataFrame:
        """Return one row per file read, as :meth:`summary` says it.

        Columns ``kind``, ``source``, ``file_format``, ``rows_read``,
        ``accepted``, ``quarantined`` and ``dropped_columns`` (counts).

        Returns
        -------
        pandas.DataFrame
            One row per file read.
        """
        return pd.DataFrame(
            [
                {
                    "kind": r.kind,
                    "source": r.source,
                    "file_format": r.file_format,
                    "rows_read": r.rows_read,
                    "accepted": len(r.accepted),
                    "quarantined": len(r.quarantine),
                    "dropped_columns": len(r.dropped_columns),
                }
                for r in self.results.values()
            ],
            columns=[
                "kind",
                "source",
                "file_format",
                "rows_read",
                "accepted",
                "quarantined",
                "dropped_columns",
            ],
        )

    def summary(self) -> str:
        """One line per file read.

        Returns
        -------
        str
            One line per file read.
        """
        return "\n".join(r.summary() for r in self.results.values())


# ---------------------------------------------------------------------------
# one file


def read_records(
    path: PathLike,
    kind: str,
    *,
    columns: Mapping[str, str | None] | None = None,
    estates: Any = None,
    study_area: StudyArea = None,
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
    path : str or os.PathLike
        CSV (comma, semicolon, tab or pipe; UTF-8 with or without BOM,
        UTF-16, cp1252 or latin-1, detected), XLSX, GeoPackage or GeoJSON.
        The format is recognised from the content, not the extension.
    kind : str
        ``"estates"``, ``"occupations"``, ``"evictions"`` or ``"vacancies"``.
    columns : mapping of str to (str or None) or None, optional
        Source header -> canonical column (see :func:`record_columns`), for
        headers that are not recognised; map a header to ``None`` to ignore
        it. English snake_case and the usual Italian headers
        (``codice_stabile``, ``indirizzo``, ``alloggi``, ``data_rilevazione``,
        ``data_sgombero``, ``esito``, ``vulnerabile``, ``motivo``, ``costo``...)
        are recognised without a mapping, whatever their case and accents.
    estates : Any, optional
        Known estates (a DataFrame with ``estate_id``, a :class:`ReadResult`,
        :class:`~geo_alloggi._records.Records` or an iterable of ids): rows
        naming another estate id are quarantined. Ignored for
        ``kind="estates"``.
    study_area : StudyArea, optional
        Where coordinates must fall: a GeoDataFrame (or GeoSeries) of polygons
        such as ``load_districts("study_area")``, a ``(minx, miny, maxx,
        maxy)`` tuple in EPSG:4326, or None for the rough bounds
        :data:`STUDY_AREA_BOUNDS`. It may also be a function without
        arguments returning one of these, such as
        ``functools.partial(load_districts, "study_area")``: it is called only
        when the file has coordinates to check, and when it raises
        :class:`~geo_alloggi.DataUnavailableError` the rough bounds are used
        with a warning. ``io`` never loads boundaries itself.
    check_area : bool, optional
        Set False to skip the study-area check (coordinates are still checked
        for being finite, in range and not swapped).
    today : datetime.date, str or None, optional
        Dates after this day are quarantined (default: the current date);
        scheduled and postponed evictions may lie in the future.
    earliest : datetime.date or str, optional
        Dates before this day are quarantined (default 1 January 1900).
    sheet : str, int or None, optional
        XLSX sheet name or 0-based index (default: the first sheet).
    layer : str, int or None, optional
        GeoPackage layer (needed when the file holds several).
    encoding, delimiter, decimal : str or None, optional
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
    ``"line-<row_number>"`` (``"row-<row_number>"`` for a sheet). Placeholders
    (``-``, ``n.d.``, ``N/A``, ``NULL``) are empty cells. Times of day in
    dates are dropped; five-digit numbers in a date column are Excel day
    numbers (``43497`` is 01/02/2019).
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
    check_kind(kind)
    p = Path(os.fspath(path))
    raw_bytes = file_bytes(p)
    fmt = sniff_format(p, raw_bytes[:1024])
    select = _Selector(p, kind, columns)
    raw: RawTable
    if fmt == "csv":
        raw = read_csv_raw(
            p,
            raw_bytes,
            select=select,
            few_values=select.few_values,
            delimiter=delimiter,
            encoding=encoding,
            decimal=decimal,
        )
    elif fmt == "xlsx":
        del raw_bytes
        known = _known_header(kind, columns)
        raw = read_xlsx_raw(p, select=select, sheet=sheet, known=known)
    else:
        del raw_bytes
        raw = read_layer_raw(p, select=select, layer=layer, file_format=fmt)
        if decimal:
            raw.decimal = decimal
    mapping, dropped = select.mapping, select.dropped
    if dropped:
        warn(
            f"{p.name}: dropped {len(dropped)} column(s) outside the {kind} schema, "
            f"never read into any output: {dropped!r}",
            "io.dropped_columns",
            file=p.name,
            n=len(dropped),
            columns=dropped,
            stacklevel=2,
        )
    accepted, quarantine = validate_rows(
        raw,
        kind,
        mapping,
        estate_ids=None if kind == "estates" else _estate_ids(estates),
        study_area=study_area,
        check_area=check_area,
        today=today,
        earliest=earliest,
    )
    rows_read = len(raw.frame)
    if rows_read == 0:
        warn(
            f"{p.name}: the file has a header but no data rows",
            "io.no_rows",
            file=p.name,
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


class _Selector:
    """Pick the columns of a file of ``kind``; remember the mapping and drops."""

    def __init__(
        self, path: Path, kind: str, columns: Mapping[str, str | None] | None
    ) -> None:
        self.path = path
        self.kind = kind
        self.columns = columns
        self.mapping: dict[str, str] = {}
        self.dropped: list[str] = []

    def __call__(
        self, headers: Sequence[str], geometry: bool = False
    ) -> list[tuple[int, str]]:
        p, kind = self.path, self.kind
        positions, mapping, dropped = resolve_columns(p, kind, headers, self.columns)
        if not mapping:
            raise file_error(
                p,
                f"no recognised {kind} column among the headers "
                f"{list(headers)[:8]!r} (is it a table of {kind}?)",
                f"check the file, or map its columns to {list(CANONICAL[kind])!r}",
            )
        present = set(mapping.values()) | ({S.LON, S.LAT} if geometry else set())
        require_columns(p, kind, present, geometry)
        self.mapping = mapping
        self.dropped = dropped
        return positions

    def few_values(self, header: str) -> bool:
        """Whether the column read under ``header`` has few distinct values."""
        return self.mapping.get(header) in FEW_VALUES


def _known_header(kind: str, columns: Mapping[str, str | None] | None) -> Any:
    """Return ``known(header)``: True for a header of ``kind`` or of the mapping."""
    folded = {a for names in aliases(kind).values() for a in names}
    user = {fold(h) for h in (columns or {})}

    def known(header: str) -> bool:
        return fold(header) in folded or fold(header) in user

    return known


def _estate_ids(estates: Any) -> set[str] | None:
    """Return the known estate ids given as ``estates=`` (None: no check)."""
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


# ---------------------------------------------------------------------------
# several files at once


def _empty(kind: str) -> pd.DataFrame:
    """Return the empty canonical table of ``kind`` (with its dtypes)."""
    cols = list(CANONICAL[kind])
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
    study_area: StudyArea = None,
    check_area: bool = True,
    today: _dt.date | str | None = None,
    earliest: _dt.date | str = EARLIEST_DATE,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Bundle:
    """Read up to four files (estates first) into one :class:`Bundle`.

    Parameters
    ----------
    estates, occupations, evictions, vacancies : str, os.PathLike or None, optional
        Paths of the files; a kind not given gets an empty canonical table.
    columns : mapping of str to mapping of str to (str or None) or None, optional
        Kind -> column mapping (see :func:`read_records`).
    check_estates : bool, optional
        Quarantine records whose estate id is not among the accepted estates
        (only when an estates file is given).
    study_area : StudyArea, optional
        Where coordinates must fall, as for :func:`read_records`.
    check_area : bool, optional
        Set False to skip the study-area check, as for :func:`read_records`.
    today : datetime.date, str or None, optional
        Dates after this day are quarantined (default: the current date).
    earliest : datetime.date or str, optional
        Dates before this day are quarantined (default 1 January 1900).
    sheet : str, int or None, optional
        XLSX sheet of every file given (default: the first sheet).
    layer : str, int or None, optional
        GeoPackage layer of every file given.
    encoding, delimiter, decimal : str or None, optional
        CSV encoding, delimiter and decimal mark of every file given
        (default: detected per file).

    Returns
    -------
    Bundle
        ``records`` (:class:`~geo_alloggi._records.Records`) and the
        :class:`ReadResult` of each file in ``results``.

    Raises
    ------
    InputFileError
        As :func:`read_records`, for the first file with a file-level problem.

    Notes
    -----
    The estates are read first. When the record files weigh megabytes, the
    smaller ones are read in a forked child process while this one reads the
    largest; the bundle, the warnings (in the files' order) and the error are
    those of reading them one after the other.
    """
    paths = {
        "estates": estates,
        "occupations": occupations,
        "evictions": evictions,
        "vacancies": vacancies,
    }
    given = {kind: path for kind, path in paths.items() if path is not None}
    known: Any = None  # the accepted estates, once read (when checked)

    def read(kind: str) -> ReadResult:
        """Read the file of ``kind`` (records checked against ``known``)."""
        return read_records(
            given[kind],
            kind,
            columns=(columns or {}).get(kind),
            estates=known,
            study_area=study_area,
            check_area=check_area,
            today=today,
            earliest=earliest,
            sheet=sheet,
            layer=layer,
            encoding=encoding,
            delimiter=delimiter,
            decimal=decimal,
        )

    results: dict[str, ReadResult] = {}
    if "estates" in given:
        results["estates"] = read("estates")
        if check_estates:
            known = results["estates"].accepted
    # the records in turn (when they are large, the smaller files in a child
    # while the largest is read here: see read_in_turn)
    results |= read_in_turn(read, {k: p for k, p in given.items() if k != "estates"})
    tables = {
        kind: results[kind].accepted if kind in results else _empty(kind)
        for kind in KINDS
    }
    records = Records(
        estates=tables["estates"],
        occupations=tables["occupations"],
        evictions=tables["evictions"],
        vacancies=tables["vacancies"],
    )
    return Bundle(records=records, results=results)


def load_records(
    *,
    estates: PathLike | None = None,
    occupations: PathLike | None = None,
    evictions: PathLike | None = None,
    vacancies: PathLike | None = None,
    columns: Mapping[str, Mapping[str, str | None]] | None = None,
    check_estates: bool = True,
    study_area: StudyArea = None,
    check_area: bool = True,
    today: _dt.date | str | None = None,
    earliest: _dt.date | str = EARLIEST_DATE,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Records:
    """Read up to four files and return the accepted tables as ``Records``.

    Warns (``UserWarning``) with the number of quarantined rows per file; use
    :func:`read_bundle` to get the quarantine tables themselves.

    Parameters
    ----------
    estates, occupations, evictions, vacancies : str, os.PathLike or None, optional
        Paths of the files; a kind not given gets an empty canonical table.
    columns : mapping of str to mapping of str to (str or None) or None, optional
        Kind -> column mapping (see :func:`read_records`).
    check_estates : bool, optional
        Quarantine records whose estate id is not among the accepted estates.
    study_area : StudyArea, optional
        Where coordinates must fall, as for :func:`read_bundle`.
    check_area : bool, optional
        Set False to skip the study-area check.
    today, earliest : datetime.date, str or None, optional
        Dates after ``today`` (default: the current date) or before
        ``earliest`` (default 1 January 1900) are quarantined.
    sheet, layer : str, int or None, optional
        XLSX sheet and GeoPackage layer of every file given.
    encoding, delimiter, decimal : str or None, optional
        CSV settings of every file given (default: detected per file).

    Returns
    -------
    Records
        The accepted estates, occupations, evictions and vacancies.

    Raises
    ------
    InputFileError
        As :func:`read_records`, for the first file with a file-level problem.
    """
    bundle = read_bundle(
        estates=estates,
        occupations=occupations,
        evictions=evictions,
        vacancies=vacancies,
        columns=columns,
        check_estates=check_estates,
        study_area=study_area,
        check_area=check_area,
        today=today,
        earliest=earliest,
        sheet=sheet,
        layer=layer,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
    )
    lost = {
        k: len(r.quarantine) for k, r in bundle.results.items() if len(r.quarantine)
    }
    if lost:
        warn(
            f"rows quarantined (not in the records): {lost!r}; see "
            "read_bundle(...).results[kind].quarantine for the reasons",
            "io.quarantined",
            n=sum(lost.values()),
            stacklevel=2,
        )
    return bundle.records
