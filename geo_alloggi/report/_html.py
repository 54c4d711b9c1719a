"""``report.html``: the meeting on one printable page (A4 landscape), offline.

The page loads nothing: its style is inline and the static map is a
``data:`` URI. Every text, from the catalogue or from the records (names,
reasons, notes), is escaped. The figures come from :func:`key_figures`, the
same that ``summary.md`` and ``figures.json`` state.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import ValidationError
from geo_alloggi._i18n import (
    column_label,
    emerging_label,
    fmt_eur,
    fmt_int,
    fmt_number,
    fmt_period,
    has_key,
    t,
)
from geo_alloggi._version import __version__
from geo_alloggi.report._compare import compare_figures
from geo_alloggi.report._data import MeetingData
from geo_alloggi.report._figures import key_figures
from geo_alloggi.report._sources import attributions, releases
from geo_alloggi.report._summary import (
    count,
    explanations,
    notes_text,
    renovation_text,
    source_names,
)

__all__ = ["loaded_resources", "report_html", "write_report"]

#: Hot spots and patrol areas listed on the page (the tables hold them all).
TOP_HOT = 8
TOP_PATROL = 5
TOP_ESTATES = 5

#: Confidence of a hot-spot class, by ``|gi_bin|``.
_CONFIDENCE = {3: "99%", 2: "95%", 1: "90%"}

_CSS = """
@page { size: A4 landscape; margin: 7mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 7.5pt; line-height: 1.22; color: #1d1d1d; margin: 0; }
main { margin: 0 auto; }
@media screen { body { background: #eee; } main { background: #fff;
  padding: 7mm; margin: 5mm auto; width: 297mm; } }
header { display: flex; justify-content: space-between; align-items: flex-start;
  gap: 4mm; border-bottom: 0.6mm solid #7a0019; padding-bottom: 1.2mm;
  margin-bottom: 1.8mm; }
h1 { font-size: 13pt; margin: 0 0 0.5mm 0; }
h2 { font-size: 9pt; margin: 1.2mm 0 0.8mm 0; color: #7a0019; }
h3 { font-size: 7.5pt; margin: 1mm 0 0.5mm 0; }
h2, h3 { break-after: avoid; }
p { margin: 0 0 0.8mm 0; }
.period { color: #444; }
.labels { text-align: right; max-width: 100mm; flex: none; }
.label { display: inline-block; padding: 0.8mm 2mm; font-weight: bold; }
.synthetic { background: #b3192e; color: #fff; }
.confidential { border: 0.5mm solid #b3192e; color: #b3192e; font-size: 10pt; }
.kf { display: flex; gap: 2mm; margin-bottom: 1.8mm; }
.kf div { flex: 1; border: 0.3mm solid #ccc; border-left: 1mm solid #7a0019;
  padding: 0.8mm 2mm; }
.kf b { display: block; font-size: 12pt; }
.kf small { color: #555; }
.top { display: grid; grid-template-columns: 38% 1fr 1fr; gap: 3mm; }
.top > div { min-width: 0; }
.flow { column-count: 3; column-gap: 4mm; column-rule: 0.2mm solid #ddd;
  border-top: 0.3mm solid #999; margin-top: 1.2mm; }
figure { margin: 0; }
figure img { width: 100%; border: 0.3mm solid #ccc; display: block; }
figcaption { color: #555; font-size: 6.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 7pt;
  margin-bottom: 1mm; }
th, td { text-align: left; vertical-align: top; padding: 0.3mm 0.8mm;
  border-bottom: 0.2mm solid #ddd; }
th { background: #f3f3f3; font-weight: bold; }
td.n, th.n { text-align: right; }
td.n { white-space: nowrap; }
ul { margin: 0 0 0.8mm 0; padding-left: 3.5mm; }
li { margin: 0 0 0.3mm 0; }
.verdict { border-left: 0.6mm solid #7a0019; padding-left: 1.5mm; }
.stale { color: #b3192e; font-weight: bold; }
.fine { font-size: 6.3pt; line-height: 1.18; color: #333; }
.fine table { font-size: 6.3pt; }
.fine h2 { font-size: 7.5pt; }
section, figure, table, tr { break-inside: avoid; }
"""


def _e(text: Any) -> str:
    """Escape any text for HTML (quotes too)."""
    return html.escape(str(text), quote=True)


def _table(head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    """Build a table of escaped cells; columns in ``numeric`` are right-aligned."""

    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="n"' if i in numeric else ""
        return f"<{tag}{cls}>{text}</{tag}>"

    out = ["<table><thead><tr>"]
    out += [cell("th", i, h) for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append(
            "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _header(a: MeetingData, f: Mapping[str, Any]) -> str:
    lang = a.lang
    last = fmt_period(f["last_period"], lang)
    first = fmt_period(f["first_period"], lang)
    labels = []
    if a.synthetic:
        label = config.synthetic_label
        key = "report.synthetic_files" if a.seed is None else "report.synthetic"
        text = t(key, lang, label=label, seed=a.seed)
        labels.append(f'<div class="label synthetic">{_e(text)}</div>')
    else:
        text = t("report.confidential", lang)
        labels.append(f'<div class="label confidential">{_e(text)}</div>')
    return (
        "<header><div>"
        f"<h1>{_e(t('title.meeting', lang))} — {_e(last)}</h1>"
        f'<p class="period">{_e(t("report.period", lang, first=first, last=last))}</p>'
        f'</div><div class="labels">{"".join(labels)}</div></header>'
    )


def _key_figures(a: MeetingData, f: Mapping[str, Any]) -> str:
    lang = a.lang
    tot, prev = f["totals"], f["totals_previous"] or {}
    last = fmt_period(f["last_period"], lang)
    rate = (
        100 * tot["occupied"] / tot["units"]
        if tot["occupied"] is not None and tot["units"]
        else None
    )
    sub = t("report.kf_rate", lang, rate=fmt_number(rate, 2, lang))
    if f["previous_period"] is not None:
        before = t(
            "report.kf_previous",
            lang,
            prev=fmt_period(f["previous_period"], lang),
            value=count(prev.get("occupied"), lang),
        )
        sub = f"{sub} · {before}"
    cards = [
        (t("report.kf_units", lang), count(tot["units"], lang), ""),
        (t("report.kf_occupied", lang, last=last), count(tot["occupied"], lang), sub),
        (t("report.kf_new", lang, last=last), count(tot["new_occupations"], lang), ""),
        (t("report.kf_evictions", lang, last=last), count(tot["evictions"], lang), ""),
        (t("report.kf_vacant", lang, last=last), count(tot["vacant"], lang), ""),
    ]
    body = "".join(
        f"<div>{_e(label)}<b>{_e(value)}</b><small>{_e(note)}</small></div>"
        for label, value, note in cards
    )
    return (
        f'<section class="kf" aria-label="{_e(t("report.key", lang))}">{body}</section>'
    )


def _map(a: MeetingData, f: Mapping[str, Any], map_png: Path | None) -> str:
    lang = a.lang
    caption = t("report.map", lang, last=fmt_period(f["last_period"], lang))
    if map_png is None or not Path(map_png).is_file():
        return f"<figure><p>{_e(t('report.map_missing', lang))}</p></figure>"
    data = base64.b64encode(Path(map_png).read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" '
        f'alt="{_e(t("report.map_alt", lang))}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _hot_spots(a: MeetingData, f: Mapping[str, Any]) -> str:
    lang = a.lang
    by_id = {d["district_id"]: d for d in f["districts"]}
    out = [f"<section><h2>{_e(t('report.hot', lang))}</h2>"]
    hot = f["hot_spots"]
    if not hot:
        last = fmt_period(f["last_period"], lang)
        out.append(f"<p>{_e(t('report.hot_none', lang, last=last))}</p>")
    else:
        rows = []
        for i in hot[:TOP_HOT]:
            d = by_id[i]
            trend = emerging_label(d["emerging"], lang) if d["emerging"] else ""
            rate = d["occupied_per_100"]
            shown = (
                t("value.withheld", lang) if rate is None else fmt_number(rate, 1, lang)
            )
            rows.append(
                [
                    _e(d["name"]),
                    _e(_CONFIDENCE.get(abs(int(d["gi_bin"] or 0)), "")),
                    _e(trend),
                    _e(shown),
                ]
            )
        head = [
            _e(t(f"report.col_{k}", lang))
            for k in ("district", "class", "trend", "rate")
        ]
        out.append(_table(head, rows, {1, 3}))
        if len(hot) > TOP_HOT:
            more = fmt_int(len(hot) - TOP_HOT, lang)
            out.append(f"<p>{_e(t('report.hot_more', lang, n=more))}</p>")
    if any(d["emerging"] for d in f["districts"]):
        out.append(f"<h3>{_e(t('report.trends', lang))}</h3>")
        if f["trends"]:
            items = "".join(
                f"<li>{_e(emerging_label(cat, lang))}: {_e(fmt_int(n, lang))}</li>"
                for cat, n in f["trends"].items()
            )
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{_e(t('report.trends_none', lang))}</p>")
    out.append("</section>")
    return "".join(out)


def _patrol(a: MeetingData, f: Mapping[str, Any]) -> str:
    lang = a.lang
    names = a.names
    top = f["patrol"][:TOP_PATROL]
    rows = [
        [
            _e(p["rank"]),
            _e(names.get(p["district_id"], p["district_id"])),
            _e(p["reasons"] or ""),
        ]
        for p in top
    ]
    head = [_e(t(f"report.col_{k}", lang)) for k in ("rank", "district", "reasons")]
    title = t("report.patrol", lang, n=fmt_int(len(top), lang))
    return f"<section><h2>{_e(title)}</h2>{_table(head, rows, {0})}</section>"


def _method(method: str, objective: str, lang: str) -> str:
    """Name a renovation method; the exact plan after its objective."""
    if method == "optimal":
        return t(f"renovation.method.optimal.{objective}", lang)
    key = f"renovation.method.{method}"
    return t(key, lang) if has_key(key) else method


def _naive_tradeoff(methods: dict[str, dict[str, Any]], lang: str) -> str:
    """Say the trade-off of the optimal plan against the simple rules, if any."""
    opt = methods["optimal"]
    better = [
        (m, r)
        for m, r in methods.items()
        if m != "optimal"
        and (r["units_recovered"] or 0) > (opt["units_recovered"] or 0)
    ]
    if not better:
        return t("report.no_tradeoff", lang)
    method, r = max(better, key=lambda mr: mr[1]["units_recovered"])
    return t(
        "report.tradeoff",
        lang,
        method=_method(method, "risk", lang),
        opt_units=fmt_int(opt["units_recovered"], lang),
        units=fmt_int(r["units_recovered"], lang),
        opt_rw=fmt_number(opt["risk_weighted_units"], 1, lang),
        rw=fmt_number(r["risk_weighted_units"], 1, lang),
    )


def _frontier(reno: Mapping[str, Any], lang: str) -> str:
    """Say the trade-off between units recovered and occupations prevented.

    A table of the efficient plans of all owners together (the chosen one
    marked), or one sentence when a single plan is best on both counts.
    Without a frontier (data built by hand), the exact plan against the
    simple rules.
    """
    said = renovation_text({"renovation": reno}, lang)
    total = [r for r in reno.get("frontier", []) if r["owner"] == S.ALL_OWNERS]
    if not total:
        methods = {m["method"]: m for m in reno["methods"]}
        return f"<p><b>{_e(_naive_tradeoff(methods, lang))}</b></p>"
    if len(total) == 1:
        return f"<p><b>{_e(t('renovation.no_tradeoff', lang))}</b></p>"

    def mark(r: dict[str, Any]) -> str:
        objectives = [o for o in str(r.get("objective") or "").split(", ") if o]
        words = [t(f"renovation.objective.{o}", lang) for o in objectives]
        if r.get("chosen"):
            words.append(t("renovation.header.chosen", lang).lower())
        return "; ".join(words)

    rows = [
        [
            _e(fmt_int(r.get("plan"), lang)),
            _e(fmt_int(r.get("units_recovered"), lang)),
            _e(fmt_number(r.get("risk_weighted_units"), 1, lang)),
            _e(fmt_eur(r.get("spend_eur"), lang)),
            _e(fmt_int(r.get("estates_selected"), lang)),
            _e(mark(r)),
        ]
        for r in total
    ]
    head = [
        _e(t(k, lang))
        for k in (
            "renovation.header.plan",
            "report.col_units",
            "report.col_rw",
            "report.col_spend",
            "report.col_estates",
            "renovation.header.objective",
        )
    ]
    return (
        f"<h3>{_e(t('report.tradeoff_title', lang))}</h3>"
        f"{_table(head, rows, {0, 1, 2, 3, 4})}"
        f"<p><b>{_e(said['frontier'])}</b></p>"
    )


def _renovation(a: MeetingData, f: Mapping[str, Any]) -> str:
    lang = a.lang
    reno = f["renovation"]
    objective = reno.get("objective", "risk")
    methods = {m["method"]: m for m in reno["methods"]}
    out = [f"<section><h2>{_e(t('report.renovation', lang))}</h2>"]
    opt = methods.get("optimal")
    if opt is None or not opt.get("units_recovered"):
        out.append(f"<p>{_e(t('report.plan_empty', lang))}</p></section>")
        return "".join(out)
    said = renovation_text(f, lang)
    out.append(f"<p>{_e(said['plan'])}</p>")
    if said["owners"]:
        owners = "<br>".join(_e(line.removeprefix("- ")) for line in said["owners"])
        out.append(f"<p>{owners}</p>")
    rows = [
        [
            _e(_method(m, objective, lang)),
            _e(fmt_int(r.get("units_recovered"), lang)),
            _e(fmt_number(r.get("risk_weighted_units"), 1, lang)),
            _e(fmt_eur(r.get("spend_eur"), lang)),
            _e(fmt_int(r.get("estates_selected"), lang)),
        ]
        for m, r in methods.items()
    ]
    head = [
        _e(t(f"report.col_{k}", lang))
        for k in ("method", "units", "rw", "spend", "estates")
    ]
    out.append(_table(head, rows, {1, 2, 3, 4}))
    out.append(_frontier(reno, lang))
    chosen = sorted(reno["selected"], key=lambda e: -(e.get("risk") or 0.0))
    if chosen:
        shown = [
            f"{e.get('name') or e['estate_id']} ({e['estate_id']})"
            for e in chosen[:TOP_ESTATES]
        ]
        more = len(chosen) - TOP_ESTATES
        text = ", ".join(shown)
        if more > 0:
            text += " " + t("list.more", lang, n=fmt_int(more, lang))
        out.append(f"<p>{_e(t('report.plan_estates', lang, estates=text))}</p>")
    out.append("</section>")
    return "".join(out)


def _backtest(a: MeetingData) -> str:
    lang = a.lang
    out = [f"<section><h2>{_e(t('report.backtest', lang))}</h2>"]
    if not a.backtest_verdict:
        out.append(f"<p>{_e(t('report.backtest_missing', lang))}</p></section>")
        return "".join(out)
    out.append(f'<p class="verdict">{_e(a.backtest_verdict)}</p>')
    summary = a.backtest_summary
    if summary is not None and len(summary):
        rows = []
        for r in summary.to_dict("records"):
            pai = fmt_number(r.get("pai_mean"), 2, lang)
            low, high = r.get("pai_low"), r.get("pai_high")
            if low is not None and high is not None:
                pai += f" ({fmt_number(low, 2, lang)}–{fmt_number(high, 2, lang)})"
            rows.append(
                [
                    _e(t(f"ranking.{r['ranking']}", lang)),
                    _e(pai),
                    _e(fmt_number(r.get("hit_rate_mean"), 3, lang)),
                ]
            )
        head = [
            _e(column_label(c, lang)) for c in ("ranking", "pai_mean", "hit_rate_mean")
        ]
        out.append(_table(head, rows, {1, 2}))
    out.append("</section>")
    return "".join(out)


def _since(a: MeetingData, f: Mapping[str, Any]) -> str:
    if a.previous is None:
        return ""
    lang = a.lang
    c = compare_figures(a.previous, f)
    old, new = fmt_period(c.old_period, lang), fmt_period(c.new_period, lang)
    out = [f"<section><h2>{_e(t('report.since', lang, old=old, new=new))}</h2>"]
    for key, values in c.warnings:
        out.append(f"<p>{_e(t(key, lang, **values))}</p>")
    for key, pairs in (("compare.entered", c.entered), ("compare.left", c.left)):
        names = ", ".join(name for _, name in pairs) or t("compare.none", lang)
        out.append(f"<p><b>{_e(t(key, lang))}:</b> {_e(names)}</p>")
    rows = []
    for frame in (c.rises, c.falls):
        for r in frame.head(3).itertuples():
            sign = "+" if r.change > 0 else ""
            rows.append(
                [
                    _e(r.name),
                    _e(fmt_int(r.old, lang)),
                    _e(fmt_int(r.new, lang)),
                    _e(sign + fmt_int(r.change, lang)),
                ]
            )
    if rows:
        head = [
            _e(t("report.col_district", lang)),
            _e(old),
            _e(new),
            _e(t("compare.col_change", lang)),
        ]
        out.append(_table(head, rows, {1, 2, 3}))
    r = c.renovation
    if r["estates"]:
        vacant = t("compare.reno_vacant", lang, n=fmt_int(r["compared"], lang))
        out.append(
            f"<p>{_e(vacant)}: {_e(fmt_int(r['vacant_old'], lang))} → "
            f"{_e(fmt_int(r['vacant_new'], lang))}; "
            f"{_e(t('compare.reno_emptied', lang))}: "
            f"{_e(fmt_int(r['emptied'], lang))}</p>"
        )
    out.append("</section>")
    return "".join(out)


def _reference(a: MeetingData, extra_notes: tuple[str, ...]) -> str:
    """Explain the indicators; state notes, data protection, sources and releases."""
    lang = a.lang
    explain = "".join(f"<li>{_e(x)}</li>" for x in explanations(a))
    notes = notes_text(a, extra=extra_notes, stale=False)  # the table says it
    notes_html = "".join(f"<li>{_e(n)}</li>" for n in notes)
    protection = (
        "" if a.synthetic else f"<p>{_e(t('report.data_protection', lang))}</p>"
    )
    rows = []
    for r in releases(a.sources, lang, today=a.today):
        release = _e(r.release)
        if r.stale:
            release += ' <span class="stale">⚠</span>'
        rows.append([_e(r.title), release])
    stale = any(r.stale for r in releases(a.sources, lang, today=a.today))
    legend = (
        f'<p><span class="stale">⚠ {_e(t("report.stale", lang))}</span></p>'
        if stale
        else ""
    )
    head = [_e(t(f"report.col_{k}", lang)) for k in ("dataset", "release")]
    sources = _table(head, rows, set()) if rows else ""
    attribution = attributions(source_names(a), lang)
    made = t("report.generated", lang, version=__version__)
    notes_section = (
        f'<section class="fine"><h2>{_e(t("report.notes", lang))}</h2>{protection}'
        f"{f'<ul>{notes_html}</ul>' if notes else ''}</section>"
        if notes or protection
        else ""
    )
    return (
        f'<section class="fine"><h2>{_e(t("report.indicators", lang))}</h2>'
        f"<ul>{explain}</ul></section>"
        f"{notes_section}"
        f'<section class="fine"><h2>{_e(t("report.sources", lang))}</h2>'
        f"{sources}{legend}<p>{_e(attribution)}</p><p>{_e(made)}</p></section>"
    )


def report_html(
    data: MeetingData,
    *,
    map_png: Path | None = None,
    extra_notes: tuple[str, ...] = (),
) -> str:
    """Return the meeting report as one self-contained HTML page.

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.
    map_png : Path, optional
        The static map, inlined as a ``data:`` URI (absent: a sentence says so).
    extra_notes : tuple of str
        Notes already in the meeting's language, after the run's own.

    Returns
    -------
    str
        The page: offline (:func:`loaded_resources` is empty), printable on
        one A4 landscape sheet, in ``data.lang``.
    """
    a = data
    f = key_figures(a)
    lang = a.lang
    title = t("report.doc_title", lang, last=fmt_period(f["last_period"], lang))
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f"{_header(a, f)}{_key_figures(a, f)}"
        '<div class="top">'
        f"<div>{_map(a, f, map_png)}</div>"
        f"<div>{_patrol(a, f)}</div>"
        f"<div>{_hot_spots(a, f)}</div>"
        "</div>"
        '<div class="flow">'
        f"{_renovation(a, f)}{_backtest(a)}{_since(a, f)}"
        f"{_reference(a, extra_notes)}"
        "</div>"
        "</main></body></html>\n"
    )
    remote = loaded_resources(page)
    if remote:
        raise ValidationError(
            f"report.html would load {len(remote)} resource(s), e.g. {remote[:3]!r}"
        )
    return page


class _Loads(HTMLParser):
    """Collect what a page would load: ``src``, ``href`` of links, CSS ``url()``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "srcset", "poster", "data") or (
                name == "href" and tag in ("link", "script", "base", "image")
            ):
                self.found.append(value)
            if name == "style":
                self.found += _css_urls(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += _css_urls(data)


def _css_urls(css: str) -> list[str]:
    import re

    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    urls += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return urls


def loaded_resources(page: str) -> list[str]:
    """Return what ``page`` would fetch (anything but ``data:`` URIs and anchors).

    Looks at what a browser loads — ``src`` attributes, ``href`` of
    ``link``/``script``, CSS ``url()`` and ``@import`` — so a URL written as
    text (an estate called ``http://...``) stays text.

    Parameters
    ----------
    page : str
        An HTML page.

    Returns
    -------
    list of str
        The URLs the page would load, in page order.
    """
    parser = _Loads()
    parser.feed(page)
    parser.close()
    return [u for u in parser.found if not u.strip().lower().startswith(("data:", "#"))]


def write_report(
    data: MeetingData,
    path: Path,
    *,
    map_png: Path | None = None,
    extra_notes: tuple[str, ...] = (),
) -> Path:
    """Write ``report.html`` (see :func:`report_html`) and return its path.

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.
    path : pathlib.Path
        The file to write.
    map_png : pathlib.Path or None, default None
        A static map image shown in the report, None for none.
    extra_notes : tuple of str, default ()
        Further notes, already in the meeting's language.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path.write_text(
        report_html(data, map_png=map_png, extra_notes=extra_notes), encoding="utf-8"
    )
    return path
