"""The words a meeting reads, in Italian and English (data of ``_i18n``'s catalogue).

Only data: ``key -> (italian, english)``, with ``{placeholders}`` filled by
:func:`geo_alloggi._i18n.t`. It holds the map and interface labels
(:data:`LABELS`, kept apart from :data:`CATALOGUE`), the tables' headers,
the summary's and report's sentences, the notes that restate warnings
(``note.*``), the explanations of each indicator (``explain.*``), the
reference datasets and the comparison of two bundles.

Modules: ``labels`` (map layers, legends, controls, reviews), ``tables``
(headers, values, datasets, renovation), ``texts`` (summary, explanations,
report, comparison), ``notes`` (warnings restated), ``commands`` (what the
``overlay``, ``validate`` and ``prioritise`` commands print).
"""

from __future__ import annotations

from geo_alloggi._catalogue.commands import COMMANDS
from geo_alloggi._catalogue.labels import LABELS
from geo_alloggi._catalogue.notes import NOTES, NOTES_ONE
from geo_alloggi._catalogue.quarantine import QUARANTINE
from geo_alloggi._catalogue.tables import DATASETS, HEADERS, RENOVATION, VALUES
from geo_alloggi._catalogue.texts import COMPARE, EXPLAIN, REPORT, SUMMARY

__all__ = ["CATALOGUE", "LABELS"]

CATALOGUE: dict[str, tuple[str, str]] = {
    **HEADERS,
    **VALUES,
    **SUMMARY,
    **EXPLAIN,
    **NOTES,
    **NOTES_ONE,
    **DATASETS,
    **RENOVATION,
    **REPORT,
    **COMPARE,
    **COMMANDS,
    **QUARANTINE,
}
