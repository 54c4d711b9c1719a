"""The period rule: how dates fall into years, quarters and months, and their labels.

Every table of the package names a period by one label: ``2019`` (year),
``2019Q3`` (quarter) or ``2019-07`` (month). A period runs from the midnight
that opens its first day to the end of its last day; its *bounds*, as tables
publish them (``period_start``, ``period_end``), are the midnights of its first
and last day. Period ordinals count months, quarters or years since January
1970, for vectorised bucketing of many dates.

Everything else (overlay tables, the per-estate panel, the patrol ranking, the
pipeline) asks this module instead of restating the rule.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import ValidationError
from geo_alloggi._validate import require_choice

__all__ = [
    "FREQ",
    "MONTHS_PER",
    "label_bounds",
    "ordinal_bounds",
    "ordinal_of",
    "ordinals",
    "period_bucket",
    "period_counts",
    "period_kind",
    "period_label",
    "period_labels",
    "period_start",
    "period_stock",
]

#: pandas frequency of each period (``pd.Period(..., freq=FREQ[period])``).
FREQ: dict[str, str] = {"year": "Y", "quarter": "Q", "month": "M"}

#: Months in each period.
MONTHS_PER: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}


def period_label(when: pd.Timestamp | pd.Period, period: str) -> str:
    """Label the period holding ``when``: ``2019``, ``2019Q3`` or ``2019-07``.

    Parameters
    ----------
    when : pandas.Timestamp or pandas.Period
        A date (a :class:`pandas.Period` counts by its first day).
    period : str
        ``"year"``, ``"quarter"`` or ``"month"``.

    Returns
    -------
    str

    Examples
    --------
    >>> period_label(pd.Timestamp("2019-08-15"), "quarter")
    '2019Q3'
    """
    ts = when.start_time if isinstance(when, pd.Period) else when
    if period == "year":
        return f"{ts.year:04d}"
    if period == "quarter":
        return f"{ts.year:04d}Q{(ts.month - 1) // 3 + 1}"
    return f"{ts.year:04d}-{ts.month:02d}"


def period_labels(dates: pd.Series, *, period: str = "year") -> list[str]:
    """Label of the period holding each date: ``2019``, ``2019Q3`` or ``2019-07``.

    Parameters
    ----------
    dates : pandas.Series
        Datetimes (NaT gives ``""``).
    period : str
        ``month``, ``quarter`` or ``year``.

    Returns
    -------
    list of str
    """
    require_choice(period, S.PERIODS, "period")
    d = pd.to_datetime(dates)
    return ["" if pd.isna(ts) else period_label(ts, period) for ts in d]


def label_bounds(label: Any, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day (midnights) of the period a label names.

    Parameters
    ----------
    label : object
        A period label (``2019``, ``"2019Q3"``, ``"2019-07"``) or anything
        :class:`pandas.Period` reads with the period's frequency.
    period : str
        ``"year"``, ``"quarter"`` or ``"month"``.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)``: ``end`` is the midnight opening the last day, as in
        the ``period_end`` column of overlay tables.

    Examples
    --------
    >>> label_bounds("2019Q3", "quarter")
    (Timestamp('2019-07-01 00:00:00'), Timestamp('2019-09-30 00:00:00'))
    """
    p = pd.Period(str(label), freq=FREQ[period])
    return p.start_time, p.end_time.normalize()


def period_start(value: Any) -> pd.Timestamp | None:
    """Return when a period value begins, whatever its form; None if unreadable.

    ``pandas.Period`` gives its start, an integer the 1st of January of that
    year, a timestamp itself, a label (``"2019Q3"``) the start of the period
    it names.
    """
    if isinstance(value, pd.Period):
        return value.start_time
    if isinstance(value, int | np.integer):
        return pd.Timestamp(int(value), 1, 1)
    if isinstance(value, pd.Timestamp):
        return value
    try:
        return pd.Period(str(value)).start_time
    except (ValueError, TypeError):
        return None


def period_kind(values: pd.Series) -> str:
    """Tell what periods a column holds: ``year``, ``quarter``, ``month`` or ``period``.

    The first non-missing value decides: a :class:`pandas.Period` by its
    frequency, an integer is a year, a string by its label form; anything else
    is a ``"period"``.
    """
    sample = values.dropna()
    if not len(sample):
        return "period"
    value = sample.iloc[0]
    if isinstance(value, pd.Period):
        code = value.freqstr[:1].upper()
        return {"Y": "year", "A": "year", "Q": "quarter", "M": "month"}.get(
            code, "period"
        )
    if isinstance(value, int | np.integer):
        return "year"
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}", value):
            return "year"
        if re.fullmatch(r"\d{4}-?Q\d", value):
            return "quarter"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return "month"
    return "period"


# ---------------------------------------------------------------------------
# ordinals: vectorised bucketing of many dates


def ordinals(values: pd.Series, period: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the period ordinal of each date and a mask of missing dates.

    Ordinals count months, quarters or years since 1970 (missing dates get 0
    and True in the mask).
    """
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="raise")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    months = values.to_numpy(dtype="datetime64[M]")
    nat = np.isnat(months)
    m = np.where(nat, 0, months.astype(np.int64))
    o = np.floor_divide(m, MONTHS_PER[period])
    return o.astype(np.int64), nat


def ordinal_of(value: Any, period: str, argument: str, *, last: bool) -> int:
    """Return the ordinal of the period holding the start (or end) of ``value``.

    With ``last``, the end counts: ``end=2025`` with quarters means 2025Q4.

    Raises
    ------
    ValidationError
        If ``value`` is not a date or period; the message names ``argument``.
    """
    try:
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            p = pd.Period(year=int(value), freq="Y")
        elif isinstance(value, str):
            p = pd.Period(value)
        elif isinstance(value, pd.Period):
            p = value
        else:
            p = pd.Period(pd.Timestamp(value), freq="D")
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            f"{argument}={value!r} is not a date or period (e.g. 2019, '2019Q3', "
            f"'2019-07', '2019-07-31'): {exc}"
        ) from None
    ts = p.end_time if last else p.start_time
    m = (ts.year - 1970) * 12 + ts.month - 1
    return m // MONTHS_PER[period]


def ordinal_bounds(
    ords: np.ndarray, period: str
) -> tuple[list[str], pd.Series, pd.Series]:
    """Return the label, first day and last day (midnights) of each ordinal."""
    months_per = MONTHS_PER[period]
    first_month = ords * months_per
    start = (
        np.datetime64("1970-01", "M") + first_month.astype("timedelta64[M]")
    ).astype("datetime64[ns]")
    end_excl = (
        np.datetime64("1970-01", "M")
        + (first_month + months_per).astype("timedelta64[M]")
    ).astype("datetime64[ns]")
    end = end_excl - np.timedelta64(1, "D")
    labels = period_labels(pd.Series(start), period=period)
    return labels, pd.Series(start), pd.Series(end)


# --- spells and events counted per group (district, estate) and period ------
# A spell (an occupation, a vacancy) runs from a start to an end (NaT: under
# way); dates come as ordinals (ordinals()). The stock at a period's end is the
# spells started by then minus those ended by then: one rule for districts
# (overlay) and estates (priorities).


def period_bucket(
    ords: np.ndarray, nat: np.ndarray, p0: int, n_p: int, *, nat_after: bool
) -> np.ndarray:
    """0 = before the first period, 1..n_p = inside, n_p + 1 = after (or NaT)."""
    b = np.clip(ords - p0 + 1, 0, n_p + 1)
    return np.where(nat, n_p + 1 if nat_after else -1, b)


def period_counts(
    didx: np.ndarray, buckets: np.ndarray, n_d: int, n_p: int
) -> np.ndarray:
    """Events per group (rows) and bucket (columns, as :func:`period_bucket`)."""
    keep = (didx >= 0) & (buckets >= 0)
    flat = didx[keep] * (n_p + 2) + buckets[keep]
    return np.bincount(flat, minlength=n_d * (n_p + 2)).reshape(n_d, n_p + 2)


def period_stock(
    didx: np.ndarray,
    start: tuple[np.ndarray, np.ndarray],
    end: tuple[np.ndarray, np.ndarray],
    p0: int,
    n_p: int,
    n_d: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the stock at each period end and the new spells per period.

    Stock columns: 0 = before the first period, then one per period.
    """
    sb = period_bucket(start[0], start[1], p0, n_p, nat_after=False)
    eb = period_bucket(end[0], end[1], p0, n_p, nat_after=True)
    starts = period_counts(didx, sb, n_d, n_p)
    ends = period_counts(didx, eb, n_d, n_p)
    held = np.cumsum(starts, axis=1) - np.cumsum(ends, axis=1)
    return held[:, : n_p + 1], starts[:, 1 : n_p + 1]
