"""Write a one-sheet XLSX of text, numbers and dates, without openpyxl.

The package is the one openpyxl's write-only mode makes for such a sheet
(same parts, same XML, byte for byte but for the time stamps in
``docProps/core.xml``), written about twenty times faster: the cells are
rendered as text, never as XML elements. ``tests/test_io_xlsx.py`` checks the
equality against openpyxl itself.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from geo_alloggi._errors import ValidationError

__all__ = ["write_xlsx"]

#: Characters a worksheet cannot hold (openpyxl refuses them too).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: Text Excel reads as an error value.
_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
#: Longest text a cell holds (longer text is cut, as openpyxl does).
_MAX_TEXT = 32767
_EPOCH = _dt.datetime(1899, 12, 30)

_NS = "http://schemas.openxmlformats.org"
_CT = "application/vnd.openxmlformats-"
_REL = f"{_NS}/officeDocument/2006/relationships"
_PARTS_BEFORE = {
    "docProps/app.xml": (
        f'<Properties xmlns="{_NS}/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel Compatible / Openpyxl 3.1.5</Application>"
        "<AppVersion>3.1</AppVersion></Properties>"
    ),
}
_PARTS_AFTER = {
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Type="{_REL}/officeDocument" Target="xl/workbook.xml" '
        'Id="rId1" /><Relationship Type="'
        f'{_NS}/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml" Id="rId2" />'
        f'<Relationship Type="{_REL}/extended-properties" Target="docProps/app.xml" '
        'Id="rId3" /></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns:r="{_REL}" xmlns="{_NS}/spreadsheetml/2006/main">'
        "<workbookPr /><workbookProtection /><bookViews><workbookView "
        'visibility="visible" minimized="0" showHorizontalScroll="1" '
        'showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" '
        'activeTab="0" autoFilterDateGrouping="1" /></bookViews><sheets>'
        '<sheet name="tabella" sheetId="1" state="visible" r:id="rId1" /></sheets>'
        '<definedNames /><calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Type="{_REL}/worksheet" Target="/xl/worksheets/sheet1.xml" '
        f'Id="rId1" /><Relationship Type="{_REL}/styles" Target="styles.xml" '
        f'Id="rId2" /><Relationship Type="{_REL}/theme" Target="theme/theme1.xml" '
        'Id="rId3" /></Relationships>'
    ),
    "[Content_Types].xml": (
        f'<Types xmlns="{_NS}/package/2006/content-types"><Default Extension="rels" '
        f'ContentType="{_CT}package.relationships+xml" /><Default Extension="xml" '
        'ContentType="application/xml" /><Override PartName="/xl/styles.xml" '
        f'ContentType="{_CT}officedocument.spreadsheetml.styles+xml" />'
        '<Override PartName="/xl/theme/theme1.xml" '
        f'ContentType="{_CT}officedocument.theme+xml" />'
        '<Override PartName="/docProps/core.xml" '
        f'ContentType="{_CT}package.core-properties+xml" />'
        '<Override PartName="/docProps/app.xml" '
        f'ContentType="{_CT}officedocument.extended-properties+xml" />'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{_CT}officedocument.spreadsheetml.worksheet+xml" />'
        '<Override PartName="/xl/workbook.xml" '
        f'ContentType="{_CT}officedocument.spreadsheetml.sheet.main+xml" /></Types>'
    ),
}
_SHEET_HEAD = (
    f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetPr><outlinePr '
    'summaryBelow="1" summaryRight="1" /><pageSetUpPr /></sheetPr><sheetViews>'
    '<sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1" />'
    '</sheetView></sheetViews><sheetFormatPr baseColWidth="8" '
    'defaultRowHeight="15" /><sheetData>'
)
_SHEET_TAIL = (
    '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" '
    'header="0.5" footer="0.5" /></worksheet>'
)
#: Excel's 64 indexed colours, as openpyxl lists them in every styles part.
_INDEXED = [
    "00000000", "00FFFFFF", "00FF0000", "0000FF00", "000000FF", "00FFFF00",
    "00FF00FF", "0000FFFF", "00000000", "00FFFFFF", "00FF0000", "0000FF00",
    "000000FF", "00FFFF00", "00FF00FF", "0000FFFF", "00800000", "00008000",
    "00000080", "00808000", "00800080", "00008080", "00C0C0C0", "00808080",
    "009999FF", "00993366", "00FFFFCC", "00CCFFFF", "00660066", "00FF8080",
    "000066CC", "00CCCCFF", "00000080", "00FF00FF", "00FFFF00", "0000FFFF",
    "00800080", "00800000", "00008080", "000000FF", "0000CCFF", "00CCFFFF",
    "00CCFFCC", "00FFFF99", "0099CCFF", "00FF99CC", "00CC99FF", "00FFCC99",
    "003366FF", "0033CCCC", "0099CC00", "00FFCC00", "00FF9900", "00FF6600",
    "00666699", "00969696", "00003366", "00339966", "00003300", "00333300",
    "00993300", "00993366", "00333399", "00333333",
]  # fmt: skip
_XF = 'fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0" />'


def write_xlsx(
    header: Sequence[str],
    columns: Sequence[Sequence[Any]],
    date_columns: Sequence[bool],
    path: Path,
    *,
    n_rows: int,
    date_fmt: str,
) -> None:
    """Write one sheet named ``tabella``: a header row, then the rows of ``columns``.

    Parameters
    ----------
    header : sequence of str
        Column names (the first row).
    columns : sequence of sequence
        The cells, column by column: None (empty), str, bool, int, float, or
        a naive ``datetime.datetime`` in the columns flagged as dates.
    date_columns : sequence of bool
        Which columns hold dates (shown with ``date_fmt``).
    path : pathlib.Path
        The file written (replaced).
    n_rows : int
        Rows below the header (the length of each column).
    date_fmt : str
        Excel number format of the dates, e.g. ``"DD/MM/YYYY"``.

    Raises
    ------
    ValidationError
        A text holds a control character a worksheet cannot store, or a cell
        holds a value of another type.
    """
    letters = [_column_letter(i) for i in range(1, len(header) + 1)]
    rows = [
        _row(
            1,
            [_text_cell(f"{c}1", str(h)) for c, h in zip(letters, header, strict=True)],
        )
    ]
    rendered = [
        _date_cells(values, c) if is_date else _plain_cells(values, c)
        for values, c, is_date in zip(columns, letters, date_columns, strict=True)
    ]
    cells_of_rows = zip(*rendered, strict=True) if rendered else [()] * n_rows
    for i, cells in enumerate(cells_of_rows, start=2):
        rows.append(_row(i, cells))
    dated = any(
        v is not None
        for values, is_date in zip(columns, date_columns, strict=True)
        if is_date
        for v in values
    )
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {
        **_PARTS_BEFORE,
        "docProps/core.xml": _core(now),
        "xl/theme/theme1.xml": _theme(),
        "xl/worksheets/sheet1.xml": _SHEET_HEAD + "".join(rows) + _SHEET_TAIL,
        "xl/styles.xml": _styles(date_fmt if dated else None),
        **_PARTS_AFTER,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))


def _row(i: int, cells: Sequence[str | None]) -> str:
    return f'<row r="{i}">' + "".join(c for c in cells if c) + "</row>"


def _column_letter(n: int) -> str:
    """Excel's name of the ``n``-th column (1: ``A``, 27: ``AA``)."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, value: str) -> str:
    """Render a text cell as openpyxl does: inline string, formula or error value."""
    value = value[:_MAX_TEXT]
    if _ILLEGAL.search(value):
        raise ValidationError(
            f"cell {ref} holds a control character a worksheet cannot store: "
            f"{value[:40]!r}"
        )
    if len(value) > 1 and value.startswith("="):
        return f'<c r="{ref}"><f>{_escape(value[1:])}</f><v /></c>'
    if value in _ERROR_CODES:
        return f'<c r="{ref}" t="e"><v>{value}</v></c>'
    if value == "":
        return f'<c r="{ref}" t="inlineStr" />'
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


def _number(value: float | int) -> str:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "<v />"
    return f"<v>{value:.16g}</v>"


def _plain_cells(values: Sequence[Any], letter: str) -> list[str | None]:
    out: list[str | None] = []
    for i, v in enumerate(values, start=2):
        if v is None:
            out.append(None)
        elif isinstance(v, bool):
            out.append(f'<c r="{letter}{i}" t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, int | float):
            out.append(f'<c r="{letter}{i}" t="n">{_number(v)}</c>')
        elif isinstance(v, str):
            out.append(_text_cell(f"{letter}{i}", v))
        else:
            raise ValidationError(
                f"cell {letter}{i}: cannot write a {type(v).__name__} to XLSX"
            )
    return out


def _date_cells(values: Sequence[Any], letter: str) -> list[str | None]:
    """Dates as Excel serial numbers (days since 1899-12-30), style 1."""
    out: list[str | None] = []
    for i, v in enumerate(values, start=2):
        if v is None:
            out.append(None)
            continue
        days = (v - _EPOCH).days
        if 0 < days <= 60:  # Excel's 29 February 1900
            days -= 1
        serial = (
            days
            + (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 10**6) / 86400
        )
        out.append(f'<c r="{letter}{i}" s="1" t="n">{_number(serial)}</c>')
    return out


def _core(now: str) -> str:
    return (
        f'<cp:coreProperties xmlns:cp="{_NS}/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>openpyxl</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _theme() -> str:
    return (
        resources.files("geo_alloggi")
        .joinpath("resources", "xlsx_theme1.xml")
        .read_text(encoding="utf-8")
    )


def _styles(date_fmt: str | None) -> str:
    """Return the styles part; with dates, their number format is style 1."""
    if date_fmt is None:
        formats = '<numFmts count="0" />'
        xfs = f'<cellXfs count="1"><xf numFmtId="0" {_XF}</cellXfs>'
    else:
        # openpyxl registers its default datetime format first, then ours
        formats = (
            '<numFmts count="2"><numFmt numFmtId="164" '
            'formatCode="yyyy-mm-dd h:mm:ss" /><numFmt numFmtId="165" '
            f'formatCode="{_escape(date_fmt)}" /></numFmts>'
        )
        xfs = (
            f'<cellXfs count="2"><xf numFmtId="0" {_XF}'
            f'<xf numFmtId="165" {_XF}</cellXfs>'
        )
    colors = "".join(f'<rgbColor rgb="{c}" />' for c in _INDEXED)
    return (
        f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">{formats}'
        '<fonts count="1"><font><name val="Calibri" /><family val="2" />'
        '<color theme="1" /><sz val="11" /><scheme val="minor" /></font></fonts>'
        '<fills count="2"><fill><patternFill /></fill><fill><patternFill '
        'patternType="gray125" /></fill></fills><borders count="1"><border><left />'
        "<right /><top /><bottom /><diagonal /></border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        f'borderId="0" /></cellStyleXfs>{xfs}<cellStyles count="1">'
        '<cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" /></cellStyles>'
        '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
        f'defaultPivotStyle="PivotStyleLight16" /><colors><indexedColors>{colors}'
        "</indexedColors></colors></styleSheet>"
    )
