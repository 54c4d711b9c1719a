"""Meeting tables: headers in the meeting's language, small and withheld cells marked.

Every table is written twice, as CSV for Italian Excel and as XLSX (from one
export of the table).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._i18n import (
    column_label,
    emerging_label,
    has_key,
    label_categories,
    owner_label,
    small_mask,
    t,
)
from geo_alloggi.disclosure import TOTAL_ID
from geo_alloggi.report._data import MeetingData

__all__ = [
    "BACKTEST_COLUMNS",
    "BACKTEST_SUMMARY_COLUMNS",
    "area_name",
    "backtest_tables",
    "district_table",
    "header",
    "mark_withheld",
    "meeting_table",
    "periods_as_text",
    "priority_table",
    "renovation_table",
    "suppress_small_counts",
    "withheld_mark",
    "write_both",
    "write_tables",
]


def withheld_mark(lang: str) -> str:
    """Marker of a cell withheld by disclosure control (primary or complementary)."""
    return t("value.withheld", lang)


def header(col: str, lang: str) -> str:
    """Header of a meeting-table column in ``lang`` (the column name if unknown)."""
    label = column_label(col, lang)
    if label != col:
        return label
    return t(f"header.{col}", lang) if has_key(f"header.{col}") else col


#: Decimals kept in meeting tables.
ROUND_DIGITS: dict[str, int] = {
    "priority_score": 3,
    "trend_score": 2,
    "score_occupied": 3,
    "score_new_occupations": 3,
    "score_trend": 3,
    "score_evictions": 3,
    "new_occupations_change_pct": 1,
    "risk": 3,
    "risk_weighted_units": 2,
    "next_1m_risk_weighted_units": 2,
    "unit_cost_eur": 0,
    "site_cost_eur": 0,
    "cost_eur": 0,
    "budget_eur": 0,
    "spend_eur": 0,
    "next_1m_spend_eur": 0,
}

#: Count columns that are suppressed (small cells) in meeting tables.
SMALL_COUNTS = (
    "occupied",
    "new_occupations",
    "new_occupations_previous",
    "scheduled_evictions",
    "vulnerable_scheduled",
    "vulnerable_executed",
)


def suppress_small_counts(
    table: pd.DataFrame, threshold: int, lang: str
) -> pd.DataFrame:
    """Show counts 1..threshold-1 as ``< threshold``; hide what is built on them.

    The percentage change of new occupations goes when either count is
    small; the score and its parts always go (see the comment below).

    Parameters
    ----------
    table : pandas.DataFrame
        A meeting table with count columns.
    threshold : int
        Suppression threshold of small counts.
    lang : str
        Language of the ``< threshold`` marks.

    Returns
    -------
    pandas.DataFrame
        A new table, small counts shown as text.
    """
    # the score and its parts are built on the counts: with the largest count
    # visible elsewhere they would give a suppressed count back, so a meeting
    # table shows the rank and the reasons instead
    out = table.drop(
        columns=["priority_score", *[c for c in table if c.startswith("score_")]],
        errors="ignore",
    )
    label = t("value.suppressed", lang, threshold=threshold)
    small_any = pd.Series(False, index=out.index)
    for col in SMALL_COUNTS:
        if col not in out:
            continue
        small = pd.Series(small_mask(out[col], threshold), index=out.index)
        if col in ("new_occupations", "new_occupations_previous"):
            small_any |= small
        if small.any():
            out[col] = out[col].astype(object).where(~small, label)
    if "new_occupations_change_pct" in out:
        out["new_occupations_change_pct"] = out["new_occupations_change_pct"].where(
            ~small_any
        )
    return out


def periods_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with columns holding :class:`pandas.Period` as text."""
    out = table.copy()
    for col in out.columns:
        if col != "geometry" and _holds_periods(out[col]):
            out[col] = out[col].astype(str)
    return out


def _holds_periods(s: pd.Series) -> bool:
    """Say whether a column holds at least one :class:`pandas.Period`."""
    if isinstance(s.dtype, pd.PeriodDtype):
        return bool(s.notna().to_numpy().any())
    if (
        pd.api.types.is_numeric_dtype(s.dtype)
        or pd.api.types.is_datetime64_any_dtype(s.dtype)
        or pd.api.types.is_timedelta64_dtype(s.dtype)
        or isinstance(s.dtype, pd.StringDtype)
    ):
        return False  # cannot hold one: no need to look at every value
    # a plain loop: .map on an empty string column stays a string column,
    # and .any() on a string column raises (pandas 3)
    return any(isinstance(v, pd.Period) for v in s)


def mark_withheld(
    table: pd.DataFrame,
    flags: pd.DataFrame | None,
    *,
    id_column: str,
    lang: str,
) -> pd.DataFrame:
    """Mark the cells withheld by the published district table.

    ``flags`` (:attr:`MeetingData.withheld_districts` or ``withheld_estates``)
    says, per area id, which counts the district table withholds
    (complementary suppression) or would give back (estates adding up to a
    withheld district cell). Those cells show :func:`withheld_mark`, and the
    percentage change built on a withheld count goes too.

    Parameters
    ----------
    table : pandas.DataFrame
        A meeting table with an ``id_column``.
    flags : pandas.DataFrame or None
        Withheld cells per area id, None when nothing is withheld.
    id_column : str
        Column of ``table`` holding the area id.
    lang : str
        Language of the marks.

    Returns
    -------
    pandas.DataFrame
        A new table, the withheld cells marked.
    """
    if flags is None or id_column not in table:
        return table
    out = table.copy()
    f = flags.reindex(out[id_column].astype(str)).fillna(False).astype(bool)
    mark = withheld_mark(lang)
    for col in f.columns:
        if col in out:
            hide = f[col].to_numpy()
            out[col] = out[col].astype(object)
            out.loc[hide, col] = mark
    pct = "new_occupations_change_pct"
    if pct in out:
        hit = np.zeros(len(out), dtype=bool)
        for col in ("new_occupations", "new_occupations_previous"):
            if col in f:
                hit |= f[col].to_numpy()
        out[pct] = out[pct].where(~hit)
    return out


#: Renovation columns with their own header (``renovation.header.*``).
_RENOVATION_HEADERS = (
    S.OWNER,
    "plan",
    S.MIN_UNITS,
    S.OBJECTIVE,
    S.CHOSEN,
    "units_risk_per_euro_first",
)


def renovation_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Say a renovation table's owners, methods, objectives and marks in words.

    ``owner`` ``all`` is the total; the exact plan is named after its
    objective; the frontier's ``objective`` names the single-objective plans
    and ``chosen`` marks the run's plan. Their headers are translated here,
    the others by :func:`priority_table`.

    Parameters
    ----------
    table : pandas.DataFrame
        A renovation summary, plan or frontier (not modified).
    lang : str
        ``"it"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        A copy with those values and headers in ``lang``.
    """
    out = table.copy()
    if S.OWNER in out:
        out = out[[S.OWNER, *[c for c in out.columns if c != S.OWNER]]]
        out[S.OWNER] = [
            t("renovation.owner.all", lang)
            if o == S.ALL_OWNERS
            else owner_label(o, lang)
            if isinstance(o, str)
            else o
            for o in out[S.OWNER]
        ]
    if S.METHOD in out:
        objective = (
            out[S.OBJECTIVE] if S.OBJECTIVE in out else pd.Series("risk", out.index)
        )
        out[S.METHOD] = [
            t(f"renovation.method.optimal.{o}", lang)
            if m == "optimal"
            else t(f"renovation.method.{m}", lang)
            if has_key(f"renovation.method.{m}")
            else m
            for m, o in zip(out[S.METHOD], objective, strict=True)
        ]
        out = out.drop(columns=[S.OBJECTIVE], errors="ignore")
    elif S.OBJECTIVE in out:
        out[S.OBJECTIVE] = [
            ", ".join(t(f"renovation.objective.{o}", lang) for o in v.split(", "))
            if isinstance(v, str) and v
            else ""
            for v in out[S.OBJECTIVE]
        ]
    if S.CHOSEN in out:
        out[S.CHOSEN] = [
            t("renovation.chosen", lang)
            if isinstance(c, (bool, np.bool_)) and c
            else ""
            for c in out[S.CHOSEN]
        ]
    return out.rename(
        columns={
            c: t(f"renovation.header.{c}", lang)
            for c in _RENOVATION_HEADERS
            if c in out.columns
        }
    )


def priority_table(
    table: pd.DataFrame, *, lang: str, synthetic: bool, label: str
) -> pd.DataFrame:
    """Return a ranking, plan or back-test table as shown in a meeting.

    Periods as text, renovation methods and emerging categories said in
    ``lang``, numbers rounded, headers from the catalogue (scenario columns
    named after their scenario).

    Parameters
    ----------
    table : pandas.DataFrame
        A patrol ranking, renovation plan or back-test table.
    lang : str
        Language of the headers and labels: ``"it"`` or ``"en"``.
    synthetic : bool
        Insert a first column ``data_label`` holding ``label``.
    label : str
        The SYNTHETIC label.

    Returns
    -------
    pandas.DataFrame
        A new table; ``table`` is not modified.
    """
    out = periods_as_text(table.drop(columns=["source"], errors="ignore"))
    if {S.METHOD, S.CHOSEN, S.OWNER} & set(out.columns):
        out = renovation_table(out, lang)
    if "emerging_category" in out:
        out["emerging_category"] = out["emerging_category"].map(
            lambda c: emerging_label(c, lang) if isinstance(c, str) else c
        )
    for col, digits in ROUND_DIGITS.items():
        if col in out:
            numeric = pd.to_numeric(out[col], errors="coerce")
            out[col] = out[col].where(numeric.isna(), numeric.round(digits))
    if synthetic:
        out.insert(0, "data_label", label)
    names: dict[str, str] = {}
    for c in out.columns:
        if has_key(f"header.{c}"):
            names[c] = t(f"header.{c}", lang)
        elif c.startswith(("rank_", "priority_score_")):  # scenario columns
            base, _, scenario = c.partition("_score_" if "_score_" in c else "_")
            key = "rank" if base == "rank" else "priority_score"
            shown = (
                t(f"scenario.{scenario}", lang)
                if has_key(f"scenario.{scenario}")
                else scenario
            )
            names[c] = f"{t(f'header.{key}', lang)} ({shown})"
    return out.rename(columns=names)


#: Back-test columns shown in meetings, and their decimals (None: as text).
BACKTEST_COLUMNS: dict[str, int | None] = {
    S.RANKING: None,
    S.ORIGIN: None,
    S.SCORED_PERIOD: None,
    S.PERIODS_SEEN: 0,
    S.COMPONENTS: None,
    "weight_occupied": 2,
    "weight_new_occupations": 2,
    "weight_trend": 2,
    "weight_evictions": 2,
    S.TOP_N: 0,
    S.HIT_RATE: 3,
    S.AREA_SHARE: 3,
    S.PAI: 2,
}
BACKTEST_SUMMARY_COLUMNS: dict[str, int | None] = {
    S.RANKING: None,
    S.ORIGINS: 0,
    "hit_rate_mean": 3,
    "hit_rate_low": 3,
    "hit_rate_high": 3,
    "pai_mean": 2,
    "pai_low": 2,
    "pai_high": 2,
    S.INTERVAL: None,
    S.PUBLISHED_HIGHER: 2,
}


def backtest_tables(
    scores: pd.DataFrame, summary: pd.DataFrame, lang: str = "it"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the back-test tables for a meeting: per ranking × origin, and summary.

    Rankings, components and interval kinds named in the meeting's language
    (the published ranking is ``pubblicata`` / ``published``), headers from
    the catalogue (``Classifica``/``Ranking``, ``Origine``/``Origin``,
    ``Tasso di successo``/``Hit rate``, ``PAI``); counts of hits stay out
    (the rates say it).

    Parameters
    ----------
    scores : pandas.DataFrame
        The back-test's scores, one row per ranking × origin.
    summary : pandas.DataFrame
        The back-test's summary, one row per ranking.
    lang : str, default 'it'
        Language of the names and headers.

    Returns
    -------
    tuple of (pandas.DataFrame, pandas.DataFrame)
        The per-origin table and the summary table.
    """

    def shown(table: pd.DataFrame, columns: dict[str, int | None]) -> pd.DataFrame:
        out = table[[c for c in columns if c in table]].copy()
        out[S.RANKING] = out[S.RANKING].map(lambda r: t(f"ranking.{r}", lang))
        if S.COMPONENTS in out:
            out[S.COMPONENTS] = out[S.COMPONENTS].map(
                lambda c: ", ".join(
                    t(f"component.{x}", lang) for x in str(c).split("+") if x
                )
            )
        if S.INTERVAL in out:
            out[S.INTERVAL] = out[S.INTERVAL].map(lambda k: t(f"interval.{k}", lang))
        for col, digits in columns.items():
            if col not in out:
                continue
            if digits is None:
                out[col] = out[col].astype(str)
            else:
                out[col] = pd.to_numeric(out[col], errors="coerce").round(digits)
        return out.rename(columns={c: column_label(c, lang) for c in out.columns})

    return shown(scores, BACKTEST_COLUMNS), shown(summary, BACKTEST_SUMMARY_COLUMNS)


_PANEL_COLUMNS = (
    S.DISTRICT_ID,
    S.NAME,
    "row_type",
    S.PERIOD,
    *S.PANEL_MEASURES,
)


def _mark_suppressed(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Write the marker in cells listed in ``suppressed`` (NA there after suppress)."""
    out = table.copy()
    if S.SUPPRESSED not in out:
        return out
    mark = withheld_mark(lang)
    derived = {
        S.OCCUPIED: (S.OCCUPIED_PER_100, S.OCCUPIED_CHANGE),
    }
    rows: dict[str, list[int]] = {}  # column -> positions of its withheld cells
    for i, cols in enumerate(out[S.SUPPRESSED]):
        if not isinstance(cols, str) or not cols:
            continue
        for col in cols.replace(";", ",").split(","):
            col = col.strip()
            for target in (col, *derived.get(col, ())):
                if target in out:
                    rows.setdefault(target, []).append(i)
    for target, positions in rows.items():
        at = np.zeros(len(out), dtype=bool)
        at[positions] = True
        at &= out[target].isna().to_numpy(dtype=bool)
        if at.any():  # a column holding a marker becomes text (object)
            values = out[target].astype(object).to_numpy(copy=True)
            values[at] = mark
            out[target] = pd.Series(values, index=out.index, dtype=object)
    return out.drop(columns=[S.SUPPRESSED])


def meeting_table(
    table: pd.DataFrame,
    *,
    lang: str = "it",
    synthetic: bool = False,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Select, label and mark a table for a meeting.

    Parameters
    ----------
    table : pandas.DataFrame
        A table already protected (suppressed cells NA and listed in ``suppressed``).
    lang : str, default 'it'
        ``"it"`` or ``"en"`` headers and labels.
    synthetic : bool, default False
        Insert a first column carrying :data:`geo_alloggi.config.synthetic_label`.
    columns : list of str or None, default None
        Columns to keep, in order (those present).

    Returns
    -------
    pandas.DataFrame
        Headers in the chosen language; hot-spot and trend labels translated;
        suppressed cells marked.
    """
    out = table.copy()
    if columns is not None:
        keep = [c for c in columns if c in out.columns]
        if S.SUPPRESSED in out.columns and S.SUPPRESSED not in keep:
            keep.append(S.SUPPRESSED)
        out = out[keep]
    out = periods_as_text(_mark_suppressed(out, lang))
    out = label_categories(out, lang)
    for col in (S.OCCUPIED_PER_100, S.GI_Z, "gi_p"):
        if col in out:
            num = pd.to_numeric(out[col], errors="coerce")
            out[col] = out[col].where(num.isna(), num.round(3))
    if synthetic:
        out.insert(0, "data_label", config.synthetic_label)
    return out.rename(columns={c: header(c, lang) for c in out.columns})


def write_both(table: pd.DataFrame, folder: Path, stem: str, lang: str) -> list[Path]:
    """Write ``table`` as ``stem.csv`` (Italian Excel) and ``stem.xlsx``, exported once.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to write.
    folder : pathlib.Path
        Folder written into.
    stem : str
        File name without extension.
    lang : str
        Language of the files (separators, decimals, dates, booleans).

    Returns
    -------
    list of pathlib.Path
        The CSV and XLSX files written.
    """
    from geo_alloggi.io import write_table

    xlsx = folder / f"{stem}.xlsx"
    return [write_table(table, folder / f"{stem}.csv", lang=lang, also=[xlsx]), xlsx]


def area_name(area_id: Any, lang: str) -> str | None:
    """Name of a parent or total row of the district table (None if unknown).

    ``MI-MUN-7`` is "Municipio 7", the grand total is the study area's total;
    the Città metropolitana row sums the comuni outside Milan.

    Parameters
    ----------
    area_id : object
        The row's ``district_id`` (``MI-MUN-7``, ``TOTAL``, ``CM-MILANO``...).
    lang : str
        ``"it"`` or ``"en"``.

    Returns
    -------
    str or None
        The area's name in ``lang``; None for an id that names no such area
        (a district's own id).
    """
    text = str(area_id)
    if text == TOTAL_ID:
        return t("area.total", lang)
    if text == S.MILANO_ID:
        return t("area.milano", lang)
    if text == S.METRO_ID:
        return t("area.metro", lang)
    found = re.fullmatch(r"MI-MUN-(\d+)", text)
    return t("area.municipio", lang, n=found.group(1)) if found else None


def district_table(a: MeetingData) -> pd.DataFrame:
    """Return the published district table (with its totals), with names."""
    shared = a.published.copy()
    names = a.districts.set_index(S.DISTRICT_ID)[S.NAME]
    ids = shared[S.DISTRICT_ID]
    # parent and total rows come named by their ids ("MI-MUN-5", "TOTAL"):
    # the districts' own names first, then the areas' names in the language
    named = ids.map(names).fillna(ids.map(lambda i: area_name(i, a.lang)))
    if S.NAME in shared:
        shared[S.NAME] = named.fillna(shared[S.NAME]).fillna(ids)
    else:
        shared.insert(1, S.NAME, named.fillna(ids))
    return shared


def linking_table(
    links: pd.DataFrame, *, lang: str = "it", synthetic: bool = False
) -> pd.DataFrame:
    """Return the counts per link method and record kind as a meeting table.

    The method columns say how records were linked ("Collegati per
    indirizzo"...), the kinds are said in ``lang``.

    Parameters
    ----------
    links : pandas.DataFrame
        Counts per link method, one row per record kind.
    lang : str, default 'it'
        Language of the headers.
    synthetic : bool, default False
        Insert the SYNTHETIC label column (see :func:`meeting_table`).

    Returns
    -------
    pandas.DataFrame
        The meeting table.
    """
    out = links.rename(
        columns={m: f"linked_{m}" for m in ("estate_id", "address", "coordinates")}
    )
    if "kind" in out:
        out["kind"] = out["kind"].map(
            lambda k: t(f"kind.{k}", lang) if has_key(f"kind.{k}") else k
        )
    return meeting_table(out, lang=lang, synthetic=synthetic)


def write_tables(data: MeetingData, folder: Path) -> list[Path]:
    """Write every meeting table as CSV (Italian Excel) and XLSX.

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.
    folder : pathlib.Path
        Folder written into.

    Returns
    -------
    list of pathlib.Path
        Every file written.
    """
    a = data
    lang = a.lang
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    meet: dict[str, Any] = {"lang": lang, "synthetic": a.synthetic}

    districts = district_table(a)
    if "row_type" in districts:
        districts["row_type"] = districts["row_type"].map(
            lambda r: t(f"row.{r}", lang) if has_key(f"row.{r}") else r
        )
    written += write_both(
        meeting_table(districts, columns=list(_PANEL_COLUMNS), **meet),
        folder,
        f"districts_by_{a.period}",
        lang,
    )
    hs_cols = [
        S.DISTRICT_ID,
        S.NAME,
        S.PERIOD,
        S.UNITS,
        S.OCCUPIED,
        S.OCCUPIED_PER_100,
        S.GI_Z,
        S.HOTSPOT,
        S.EMERGING,
    ]
    latest = pd.DataFrame(a.latest.drop(columns="geometry"))
    written += write_both(
        meeting_table(latest, columns=hs_cols, **meet), folder, "hotspots", lang
    )

    label = config.synthetic_label
    fm: dict[str, Any] = {"lang": lang, "synthetic": a.synthetic, "label": label}
    for stem, table, flags, key in (
        ("patrol_districts", a.patrol_districts, a.withheld_districts, S.DISTRICT_ID),
        ("patrol_estates", a.patrol_estates, a.withheld_estates, S.ESTATE_ID),
        ("social_services", a.social, None, S.DISTRICT_ID),
    ):
        shown = mark_withheld(
            suppress_small_counts(table, a.threshold, lang),
            flags,
            id_column=key,
            lang=lang,
        )
        written += write_both(priority_table(shown, **fm), folder, stem, lang)
    summary = a.renovation_summary.assign(**{S.OWNER: S.ALL_OWNERS})
    if a.renovation_by_owner is not None and len(a.renovation_by_owner):
        summary = pd.concat([summary, a.renovation_by_owner], ignore_index=True)
    reno = {"renovation_plan": a.renovation_plan, "renovation_summary": summary}
    if a.renovation_frontier is not None:
        reno["renovation_frontier"] = a.renovation_frontier
    for stem, table in reno.items():
        written += write_both(priority_table(table, **fm), folder, stem, lang)
    if a.backtest is not None and a.backtest_summary is not None:
        per_origin, summary = backtest_tables(a.backtest, a.backtest_summary, lang)
        written += write_both(
            priority_table(per_origin, **fm), folder, "backtest", lang
        )
        written += write_both(
            priority_table(summary, **fm), folder, "backtest_summary", lang
        )
    if len(a.links):
        written += write_both(
            linking_table(a.links, lang=lang, synthetic=a.synthetic),
            folder,
            "linking",
            lang,
        )
    return written
