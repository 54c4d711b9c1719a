"""Disclosure control for shared tables: primary and complementary suppression.

Counts from 1 to ``threshold - 1`` identify a handful of households; they are
never shown in an output meant for a meeting unless the caller asks for it
(:data:`geo_alloggi.config.suppression_threshold`, default 5). Zeros are shown.

Rules applied by :func:`suppress`, independently for each count column and
each period:

1. **Primary**: a count in ``1 .. threshold - 1`` is suppressed.
2. **Totals**: the total of each parent (``parent_id``, e.g. the Municipio of
   a NIL) and the grand total are assumed to be known (published here with
   ``totals=True``, or elsewhere); a total in ``1 .. threshold - 1`` is
   suppressed too.
3. **Complementary**: every published sum must hide either none or at least
   two of its parts. In a parent with exactly one suppressed cell, the
   smallest other cell (non-zero first, ties by position) is suppressed too; a
   parent with a single district and a suppressed cell gets its total
   suppressed; a suppressed total whose districts are all shown gets one of
   them suppressed; at the top, if exactly one parent total is suppressed, the
   smallest other parent total is suppressed as well (and, through the
   previous rule, one of its districts). Repeated until nothing changes.
4. **Derived values**: ``occupied_per_100`` is suppressed with ``occupied``;
   ``occupied_change`` with ``occupied`` of the same *or the previous* period
   (the previous stock of the first period, ``occupied - occupied_change``,
   goes through rules 1–3 as well).

Suppressed cells are NA (never zero) and listed by name in the ``suppressed``
column (comma-separated, ``""`` when none).

Limitations: the protection holds for one table with its parent and grand
totals. Publishing the same counts at two period granularities (months and
years) or at two overlapping district layers adds equations this module does
not see; suppress each table and do not publish finer ones beside coarser ones
without checking.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._validate import require_columns

__all__ = ["TOTAL_ID", "protect", "suppress", "suppress_nested", "withheld"]

log = logging.getLogger(__name__)

#: ``district_id`` of the grand-total rows added by ``suppress(..., totals=True)``.
TOTAL_ID = "TOTAL"
_NO_PARENT = "\x00none"


def _smallest(values: np.ndarray, candidates: np.ndarray) -> int:
    """Return the candidate with the smallest non-zero value (else the smallest)."""
    vals = values[candidates]
    nonzero = vals > 0
    pool = candidates[nonzero] if nonzero.any() else candidates
    pvals = values[pool]
    return int(pool[np.flatnonzero(pvals == pvals.min())[0]])


def protect(
    values: np.ndarray, groups: np.ndarray, *, threshold: int
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Decide which cells, parent totals and grand total to suppress.

    Parameters
    ----------
    values : numpy.ndarray
        Non-negative integer counts, one per cell.
    groups : numpy.ndarray
        Parent of each cell as integer codes ``0 .. n_groups - 1``.
    threshold : int
        Counts in ``1 .. threshold - 1`` are primary-suppressed.

    Returns
    -------
    cells : numpy.ndarray of bool
        Suppressed cells.
    parents : numpy.ndarray of bool
        Suppressed parent totals, indexed by group code.
    grand : bool
        Whether the grand total is suppressed.

    Raises
    ------
    ValidationError
        Negative counts or mismatched lengths.

    Notes
    -----
    See the module docstring for the rules. After them, every published sum
    (parent total, grand total, and each suppressed parent total read as the
    sum of its districts) contains zero or at least two suppressed terms, so
    no suppressed value equals a difference of published numbers.
    """
    v = np.asarray(values, dtype=np.int64)
    g = np.asarray(groups, dtype=np.int64)
    if v.shape != g.shape:
        raise ValidationError(
            f"values and groups must have the same length, got {v.shape} and {g.shape}"
        )
    if (v < 0).any():
        raise ValidationError(f"counts must be non-negative, found {int(v.min())!r}")
    n_g = int(g.max()) + 1 if len(g) else 0
    cells = (v >= 1) & (v < threshold)
    totals = np.bincount(g, weights=v, minlength=n_g).astype(np.int64)
    parents = (totals >= 1) & (totals < threshold)
    grand_total = int(v.sum())
    grand = 1 <= grand_total < threshold
    members = [np.flatnonzero(g == k) for k in range(n_g)]
    present = np.array([len(m) > 0 for m in members], dtype=bool)
    for _ in range(4 * (len(v) + n_g) + 4):
        changed = False
        for k in range(n_g):
            m = members[k]
            if len(m) == 0:
                continue
            n_sup = int(cells[m].sum())
            shown = m[~cells[m]]
            if not parents[k] and n_sup == 1:
                if len(shown):
                    cells[_smallest(v, shown)] = True
                else:
                    parents[k] = True
                changed = True
            elif parents[k] and n_sup == 0 and len(shown):
                cells[_smallest(v, shown)] = True
                changed = True
        n_par = int(parents[present].sum())
        shown_par = np.flatnonzero(present & ~parents)
        if not grand and n_par == 1:
            if len(shown_par):
                parents[_smallest(totals, shown_par)] = True
            else:
                grand = True
            changed = True
        elif grand and n_par == 0 and len(shown_par):
            parents[_smallest(totals, shown_par)] = True
            changed = True
        if not changed:
            break
    return cells, parents, bool(grand)


def _period_order(table: pd.DataFrame) -> pd.Series:
    key = S.PERIOD_START if S.PERIOD_START in table else S.PERIOD
    return table[key]


def suppress(
    table: pd.DataFrame,
    *,
    threshold: int | None = None,
    columns: Sequence[str] = S.COUNT_COLUMNS,
    parent: str = S.PARENT_ID,
    totals: bool = False,
) -> pd.DataFrame:
    """Suppress small counts, and what would reveal them, in an overlay table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per district and period, as returned by
        :func:`geo_alloggi.overlay.aggregate` (``district_id``, ``period``,
        ``parent_id`` and the count columns). Not modified.
    threshold : int or None, default None
        Counts in ``1 .. threshold - 1`` are suppressed (default
        :data:`geo_alloggi.config.suppression_threshold`).
    columns : sequence of str, optional
        Count columns to protect (those present are used).
    parent : str, default 'parent_id'
        Column of the parent district; rows without a parent form one group.
    totals : bool, default False
        Also append one row per parent and period (``row_type`` ``parent``,
        ``district_id`` = the parent id) and one grand-total row per period
        (``row_type`` ``total``, ``district_id`` :data:`TOTAL_ID`), suppressed
        consistently. ``units`` are summed; geometry is empty on total rows.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A new table of the same type: suppressed counts and derived values are
        NA, ``suppressed`` lists the suppressed columns of each row;
        ``attrs["suppressed"] = True`` and ``attrs["threshold"]``.

    Raises
    ------
    ValidationError
        Missing columns, a threshold below 1, negative or non-integer counts.

    Notes
    -----
    ``units`` (the housing stock) is public and never suppressed. See the
    module docstring for the rules and their limits.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"district_id": ["A", "B", "C"], "period": "2019",
    ...                   "parent_id": "P", "occupied": [3, 8, 20]})
    >>> suppress(t, threshold=5)["occupied"].tolist()
    [<NA>, <NA>, 20]
    """
    t = int(config.suppression_threshold if threshold is None else threshold)
    if t < 1:
        raise ValidationError(f"threshold={threshold!r} must be an integer >= 1")
    require_columns(table, [S.DISTRICT_ID, S.PERIOD], "table")
    cols = [c for c in columns if c in table.columns]
    if not cols:
        raise ValidationError(
            f"table has none of the count columns {list(columns)!r}; "
            f"columns present: {list(map(str, table.columns))!r}"
        )
    if S.ROW_TYPE in table and (table[S.ROW_TYPE] != "district").any():
        raise ValidationError(
            "table already holds total rows; suppress the district rows"
        )
    out = table.copy()
    n = len(out)
    par = (
        out[parent].astype("string").fillna(_NO_PARENT)
        if parent in out
        else pd.Series(_NO_PARENT, index=out.index, dtype="string")
    )
    par_codes, par_names = pd.factorize(par, sort=False)
    period_codes, period_names = pd.factorize(
        out[S.PERIOD].astype("string"), sort=False
    )
    n_g, n_p = len(par_names), len(period_names)

    def as_counts(col: str) -> tuple[np.ndarray, np.ndarray]:
        s = out[col]
        num = pd.to_numeric(s, errors="coerce")
        na = num.isna().to_numpy()
        vals = num.fillna(0).to_numpy(float)
        if (vals < 0).any() or (vals != np.round(vals)).any():
            raise ValidationError(
                f"table[{col!r}] must hold non-negative integer counts; "
                f"found {vals[(vals < 0) | (vals != np.round(vals))][:3].tolist()!r}"
            )
        return vals.astype(np.int64), na

    masks: dict[str, np.ndarray] = {}
    par_masks: dict[str, np.ndarray] = {}  # (n_p, n_g)
    grand_masks: dict[str, np.ndarray] = {}  # (n_p,)
    values: dict[str, np.ndarray] = {}
    by_period = [np.flatnonzero(period_codes == p) for p in range(n_p)]

    def run(
        vals: np.ndarray, rows: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mask = np.zeros(n, dtype=bool)
        pm = np.zeros((n_p, n_g), dtype=bool)
        gm = np.zeros(n_p, dtype=bool)
        for p, idx in enumerate(rows):
            if len(idx) == 0:
                continue
            cells, parents, grand = protect(vals[idx], par_codes[idx], threshold=t)
            mask[idx] = cells
            pm[p, : len(parents)] = parents
            gm[p] = grand
        return mask, pm, gm

    for col in cols:
        vals, na = as_counts(col)
        values[col] = vals
        mask, pm, gm = run(vals, by_period)
        masks[col] = mask & ~na
        par_masks[col], grand_masks[col] = pm, gm

    # derived values
    derived: dict[str, np.ndarray] = {}
    prev_info: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    if S.OCCUPIED in masks:
        occ_mask = masks[S.OCCUPIED]
        if S.OCCUPIED_PER_100 in out:
            derived[S.OCCUPIED_PER_100] = occ_mask.copy()
        if S.OCCUPIED_CHANGE in out:
            order = np.lexsort(
                (_period_order(out).to_numpy(), out[S.DISTRICT_ID].to_numpy())
            )
            dist = out[S.DISTRICT_ID].to_numpy()[order]
            first = np.ones(n, dtype=bool)
            first[1:] = dist[1:] != dist[:-1]
            prev_mask = np.zeros(n, dtype=bool)
            prev_mask[order[~first]] = occ_mask[order[np.flatnonzero(~first) - 1]]
            # the previous stock of each district's first period is implied by
            # occupied - occupied_change: protect it like a count
            change = pd.to_numeric(out[S.OCCUPIED_CHANGE], errors="coerce")
            implied = (values[S.OCCUPIED] - change.fillna(0).to_numpy(float)).astype(
                np.int64
            )
            implied = np.maximum(implied, 0)
            first_rows = order[first]
            rows = [first_rows[period_codes[first_rows] == p] for p in range(n_p)]
            imask, ipm, igm = run(implied, rows)
            prev_mask[first_rows] = imask[first_rows]
            derived[S.OCCUPIED_CHANGE] = occ_mask | prev_mask
            prev_info = (implied, imask, ipm, igm)

    listed: list[list[str]] = [[] for _ in range(n)]
    for col, mask in {**masks, **derived}.items():
        if col in derived and col in masks:
            mask = mask | masks[col]
        for i in np.flatnonzero(mask):
            listed[i].append(col)
        series = out[col]
        if col in cols or pd.api.types.is_integer_dtype(series):
            series = series.astype("Int64")
        elif pd.api.types.is_float_dtype(series):
            series = series.astype("Float64")
        series = series.copy()
        series[mask] = pd.NA
        out[col] = series
    text = [",".join(c for c in (*cols, *derived) if c in row) for row in listed]
    out[S.SUPPRESSED] = pd.array(text, dtype="string")
    if totals:
        out = _with_totals(
            out,
            table,
            cols,
            values,
            par_masks,
            grand_masks,
            par_codes,
            par_names,
            period_codes,
            period_names,
            parent,
            prev_info,
        )
    out.attrs = dict(table.attrs)
    out.attrs.update({"suppressed": True, "threshold": t})
    n_sup = sum(int(m.sum()) for m in masks.values())
    log.info("suppress: %d count cell(s) suppressed at threshold %d", n_sup, t)
    return out


def _with_totals(
    out: pd.DataFrame,
    table: pd.DataFrame,
    cols: list[str],
    values: dict[str, np.ndarray],
    par_masks: dict[str, np.ndarray],
    grand_masks: dict[str, np.ndarray],
    par_codes: np.ndarray,
    par_names: pd.Index,
    period_codes: np.ndarray,
    period_names: pd.Index,
    parent: str,
    prev_info: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """Append parent and grand-total rows, suppressed as decided by :func:`protect`."""
    n_g, n_p = len(par_names), len(period_names)
    units = (
        pd.to_numeric(table[S.UNITS], errors="coerce").fillna(0).to_numpy(np.int64)
        if S.UNITS in table
        else None
    )
    first_of_period = {p: int(np.flatnonzero(period_codes == p)[0]) for p in range(n_p)}
    rows: list[dict] = []
    occ_tot = np.zeros((n_p, n_g + 1), dtype=np.int64)
    occ_sup = np.zeros((n_p, n_g + 1), dtype=bool)
    for p in range(n_p):
        in_p = period_codes == p
        for k in [*range(n_g), -1]:
            sel = in_p & (par_codes == k) if k >= 0 else in_p
            if not sel.any() or (k >= 0 and par_names[k] == _NO_PARENT):
                continue  # districts without a parent: only the grand total
            name = par_names[k] if k >= 0 else TOTAL_ID
            row: dict = {
                S.DISTRICT_ID: TOTAL_ID
                if k < 0
                else (None if name == _NO_PARENT else name),
                S.NAME: TOTAL_ID if k < 0 else (None if name == _NO_PARENT else name),
                S.PERIOD: period_names[p],
                S.ROW_TYPE: "total" if k < 0 else "parent",
            }
            if parent in out:
                row[parent] = None
            ref = first_of_period[p]
            for c in (S.PERIOD_START, S.PERIOD_END, S.SOURCE):
                if c in out:
                    row[c] = out[c].iloc[ref]
            if units is not None:
                row[S.UNITS] = int(units[sel].sum())
            sup = []
            for col in cols:
                total = int(values[col][sel].sum())
                hidden = (
                    bool(par_masks[col][p, k]) if k >= 0 else bool(grand_masks[col][p])
                )
                row[col] = pd.NA if hidden else total
                if hidden:
                    sup.append(col)
                if col == S.OCCUPIED:
                    occ_tot[p, k] = total
                    occ_sup[p, k] = hidden
            rows.append(row)
            row["_k"] = k
            row["_p"] = p
            row["_sup"] = sup
    # derived values of totals
    for row in rows:
        p, k, sup = row.pop("_p"), row.pop("_k"), row.pop("_sup")
        if S.OCCUPIED in cols:
            if S.OCCUPIED_PER_100 in out:
                u = row.get(S.UNITS)
                if occ_sup[p, k] or not u:
                    row[S.OCCUPIED_PER_100] = pd.NA
                    if occ_sup[p, k]:
                        sup.append(S.OCCUPIED_PER_100)
                else:
                    row[S.OCCUPIED_PER_100] = 100.0 * occ_tot[p, k] / u
            if S.OCCUPIED_CHANGE in out:
                hidden = occ_sup[p, k]
                if p > 0:
                    prev_total, prev_hidden = occ_tot[p - 1, k], occ_sup[p - 1, k]
                elif prev_info is not None:
                    implied, _imask, ipm, igm = prev_info
                    sel = (period_codes == p) & ((par_codes == k) if k >= 0 else True)
                    prev_total = int(implied[sel].sum())
                    prev_hidden = bool(ipm[p, k]) if k >= 0 else bool(igm[p])
                else:
                    prev_total, prev_hidden = 0, True
                if hidden or prev_hidden:
                    row[S.OCCUPIED_CHANGE] = pd.NA
                    sup.append(S.OCCUPIED_CHANGE)
                else:
                    row[S.OCCUPIED_CHANGE] = int(occ_tot[p, k] - prev_total)
        row[S.SUPPRESSED] = ",".join(sup)
    extra = pd.DataFrame(rows)
    base = out.copy()
    base[S.ROW_TYPE] = "district"
    combined = pd.concat([base, extra], ignore_index=True, sort=False)
    for col in (*cols, S.UNITS, S.OCCUPIED_CHANGE):
        if col in combined:
            combined[col] = combined[col].astype("Int64")
    if S.OCCUPIED_PER_100 in combined:
        combined[S.OCCUPIED_PER_100] = combined[S.OCCUPIED_PER_100].astype("Float64")
    for col in (
        S.DISTRICT_ID,
        S.NAME,
        S.PERIOD,
        S.ROW_TYPE,
        S.SUPPRESSED,
        parent,
        S.SOURCE,
    ):
        if col in combined:
            combined[col] = combined[col].astype("string")
    if hasattr(out, "geometry"):
        import geopandas as gpd

        combined = gpd.GeoDataFrame(combined, geometry=out.geometry.name, crs=out.crs)
    return combined


def withheld(
    table: pd.DataFrame,
    protected: pd.DataFrame,
    *,
    key: str,
    columns: dict[str, str],
    protected_key: str = S.DISTRICT_ID,
) -> pd.DataFrame:
    """Say which cells of ``table`` are withheld in an already protected table.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table with a ``key`` column (e.g. a patrol ranking of districts,
        or estates with the ``district_id`` they belong to).
    protected : pandas.DataFrame
        The output of :func:`suppress` for one period (one row per
        ``protected_key``): a cell is withheld there when it is NA or named in
        its ``suppressed`` column.
    key : str
        Column of ``table`` naming the row of ``protected`` it depends on.
    columns : dict of str to str
        Column of ``table`` -> column of ``protected`` it shows or adds up to.
    protected_key : str, default 'district_id'
        Id column of ``protected``.

    Returns
    -------
    pandas.DataFrame
        Booleans, same index as ``table``, one column per key of ``columns``.
    """
    listed = protected.get(S.SUPPRESSED, pd.Series("", index=protected.index))
    listed = listed.fillna("").astype(str).str.split(",")
    out = pd.DataFrame(index=table.index)
    ids = protected[protected_key].astype(str)
    for col, pcol in columns.items():
        hidden = protected[pcol].isna() | listed.map(lambda names, c=pcol: c in names)
        mask = dict(zip(ids, hidden.to_numpy(bool), strict=True))
        out[col] = table[key].astype(str).map(mask).fillna(False).astype(bool)
    return out


def suppress_nested(
    child: pd.DataFrame,
    protected: pd.DataFrame,
    *,
    parent_key: str,
    columns: dict[str, str],
    threshold: int | None = None,
) -> pd.DataFrame:
    """Withhold cells of a finer table (estates) consistently with a coarser one.

    A coarser table (districts), already protected by :func:`suppress`, can be
    undone by a finer one published beside it: summing the estates of a
    district rebuilds a withheld district cell, and a shown district total
    minus its shown estates reveals a small estate. So, per count column:

    1. primary suppression of small estate counts, and complementary
       suppression under every shown district cell (taken as a published
       total): never exactly one hidden non-zero estate under it, so a shown
       district cell never gives a small estate back;
    2. every non-zero estate cell whose district cell is withheld is withheld
       too, so no withheld district cell can be rebuilt from its estates.

    Parameters
    ----------
    child : pandas.DataFrame
        One row per estate (one period), with ``parent_key`` naming its
        district and the count columns.
    protected : pandas.DataFrame
        The protected district table of the same period (see :func:`withheld`).
    parent_key : str
        Column of ``child`` with the district id.
    columns : dict of str to str
        Count column of ``child`` -> the district column it adds up to.
    threshold : int or None, default None
        Suppression threshold (default ``config.suppression_threshold``).

    Returns
    -------
    pandas.DataFrame
        ``child`` with withheld cells NA and their names in ``suppressed``.
    """
    t = int(config.suppression_threshold if threshold is None else threshold)
    if t < 1:
        raise ValidationError(f"threshold={threshold!r} must be an integer >= 1")
    cols = [c for c in columns if c in child.columns]
    from_parent = withheld(
        child, protected, key=parent_key, columns={c: columns[c] for c in cols}
    )
    groups = child[parent_key].astype("string").fillna(_NO_PARENT).to_numpy()
    out = child.copy()
    names: list[list[str]] = [[] for _ in range(len(out))]
    for col in cols:
        vals = pd.to_numeric(child[col], errors="coerce").fillna(0).to_numpy()
        nonzero = vals != 0
        # rule 1 (primary) and rule 2 (a withheld district keeps its estates)
        hide = ((vals >= 1) & (vals < t)) | (from_parent[col].to_numpy() & nonzero)
        # complementary, with each shown district cell as a published total:
        # never exactly one hidden non-zero estate under it
        for g in pd.unique(groups):
            idx = np.flatnonzero(groups == g)
            if from_parent[col].to_numpy()[idx].any():
                continue  # withheld district: all its non-zero estates are hidden
            if int((hide[idx] & nonzero[idx]).sum()) == 1:
                pool = idx[~hide[idx] & nonzero[idx]]
                if len(pool):
                    hide[_smallest(vals, pool)] = True
        out[col] = pd.array(out[col], dtype="Int64")
        out.loc[hide, col] = pd.NA
        for pos in np.flatnonzero(hide):
            names[int(pos)].append(col)
    previous = out.get(S.SUPPRESSED)
    if previous is not None:
        for k, p in enumerate(previous.fillna("").astype(str)):
            names[k] = [*[n for n in p.split(",") if n], *names[k]]
    out[S.SUPPRESSED] = [",".join(dict.fromkeys(n)) for n in names]
    return out
