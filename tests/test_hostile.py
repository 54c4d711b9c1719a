"""The hostile-input corpus: the worst files real offices produce, through the CLI.

Every case goes through the command a user runs. The contract: a clear one-line
error (exit code 2) or a quarantine with a reason per row (exit code 0), never a
traceback, and rows in = rows accepted + rows quarantined.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geo_alloggi.cli import main

HEADER = "record_id;estate_id;unit_id;detected_on;ended_on;status;lon;lat\n"
GOOD = "R1;E1;U1;01/02/2019;;in corso;9,19;45,46\n"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def validate(path: Path, tmp_path: Path, capsys, kind: str = "occupations"):
    out_dir = tmp_path / f"out_{path.stem}"
    code, out, err = run(
        ["validate", kind, str(path), "--out-dir", str(out_dir)], capsys
    )
    assert "Traceback" not in err + out
    return code, out, err, out_dir


def reconcile(path: Path, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    acc = pd.read_csv(
        out_dir / "accepted.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    qua = pd.read_csv(
        out_dir / "quarantine.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    return acc, qua


# --- file-level problems: exit 2 and one line -----------------------------------------

FILE_PROBLEMS = {
    "empty.csv": (b"", "empty"),
    "garbage.csv": (bytes(range(256)) * 40, ""),
    "only_spaces.csv": (b"   \n\n  \n", "empty"),
    "dup_headers.csv": (
        b"record_id;estate_id;estate_id;detected_on\nR1;E1;E2;01/01/2019\n",
        "estate_id",
    ),
    "no_dates.csv": (b"record_id;estate_id\nR1;E1\n", "detected_on"),
    "zip_not_table.csv": (b"PK\x03\x04" + b"\x00" * 200, ""),
}


@pytest.mark.parametrize("name", sorted(FILE_PROBLEMS))
def test_file_level_problem_is_one_line(name, tmp_path, capsys):
    content, expected = FILE_PROBLEMS[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err, _ = validate(path, tmp_path, capsys)
    lines = [
        ln
        for ln in err.splitlines()
        if ln.strip() and not ln.startswith(("avviso:", "warning:"))
    ]
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert name in lines[0] and expected in lines[0]


# --- row-level problems: quarantine with reasons, counts reconcile ---------------


def _write(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_text(HEADER + "".join(rows), encoding=encoding)
    return path


def test_dates_in_many_formats(tmp_path, capsys):
    rows = [
        "R1;E1;U1;01/02/2019;;in corso;;\n",  # dd/mm/yyyy
        "R2;E1;U2;2019-02-01;;in corso;;\n",  # ISO
        "R3;E1;U3;1/2/2019;;in corso;;\n",  # no leading zeros
        "R4;E1;U4;31/02/2019;;in corso;;\n",  # impossible day
        "R5;E1;U5;ieri;;in corso;;\n",  # not a date
        "R6;E1;U6;01/01/1850;;in corso;;\n",  # implausibly old
        "R7;E1;U7;05/03/2019;01/03/2019;liberato;;\n",  # ends before it starts
    ]
    path = _write(tmp_path / "dates.csv", rows)
    code, _, _, out_dir = validate(path, tmp_path, capsys)
    assert code == 0
    acc, qua = reconcile(path, out_dir)
    assert len(acc) + len(qua) == len(rows)
    assert set(acc["record_id"]) == {"R1", "R2", "R3"}
    assert set(qua["record_id"]) == {"R4", "R5", "R6", "R7"}
    assert qua["reason"].str.len().gt(0).all()


def test_coordinates_swapped_outside_nan_inf(tmp_path, capsys):
    rows = [
        "R1;E1;U1;01/02/2019;;in corso;9,19;45,46\n",  # fine (Duomo)
        "R2;E1;U2;01/02/2019;;in corso;45,46;9,19\n",  # swapped
        "R3;E1;U3;01/02/2019;;in corso;12,49;41,89\n",  # Rome: outside the study area
        "R4;E1;U4;01/02/2019;;in corso;-74,0;40,7\n",  # outside Italy
        "R5;E1;U5;01/02/2019;;in corso;nan;45,46\n",  # NaN
        "R6;E1;U6;01/02/2019;;in corso;inf;45,46\n",  # infinite
    ]
    path = _write(tmp_path / "coords.csv", rows)
    code, _, _, out_dir = validate(path, tmp_path, capsys)
    assert code == 0
    acc, qua = reconcile(path, out_dir)
    assert list(acc["record_id"]) == ["R1"]
    reasons = dict(zip(qua["record_id"], qua["reason"], strict=True))
    assert "scambiate" in reasons["R2"]  # Italian by default (validate --lang it)
    assert "swap" not in reasons["R2"]
    assert set(reasons) == {"R2", "R3", "R4", "R5", "R6"}
    for reason in reasons.values():  # every coordinate reason said in Italian
        assert not re.search(r"coordinates|outside|range|or infinite", reason), reason


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig", "utf-8"])
def test_wrong_or_legacy_encodings(encoding, tmp_path, capsys):
    rows = ["R1;E1;U1;01/02/2019;;in corso;;\n", "R2;E1;U2;01/03/2019;;liberàto;;\n"]
    path = _write(tmp_path / f"enc_{encoding}.csv", rows, encoding=encoding)
    code, _, _, out_dir = validate(path, tmp_path, capsys)
    assert code == 0
    acc, qua = reconcile(path, out_dir)
    assert len(acc) + len(qua) == 2
    assert "R1" in set(acc["record_id"])


def test_mixed_delimiters(tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER
        + GOOD
        + "R2,E1,U2,01/02/2019,,in corso,,\n"  # a comma line in a semicolon file
        + "R3;E1;U3;01/02/2019;;in corso;;\n",
        encoding="utf-8",
    )
    code, _, err, out_dir = validate(path, tmp_path, capsys)
    if code == 2:  # refusing the file is acceptable: one line naming it
        assert "mixed.csv" in err
        return
    acc, qua = reconcile(path, out_dir)
    assert len(acc) + len(qua) == 3
    assert "R2" not in set(acc["record_id"])


def test_ten_megabyte_field(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    big = "x" * (10 * 1024 * 1024)
    path.write_text(
        HEADER + GOOD + f"R2;E1;{big};01/02/2019;;in corso;;\n", encoding="utf-8"
    )
    code, _, err, out_dir = validate(path, tmp_path, capsys)
    if code == 2:
        assert "huge.csv" in err
        return
    acc, qua = reconcile(path, out_dir)
    assert len(acc) + len(qua) == 2


def test_html_and_formulas_in_names_stay_text(tmp_path, capsys):
    path = tmp_path / "estates.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["codice_stabile", "nome", "indirizzo", "comune", "alloggi"])
        w.writerow(
            ["E1", "<img src=x onerror=alert(1)>", "Via Gola 10", "Milano", "40"]
        )
        w.writerow(["E2", '=HYPERLINK("http://x")', "Via Bolla 30", "Milano", "30"])
        w.writerow(["E3", "+39 02 1234", "Via Forze Armate 5", "Milano", "-3"])
    code, _, _, out_dir = validate(path, tmp_path, capsys, kind="estates")
    assert code == 0
    acc, qua = reconcile(path, out_dir)
    assert len(acc) + len(qua) == 3
    names = dict(zip(acc["estate_id"], acc["name"], strict=True))
    assert names["E1"] == "<img src=x onerror=alert(1)>"  # text, escaped later in HTML
    assert names["E2"].startswith("'=")  # neutralised in the written table
    assert "E3" in set(qua["estate_id"])  # units must be a positive integer


# --- district layers ------------------------------------------------------------------


def _layer(tmp_path: Path, name: str, geoms, ids, crs="EPSG:4326") -> Path:
    gdf = gpd.GeoDataFrame({"codice": ids}, geometry=geoms, crs=crs)
    path = tmp_path / name
    gdf.to_file(path)
    return path


def overlay(path: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    code, out, err = run(
        [
            "overlay",
            "--districts",
            str(path),
            "--id-column",
            "codice",
            "--synthetic",
            "--out-dir",
            str(tmp_path / f"ov_{path.stem}"),
        ],
        capsys,
    )
    assert "Traceback" not in err + out
    return code, err


def test_district_layer_problems(tmp_path, capsys):
    a, b = box(9.10, 45.44, 9.15, 45.48), box(9.15, 45.44, 9.20, 45.48)
    dup = _layer(tmp_path, "dup.geojson", [a, b], ["U1", "U1"])
    code, err = overlay(dup, tmp_path, capsys)
    assert code == 2 and "not unique" in err
    metres = gpd.GeoSeries([a, b], crs=4326).to_crs(32632)
    lying = _layer(tmp_path, "lying.gpkg", list(metres), ["U1", "U2"], crs="EPSG:4326")
    code, err = overlay(lying, tmp_path, capsys)
    assert code == 2 and "wrong CRS" in err
    empty = _layer(tmp_path, "empty.geojson", [a, Polygon()], ["U1", "U2"])
    code, err = overlay(empty, tmp_path, capsys)
    assert code == 2 and "without geometry" in err


def test_self_intersecting_district_is_repaired(tmp_path, capsys):
    bowtie = Polygon([(9.10, 45.42), (9.25, 45.52), (9.25, 45.42), (9.10, 45.52)])
    path = _layer(
        tmp_path,
        "bowtie.geojson",
        [bowtie, box(9.25, 45.42, 9.30, 45.52)],
        ["U1", "U2"],
    )
    code, err = overlay(path, tmp_path, capsys)
    assert code == 0, err
    (gpkg,) = (tmp_path / "ov_bowtie").glob("*.gpkg")
    out = gpd.read_file(gpkg)
    assert set(out["district_id"]) == {"U1", "U2"}
    assert out.geometry.is_valid.all()
