"""Check the rows of a record file: accept each row, or quarantine it with its reasons.

:func:`validate_rows` takes the text read from one file (a
:class:`~geo_alloggi.io._files.RawTable`) and returns the canonical table of
accepted rows and the quarantine table, one row per rejected source row with
every reason that applies. Rows are never dropped silently:
``len(accepted) + len(quarantine)`` is the number of rows read.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import warn
from geo_alloggi.io._area import StudyArea, area_test
from geo_alloggi.io._columns import (
    BOOL_VALUES,
    CANONICAL,
    HOUSE_NUMBER,
    OUTCOME_VALUES,
    RECORD_LINK_COLUMNS,
    STATUS_VALUES,
    canonical_comune,
    canonical_owner,
)
from geo_alloggi.io._files import (
    ROW_NUMBER_WORDS,
    RawTable,
    missing_text,
    text_from_codes,
)
from geo_alloggi.io._parsing import (
    DATE_EARLY,
    DATE_IMPOSSIBLE,
    DATE_LATE,
    DATE_UNREADABLE,
    is_blank,
    map_values,
    parse_dates,
    parse_numbers,
    placeholders_missing,
    to_day,
)

#: Earliest plausible date in a record; older dates are quarantined.
EARLIEST_DATE = _dt.date(1900, 1, 1)


class Reasons:
    """Collect row reasons without a Python loop over good rows."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.positions: list[np.ndarray] = []
        self.texts: list[np.ndarray] = []

    def add(self, mask: np.ndarray, reason: Any) -> None:
        """Give the rows in ``mask`` a reason: a text, or ``reason(i)`` per row."""
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
        """Return a boolean array: True for rows with at least one reason."""
        out = np.zeros(self.n, dtype=bool)
        for idx in self.positions:
            out[idx] = True
        return out

    def joined(self) -> pd.Series:
        """Return each bad row's reasons joined by ``"; "`` in the order given."""
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


@dataclass
class _Rows:
    """The rows of one file under check: their text, reasons and output columns."""

    text: dict[str, pd.Series]  # canonical column -> text (placeholders missing)
    header_of: dict[str, str]  # canonical column -> source header
    reasons: Reasons
    structural: np.ndarray  # rows with a file-structure problem
    out: dict[str, Any] = field(default_factory=dict)
    _missing: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of rows."""
        return self.reasons.n

    def missing(self, col: str) -> np.ndarray:
        """Rows where ``col`` is blank (every row when the file lacks it)."""
        if col not in self._missing:
            self._missing[col] = (
                is_blank(self.text[col])
                if col in self.text
                else np.ones(self.n, dtype=bool)
            )
        return self._missing[col]


def _start(raw: RawTable, mapping: Mapping[str, str]) -> _Rows:
    n = len(raw.frame)
    reasons = Reasons(n)
    for pos, why in sorted(raw.structural.items()):
        mask = np.zeros(n, dtype=bool)
        mask[pos] = True
        reasons.add(mask, why)
    structural = np.zeros(n, dtype=bool)
    if raw.structural:
        structural[list(raw.structural)] = True
    return _Rows(
        text={
            canonical: placeholders_missing(
                raw.frame[header], raw.maybe_placeholder.get(header)
            )
            for header, canonical in mapping.items()
        },
        header_of={canonical: header for header, canonical in mapping.items()},
        reasons=reasons,
        structural=structural,
    )


def validate_rows(
    raw: RawTable,
    kind: str,
    mapping: Mapping[str, str],
    *,
    estate_ids: set[str] | None,
    study_area: StudyArea,
    check_area: bool,
    today: Any,
    earliest: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check every row read from a file of ``kind``.

    Parameters
    ----------
    raw : RawTable
        The text read from the file.
    kind : str
        The record kind.
    mapping : mapping of str to str
        Source header -> canonical column, for the columns read.
    estate_ids : set of str or None
        Known estate ids (records naming another are quarantined).
    study_area : GeoDataFrame, GeoSeries, tuple, None or callable
        Where coordinates must fall (see :func:`~geo_alloggi.io._area.area_test`).
    check_area : bool
        Whether to check coordinates against the study area.
    today, earliest : datetime.date, str or None
        Dates after ``today`` (default: the current date) or before
        ``earliest`` (default :data:`EARLIEST_DATE`) are quarantined.

    Returns
    -------
    accepted : pandas.DataFrame
        The canonical table (a GeoDataFrame for estates), indexed by
        ``row_number``.
    quarantine : pandas.DataFrame
        ``row_number``, ``reason`` and the rejected rows' schema columns as
        written in the file.
    """
    today64 = to_day(today, _dt.date.today())
    earliest64 = to_day(earliest, EARLIEST_DATE)
    rows = _start(raw, mapping)
    _ids(rows, kind, raw.row_number, ROW_NUMBER_WORDS.get(raw.file_format, "row"))
    _text_columns(rows, kind)
    if S.LON in rows.text or raw.geometry_xy is not None:
        _coordinates(rows, raw, study_area=study_area, check=check_area)
    elif kind == "estates":
        rows.out[S.LON] = np.full(rows.n, np.nan)
        rows.out[S.LAT] = np.full(rows.n, np.nan)
    if kind != "estates":
        _placing(rows, estate_ids)
    if kind == "estates":
        _estates_checks(rows, raw.decimal)
    elif kind == "occupations":
        end_given = _dates_pair(
            rows, S.DETECTED_ON, S.ENDED_ON, today=today64, earliest=earliest64
        )
        _status(rows, end_given)
    elif kind == "evictions":
        _evictions(rows, today=today64, earliest=earliest64)
    else:  # vacancies
        _dates_pair(
            rows, S.VACANT_SINCE, S.ENDED_ON, today=today64, earliest=earliest64
        )
        _renovation_cost(rows, raw.decimal)
    bad = rows.reasons.bad()
    accepted = _accepted(rows.out, kind, raw.row_number, ~bad)
    return accepted, _quarantine(raw, mapping, rows.reasons, bad)


def _ids(rows: _Rows, kind: str, row_number: np.ndarray, row_word: str) -> None:
    """Check the row's own id: present and not repeated.

    ``row_word`` says what the row numbers count (``"line"`` of a CSV file,
    ``"sheet row"``, ``"feature"``); ids made for rows without one use it too
    (``line-2``).
    """
    id_col = S.ESTATE_ID if kind == "estates" else S.RECORD_ID
    if id_col not in rows.text:  # vacancies without ids
        prefix = row_word.split()[-1]
        rows.out[id_col] = pd.Series([f"{prefix}-{r}" for r in row_number], dtype="str")
        return
    ids = rows.text[id_col]
    rows.reasons.add(rows.missing(id_col) & ~rows.structural, f"{id_col} missing")
    present = ~rows.missing(id_col)
    dup = ids.duplicated(keep="first").to_numpy(dtype=bool) & present
    if dup.any():
        idv = ids.array
        repeated = set(ids[dup].tolist())
        first: dict[str, int] = {}
        for i in np.flatnonzero(ids.isin(list(repeated)).to_numpy(dtype=bool)):
            first.setdefault(idv[i], int(i))
        rows.reasons.add(
            dup,
            lambda i: (
                f"duplicate {id_col} {idv[i]!r} (first on {row_word} "
                f"{row_number[first[idv[i]]]})"
            ),
        )
    rows.out[id_col] = ids


def _text_columns(rows: _Rows, kind: str) -> None:
    """Copy the free-text columns; join a separate house number to the address."""
    text, out, n = rows.text, rows.out, rows.n
    if kind != "estates":
        out[S.ESTATE_ID] = text[S.ESTATE_ID] if S.ESTATE_ID in text else missing_text(n)
    for col in (S.UNIT_ID, S.NAME, S.ADDRESS, S.REASON, S.POSITION_SOURCE):
        if col in CANONICAL[kind] or (col in text and col in RECORD_LINK_COLUMNS):
            out[col] = text[col] if col in text else missing_text(n)
    if HOUSE_NUMBER in text and S.ADDRESS in text:
        # "Via Bolla" + "30" -> "Via Bolla 30" (the number alone says nothing)
        number = text[HOUSE_NUMBER]
        both = ~rows.missing(S.ADDRESS) & ~rows.missing(HOUSE_NUMBER)
        address = text[S.ADDRESS].copy()
        address[both] = address[both] + " " + number[both]
        out[S.ADDRESS] = address
    if S.COMUNE in text:
        codes, uniques = pd.factorize(text[S.COMUNE], use_na_sentinel=True)
        out[S.COMUNE] = text_from_codes([canonical_comune(u) for u in uniques], codes)
    elif kind == "estates":
        out[S.COMUNE] = missing_text(n)


def _given_coordinates(
    rows: _Rows, raw: RawTable
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse lon/lat (a layer's geometry wins); report unreadable numbers.

    Returns lon, lat, where each was given, and where a number is unreadable.
    """
    n = rows.n
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    bad_num = np.zeros(n, dtype=bool)
    given_lon = np.zeros(n, dtype=bool)
    given_lat = np.zeros(n, dtype=bool)
    if S.LON in rows.text:
        for col, target, given in (
            (S.LON, lon, given_lon),
            (S.LAT, lat, given_lat),
        ):
            values, bad = parse_numbers(
                rows.text[col], decimal=raw.decimal, thousands=False
            )
            target[:] = values
            given |= ~rows.missing(col)
            arr = rows.text[col].array
            header = rows.header_of[col]
            rows.reasons.add(
                bad,
                lambda i, arr=arr, col=col, header=header: (
                    f"unreadable {col} {arr[i]!r} (column {header!r})"
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
    return lon, lat, given_lon, given_lat, bad_num


def _coordinates(
    rows: _Rows, raw: RawTable, *, study_area: StudyArea, check: bool
) -> None:
    """Check coordinates: finite, in degrees, not swapped, in the study area."""
    n, reasons = rows.n, rows.reasons
    lon, lat, given_lon, given_lat, bad_num = _given_coordinates(rows, raw)
    reasons.add((given_lon ^ given_lat) & ~bad_num, "only one of lon/lat given")
    both = given_lon & given_lat & ~bad_num
    finite = np.isfinite(lon) & np.isfinite(lat)
    reasons.add(both & ~finite, "coordinates not finite (NaN or infinite)")
    ok = both & finite
    projected = ok & ((np.abs(lon) > 1000) | (np.abs(lat) > 1000))
    reasons.add(
        projected,
        lambda i: (
            f"coordinates ({lon[i]:.1f}, {lat[i]:.1f}) look projected "
            "(metres), expected longitude and latitude in degrees (EPSG:4326)"
        ),
    )
    ok &= ~projected
    in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    swapped_in_range = (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
    if check:
        # a warning points at the caller of read_records (4 frames up)
        inside = area_test(study_area, stacklevel=4)
        ins = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(ok)
        ins[idx] = inside(lon[idx], lat[idx])
        sw = np.zeros(n, dtype=bool)
        idx = np.flatnonzero(ok & ~ins)
        sw[idx] = inside(lat[idx], lon[idx])
        outside = ok & ~ins & ~sw & in_range
        out_range = ok & ~ins & ~sw & ~in_range
    else:
        # without an area, a pair only valid once exchanged is swapped
        sw = ok & ~in_range & swapped_in_range
        outside = np.zeros(n, dtype=bool)
        out_range = ok & ~in_range & ~sw
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
    rows.out[S.LON] = np.where(no_xy, np.nan, lon)
    rows.out[S.LAT] = np.where(no_xy, np.nan, lat)


def _placing(rows: _Rows, estate_ids: set[str] | None) -> None:
    """Check a record can be placed, and that its estate id is known."""
    out, n = rows.out, rows.n
    has_xy = (
        np.isfinite(out[S.LON]) & np.isfinite(out[S.LAT])
        if S.LON in out
        else np.zeros(n, dtype=bool)
    )
    unplaceable = rows.missing(S.ESTATE_ID) & rows.missing(S.ADDRESS) & ~has_xy
    if S.LON in rows.text:
        unplaceable &= rows.missing(S.LON)
    rows.reasons.add(
        unplaceable & ~rows.structural,
        "no estate id, address or coordinates to place the record",
    )
    if estate_ids is not None and S.ESTATE_ID in rows.text:
        eid = rows.text[S.ESTATE_ID]
        known = eid.isin(list(estate_ids)).to_numpy(dtype=bool)
        unknown = ~rows.missing(S.ESTATE_ID) & ~known
        if unknown.any():
            unknown = unknown & ~_ids_without_zeros(rows, unknown, estate_ids)
        earr = eid.array
        rows.reasons.add(
            unknown,
            lambda i: f"unknown estate_id {earr[i]!r} (not in the estates given)",
        )


def _ids_without_zeros(
    rows: _Rows, unknown: np.ndarray, estate_ids: set[str]
) -> np.ndarray:
    """Match numeric estate codes that differ only by leading zeros.

    A spreadsheet stores ``00585175`` as the number ``585175``; the estates
    and the records of the same agency then write one code two ways. A
    record's code is rewritten to the estate's when exactly one estate has
    the same digits without leading zeros. Returns the rows matched.
    """

    def digits(text: str) -> str | None:
        text = text.strip()
        return text.lstrip("0") or "0" if text.isdigit() else None

    by_digits: dict[str, str | None] = {}
    for known_id in estate_ids:
        key = digits(known_id)
        if key is not None:
            # two estates with the same digits: ambiguous, matched to none
            by_digits[key] = None if key in by_digits else known_id
    matched = np.zeros(rows.n, dtype=bool)
    if not by_digits:
        return matched
    where = np.flatnonzero(unknown)
    written = rows.text[S.ESTATE_ID].to_numpy(dtype=object)[where]
    # each distinct code looked up once
    inverse, distinct = pd.factorize(pd.Series(written, dtype=object))
    lookup = [by_digits.get(digits(str(d)) or "") for d in distinct]
    found = np.array([*lookup, None], dtype=object)[inverse]
    hit = np.array([f is not None for f in found], dtype=bool)
    if not hit.any():
        return matched
    matched[where[hit]] = True
    fixed = rows.out[S.ESTATE_ID].astype(object).to_numpy(copy=True)
    fixed[where[hit]] = found[hit]
    rows.out[S.ESTATE_ID] = pd.Series(fixed, dtype="str")
    sample = [str(c) for c in written[hit][:3]]
    warn(
        f"{int(hit.sum())} estate id(s) matched to an estate by their digits, "
        f"ignoring leading zeros (e.g. {sample!r})",
        "io.ids_without_zeros",
        n=int(hit.sum()),
        sample=", ".join(sample),
        stacklevel=4,
    )
    return matched


def _date_check(
    rows: _Rows,
    col: str,
    *,
    today: np.datetime64,
    earliest: np.datetime64,
    future_ok: np.ndarray | None = None,
) -> np.ndarray:
    """Parse a date column; report impossible, unreadable, too early, future."""
    reasons = rows.reasons
    raw = rows.text[col]
    values, problem = parse_dates(raw)
    arr = raw.array  # read only for the rows reported
    where = f"{col} (column {rows.header_of[col]!r})"
    reasons.add(
        problem == DATE_IMPOSSIBLE,
        lambda i: f"impossible date {arr[i]!r} in {where}, expected dd/mm/yyyy",
    )
    reasons.add(
        problem == DATE_UNREADABLE,
        lambda i: (
            f"unreadable date {arr[i]!r} in {where}, expected dd/mm/yyyy or yyyy-mm-dd"
        ),
    )
    early = (values < earliest) | (problem == DATE_EARLY)  # NaT compares False
    reasons.add(
        early,
        lambda i: (
            f"date {arr[i]!r} in {where} is before {pd.Timestamp(earliest):%d/%m/%Y}"
        ),
    )
    late = values > today
    if future_ok is not None:
        late &= ~future_ok
    late |= problem == DATE_LATE  # beyond year 2261: never a plausible date
    reasons.add(
        late,
        lambda i: (
            f"date {arr[i]!r} in {where} is in the future "
            f"(after {pd.Timestamp(today):%d/%m/%Y})"
        ),
    )
    bad = (problem == DATE_IMPOSSIBLE) | (problem == DATE_UNREADABLE) | early | late
    if bad.any():
        values = values.copy()
        values[bad] = np.datetime64("NaT")
    return values


def _estates_checks(rows: _Rows, decimal: str) -> None:
    """Check units (a positive integer) and owner (Aler or Comune/MM)."""
    text, reasons = rows.text, rows.reasons
    units, _ = parse_numbers(text[S.UNITS], decimal=decimal, thousands=True)
    arr = text[S.UNITS].array
    where = f"(column {rows.header_of[S.UNITS]!r})"
    ok = np.isfinite(units) & (units > 0) & (np.mod(units, 1) == 0)
    blank = is_blank(text[S.UNITS])
    reasons.add(blank & ~rows.structural, f"units missing {where}")
    reasons.add(
        ~blank & ~ok,
        lambda i: f"units {arr[i]!r} {where} is not a positive integer",
    )
    rows.out[S.UNITS] = np.where(ok, units, 0).astype(np.int64)
    owner = np.full(rows.n, None, dtype=object)
    if S.OWNER in text:
        codes, uniques = pd.factorize(text[S.OWNER], use_na_sentinel=True)
        table = np.array([*map(canonical_owner, uniques), None], dtype=object)
        owner = table[codes]
        unknown = (codes >= 0) & pd.isna(owner)
        oarr = text[S.OWNER].array
        reasons.add(
            unknown,
            lambda i: (
                f"unknown owner {oarr[i]!r} (column {rows.header_of[S.OWNER]!r}), "
                "expected Aler or Comune/MM"
            ),
        )
    rows.out[S.OWNER] = pd.Series(owner, dtype="str")


def _dates_pair(
    rows: _Rows,
    start_col: str,
    end_col: str,
    *,
    today: np.datetime64,
    earliest: np.datetime64,
) -> np.ndarray:
    """Check a start date and an optional end date not before it.

    Returns where an end date was given (even a bad one).
    """
    reasons = rows.reasons
    start_blank = is_blank(rows.text[start_col])
    reasons.add(start_blank & ~rows.structural, f"{start_col} missing")
    start = _date_check(rows, start_col, today=today, earliest=earliest)
    n = len(start)
    if end_col in rows.text:
        end = _date_check(rows, end_col, today=today, earliest=earliest)
        before = ~np.isnat(start) & ~np.isnat(end) & (end < start)
        reasons.add(
            before,
            lambda i: (
                f"{end_col} {pd.Timestamp(end[i]):%d/%m/%Y} is before "
                f"{start_col} {pd.Timestamp(start[i]):%d/%m/%Y}"
            ),
        )
        # a bad end date leaves NaT: remember it was given (status check)
        end_given = ~is_blank(rows.text[end_col])
    else:
        end = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        end_given = np.zeros(n, dtype=bool)
    rows.out[start_col] = start
    rows.out[end_col] = end
    return end_given


#: The statuses of an occupation, by code (0 ended, 1 ongoing).
_ENDED_ONGOING = ("ended", "ongoing")


def _status(rows: _Rows, end_given: np.ndarray) -> None:
    """Check an occupation's status against its end date (derived when blank)."""
    if S.STATUS not in rows.text:
        rows.out[S.STATUS] = text_from_codes(_ENDED_ONGOING, np.where(end_given, 0, 1))
        return
    reasons = rows.reasons
    status, unknown = map_values(rows.text[S.STATUS], STATUS_VALUES)
    arr = rows.text[S.STATUS].array
    where = f"(column {rows.header_of[S.STATUS]!r})"
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
    final = np.where(ended | (~ongoing & end_given), 0, 1)
    final[unknown] = -1  # missing
    rows.out[S.STATUS] = text_from_codes(_ENDED_ONGOING, final)


def _evictions(rows: _Rows, *, today: np.datetime64, earliest: np.datetime64) -> None:
    """Check outcome, date (future only when scheduled or postponed), vulnerable."""
    text, reasons, n = rows.text, rows.reasons, rows.n
    outcome = np.full(n, None, dtype=object)
    if S.OUTCOME in text:
        outcome, unknown = map_values(text[S.OUTCOME], OUTCOME_VALUES)
        arr = text[S.OUTCOME].array
        reasons.add(
            unknown,
            lambda i: (
                f"unknown outcome {arr[i]!r} (column "
                f"{rows.header_of[S.OUTCOME]!r}), expected executed/eseguito, "
                "scheduled/programmato, postponed/rinviato or failed/fallito"
            ),
        )
        reasons.add(rows.missing(S.OUTCOME) & ~rows.structural, "outcome missing")
    future_ok = np.isin(outcome, ["scheduled", "postponed"])
    reasons.add(
        rows.missing(S.EVICTION_DATE) & ~rows.structural,
        f"{S.EVICTION_DATE} missing",
    )
    rows.out[S.EVICTION_DATE] = _date_check(
        rows, S.EVICTION_DATE, today=today, earliest=earliest, future_ok=future_ok
    )
    rows.out[S.OUTCOME] = pd.Series(outcome, dtype="str")
    vul = pd.array([pd.NA] * n, dtype="boolean")
    if S.VULNERABLE in text:
        values, unknown = map_values(text[S.VULNERABLE], BOOL_VALUES)
        varr = text[S.VULNERABLE].array
        reasons.add(
            unknown,
            lambda i: f"vulnerable {varr[i]!r} is not yes/no (sì/no, true/false, 1/0)",
        )
        vul = pd.array(values, dtype="boolean")
    rows.out[S.VULNERABLE] = vul


def _renovation_cost(rows: _Rows, decimal: str) -> None:
    """Check a vacancy's renovation cost: a non-negative amount when given."""
    if S.RENOVATION_COST not in rows.text:
        rows.out[S.RENOVATION_COST] = np.full(rows.n, np.nan)
        return
    text = rows.text[S.RENOVATION_COST]
    cost, bad = parse_numbers(text, decimal=decimal, thousands=True)
    arr = text.array
    where = f"(column {rows.header_of[S.RENOVATION_COST]!r})"
    rows.reasons.add(bad, lambda i: f"unreadable cost {arr[i]!r} {where}")
    rows.reasons.add(
        ~bad & ~rows.missing(S.RENOVATION_COST) & ~(np.isfinite(cost) & (cost >= 0)),
        lambda i: f"cost {arr[i]!r} {where} is not a non-negative amount",
    )
    rows.out[S.RENOVATION_COST] = np.where(np.isfinite(cost), cost, np.nan)


def _accepted(
    out: dict[str, Any], kind: str, row_number: np.ndarray, good: np.ndarray
) -> pd.DataFrame:
    """Assemble the canonical table of the good rows (points for estates)."""
    order = list(CANONICAL[kind])
    if kind != "estates":
        order += [c for c in RECORD_LINK_COLUMNS if c in out]
    full = pd.DataFrame({col: out[col] for col in order}, columns=order)
    # a new frame either way
    accepted = full if good.all() else full.loc[good]
    accepted.index = pd.Index(row_number[good], name=S.ROW_NUMBER)
    if kind != "estates":
        return accepted
    accepted[S.UNITS] = accepted[S.UNITS].astype("int64")
    xy = (accepted[S.LON].notna() & accepted[S.LAT].notna()).to_numpy()
    geometry = np.full(len(accepted), None, dtype=object)
    geometry[xy] = shapely.points(
        accepted[S.LON].to_numpy()[xy], accepted[S.LAT].to_numpy()[xy]
    )
    src = accepted[S.POSITION_SOURCE]
    accepted[S.POSITION_SOURCE] = src.where(src.notna() | ~xy, "input")
    return gpd.GeoDataFrame(
        accepted,
        geometry=gpd.GeoSeries(geometry, index=accepted.index),
        crs=config.geographic_crs,
    )


def _quarantine(
    raw: RawTable, mapping: Mapping[str, str], reasons: Reasons, bad: np.ndarray
) -> pd.DataFrame:
    """Assemble the quarantine: row number, reasons and the row as written."""
    qcols = [S.ROW_NUMBER, S.QUARANTINE_REASON]
    qdata: dict[str, Any] = {
        S.ROW_NUMBER: raw.row_number[bad],
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
    return quarantine
