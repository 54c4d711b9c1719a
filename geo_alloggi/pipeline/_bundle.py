"""Writing a run's meeting bundle: map, tables, GeoPackage, report, manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo_alloggi import config
from geo_alloggi._errors import InputFileError
from geo_alloggi._forked import Forked, say_again, warnings_of
from geo_alloggi._i18n import t
from geo_alloggi._version import __version__
from geo_alloggi.datasets import describe, sha256_file
from geo_alloggi.pipeline._analyse import Analysis
from geo_alloggi.pipeline._notes import collect_notes
from geo_alloggi.pipeline._settings import PathLike

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from geo_alloggi.report import MeetingData

__all__ = ["meeting_data", "write_bundle"]


def write_bundle(
    analysis: Analysis,
    out_dir: PathLike,
    *,
    inputs: Mapping[str, Any] | None = None,
    extra_files: list[Path] | None = None,
    mirror: PathLike | None = None,
    previous: PathLike | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Write map, tables, GeoPackage, report, summary and manifest into ``out_dir``.

    Parameters
    ----------
    analysis : Analysis
        What :func:`analyse` returned.
    out_dir : str or os.PathLike
        Folder written into (created when missing).
    inputs : mapping of str to object or None, default None
        Descriptions of the inputs, written as they are into the manifest.
    extra_files : list of pathlib.Path or None, default None
        Files already written into ``out_dir`` to list in the manifest.
    mirror : PathLike or None, default None
        Folder of official files, to state the release of each reference dataset.
    previous : PathLike or None, default None
        The previous meeting's bundle: the report says what changed since.
    pdf : bool, default True
        Print ``report.pdf`` with Chromium when it is present.

    Returns
    -------
    list of Path
        Every file written, manifest last.
    """
    from geo_alloggi import report

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(f"out_dir {str(out)!r} is a file; give a folder")
    before = report.read_figures(Path(previous)) if previous is not None else None
    (out / "tables").mkdir(parents=True, exist_ok=True)
    s = analysis.settings
    # the tables and the GeoPackage need neither the maps nor their imports: a
    # child writes them from the start, on the other core, while this process
    # imports the maps (matplotlib, folium) and Chromium starts (a process:
    # nothing runs beside the forks), ready by the time report.html is written.
    # Another child writes the HTML map and sends back its warnings; this one
    # draws the static map, writes the report and, while Chromium prints it,
    # styles the GeoPackage for QGIS (the styles classify as the maps do)
    with contextlib.ExitStack() as stack:
        layers = stack.enter_context(Forked(_write_layers, meeting_data(analysis), out))
        printer = stack.enter_context(report.PdfPrinter(lang=s.lang)) if pdf else None
        # imported once, before the HTML map's fork, for both processes: the
        # maps and their classifier (which brings matplotlib)
        import mapclassify  # noqa: F401

        from geo_alloggi import maps

        html_map = stack.enter_context(
            Forked(warnings_of, _write_html_map, analysis, out)
        )
        figure, static_said = warnings_of(_draw_static_map, analysis, out)
        # map.pdf is saved by a third child from its copy of the drawing while
        # this process writes the report (forked before Chromium's printing
        # thread starts)
        map_pdf = stack.enter_context(
            Forked(warnings_of, maps.save_static, figure, out / "map.pdf")
        )
        html_path, html_said = html_map.result()
        notes = list(analysis.notes)
        with collect_notes(notes):
            # what the maps could not show as asked (e.g. fewer classes) becomes
            # a note: their warnings raised again here, in the order raised
            say_again(html_said + static_said)
        data = dataclasses.replace(
            meeting_data(analysis),
            notes=tuple(notes),
            sources=_reference_sources(mirror),
            previous=before,
        )
        page = report.write_report(data, out / "report.html", map_png=out / "map.png")
        printed: Path | str | None = None
        if printer is not None:
            # printed before the tables are awaited: the print needs this process
            printer.submit(page, out / "report.pdf")
        # the GeoPackage is styled while Chromium prints
        layer_files = layers.result()
        layer_files.append(_style_layers(layer_files[-1], out, analysis))
        pdf_path, pdf_said = map_pdf.result()
        with collect_notes([]):  # the drawing's notes are in
            say_again(pdf_said)
        static_files = [out / "map.png", pdf_path]
        if printer is not None:
            printed = printer.result()
        written = [html_path, *static_files, *layer_files]
        written.append(
            report.write_figures(report.key_figures(data), out / "figures.json")
        )
        written.append(page)
        pdf_note: tuple[str, ...] = ()
        if isinstance(printed, Path):
            written.append(printed)
        elif printed is not None:
            pdf_note = (t("report.pdf_skipped", s.lang, reason=printed),)
        written.append(
            report.write_summary(data, out / "summary.md", extra_notes=pdf_note)
        )
        written += list(extra_files or [])
        shown = report.notes_text(data, extra=pdf_note)
        # written while the browser, its page printed, exits
        written.append(_write_manifest(analysis, out, written, inputs or {}, shown))
    return written


def _write_layers(data: MeetingData, out: Path) -> list[Path]:
    """Write the tables and the GeoPackage; return the paths written, GeoPackage last.

    They are written from the plain tables of ``data`` (its notes, sources
    and previous figures are not used).
    """
    from geo_alloggi import report

    written = report.write_tables(data, out / "tables")
    written.append(report.write_geopackage(data, out / "layers.gpkg"))
    return written


def _style_layers(gpkg: Path, out: Path, analysis: Analysis) -> Path:
    """Store the GeoPackage's QGIS styles, write the QGIS project; return its path."""
    from geo_alloggi import maps

    s = analysis.settings
    styles = maps.style_geopackage(gpkg, threshold=s.threshold, lang=s.lang)
    return maps.write_qgis_project(
        gpkg,
        out / "layers.qgz",
        styles=styles,
        synthetic=analysis.synthetic,
        lang=s.lang,
    )


def _write_html_map(analysis: Analysis, out: Path) -> Path:
    """Write ``map.html``; return its path."""
    from geo_alloggi import maps

    s = analysis.settings
    m = maps.meeting_map(
        analysis.latest,
        estates=analysis.estates,
        comuni=analysis.comuni,
        contours=analysis.contours,
        periods=analysis.shared_panel,
        patrol=analysis.patrol_districts,
        renovation=analysis.plan,
        lang=s.lang,
        synthetic=analysis.synthetic,
        threshold=s.threshold,
    )
    return maps.save_offline(m, out / "map.html")


def _draw_static_map(analysis: Analysis, out: Path) -> Figure:
    """Draw the static map and write ``map.png``; return the drawing (for PDF)."""
    from geo_alloggi import maps

    s = analysis.settings
    figure = maps.draw_static(
        analysis.latest,
        estates=analysis.estates,
        comuni=analysis.comuni,
        threshold=s.threshold,
        lang=s.lang,
        synthetic=analysis.synthetic,
    )
    maps.save_static(figure, out / "map.png")
    return figure


def _write_manifest(
    analysis: Analysis,
    out: Path,
    written: list[Path],
    inputs: Mapping[str, Any],
    notes: list[str],
) -> Path:
    from importlib.metadata import PackageNotFoundError, version

    from geo_alloggi.datasets import REGISTRY

    versions: dict[str, str | None] = {}
    for pkg in (
        "geopandas",
        "shapely",
        "pandas",
        "numpy",
        "scipy",
        "esda",
        "libpysal",
        "folium",
        "pyproj",
        "rtree",
        "rapidfuzz",
    ):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    s = analysis.settings
    manifest = {
        "generated_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "geo_alloggi": __version__,
        "python": platform.python_version(),
        "versions": versions,
        "synthetic": analysis.synthetic,
        "label": config.synthetic_label if analysis.synthetic else None,
        "seed": s.seed,
        "settings": {
            "level": s.level if s.districts_file is None else "custom",
            "period": s.period,
            "suppression_threshold": s.threshold,
            "budget_eur": s.budget_eur,
            "objective": s.objective,
            "lang": s.lang,
        },
        "inputs": dict(inputs),
        # records that could not be linked to an estate are counted nowhere
        "unlinked_records": _unlinked(analysis.links),
        # the notes of summary.md and report.html, in the meeting's language
        "notes": notes,
        "report_pdf": (out / "report.pdf") in written,
        "sources": {
            name: {
                "title": d.title,
                "publisher": d.publisher,
                "licence": d.licence,
                "url": d.url,
                "attribution": d.attribution,
            }
            for name, d in REGISTRY.items()
        },
        # SHA-256 of the byte-deterministic files; XLSX, GeoPackage, PNG and PDF
        # embed their own timestamps (their content is deterministic)
        "files": {
            str(p.relative_to(out)): sha256_file(p)
            if p.suffix in (".html", ".csv", ".md", ".json")
            else None
            for p in written
        },
    }
    path = out / "manifest.json"
    path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
        encoding="utf-8",
    )
    return path


def _unlinked(links: Any) -> dict[str, int] | None:
    """Count the records left unlinked per kind (None: records not linked)."""
    if links is None or not len(links) or "unlinked" not in links:
        return None
    return {
        str(k): int(n) for k, n in zip(links["kind"], links["unlinked"], strict=True)
    }


def _reference_sources(mirror: PathLike | None) -> Any:
    """Return the reference datasets at hand (mirror or cache): those a run used."""
    sources = describe(mirror=mirror)
    return sources[sources["source"].isin(["mirror", "cache"])].reset_index(drop=True)


def meeting_data(analysis: Analysis) -> MeetingData:
    """Return the plain frames and options the meeting tables are written from.

    Parameters
    ----------
    analysis : Analysis
        What :func:`analyse` returned.

    Returns
    -------
    MeetingData
        The tables and options :mod:`geo_alloggi.report` writes from.
    """
    from geo_alloggi.report import MeetingData

    a = analysis
    s = a.settings
    return MeetingData(
        districts=a.districts,
        panel=a.panel,
        published=a.published,
        latest=a.latest,
        estates=a.estates,
        contours=a.contours,
        patrol_districts=a.patrol_districts,
        patrol_estates=a.patrol_estates,
        social=a.social,
        renovation_plan=a.plan.plan,
        renovation_summary=a.plan.summary,
        renovation_by_owner=a.plan.by_owner,
        renovation_frontier=a.frontier,
        objective=s.objective,
        backtest=a.backtest.to_frame() if a.backtest is not None else None,
        backtest_summary=a.backtest.summary if a.backtest is not None else None,
        backtest_verdict=a.backtest.verdict(s.lang) if a.backtest is not None else "",
        links=a.links,
        moran_i=_number(a.moran.i if a.moran is not None else None),
        moran_p=_number(a.moran.p_sim if a.moran is not None else None),
        budget_eur=s.budget_eur,
        withheld_districts=a.withheld_districts,
        withheld_estates=a.withheld_estates,
        notes=tuple(a.notes),
        lang=s.lang,
        period=s.period,
        threshold=s.threshold,
        seed=s.seed,
        synthetic=a.synthetic,
    )


def _number(value: Any) -> float:
    """Return ``value`` as a float, NaN when it is missing (not computed)."""
    return float("nan") if value is None else float(value)
