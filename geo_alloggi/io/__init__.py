"""Read and validate record files; write tables that open in Italian Excel.

Real records come from Aler, MM and the Prefettura as spreadsheets with
Italian headers, semicolons, decimal commas, dd/mm/yyyy dates and cp1252
encoding, and they are never clean. :func:`read_records` turns one such file
into the canonical table of :mod:`geo_alloggi._records` plus a quarantine
table holding every rejected row with the reason; nothing is lost silently
(``rows_read == len(accepted) + len(quarantine)``) and columns outside the
schema (names, fiscal codes, phone numbers...) are never read into any
output.

:func:`write_table` writes a table for a meeting: CSV with ``;``, decimal
comma and a UTF-8 BOM (Italian Excel opens it with a double click) or XLSX,
with spreadsheet formulas neutralised.

Row numbers
-----------
``row_number`` in quarantine tables (and the index of accepted tables) is the
number a person sees when opening the source file:

* CSV: the 1-based line number where the row starts, the header being line 1
  (so the first data row is row 2, as in Excel);
* XLSX: the sheet's row number (the header is the first of the first 20
  rows that names a known column, so title rows above it are skipped);
* GeoPackage / GeoJSON: the 1-based position of the feature in the layer.

Written tables name the column by what it counts (:func:`label_row_numbers`):
``file_line``, ``sheet_row`` or ``layer_feature``; sentences say "line",
"sheet row" or "feature" (:func:`label_of`).

Entirely blank rows (including CSV lines made only of delimiters) are not
records: they are neither counted in ``rows_read`` nor quarantined.

Modules
-------
``_columns``
    record kinds, canonical columns, recognised headers and value lists;
``_files``
    the raw table every reader returns; a file's bytes and format;
``_csv_scan``
    a CSV's encoding, delimiter, records and padded columns, from its bytes;
``_csv``
    CSV files into text columns;
``_sheets``
    XLSX sheets and GeoPackage/GeoJSON layers into text columns;
``_parsing``
    headers into columns; dates, numbers and value lists out of text;
``_area``
    whether points fall in the study area;
``_validation``
    the row checks: accepted table and quarantine;
``_read``
    :func:`read_records`, :func:`read_bundle`, :func:`load_records`;
``_table``
    :func:`read_table` (any CSV/XLSX table, rows numbered) and
    :func:`label_row_numbers`;
``_writing``
    :func:`write_table`.
"""

from __future__ import annotations

from geo_alloggi.io._area import AREA_TOLERANCE_M, STUDY_AREA_BOUNDS
from geo_alloggi.io._columns import (
    HOUSE_NUMBER,
    KINDS,
    canonical_comune,
    fold_value,
    record_columns,
)
from geo_alloggi.io._parsing import MISSING_PLACEHOLDERS
from geo_alloggi.io._read import (
    Bundle,
    PathLike,
    ReadResult,
    load_records,
    read_bundle,
    read_records,
)
from geo_alloggi.io._table import (
    find_column,
    label_of,
    label_row_numbers,
    read_table,
)
from geo_alloggi.io._validation import EARLIEST_DATE
from geo_alloggi.io._writing import write_table

__all__ = [
    "AREA_TOLERANCE_M",
    "EARLIEST_DATE",
    "HOUSE_NUMBER",
    "KINDS",
    "MISSING_PLACEHOLDERS",
    "STUDY_AREA_BOUNDS",
    "Bundle",
    "PathLike",
    "ReadResult",
    "canonical_comune",
    "find_column",
    "fold_value",
    "label_of",
    "label_row_numbers",
    "load_records",
    "read_bundle",
    "read_records",
    "read_table",
    "record_columns",
    "write_table",
]
