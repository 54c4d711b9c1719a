"""The figures of a meeting, language-neutral: what summary, report and comparison say.

:func:`key_figures` reads a :class:`MeetingData` into plain numbers, ids and
labels (only what the bundle publishes: withheld cells are ``None``), and
:func:`write_figures` writes them as ``figures.json``, the file
``geo-alloggi compare`` reads from two bundles.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi._errors import InputFileError
from geo_alloggi._i18n import small_mask
from geo_alloggi.disclosure import TOTAL_ID
from geo_alloggi.report._data import MeetingData

__all__ = ["FIGURES_FORMAT", "key_figures", "read_figures", "write_figures"]

#: Version of the layout of ``figures.json``.
FIGURES_FORMAT = 1

#: Districts of the patrol ranking kept in the figures.
TOP_PATROL = 10

_TOTALS = (S.UNITS, S.OCCUPIED, S.NEW_OCCUPATIONS, S.EVICTIONS, S.VACANT)


def _plain(value: Any) -> Any:
    """Return ``value`` JSON-ready: None if missing, int if whole, str if a period."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (str, pd.Period, pd.Timestamp)):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return None
    return int(number) if number.is_integer() else number


def _totals(a: MeetingData, period: Any) -> dict[str, Any]:
    """Study-area totals of ``period`` as published (withheld: None).

    From the grand-total row of the published table; without one, the raw
    sums with small counts withheld.
    """
    pub = a.published
    if S.PERIOD in pub and S.DISTRICT_ID in pub:
        row = pub[(pub[S.DISTRICT_ID] == TOTAL_ID) & (pub[S.PERIOD] == period)]
        if len(row):
            r = row.iloc[0]
            return {c: _plain(r.get(c)) for c in _TOTALS}
    raw = a.panel[a.panel[S.PERIOD] == period]
    out: dict[str, Any] = {}
    for c in _TOTALS:
        total = float(pd.to_numeric(raw[c], errors="coerce").fillna(0).sum())
        small = c != S.UNITS and bool(small_mask([total], a.threshold)[0])
        out[c] = None if small else int(total)
    return out


def _districts(a: MeetingData) -> list[dict[str, Any]]:
    latest = a.latest
    rows = []
    for _, r in latest.iterrows():
        rows.append(
            {
                "district_id": str(r[S.DISTRICT_ID]),
                "name": _plain(r.get(S.NAME)),
                "units": _plain(r.get(S.UNITS)),
                "occupied": _plain(r.get(S.OCCUPIED)),
                "occupied_per_100": _plain(r.get(S.OCCUPIED_PER_100)),
                "new_occupations": _plain(r.get(S.NEW_OCCUPATIONS)),
                "gi_z": _plain(r.get(S.GI_Z)),
                "gi_bin": _plain(r.get(S.GI_BIN)),
                "hotspot": _plain(r.get(S.HOTSPOT)),
                "emerging": _plain(r.get(S.EMERGING)),
            }
        )
    return rows


def _rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Return a table's rows as plain dicts (none for a missing table)."""
    if table is None or not len(table):
        return []
    return [
        {str(k): _plain(v) for k, v in row.items()} for row in table.to_dict("records")
    ]


def _renovation(a: MeetingData) -> dict[str, Any]:
    plan = a.renovation_plan
    chosen = plan[plan["selected"].fillna(False).astype(bool)] if len(plan) else plan
    keep = [
        c
        for c in (S.ESTATE_ID, S.NAME, S.OWNER, "units_chosen", "cost_eur", "risk")
        if c in chosen
    ]
    budget = a.budget_eur
    return {
        "budget_eur": (
            {str(o): _plain(v) for o, v in budget.items()}
            if isinstance(budget, Mapping)
            else _plain(budget)
        ),
        "objective": a.objective,
        "methods": _rows(a.renovation_summary),
        "by_owner": _rows(a.renovation_by_owner),
        "frontier": _rows(a.renovation_frontier),
        "selected": _rows(chosen[keep]),
    }


def key_figures(data: MeetingData) -> Mapping[str, Any]:
    """Return the published figures of a meeting as plain JSON-ready values.

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.

    Returns
    -------
    dict
        ``period``, ``first_period``, ``last_period``, ``previous_period``,
        ``totals`` and ``totals_previous`` (published study-area totals),
        ``districts`` (the last period per district: published counts, rate,
        hot-spot class and trend), ``hot_spots`` (ids by z, highest first),
        ``trends`` (districts per trend category), ``patrol`` (the first
        :data:`TOP_PATROL` areas: rank, id, name), ``renovation`` (budget,
        objective, every method's figures in total and per owner, the
        trade-off between units and risk-weighted units, the estates
        chosen), ``estates_vacant`` (published vacant units per estate),
        ``backtest`` (the back-test's summary, one row per ranking; None
        without one), ``moran``,
        ``synthetic``, ``seed``, ``threshold``.
    """
    a = data
    periods = sorted(a.panel[S.PERIOD].dropna().unique())
    last = a.last_period
    prev = periods[-2] if len(periods) >= 2 else None
    districts = _districts(a)
    hot = sorted(
        (d for d in districts if (d["gi_bin"] or 0) > 0),
        key=lambda d: -(d["gi_z"] or 0.0),
    )
    trends: dict[str, int] = {}
    for d in districts:
        cat = d["emerging"]
        if cat and cat != "No Pattern Detected":
            trends[cat] = trends.get(cat, 0) + 1
    patrol = [
        {
            "rank": _plain(r.get("rank")),
            "district_id": str(r[S.DISTRICT_ID]),
            "reasons": _plain(r.get("reasons")),
        }
        for r in a.patrol_districts.head(TOP_PATROL).to_dict("records")
    ]
    vacant = {}
    if S.VACANT in a.estates:
        vacant = {
            str(i): _plain(v)
            for i, v in zip(a.estates[S.ESTATE_ID], a.estates[S.VACANT], strict=True)
        }
    bt = None
    if a.backtest_summary is not None:
        bt = [
            {k: _plain(v) for k, v in row.items()}
            for row in a.backtest_summary.to_dict("records")
        ]
    return {
        "format": FIGURES_FORMAT,
        "synthetic": bool(a.synthetic),
        "seed": a.seed,
        "threshold": int(a.threshold),
        "period": a.period,
        "first_period": _plain(periods[0]) if periods else None,
        "last_period": _plain(last),
        "previous_period": _plain(prev),
        "totals": _totals(a, last),
        "totals_previous": _totals(a, prev) if prev is not None else None,
        "moran": {"i": _plain(a.moran_i), "p": _plain(a.moran_p)},
        "districts": districts,
        "hot_spots": [d["district_id"] for d in hot],
        "trends": dict(sorted(trends.items())),
        "patrol": patrol,
        "renovation": _renovation(a),
        "estates_vacant": vacant,
        "backtest": bt,
    }


def write_figures(figures: Mapping[str, Any], path: Path) -> Path:
    """Write ``figures.json`` (sorted keys, UTF-8, byte-deterministic).

    Parameters
    ----------
    figures : mapping of str to object
        The key figures (:func:`key_figures`).
    path : pathlib.Path
        The file to write.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path.write_text(
        json.dumps(figures, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return path


def read_figures(bundle: Path | str) -> Mapping[str, Any]:
    """Read the ``figures.json`` of a bundle folder (or the file itself).

    Parameters
    ----------
    bundle : pathlib.Path or str
        A bundle folder, or its ``figures.json``.

    Returns
    -------
    mapping of str to object
        The key figures.

    Raises
    ------
    InputFileError
        No such file, or not a ``figures.json`` of this format.
    """
    path = Path(bundle)
    if path.is_dir():
        path = path / "figures.json"
    if not path.is_file():
        raise InputFileError(
            f"{str(path)!r} not found: give the folder of a bundle written by "
            "geo-alloggi run or demo (it holds figures.json)"
        )
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{str(path)!r} is not valid JSON ({exc})") from None
    if not isinstance(figures, dict) or figures.get("format") != FIGURES_FORMAT:
        raise InputFileError(
            f"{str(path)!r} is not a figures.json of format {FIGURES_FORMAT}"
        )
    return figures
