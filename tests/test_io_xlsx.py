"""The XLSX writer gives the package openpyxl's write-only mode gives."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.cell import WriteOnlyCell

from geo_alloggi._errors import ValidationError
from geo_alloggi.io import write_table
from geo_alloggi.io._xlsx import write_xlsx

_STAMP = re.compile(rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>")


def openpyxl_xlsx(
    header: list[str],
    columns: list[list[Any]],
    is_date: list[bool],
    path: Path,
    *,
    n_rows: int,
    date_fmt: str,
) -> None:
    """The reference: the same sheet through openpyxl's write-only workbook."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("tabella")
    ws.append(header)
    rows = zip(*columns, strict=True) if columns else [()] * n_rows
    for values in rows:
        row: list[Any] = []
        for flag, value in zip(is_date, values, strict=True):
            if flag and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = date_fmt
                row.append(cell)
            else:
                row.append(value)
        ws.append(row)
    wb.save(path)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        out = {n: z.read(n) for n in z.namelist()}
    out["docProps/core.xml"] = _STAMP.sub(b"", out["docProps/core.xml"])
    return out


def both(tmp_path: Path, header, columns, is_date, n_rows, date_fmt="DD/MM/YYYY"):
    ours, ref = tmp_path / "ours.xlsx", tmp_path / "ref.xlsx"
    write_xlsx(header, columns, is_date, ours, n_rows=n_rows, date_fmt=date_fmt)
    openpyxl_xlsx(header, columns, is_date, ref, n_rows=n_rows, date_fmt=date_fmt)
    return parts(ours), parts(ref)


EDGE_TEXT = ["a&b<c>d\"e'", " lead", "trail ", "   ", "", "#N/A", None,
             "x\ny\tz\rw", "àè€ 😀", "=1+2", "'=1", "y" * 40000]  # fmt: skip
EDGE_NUMBERS = [0.1, np.nan, np.inf, -np.inf, 1e20, 1e-7, -0.0,
                8.130000000000001, 2, 10**17, None, True]  # fmt: skip
EDGE_DATES = [dt.datetime(2019, 1, 1), None, dt.datetime(2020, 2, 29, 13, 45, 10),
              dt.datetime(1900, 1, 15), dt.datetime(1900, 3, 1),
              dt.datetime(2021, 12, 31, 0, 0, 0, 500_000), None, None, None, None,
              None, None]  # fmt: skip


@pytest.mark.parametrize("date_fmt", ["DD/MM/YYYY", "YYYY-MM-DD"])
def test_same_package_as_openpyxl(tmp_path, date_fmt):
    header = ["testo", "numeri", "data", "vuota", "&<>"]
    columns = [EDGE_TEXT, EDGE_NUMBERS, EDGE_DATES, [None] * 12, list(range(12))]
    ours, ref = both(
        tmp_path, header, columns, [False, False, True, False, False], 12, date_fmt
    )
    assert list(ours) == list(ref)  # the same parts in the same order
    for name in ref:
        assert ours[name] == ref[name], name


def test_same_package_without_dates_or_columns(tmp_path):
    # no date written: no number format; a row of empty cells; no rows; no columns
    for header, columns, is_date, n in [
        (["a", "d"], [[1, None, 2], [None, None, None]], [False, True], 3),
        (["a"], [[]], [False], 0),
        ([], [], [], 2),
    ]:
        ours, ref = both(tmp_path, header, columns, is_date, n)
        assert ours == ref


def test_many_columns_named_like_excel(tmp_path):
    header = [f"c{i}" for i in range(60)]  # past Z and AZ
    columns = [[i, f"t{i}"] for i in range(60)]
    ours, ref = both(tmp_path, header, columns, [False] * 60, 2)
    assert ours == ref
    assert b'r="BH3"' in ours["xl/worksheets/sheet1.xml"]


def test_control_character_refused(tmp_path):
    with pytest.raises(ValidationError, match="control character"):
        write_xlsx(["a"], [["ok\x07"]], [False], tmp_path / "x.xlsx", n_rows=1,
                   date_fmt="DD/MM/YYYY")  # fmt: skip


def test_table_reads_back_in_openpyxl(tmp_path):
    table = pd.DataFrame(
        {
            "quartiere": ["San Siro", "=1+1"],
            "quota": [21.8, np.nan],
            "dal": pd.to_datetime(["2019-01-01", None]),
        }
    )
    path = write_table(table, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "tabella"
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        ["quartiere", "quota", "dal"],
        ["San Siro", 21.8, dt.datetime(2019, 1, 1)],
        ["'=1+1", None, None],
    ]
    assert ws["C2"].number_format == "DD/MM/YYYY"
