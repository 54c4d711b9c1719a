"""Tables, GeoPackage, summary and printable report for coordination meetings.

Everything here draws on plain data, a :class:`MeetingData` of frames and
options that the pipeline fills in, and never computes statistics. What a
meeting sees speaks Italian by default (English on request), with Italian
number and date formats; small counts are suppressed (cells marked, never
zeroed); no personal data reaches any table or layer; tables built from
synthetic records carry the SYNTHETIC label.

Modules: ``_data`` (:class:`MeetingData`), ``_tables`` (meeting tables),
``_gpkg`` (the GeoPackage), ``_figures`` (the published figures,
``figures.json``), ``_summary`` (``summary.md``), ``_sources`` (reference
datasets and their age), ``_html`` (``report.html``), ``_pdf``
(``report.pdf``), ``_compare`` (what changed between two bundles).
"""

from __future__ import annotations

from geo_alloggi.report._compare import (
    Comparison,
    compare_figures,
    comparison_markdown,
    comparison_table,
)
from geo_alloggi.report._data import MeetingData
from geo_alloggi.report._figures import (
    key_figures,
    read_figures,
    write_figures,
)
from geo_alloggi.report._gpkg import write_geopackage
from geo_alloggi.report._html import loaded_resources, report_html, write_report
from geo_alloggi.report._pdf import PdfPrinter, print_pdf
from geo_alloggi.report._sources import Release, releases
from geo_alloggi.report._summary import notes_text, write_summary
from geo_alloggi.report._tables import (
    area_name,
    backtest_tables,
    linking_table,
    mark_withheld,
    meeting_table,
    priority_table,
    suppress_small_counts,
    write_both,
    write_tables,
)

__all__ = [
    "Comparison",
    "MeetingData",
    "PdfPrinter",
    "Release",
    "area_name",
    "backtest_tables",
    "compare_figures",
    "comparison_markdown",
    "comparison_table",
    "key_figures",
    "linking_table",
    "loaded_resources",
    "mark_withheld",
    "meeting_table",
    "notes_text",
    "print_pdf",
    "priority_table",
    "read_figures",
    "releases",
    "report_html",
    "suppress_small_counts",
    "write_both",
    "write_figures",
    "write_geopackage",
    "write_report",
    "write_summary",
    "write_tables",
]
