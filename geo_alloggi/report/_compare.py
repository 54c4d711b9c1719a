"""What changed between two meeting bundles: hot spots, rises and falls, renovation.

Works on the ``figures.json`` of each bundle (:func:`key_figures`), so only
published values are compared: a district withheld in either period is left
out of the rises and falls, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo_alloggi._i18n import column_label, fmt_int, fmt_period, t

__all__ = [
    "Comparison",
    "compare_figures",
    "comparison_markdown",
    "comparison_table",
]

#: Districts listed among the largest rises and among the largest falls.
TOP_CHANGES = 5


@dataclass(frozen=True)
class Comparison:
    """What changed from an old bundle to a new one.

    Attributes
    ----------
    old_period, new_period : str
        The last period of each bundle.
    entered, left : list of (district id, name)
        Districts that became hot spots, and those that no longer are.
    rises, falls : pandas.DataFrame
        ``district_id``, ``name``, ``old``, ``new``, ``change`` of occupied
        units: the :data:`TOP_CHANGES` largest rises (falls), published
        values only.
    totals : list of (measure, old, new)
        Study-area totals (``occupied``, ``new_occupations``, ``vacant``...);
        None where withheld.
    renovation : dict
        ``estates`` (chosen by the old plan), ``vacant_old``, ``vacant_new``
        (their published vacant units), ``emptied`` (of them, with no vacant
        unit left) and ``dropped`` (no longer in the new plan).
    warnings : list of str
        Catalogue keys (``compare.*``) of what to say first, with values.
    """

    old_period: str
    new_period: str
    entered: list[tuple[str, str]]
    left: list[tuple[str, str]]
    rises: pd.DataFrame
    falls: pd.DataFrame
    totals: list[tuple[str, Any, Any]]
    renovation: dict[str, Any]
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _hot(figures: Mapping[str, Any]) -> set[str]:
    return set(figures.get("hot_spots") or [])


def _names(*figures: Mapping[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for f in figures:
        for d in f.get("districts", []):
            names[d["district_id"]] = d.get("name") or d["district_id"]
    return names


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> pd.DataFrame:
    before = {d["district_id"]: d.get("occupied") for d in old.get("districts", [])}
    rows = []
    names = _names(old, new)
    for d in new.get("districts", []):
        i = d["district_id"]
        a, b = before.get(i), d.get("occupied")
        if a is None or b is None:
            continue
        rows.append(
            {"district_id": i, "name": names[i], "old": a, "new": b, "change": b - a}
        )
    cols = ["district_id", "name", "old", "new", "change"]
    return pd.DataFrame(rows, columns=cols)


def _renovation(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    chosen = [e["estate_id"] for e in old.get("renovation", {}).get("selected", [])]
    now = {e["estate_id"] for e in new.get("renovation", {}).get("selected", [])}
    v_old, v_new = old.get("estates_vacant", {}), new.get("estates_vacant", {})
    both = [e for e in chosen if v_old.get(e) is not None and v_new.get(e) is not None]
    return {
        "estates": len(chosen),
        "compared": len(both),
        "vacant_old": sum(v_old[e] for e in both),
        "vacant_new": sum(v_new[e] for e in both),
        "emptied": sum(1 for e in both if v_new[e] == 0),
        "dropped": sum(1 for e in chosen if e not in now),
    }


def compare_figures(old: Mapping[str, Any], new: Mapping[str, Any]) -> Comparison:
    """Compare the figures of two bundles (old first).

    Parameters
    ----------
    old, new : dict
        ``figures.json`` of each bundle (:func:`read_figures`).

    Returns
    -------
    Comparison
    """
    names = _names(old, new)
    hot_old, hot_new = _hot(old), _hot(new)
    changes = _changes(old, new)
    rises = changes[changes["change"] > 0].sort_values(
        ["change", "district_id"], ascending=[False, True]
    )
    falls = changes[changes["change"] < 0].sort_values(
        ["change", "district_id"], ascending=[True, True]
    )
    t_old, t_new = old.get("totals") or {}, new.get("totals") or {}
    totals = [
        (m, t_old.get(m), t_new.get(m))
        for m in ("occupied", "new_occupations", "evictions", "vacant")
    ]
    warnings: list[tuple[str, dict[str, Any]]] = []
    if old.get("last_period") == new.get("last_period"):
        warnings.append(("compare.same_period", {"period": new.get("last_period")}))
    if bool(old.get("synthetic")) != bool(new.get("synthetic")):
        warnings.append(("compare.mixed", {}))
    return Comparison(
        old_period=str(old.get("last_period")),
        new_period=str(new.get("last_period")),
        entered=[
            (i, names.get(i, i)) for i in new.get("hot_spots", []) if i not in hot_old
        ],
        left=[
            (i, names.get(i, i)) for i in old.get("hot_spots", []) if i not in hot_new
        ],
        rises=rises.head(TOP_CHANGES).reset_index(drop=True),
        falls=falls.head(TOP_CHANGES).reset_index(drop=True),
        totals=totals,
        renovation=_renovation(old, new),
        warnings=warnings,
    )


def _count(value: Any, lang: str) -> str:
    return t("value.withheld", lang) if value is None else fmt_int(value, lang)


def _signed(value: Any, lang: str) -> str:
    if value is None:
        return t("value.withheld", lang)
    return ("+" if value > 0 else "") + fmt_int(value, lang)


def comparison_table(c: Comparison, lang: str = "it") -> pd.DataFrame:
    """Return the comparison as one long table with headers in ``lang``.

    Columns: section, district id, name, the old period, the new period, change.

    Parameters
    ----------
    c : Comparison
        The comparison of two bundles.
    lang : str, default 'it'
        Language of the headers: ``"it"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        The comparison, one row per change.
    """
    rows: list[tuple[str, str, str, str, str, str]] = []
    for key, pairs in (("compare.entered", c.entered), ("compare.left", c.left)):
        for i, name in pairs:
            rows.append((t(key, lang), i, name, "", "", ""))
    for key, frame in (("compare.rises", c.rises), ("compare.falls", c.falls)):
        for r in frame.itertuples():
            rows.append(
                (
                    t(key, lang),
                    r.district_id,
                    r.name,
                    _count(r.old, lang),
                    _count(r.new, lang),
                    _signed(r.change, lang),
                )
            )
    for measure, a, b in c.totals:
        change = b - a if a is not None and b is not None else None
        label = column_label(measure, lang)
        rows.append(
            (t("compare.totals", lang), "", label, _count(a, lang), _count(b, lang),
             _signed(change, lang))
        )  # fmt: skip
    r = c.renovation
    if r["estates"]:
        rows.append(
            (
                t("compare.renovation", lang),
                "",
                t("compare.reno_vacant", lang, n=fmt_int(r["compared"], lang)),
                _count(r["vacant_old"], lang),
                _count(r["vacant_new"], lang),
                _signed(r["vacant_new"] - r["vacant_old"], lang),
            )
        )
        for key, value in (
            ("compare.reno_emptied", r["emptied"]),
            ("compare.reno_dropped", r["dropped"]),
        ):
            rows.append((t("compare.renovation", lang), "", t(key, lang), "",
                         _count(value, lang), ""))  # fmt: skip
    columns = [
        t("compare.section", lang),
        t("header.district_id", lang),
        t("header.name", lang),
        fmt_period(c.old_period, lang),
        fmt_period(c.new_period, lang),
        t("compare.col_change", lang),
    ]
    if columns[3] == columns[4]:
        columns[4] += " "  # same period twice: keep the headers distinct
    return pd.DataFrame(rows, columns=columns)


def comparison_markdown(c: Comparison, lang: str = "it") -> str:
    """Say the comparison as Markdown in ``lang`` (title, lists, tables).

    Parameters
    ----------
    c : Comparison
        The comparison of two bundles.
    lang : str, default 'it'
        Language of the text: ``"it"`` or ``"en"``.

    Returns
    -------
    str
        The Markdown text.
    """
    old, new = fmt_period(c.old_period, lang), fmt_period(c.new_period, lang)
    lines = [f"# {t('compare.title', lang, old=old, new=new)}", ""]
    for key, values in c.warnings:
        lines += [f"> {t(key, lang, **values)}", ""]
    for key, pairs in (("compare.entered", c.entered), ("compare.left", c.left)):
        lines += [f"## {t(key, lang)}", ""]
        lines += [f"- {name}" for _, name in pairs] or [f"- {t('compare.none', lang)}"]
        lines.append("")
    head = (
        f"| {t('header.name', lang)} | {old} | {new} | "
        f"{t('compare.col_change', lang)} |"
    )
    for key, frame in (("compare.rises", c.rises), ("compare.falls", c.falls)):
        lines += [f"## {t(key, lang)}", ""]
        if not len(frame):
            lines += [f"- {t('compare.none', lang)}", ""]
            continue
        lines += [head, "|---|---:|---:|---:|"]
        for r in frame.itertuples():
            lines.append(
                f"| {r.name} | {_count(r.old, lang)} | {_count(r.new, lang)} | "
                f"{_signed(r.change, lang)} |"
            )
        lines.append("")
    lines += [f"_{t('compare.withheld', lang)}_", ""]
    table = comparison_table(c, lang)
    section = table.columns[0]
    for key in ("compare.totals", "compare.renovation"):
        part = table[table[section] == t(key, lang)]
        lines += [f"## {t(key, lang)}", ""]
        if not len(part):
            lines += [t("compare.reno_none", lang), ""]
            continue
        lines += [head, "|---|---:|---:|---:|"]
        for row in part.itertuples(index=False):
            lines.append(f"| {row[2]} | {row[3]} | {row[4]} | {row[5]} |")
        lines.append("")
    return "\n".join(lines)
