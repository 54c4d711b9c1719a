"""Tables, GeoPackage and summary for coordination meetings.

Everything here draws on plain data, a :class:`MeetingData` of frames and
options that the pipeline fills in, and never computes statistics. What a
meeting sees speaks Italian by default (English on request), with Italian
number and date formats; small counts are suppressed (cells marked, never
zeroed); no personal data reaches any table or layer; tables built from
synthetic records carry the SYNTHETIC label.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._i18n import (
    column_label,
    emerging_label,
    fmt_eur,
    fmt_int,
    fmt_number,
    hotspot_label,
    owner_label,
    small_mask,
    t,
)

__all__ = [
    "MeetingData",
    "meeting_table",
    "write_geopackage",
    "write_summary",
    "write_tables",
]

log = logging.getLogger(__name__)

#: Marker of a suppressed cell in meeting tables (primary or complementary).
SUPPRESSED_MARK = {"it": "riservato", "en": "suppressed"}


@dataclass(frozen=True, kw_only=True)
class MeetingData:
    """What the meeting tables, layers and summary draw on: frames and options.

    Every table and layer is already protected (suppressed cells NA and named
    in ``suppressed``) except ``panel``, the raw district × period table, of
    which the summary states only the study-area totals.

    Attributes
    ----------
    districts, latest, estates, contours : geopandas.GeoDataFrame
        Districts; districts in the last period (published counts, hot spots,
        trend); estates (protected counts); density contours (or None).
    panel, published : pandas.DataFrame
        The district × period table, raw and as published (with totals).
    patrol_districts, patrol_estates, social : pandas.DataFrame
        Patrol rankings and the social-services table.
    renovation_plan, renovation_summary : pandas.DataFrame
        The renovation plan (of the run's objective) and its comparison with
        the naive rules, all owners together.
    renovation_by_owner, renovation_frontier : pandas.DataFrame or None
        The same comparison per owner, and the trade-off between units
        recovered and risk-weighted units
        (:func:`geo_alloggi.priorities.renovation_frontier`).
    objective : str
        What the renovation plan maximises (``"risk"`` or ``"units"``).
    backtest, backtest_summary : pandas.DataFrame or None
        The back-test of the patrol ranking: one row per ranking × origin
        (:meth:`geo_alloggi.priorities.Backtest.to_frame`) and one row per
        ranking (means, intervals, share of origins the published ranking
        won); None without a back-test.
    backtest_verdict : str
        The back-test in plain words, in the meeting's language (best rule
        first when a naive rule beat the published ranking; what PAI means).
    links : pandas.DataFrame
        Counts per link method and record kind (empty: not linked).
    moran_i, moran_p : float
        Global Moran's I and its permutation p-value.
    budget_eur : float or mapping
        The renovation budget, shared or per owner.
    withheld_districts, withheld_estates : pandas.DataFrame or None
        Cells of the patrol tables withheld by the district table.
    notes : tuple of str
        Warnings stated in the summary.
    lang, period, threshold, seed, synthetic
        Meeting language, period length, suppression threshold, seed of
        SYNTHETIC records (None: records from files), SYNTHETIC label.
    """

    districts: gpd.GeoDataFrame
    panel: pd.DataFrame
    published: pd.DataFrame
    latest: gpd.GeoDataFrame
    estates: gpd.GeoDataFrame
    contours: gpd.GeoDataFrame | None
    patrol_districts: pd.DataFrame
    patrol_estates: pd.DataFrame
    social: pd.DataFrame
    renovation_plan: pd.DataFrame
    renovation_summary: pd.DataFrame
    backtest: pd.DataFrame | None
    links: pd.DataFrame
    moran_i: float
    moran_p: float
    budget_eur: float | Mapping[str, float]
    renovation_by_owner: pd.DataFrame | None = None
    renovation_frontier: pd.DataFrame | None = None
    objective: str = "risk"
    withheld_districts: pd.DataFrame | None = None
    withheld_estates: pd.DataFrame | None = None
    backtest_summary: pd.DataFrame | None = None
    backtest_verdict: str = ""
    notes: tuple[str, ...] = ()
    lang: str = "it"
    period: str = "year"
    threshold: int = config.suppression_threshold
    seed: int | None = None
    synthetic: bool = False

    @property
    def last_period(self) -> Any:
        """The most recent period (that of ``latest``)."""
        return self.latest[S.PERIOD].iloc[0]


#: column -> (Italian header, English header) of the meeting tables.
PRIORITY_HEADERS: dict[str, tuple[str, str]] = {
    "data_label": ("Dati", "Data"),
    "rank": ("Posizione", "Rank"),
    "district_id": ("Codice quartiere", "District id"),
    "estate_id": ("Codice stabile", "Estate id"),
    "name": ("Nome", "Name"),
    "period": ("Periodo", "Period"),
    "priority_score": ("Punteggio", "Score"),
    "occupied": ("Alloggi occupati", "Occupied units"),
    "new_occupations": ("Nuove occupazioni", "New occupations"),
    "new_occupations_previous": (
        "Nuove occupazioni periodo precedente",
        "New occupations previous period",
    ),
    "new_occupations_change_pct": ("Variazione nuove occupazioni %", "Change in new %"),
    "emerging_category": ("Tendenza", "Trend"),
    "trend_score": ("Punteggio tendenza", "Trend score"),
    "scheduled_evictions": ("Sgomberi programmati", "Scheduled evictions"),
    "score_occupied": ("Quota alloggi occupati", "Part: occupied"),
    "score_new_occupations": ("Quota nuove occupazioni", "Part: new occupations"),
    "score_trend": ("Quota tendenza", "Part: trend"),
    "score_evictions": ("Quota sgomberi", "Part: evictions"),
    "reasons": ("Motivo", "Reason"),
    "vulnerable_scheduled": (
        "Sgomberi programmati di nuclei fragili",
        "Scheduled evictions of vulnerable households",
    ),
    "vulnerable_executed": (
        "Sgomberi eseguiti di nuclei fragili",
        "Executed evictions of vulnerable households",
    ),
    "units": ("Alloggi sfitti candidati", "Candidate vacant units"),
    "unit_cost_eur": ("Costo per alloggio (€)", "Cost per unit (€)"),
    "site_cost_eur": ("Costo fisso cantiere (€)", "Site fixed cost (€)"),
    "risk": ("Rischio occupazione 12 mesi", "12-month occupation risk"),
    "units_chosen": ("Alloggi da ristrutturare", "Units to renovate"),
    "selected": ("Selezionato", "Selected"),
    "cost_eur": ("Spesa (€)", "Spend (€)"),
    "risk_weighted_units": ("Alloggi pesati per rischio", "Risk-weighted units"),
    "units_cheapest_first": (
        "Alloggi (prima i più economici)",
        "Units (cheapest first)",
    ),
    "units_largest_first": ("Alloggi (prima i più grandi)", "Units (largest first)"),
    "method": ("Metodo", "Method"),
    "scenario": ("Scenario", "Scenario"),
    "budget_eur": ("Budget (€)", "Budget (€)"),
    "spend_eur": ("Spesa (€)", "Spend (€)"),
    "estates_selected": ("Stabili selezionati", "Estates selected"),
    "units_recovered": ("Alloggi recuperati", "Units recovered"),
    "next_1m_units": ("Alloggi con 1 M€ in più", "Units with €1M more"),
    "next_1m_risk_weighted_units": (
        "Alloggi pesati con 1 M€ in più",
        "Risk-weighted units with €1M more",
    ),
    "next_1m_spend_eur": ("Spesa del milione in più (€)", "Spend of the extra €1M"),
    "estates": ("Stabili", "Estates"),
    "measure": ("Misura", "Measure"),
    "rank_change": ("Variazione posizione", "Rank change"),
    "value": ("Valore", "Value"),
}

_SCENARIOS = {
    "default": ("pesi predefiniti", "default weights"),
    "config": ("pesi del file di configurazione", "configured weights"),
}

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


def _periods_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with columns holding :class:`pandas.Period` as text."""
    out = table.copy()
    for col in out.columns:
        # a plain loop: .map on an empty string column stays a string column,
        # and .any() on a string column raises (pandas 3)
        if col != "geometry" and any(isinstance(v, pd.Period) for v in out[col]):
            out[col] = out[col].astype(str)
    return out


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
    withheld district cell). Those cells show :data:`SUPPRESSED_MARK`, and the
    percentage change built on a withheld count goes too.
    """
    if flags is None or id_column not in table:
        return table
    out = table.copy()
    f = flags.reindex(out[id_column].astype(str)).fillna(False).astype(bool)
    mark = SUPPRESSED_MARK[lang]
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


#: Renovation columns with their own header (``renovation.header.*`` in _i18n).
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
    """
    out = table.copy()
    if S.OWNER in out:
        out = out[[S.OWNER, *[c for c in out.columns if c != S.OWNER]]]
        out[S.OWNER] = out[S.OWNER].map(
            lambda o: (
                t("renovation.owner.all", lang)
                if o == S.ALL_OWNERS
                else owner_label(o, lang)
                if isinstance(o, str)
                else o
            )
        )
    if S.METHOD in out:
        objective = (
            out[S.OBJECTIVE] if S.OBJECTIVE in out else pd.Series("risk", out.index)
        )
        out[S.METHOD] = [
            t(f"renovation.method.optimal.{o}", lang)
            if m == "optimal"
            else t(f"renovation.method.{m}", lang)
            for m, o in zip(out[S.METHOD], objective, strict=True)
        ]
        out = out.drop(columns=[S.OBJECTIVE], errors="ignore")
    elif S.OBJECTIVE in out:
        out[S.OBJECTIVE] = [
            ", ".join(t(f"renovation.objective.{o}", lang) for o in str(v).split(", "))
            if v
            else ""
            for v in out[S.OBJECTIVE]
        ]
    if S.CHOSEN in out:
        out[S.CHOSEN] = [
            t("renovation.chosen", lang) if c else "" for c in out[S.CHOSEN]
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
    out = _periods_as_text(table.drop(columns=["source"], errors="ignore"))
    if {S.METHOD, S.CHOSEN, S.OWNER} & set(out.columns):
        out = renovation_table(out, lang)
    if "emerging_category" in out:
        from geo_alloggi._i18n import emerging_label

        out["emerging_category"] = out["emerging_category"].map(
            lambda c: emerging_label(c, lang) if isinstance(c, str) else c
        )
    for col, digits in ROUND_DIGITS.items():
        if col in out:
            numeric = pd.to_numeric(out[col], errors="coerce")
            out[col] = out[col].where(numeric.isna(), numeric.round(digits))
    if synthetic:
        out.insert(0, "data_label", label)
    idx = 0 if lang == "it" else 1
    names: dict[str, str] = {}
    for c in out.columns:
        if c in PRIORITY_HEADERS:
            names[c] = PRIORITY_HEADERS[c][idx]
        elif c.startswith(("rank_", "priority_score_")):  # scenario columns
            base, _, scenario = c.partition("_score_" if "_score_" in c else "_")
            key = "rank" if base == "rank" else "priority_score"
            shown = _SCENARIOS.get(scenario, (scenario, scenario))[idx]
            names[c] = f"{PRIORITY_HEADERS[key][idx]} ({shown})"
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
_EXTRA_HEADERS = {
    S.NAME: ("Nome", "Name"),
    "row_type": ("Riga", "Row"),
    "kind": ("Tipo di record", "Record kind"),
    "records": ("Record", "Records"),
    "estate_id": ("Collegati per codice stabile", "Linked by estate id"),
    "address": ("Collegati per indirizzo", "Linked by address"),
    "coordinates": ("Collegati per coordinate", "Linked by coordinates"),
    "unlinked": ("Non collegati", "Unlinked"),
    "gi_p": ("p (Gi*)", "p (Gi*)"),
    "count": ("Numero", "Count"),
}


def _header(col: str, lang: str) -> str:
    i = 0 if lang == "it" else 1
    if col in _EXTRA_HEADERS:
        return _EXTRA_HEADERS[col][i]
    label = column_label(col, lang)
    if label != col:
        return label
    if col in PRIORITY_HEADERS:
        return PRIORITY_HEADERS[col][i]
    return col


def _mark_suppressed(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Write the marker in cells listed in ``suppressed`` (NA there after suppress)."""
    out = table.copy()
    if S.SUPPRESSED not in out:
        return out
    mark = SUPPRESSED_MARK[lang]
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
    table
        A table already protected (suppressed cells NA and listed in ``suppressed``).
    lang
        ``"it"`` or ``"en"`` headers and labels.
    synthetic
        Insert a first column carrying :data:`geo_alloggi.config.synthetic_label`.
    columns
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
    out = _periods_as_text(_mark_suppressed(out, lang))
    if S.HOTSPOT in out:
        out[S.HOTSPOT] = out[S.HOTSPOT].map(
            lambda v: hotspot_label(v, lang) if isinstance(v, str) else v
        )
    if S.EMERGING in out:
        out[S.EMERGING] = out[S.EMERGING].map(
            lambda v: emerging_label(v, lang) if isinstance(v, str) else v
        )
    for col in (S.OCCUPIED_PER_100, S.GI_Z, "gi_p"):
        if col in out:
            num = pd.to_numeric(out[col], errors="coerce")
            out[col] = out[col].where(num.isna(), num.round(3))
    if synthetic:
        out.insert(0, "data_label", config.synthetic_label)
    return out.rename(columns={c: _header(c, lang) for c in out.columns})


def write_both(table: pd.DataFrame, folder: Path, stem: str, lang: str) -> list[Path]:
    """Write ``table`` as ``stem.csv`` (Italian Excel) and ``stem.xlsx``."""
    from geo_alloggi.io import write_table

    return [
        write_table(table, folder / f"{stem}.csv", lang=lang),
        write_table(table, folder / f"{stem}.xlsx", lang=lang),
    ]


def _district_table(a: MeetingData) -> pd.DataFrame:
    """Return the published district table (with its totals), with names."""
    shared = a.published.copy()
    names = a.districts.set_index(S.DISTRICT_ID)[S.NAME]
    named = shared[S.DISTRICT_ID].map(names).fillna(shared[S.DISTRICT_ID])
    if S.NAME in shared:
        shared[S.NAME] = shared[S.NAME].fillna(named)
    else:
        shared.insert(1, S.NAME, named)
    return shared


def write_tables(data: MeetingData, folder: Path) -> list[Path]:
    """Write every meeting table as CSV (Italian Excel) and XLSX."""
    a = data
    lang = a.lang
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    meet: dict[str, Any] = {"lang": lang, "synthetic": a.synthetic}

    district_table = _district_table(a)
    written += write_both(
        meeting_table(district_table, columns=list(_PANEL_COLUMNS), **meet),
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
    reno = {
        "renovation_plan": a.renovation_plan,
        "renovation_summary": summary,
    }
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
        written += write_both(meeting_table(a.links, **meet), folder, "linking", lang)
    return written


def write_geopackage(data: MeetingData, path: Path) -> Path:
    """Write every layer (EPSG:4326) into one GeoPackage for QGIS.

    Layers: ``districts`` (latest period with statistics, suppressed),
    ``districts_by_period`` (suppressed panel), ``estates`` (aggregated counts,
    suppressed), ``density``, ``patrol_districts`` (rank and reasons),
    ``renovation_plan``. Personal data never reach it.
    """
    a = data
    if path.exists():
        path.unlink()
    layers: dict[str, gpd.GeoDataFrame] = {}
    latest = a.latest.copy()
    layers["districts"] = latest
    panel = _district_table(a)
    panel = (
        panel[panel.get("row_type", "district") == "district"]
        if "row_type" in panel
        else panel
    )
    geo = a.districts.set_index(S.DISTRICT_ID).geometry
    layers["districts_by_period"] = gpd.GeoDataFrame(
        panel.drop(columns="geometry", errors="ignore"),
        geometry=geo.reindex(panel[S.DISTRICT_ID]).values,
        crs=a.districts.crs,
    )
    # estates are protected upstream (small counts and counts that would give
    # a withheld district cell back are NA, named in `suppressed`)
    layers["estates"] = a.estates.copy()
    # hexagon counts are not published: hexagons cut across districts, and their
    # sums could give back a district cell withheld in the district table
    if a.contours is not None:
        layers["density"] = a.contours
    ranked = a.patrol_districts[
        [
            c
            for c in ("rank", S.DISTRICT_ID, S.NAME, S.PERIOD, S.EMERGING, "reasons")
            if c in a.patrol_districts
        ]
    ]  # counts are in the districts layer, protected; the score is not published
    pd_geo = ranked.merge(
        a.districts[[S.DISTRICT_ID, "geometry"]], on=S.DISTRICT_ID, how="left"
    )
    layers["patrol_districts"] = gpd.GeoDataFrame(
        pd_geo, geometry="geometry", crs=a.districts.crs
    )
    plan = a.renovation_plan.merge(
        a.estates[[S.ESTATE_ID, "geometry"]], on=S.ESTATE_ID, how="left"
    )
    layers["renovation_plan"] = gpd.GeoDataFrame(
        plan, geometry="geometry", crs=a.estates.crs
    )
    for name, layer in layers.items():
        gdf = _periods_as_text(gpd.GeoDataFrame(layer).to_crs(config.geographic_crs))
        for col in gdf.columns:
            if col != "geometry" and gdf[col].dtype == object:
                gdf[col] = gdf[col].astype("string")
        if a.synthetic:
            gdf.insert(0, "data_label", config.synthetic_label)
        gdf.to_file(path, layer=name, driver="GPKG")
    return path


#: Sentences of ``summary.md``: key -> (Italian, English), formatted with str.format.
_SUMMARY: dict[str, tuple[str, str]] = {
    "title": (
        "# Occupazioni abusive e alloggi sfitti — {last}",
        "# Abusive occupations and vacant units — {last}",
    ),
    "synthetic": (
        "> **{label}** — dati sintetici generati con seme {seed}, calibrati su "
        "cifre pubbliche: non sono dati reali.",
        "> **{label}** — synthetic records generated with seed {seed}, calibrated "
        "on public figures: not real data.",
    ),
    "synthetic_files": (
        "> **{label}** — dati sintetici, non sono dati reali.",
        "> **{label}** — synthetic records, not real data.",
    ),
    "key": ("## Cifre chiave", "## Key figures"),
    "units": (
        "- Alloggi pubblici nell'area di studio: {units}",
        "- Public housing units in the study area: {units}",
    ),
    "occupied": (
        "- Alloggi occupati abusivamente a fine {last}: {occupied} ({rate} ogni "
        "100 alloggi; {prev}: {prev_occupied})",
        "- Units occupied abusively at the end of {last}: {occupied} ({rate} per "
        "100 units; {prev}: {prev_occupied})",
    ),
    "occupied_one": (
        "- Alloggi occupati abusivamente a fine {last}: {occupied} ({rate} ogni "
        "100 alloggi)",
        "- Units occupied abusively at the end of {last}: {occupied} ({rate} per "
        "100 units)",
    ),
    "new": (
        "- Nuove occupazioni nel {last}: {new}",
        "- New occupations in {last}: {new}",
    ),
    "evictions": (
        "- Sgomberi eseguiti nel {last}: {evictions}",
        "- Evictions executed in {last}: {evictions}",
    ),
    "vacant": (
        "- Alloggi sfitti a fine {last}: {vacant}",
        "- Vacant units at the end of {last}: {vacant}",
    ),
    "hot": ("## Punti caldi (Gi*, FDR)", "## Hot spots (Gi*, FDR)"),
    "none": ("- nessuno", "- none"),
    "moran": (
        "Indice di Moran globale del tasso di occupazione: I = {i}, "
        "p (permutazioni) = {p}.",
        "Global Moran's I of the occupation rate: I = {i}, permutation p = {p}.",
    ),
    "trends": (
        "## Tendenze (punti caldi emergenti)",
        "## Trends (emerging hot spots)",
    ),
    "patrol": ("## Pattugliamenti: prime 5 zone", "## Patrols: top 5 areas"),
    "renovation": ("## Ristrutturazioni", "## Renovation"),
    "backtest": (
        "## Affidabilità della classifica (back-test)",
        "## How far to trust the ranking (back-test)",
    ),
    "notes": ("## Note", "## Notes"),
    "suppression": (
        "Conteggi da 1 a {max_small} e quelli che li renderebbero ricostruibili "
        "sono riservati.",
        "Counts from 1 to {max_small}, and those that would reveal them, are "
        "suppressed.",
    ),
    "sources": ("Fonti: {text}", "Sources: {text}"),
}


def _budget_text(budget: float | Mapping[str, float], lang: str) -> str:
    if isinstance(budget, Mapping):
        return ", ".join(
            f"{owner_label(o, lang)} {fmt_eur(v, lang)}" for o, v in budget.items()
        )
    return fmt_eur(budget, lang)


def _renovation_lines(a: MeetingData, num: Any) -> list[str]:
    """Return the renovation paragraph: chosen plan, rules, owners, trade-off."""
    lang = a.lang
    summ = a.renovation_summary.set_index(S.METHOD)
    opt = summ.loc["optimal"]
    lines = [
        t(
            "renovation.summary.plan",
            lang,
            budget=_budget_text(a.budget_eur, lang),
            objective=t(f"renovation.objective.{a.objective}", lang),
            units=fmt_int(opt[S.UNITS_RECOVERED], lang),
            estates=fmt_int(opt[S.ESTATES_SELECTED], lang),
            rw=num(opt[S.RISK_WEIGHTED], 1),
            spend=fmt_eur(opt[S.SPEND_EUR], lang),
            next=fmt_int(opt["next_1m_units"], lang),
        ),
        "",
    ]
    for method in summ.index:
        if method != "optimal":
            r = summ.loc[method]
            lines.append(
                t(
                    "renovation.summary.naive",
                    lang,
                    method=t(f"renovation.method.{method}", lang),
                    units=fmt_int(r[S.UNITS_RECOVERED], lang),
                    rw=num(r[S.RISK_WEIGHTED], 1),
                )
            )
    owners = a.renovation_by_owner
    if isinstance(a.budget_eur, Mapping) and owners is not None and len(owners):
        lines.append("")
        for r in owners[owners[S.METHOD] == "optimal"].itertuples(index=False):
            row = r._asdict()
            lines.append(
                t(
                    "renovation.summary.owner",
                    lang,
                    owner=owner_label(row[S.OWNER], lang),
                    budget=fmt_eur(row[S.BUDGET_EUR], lang),
                    units=fmt_int(row[S.UNITS_RECOVERED], lang),
                    rw=num(row[S.RISK_WEIGHTED], 1),
                    spend=fmt_eur(row[S.SPEND_EUR], lang),
                )
            )
    front = a.renovation_frontier
    if front is not None and len(front):
        total = front[front[S.OWNER] == S.ALL_OWNERS]
        lines += [
            "",
            t(
                "renovation.summary.frontier",
                lang,
                n=fmt_int(len(total), lang),
                units_r=fmt_int(total[S.UNITS_RECOVERED].iloc[0], lang),
                rw_r=num(total[S.RISK_WEIGHTED].iloc[0], 1),
                units_u=fmt_int(total[S.UNITS_RECOVERED].iloc[-1], lang),
                rw_u=num(total[S.RISK_WEIGHTED].iloc[-1], 1),
            ),
        ]
    return lines


def write_summary(data: MeetingData, path: Path) -> Path:
    """Write ``summary.md``: the key figures of the run, in the meeting's language."""
    from geo_alloggi.datasets import attribution

    a = data
    lang = a.lang

    def say(key: str, **fmt: Any) -> str:
        return _SUMMARY[key][0 if lang == "it" else 1].format(**fmt)

    def num(value: Any, digits: int) -> str:
        return fmt_number(value, digits, lang)

    last = a.last_period
    lines = [say("title", last=last), ""]
    if a.synthetic:
        if a.seed is None:
            lines += [say("synthetic_files", label=config.synthetic_label), ""]
        else:
            lines += [say("synthetic", label=config.synthetic_label, seed=a.seed), ""]
    cols = (S.UNITS, S.OCCUPIED, S.NEW_OCCUPATIONS, S.EVICTIONS, S.VACANT)
    latest = a.panel[a.panel[S.PERIOD] == last]
    tot = {
        c: int(pd.to_numeric(latest[c], errors="coerce").fillna(0).sum()) for c in cols
    }
    periods = sorted(a.panel[S.PERIOD].unique())
    prev = periods[-2] if len(periods) > 1 else None
    prev_occ = int(a.panel.loc[a.panel[S.PERIOD] == prev, S.OCCUPIED].sum())
    rate = 100 * tot[S.OCCUPIED] / tot[S.UNITS] if tot[S.UNITS] else float("nan")
    lines += [
        say("key"),
        "",
        say("units", units=fmt_int(tot[S.UNITS], lang)),
        say(
            "occupied" if prev is not None else "occupied_one",
            last=last,
            occupied=fmt_int(tot[S.OCCUPIED], lang),
            rate=num(rate, 2),
            prev=prev,
            prev_occupied=fmt_int(prev_occ, lang),
        ),
        say("new", last=last, new=fmt_int(tot[S.NEW_OCCUPATIONS], lang)),
        say("evictions", last=last, evictions=fmt_int(tot[S.EVICTIONS], lang)),
        say("vacant", last=last, vacant=fmt_int(tot[S.VACANT], lang)),
        "",
        say("hot"),
        "",
    ]
    bins = a.latest[S.GI_BIN].fillna(0) if S.GI_BIN in a.latest else None
    hot = a.latest[bins > 0] if bins is not None else a.latest.iloc[0:0]
    for row in hot.sort_values(S.GI_Z, ascending=False).itertuples():
        label = hotspot_label(getattr(row, S.HOTSPOT), lang)
        lines.append(f"- {row.name}: {label} (z = {num(getattr(row, S.GI_Z), 2)})")
    if not len(hot):
        lines.append(say("none"))
    lines.append("")
    if not math.isnan(a.moran_i):  # else a note says why it is not computed
        lines += [say("moran", i=num(a.moran_i, 3), p=num(a.moran_p, 3)), ""]
    if S.EMERGING in a.latest:
        lines += [say("trends"), ""]
        counts = a.latest[S.EMERGING].value_counts()
        counts = counts[counts.index != "No Pattern Detected"]
        for cat, n in counts.items():
            lines.append(f"- {emerging_label(str(cat), lang)}: {fmt_int(n, lang)}")
        lines += [say("none")] if counts.empty else []
        lines.append("")
    lines += [say("patrol"), ""]
    names = a.districts.set_index(S.DISTRICT_ID)[S.NAME]
    for row in a.patrol_districts.head(5).itertuples():
        name = names.get(row.district_id, row.district_id)
        lines.append(f"{row.rank}. {name} — {row.reasons}")
    lines += ["", say("renovation"), "", *_renovation_lines(a, num)]
    lines.append("")
    if a.backtest_verdict:
        lines += [say("backtest"), "", a.backtest_verdict, ""]
    lines += [say("notes"), "", say("suppression", max_small=a.threshold - 1)]
    lines += [f"- {note}" for note in a.notes]
    lines += ["", say("sources", text=attribution()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
