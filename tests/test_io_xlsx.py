"""XLSX tables: what Excel (read here by openpyxl) finds in each cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd

from geo_alloggi.io import write_table


def cells(path) -> list[list[object]]:
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "tabella"
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_table_reads_back_in_openpyxl(tmp_path):
    table = pd.DataFrame(
        {
            "quartiere": ["San Siro", "=1+1"],
            "quota": [21.8, np.nan],
            "dal": pd.to_datetime(["2019-01-01", None]),
        }
    )
    path = write_table(table, tmp_path / "t.xlsx")
    assert cells(path) == [
        ["quartiere", "quota", "dal"],
        ["San Siro", 21.8, dt.datetime(2019, 1, 1)],
        ["'=1+1", None, None],
    ]
    ws = openpyxl.load_workbook(path).active
    assert ws["C2"].number_format == "DD/MM/YYYY"
    assert ws["A3"].data_type == "s"  # text, never a formula


def test_english_dates_and_edge_values(tmp_path):
    text = ["a&b<c>d\"e'", " lead", "trail ", "#N/A", None, "àè€ 😀", "{=A1}",
            "http://x.it", ""]  # fmt: skip
    numbers = [0.1, np.nan, 1e20, 1e-7, -0.0, 8.130000000000001, 2, 10**15, 7.0]
    days = pd.to_datetime(["2020-02-29 13:45:10", None, "1900-03-01 00:00:00",
                           "2021-12-31 00:00:00",
                           None, None, None, None, None])  # fmt: skip
    table = pd.DataFrame(
        {"testo": text, "numero": numbers, "giorno": days, "intero": range(9)}
    )
    path = write_table(table, tmp_path / "t.xlsx", lang="en")
    got = cells(path)
    assert got[0] == ["testo", "numero", "giorno", "intero"]
    rows = got[1:]
    # text stays text as written: no error value, array formula, link or number
    assert [r[0] for r in rows] == [v if v else None for v in text]  # "": empty
    expected = [None if v != v else v for v in numbers]
    assert [r[1] for r in rows] == expected
    assert rows[0][2] == dt.datetime(2020, 2, 29, 13, 45, 10)
    assert rows[2][2] == dt.datetime(1900, 3, 1)
    assert [r[3] for r in rows] == list(range(9))
    ws = openpyxl.load_workbook(path).active
    assert ws["C2"].number_format == "YYYY-MM-DD"
    assert ws["A5"].data_type == "s" and ws["A8"].hyperlink is None


def test_empty_table_and_many_columns(tmp_path):
    empty = pd.DataFrame({"a": pd.Series([], dtype=float), "b": []})
    assert cells(write_table(empty, tmp_path / "e.xlsx")) == [["a", "b"]]
    wide = pd.DataFrame({f"c{i}": [i] for i in range(60)})  # past Z and AZ
    got = cells(write_table(wide, tmp_path / "w.xlsx"))
    assert got == [[f"c{i}" for i in range(60)], list(range(60))]


def test_csv_and_xlsx_from_one_export_as_written_alone(tmp_path):
    table = pd.DataFrame(
        {
            "quartiere": ["San Siro", "=1+1", None],
            "quota": [21.8, np.nan, 0.5],
            "dal": pd.to_datetime(["2019-01-01 00:00:00", None, "2020-02-29 13:45:00"]),
            "attivo": [True, False, True],
        }
    ).set_index(pd.Index([3, 1, 2], name="riga"))
    both, alone = tmp_path / "both", tmp_path / "alone"
    both.mkdir()
    alone.mkdir()
    path = write_table(table, both / "t.csv", also=[both / "t.xlsx"])
    assert path == both / "t.csv"
    write_table(table, alone / "t.csv")
    write_table(table, alone / "t.xlsx")
    assert (both / "t.csv").read_bytes() == (alone / "t.csv").read_bytes()
    assert cells(both / "t.xlsx") == cells(alone / "t.xlsx")
    first = [3, "San Siro", 21.8, dt.datetime(2019, 1, 1), "sì"]
    assert cells(both / "t.xlsx")[1] == first
    lines = (both / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:3] == ["3;San Siro;21,8;01/01/2019 00:00;sì", "1;'=1+1;;;no"]
