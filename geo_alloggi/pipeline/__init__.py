"""Config-driven runs: records in, the coordination-meeting bundle out.

This package only wires the layers together (datasets → boundaries → io →
geocoding/linking → overlay → stats → priorities → maps/report) and writes
the outputs; every computation lives in its own module.

The bundle written to ``out_dir``:

``map.html``
    the meeting map, one offline file (no network request at all);
``map.png``, ``map.pdf``
    the main map for printed handouts (matplotlib);
``tables/*.csv`` and ``tables/*.xlsx``
    tables for Italian Excel (``;``, decimal comma, BOM), small counts
    suppressed, formula injection neutralised;
``layers.gpkg``, ``layers.qgz``
    every layer for QGIS, styled in its ``layer_styles`` table like the HTML
    map, and a QGIS project that opens them offline;
``report.html``, ``report.pdf``
    the meeting on one printable page (A4 landscape, offline); the PDF when
    Chromium is present, else a note says why not;
``figures.json``
    the published figures, language-neutral (``geo-alloggi compare`` reads
    two of them);
``summary.md``
    the key figures and the notes, in the meeting's language;
``manifest.json``
    inputs (with SHA-256), versions, seed, data sources and licences; the only
    file holding timestamps.

Modules: ``_settings`` (the TOML configuration), ``_progress`` (named steps),
``_link`` (linking records to estates), ``_disclose`` (what the bundle
publishes and withholds), ``_signals`` (trend and Gi* at any origin),
``_prioritise`` (back-test, patrols, renovation),
``_analyse`` (every analysis step), ``_notes`` (warnings kept as notes),
``_bundle`` (writing the bundle),
``_run`` (the demo and a user's files).

Examples
--------
>>> from geo_alloggi.pipeline import run_demo
>>> files = run_demo("out/demo", seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

from geo_alloggi.pipeline._analyse import Analysis, analyse
from geo_alloggi.pipeline._bundle import meeting_data, write_bundle
from geo_alloggi.pipeline._disclose import published_districts
from geo_alloggi.pipeline._link import link_bundle
from geo_alloggi.pipeline._prioritise import (
    PriorityTables,
    prioritise,
    published_backtest,
    trend,
)
from geo_alloggi.pipeline._progress import STEPS, StepCallback
from geo_alloggi.pipeline._run import DemoRecords, demo_records, run, run_demo
from geo_alloggi.pipeline._settings import (
    DEFAULT_BUDGET_EUR,
    RECORD_KINDS,
    PathLike,
    RunSettings,
    load_settings,
    patrol_weights,
)
from geo_alloggi.pipeline._signals import backtest_signals

__all__ = [
    "DEFAULT_BUDGET_EUR",
    "RECORD_KINDS",
    "STEPS",
    "Analysis",
    "DemoRecords",
    "PathLike",
    "PriorityTables",
    "RunSettings",
    "StepCallback",
    "analyse",
    "backtest_signals",
    "demo_records",
    "link_bundle",
    "load_settings",
    "meeting_data",
    "patrol_weights",
    "prioritise",
    "published_backtest",
    "published_districts",
    "run",
    "run_demo",
    "trend",
    "write_bundle",
]
