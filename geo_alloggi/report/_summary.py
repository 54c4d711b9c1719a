"""``summary.md``: the key figures of a run, in the meeting's language."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._i18n import (
    emerging_label,
    fmt_eur,
    fmt_int,
    fmt_number,
    fmt_period,
    has_key,
    hotspot_label,
    owner_label,
    render_note,
    t,
)
from geo_alloggi.report._data import MeetingData
from geo_alloggi.report._figures import key_figures
from geo_alloggi.report._sources import attributions, releases

__all__ = [
    "budget_text",
    "count",
    "explanations",
    "notes_text",
    "renovation_text",
    "source_names",
    "write_summary",
]

#: Indicators explained in every summary and report, in order.
EXPLAINED = ("withheld", "hotspot", "trend", "moran", "risk_weighted", "pai")


def explanations(data: MeetingData) -> list[str]:
    """One plain sentence per indicator (withheld cells, PAI...), in ``data.lang``."""
    return [
        t(f"explain.{k}", data.lang, max_small=fmt_int(data.threshold - 1, data.lang))
        for k in EXPLAINED
    ]


def notes_text(
    data: MeetingData, *, extra: tuple[str, ...] = (), stale: bool = True
) -> list[str]:
    """Say the run's notes in ``data.lang`` (districts by name), once each.

    Then, with ``stale``, which reference datasets are older than two years,
    and then ``extra`` (notes already in the meeting's language).

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.
    extra : tuple of str, default ()
        Further notes, already in the meeting's language.
    stale : bool, default True
        Also say which reference datasets are older than two years.

    Returns
    -------
    list of str
        The notes, one per item.
    """
    names = data.names
    out: list[str] = []
    for note in data.notes:
        text = render_note(note, data.lang, names=names)
        if text not in out:
            out.append(text)
    old = [
        r.title
        for r in releases(data.sources, data.lang, today=data.today)
        if r.stale and stale
    ]
    if old:
        out.append(
            t(
                "report.stale_note" + (".one" if len(old) == 1 else ""),
                data.lang,
                n=fmt_int(len(old), data.lang),
                datasets=", ".join(old),
            )
        )
    return out + list(extra)


def source_names(data: MeetingData) -> list[str]:
    """Registry names of the reference datasets of the run (all when not stated)."""
    from geo_alloggi.datasets import REGISTRY

    if data.sources is None:
        return list(REGISTRY)
    return [str(n) for n in data.sources["dataset"]]


def count(value: Any, lang: str) -> str:
    """Say a published count, or the withheld marker when it is None."""
    return t("value.withheld", lang) if value is None else fmt_int(value, lang)


def _key_lines(f: Mapping[str, Any], lang: str) -> list[str]:
    tot, prev = f["totals"], f["totals_previous"] or {}
    last, before = fmt_period(f["last_period"], lang), f["previous_period"]
    rate = (
        100 * tot["occupied"] / tot["units"]
        if tot["occupied"] is not None and tot["units"]
        else None
    )
    return [
        t("summary.key", lang),
        "",
        t("summary.units", lang, units=count(tot["units"], lang)),
        t(
            "summary.occupied" if before is not None else "summary.occupied_one",
            lang,
            last=last,
            occupied=count(tot["occupied"], lang),
            rate=fmt_number(rate, 2, lang),
            prev=fmt_period(before, lang) if before is not None else "",
            prev_occupied=count(prev.get("occupied"), lang),
        ),
        t("summary.new", lang, last=last, new=count(tot["new_occupations"], lang)),
        t(
            "summary.evictions",
            lang,
            last=last,
            evictions=count(tot["evictions"], lang),
        ),
        t("summary.vacant", lang, last=last, vacant=count(tot["vacant"], lang)),
        "",
    ]


def _hot_lines(f: Mapping[str, Any], lang: str) -> list[str]:
    by_id = {d["district_id"]: d for d in f["districts"]}
    lines = [t("summary.hot", lang), ""]
    for i in f["hot_spots"]:
        d = by_id[i]
        z = fmt_number(d["gi_z"], 2, lang)
        lines.append(f"- {d['name']}: {hotspot_label(d['hotspot'], lang)} (z = {z})")
    if not f["hot_spots"]:
        lines.append(t("summary.none", lang))
    m = f["moran"]
    lines.append("")
    if m["i"] is not None:  # else a note says why it is not computed
        lines += [
            t(
                "summary.moran",
                lang,
                i=fmt_number(m["i"], 3, lang),
                p=fmt_number(m["p"], 3, lang),
            ),
            "",
        ]
    if any(d["emerging"] for d in f["districts"]):
        lines += [t("summary.trends", lang), ""]
        for cat, n in f["trends"].items():
            lines.append(f"- {emerging_label(cat, lang)}: {fmt_int(n, lang)}")
        lines += [t("summary.none", lang)] if not f["trends"] else []
        lines.append("")
    return lines


def budget_text(budget: Any, lang: str) -> str:
    """Say a renovation budget: euros, or euros per owner (owners by name)."""
    if isinstance(budget, Mapping):
        return ", ".join(
            f"{owner_label(o, lang)} {fmt_eur(v, lang)}" for o, v in budget.items()
        )
    return fmt_eur(budget, lang)


def renovation_text(f: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Say the renovation plan in words, from :func:`key_figures`' ``renovation``.

    Returns
    -------
    dict
        ``plan`` (the chosen plan in one sentence; None: no candidate),
        ``naive`` (one line per naive rule), ``owners`` (one line per owner,
        with budgets per owner) and ``frontier`` (the trade-off between
        units and risk-weighted units in one sentence; None: no frontier,
        or a single plan is best on both).
    """
    reno = f["renovation"]
    methods = {m["method"]: m for m in reno["methods"]}
    opt = methods.get("optimal")
    out: dict[str, Any] = {"plan": None, "naive": [], "owners": [], "frontier": None}
    if opt is None:
        return out
    out["plan"] = t(
        "renovation.summary.plan",
        lang,
        budget=budget_text(reno["budget_eur"], lang),
        objective=t(f"renovation.objective.{reno.get('objective', 'risk')}", lang),
        units=fmt_int(opt["units_recovered"], lang),
        estates=fmt_int(opt["estates_selected"], lang),
        rw=fmt_number(opt["risk_weighted_units"], 1, lang),
        spend=fmt_eur(opt["spend_eur"], lang),
        next=fmt_int(opt.get("next_1m_units"), lang),
    )
    out["naive"] = [
        t(
            "renovation.summary.naive",
            lang,
            method=t(f"renovation.method.{m}", lang),
            units=fmt_int(r["units_recovered"], lang),
            rw=fmt_number(r["risk_weighted_units"], 1, lang),
        )
        for m, r in methods.items()
        if m != "optimal" and has_key(f"renovation.method.{m}")
    ]
    if isinstance(reno["budget_eur"], Mapping):
        out["owners"] = [
            t(
                "renovation.summary.owner",
                lang,
                owner=owner_label(r["owner"], lang),
                budget=fmt_eur(r["budget_eur"], lang),
                units=fmt_int(r["units_recovered"], lang),
                rw=fmt_number(r["risk_weighted_units"], 1, lang),
                spend=fmt_eur(r["spend_eur"], lang),
            )
            for r in reno.get("by_owner", [])
            if r["method"] == "optimal"
        ]
    total = [r for r in reno.get("frontier", []) if r["owner"] == S.ALL_OWNERS]
    if len(total) > 1:
        out["frontier"] = t(
            "renovation.summary.frontier",
            lang,
            n=fmt_int(len(total), lang),
            units_r=fmt_int(total[0]["units_recovered"], lang),
            rw_r=fmt_number(total[0]["risk_weighted_units"], 1, lang),
            units_u=fmt_int(total[-1]["units_recovered"], lang),
            rw_u=fmt_number(total[-1]["risk_weighted_units"], 1, lang),
        )
    return out


def _renovation_lines(f: Mapping[str, Any], lang: str) -> list[str]:
    """Return the renovation paragraph: chosen plan, rules, owners, trade-off."""
    said = renovation_text(f, lang)
    lines = [t("summary.renovation", lang), ""]
    if said["plan"] is None:
        return [*lines, t("report.plan_empty", lang), ""]
    lines += [said["plan"], "", *said["naive"]]
    if said["owners"]:
        lines += ["", *said["owners"]]
    if said["frontier"]:
        lines += ["", said["frontier"]]
    return [*lines, ""]


def write_summary(
    data: MeetingData, path: Path, *, extra_notes: tuple[str, ...] = ()
) -> Path:
    """Write ``summary.md``: the key figures of the run, in the meeting's language.

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.
    path : Path
        Where to write.
    extra_notes : tuple of str
        Notes already in the meeting's language (e.g. why ``report.pdf`` is
        missing), after the run's own.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    a = data
    lang = a.lang
    f = key_figures(a)
    lines = [t("summary.title", lang, last=fmt_period(f["last_period"], lang)), ""]
    label = config.synthetic_label
    if a.synthetic and a.seed is None:
        lines += [t("summary.synthetic_files", lang, label=label), ""]
    elif a.synthetic:
        lines += [t("summary.synthetic", lang, label=label, seed=a.seed), ""]
    else:
        lines += [
            t("summary.confidential", lang, label=t("report.confidential", lang)),
            "",
        ]
    lines += _key_lines(f, lang) + _hot_lines(f, lang)
    lines += [t("summary.patrol", lang), ""]
    names = a.names
    for p in f["patrol"][:5]:
        name = names.get(p["district_id"], p["district_id"])
        lines.append(f"{p['rank']}. {name} — {p['reasons']}")
    lines += ["", *_renovation_lines(f, lang)]
    if a.backtest_verdict:
        lines += [t("summary.backtest", lang), "", a.backtest_verdict, ""]
    lines += [t("summary.indicators", lang), ""]
    lines += [f"- {e}" for e in explanations(a)]
    if not a.synthetic:
        lines += ["", t("report.data_protection", lang)]
    notes = notes_text(a, extra=extra_notes)
    if notes:
        lines += ["", t("summary.notes", lang), ""]
        lines += [f"- {n}" for n in notes]
    lines += ["", t("summary.sources", lang, text=attributions(source_names(a), lang))]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
