"""Reading and validating record files; tables for Italian Excel."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo_alloggi import _schema as S
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._i18n import quarantine_reasons
from geo_alloggi.io import read_bundle, read_records, write_table

TODAY = "2025-06-30"
# a box around Milan and Cinisello (EPSG:4326) for tests that need no mirror
BOX = (9.03, 45.38, 9.29, 45.59)

OCC_HEADER = "codice_pratica;codice_stabile;data_rilevazione;data_fine;stato"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def occ(tmp_path: Path, *rows: str, header: str = OCC_HEADER, name="occ.csv") -> Path:
    return write(tmp_path / name, "\n".join([header, *rows]) + "\n")


def read(path: Path, kind: str = "occupations", **kwds):
    kwds.setdefault("today", TODAY)
    kwds.setdefault("study_area", BOX)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return read_records(path, kind, **kwds)


def reasons(result) -> dict[int, str]:
    q = result.quarantine
    return dict(zip(q[S.ROW_NUMBER], q["reason"], strict=True))


def said_in_italian(reason: str) -> None:
    """Every reason the library writes has its Italian in the catalogue."""
    for part in reason.split("; "):
        assert quarantine_reasons(part, "it") != part, part


def reconciles(result) -> None:
    assert result.rows_read == len(result.accepted) + len(result.quarantine)
    both = set(result.accepted.index) & set(result.quarantine[S.ROW_NUMBER])
    assert not both


# ---------------------------------------------------------------------------
# each bad-row kind, with its reason and its row number

GOOD = "P0;ST1;01/02/2019;;in corso"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("P1;ST1;31/02/2020;;in corso", "impossible date '31/02/2020' in detected_on"),
        ("P1;ST1;02/13/2020;;in corso", "impossible date '02/13/2020'"),
        ("P1;ST1;01/01/1850;;in corso", "is before 01/01/1900"),
        ("P1;ST1;01/07/2025;;in corso", "is in the future (after 30/06/2025)"),
        ("P1;ST1;ieri;;in corso", "unreadable date 'ieri'"),
        ("P1;ST1;;;in corso", "detected_on missing"),
        ("P1;ST1;05/05/2019;01/01/2019;liberato", "ended_on 01/01/2019 is before"),
        ("P1;ST1;05/05/2019;;boh", "unknown status 'boh'"),
        ("P1;ST1;05/05/2019;;liberato", "status 'ended' (column 'stato') but no end"),
        ("P1;ST1;05/05/2019;01/06/2019;in corso", "status 'ongoing'"),
        (";ST1;05/05/2019;;in corso", "record_id missing"),
        ("P1;;05/05/2019;;in corso", "no estate id, address or coordinates"),
    ],
)
def test_bad_occupation_row_quarantined_with_reason_and_line(tmp_path, row, expected):
    path = occ(tmp_path, GOOD, row)
    result = read(path)
    reconciles(result)
    assert list(result.accepted.index) == [2]
    assert list(result.quarantine[S.ROW_NUMBER]) == [3]
    assert expected in result.quarantine["reason"].iloc[0]
    said_in_italian(result.quarantine["reason"].iloc[0])


def test_duplicate_ids_keep_first_and_name_the_row(tmp_path):
    path = occ(
        tmp_path, GOOD, "P1;ST1;01/02/2019;;in corso", "P0;ST2;01/03/2019;;in corso"
    )
    result = read(path)
    assert list(result.accepted[S.RECORD_ID]) == ["P0", "P1"]
    assert reasons(result) == {4: "duplicate record_id 'P0' (first on line 2)"}
    said_in_italian(reasons(result)[4])


def test_unknown_estate_ids_when_estates_given(tmp_path):
    path = occ(tmp_path, GOOD, "P1;ST9;01/02/2019;;in corso")
    estates = pd.DataFrame({S.ESTATE_ID: ["ST1", "ST2"]})
    result = read(path, estates=estates)
    assert reasons(result) == {3: "unknown estate_id 'ST9' (not in the estates given)"}
    said_in_italian(reasons(result)[3])
    # without estates nothing is checked
    assert len(read(path).accepted) == 2


def test_several_reasons_on_one_row_all_reported(tmp_path):
    path = occ(tmp_path, GOOD, "P0;ST1;31/02/2019;31/12/1800;Boh")
    (reason,) = reasons(read(path)).values()
    parts = reason.split("; ")
    assert parts[0] == "duplicate record_id 'P0' (first on line 2)"
    assert any("impossible date '31/02/2019'" in p for p in parts)
    assert any("'31/12/1800'" in p and "before 01/01/1900" in p for p in parts)
    assert any("unknown status 'Boh'" in p for p in parts)
    said_in_italian(reason)


@pytest.mark.parametrize(
    ("units", "ok"),
    [
        ("12", True),
        ("1.234", True),
        ("0", False),
        ("-3", False),
        ("2,5", False),
        ("tanti", False),
        ("", False),
    ],
)
def test_units_must_be_a_positive_integer(tmp_path, units, ok):
    path = write(
        tmp_path / "est.csv",
        f"codice_stabile;nome;alloggi\nST1;Bolla;10\nST2;Gola;{units}\n",
    )
    result = read(path, "estates")
    reconciles(result)
    if ok:
        assert result.accepted[S.UNITS].tolist() == [
            10,
            1234 if units == "1.234" else 12,
        ]
    else:
        assert list(result.quarantine[S.ROW_NUMBER]) == [3]
        assert "units" in result.quarantine["reason"].iloc[0]
        said_in_italian(result.quarantine["reason"].iloc[0])


COORD_HEADER = "codice_pratica;indirizzo;data_rilevazione;lon;lat"


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        ("45,47", "9,19", "latitude and longitude look swapped"),
        ("9,60", "45,10", "outside the study area"),
        ("nan", "45,47", "not finite"),
        ("inf", "45,47", "not finite"),
        ("9,19", "", "only one of lon/lat"),
        ("514000", "5034000", "look projected"),
        ("9,1x", "45,47", "unreadable lon"),
        ("200", "45", "out of range"),
    ],
)
def test_bad_coordinates_quarantined(tmp_path, lon, lat, expected):
    path = occ(
        tmp_path,
        "P0;Via Gola 20;01/02/2019;9,1743;45,4490",
        f"P1;Via Bolla 30;01/02/2019;{lon};{lat}",
        header=COORD_HEADER,
    )
    result = read(path)
    reconciles(result)
    assert list(result.quarantine[S.ROW_NUMBER]) == [3]
    assert expected in result.quarantine["reason"].iloc[0]
    said_in_italian(result.quarantine["reason"].iloc[0])
    assert result.accepted[S.LON].tolist() == pytest.approx([9.1743])


def test_swapped_coordinates_not_fixed_against_real_study_area(tmp_path, study_area):
    # Piazza del Duomo (9.1900, 45.4642); Cinisello town hall (9.2149, 45.5586)
    path = occ(
        tmp_path,
        "P0;Piazza Duomo;01/02/2019;9.1900;45.4642",
        "P1;Piazza Duomo;01/02/2019;45.4642;9.1900",
        "P2;Cinisello;01/02/2019;9.2149;45.5586",
        "P3;Monza;01/02/2019;9.2744;45.5845",
        header=COORD_HEADER.replace(";", ","),
    )
    path.write_text(path.read_text().replace(";", ","))
    result = read(path, study_area=study_area)
    assert list(result.accepted.index) == [2, 4]
    got = reasons(result)
    assert "look swapped (lon=45.4642, lat=9.19)" in got[3]
    assert "outside the study area" in got[5]
    # not fixed: the swapped row is not among the accepted coordinates
    assert 45.4642 not in result.accepted[S.LON].tolist()


def test_area_check_can_be_skipped_but_swaps_still_seen(tmp_path):
    path = occ(
        tmp_path,
        "P0;Roma;01/02/2019;12,49;41,89",
        "P1;X;01/02/2019;45,0;120,0",
        header=COORD_HEADER,
    )
    result = read(path, check_area=False)
    assert list(result.accepted.index) == [2]
    assert "look swapped" in reasons(result)[3]


def test_evictions_value_lists_and_future_scheduled(tmp_path):
    text = (
        "ID Sgombero;Codice Stabile;Data Sgombero;Esito;Fragilità\n"
        "S1;ST1;03/04/2019;Eseguito;Sì\n"
        "S2;ST1;2019-04-05;FALLITO;no\n"
        "S3;ST1;15/09/2025;programmato;1\n"  # future but scheduled: fine
        "S4;ST1;15/09/2025;eseguito;0\n"  # executed in the future: bad
        "S5;ST1;16/09/2025;rinviato;\n"
        "S6;ST1;01/04/2019;boh;si\n"
        "S7;ST1;01/04/2019;executed;forse\n"
    )
    result = read(write(tmp_path / "ev.csv", text), "evictions")
    reconciles(result)
    acc = result.accepted
    assert acc[S.RECORD_ID].tolist() == ["S1", "S2", "S3", "S5"]
    assert acc[S.OUTCOME].tolist() == ["executed", "failed", "scheduled", "postponed"]
    assert acc[S.VULNERABLE].tolist() == [True, False, True, pd.NA]
    assert acc[S.EVICTION_DATE].tolist() == [
        pd.Timestamp("2019-04-03"),
        pd.Timestamp("2019-04-05"),
        pd.Timestamp("2025-09-15"),
        pd.Timestamp("2025-09-16"),
    ]
    got = reasons(result)
    assert "in the future" in got[5]
    assert "unknown outcome 'boh'" in got[7]
    assert "vulnerable 'forse' is not yes/no" in got[8]


def test_occupation_status_derived_and_translated(tmp_path):
    path = occ(
        tmp_path,
        "P1;ST1;01/02/2019;;In Corso",
        "P2;ST1;01/02/2019;03/03/2020;LIBERATO",
        "P3;ST1;2019-02-01;2020-03-04;ended",
        header=OCC_HEADER,
    )
    acc = read(path).accepted
    assert acc[S.STATUS].tolist() == ["ongoing", "ended", "ended"]
    assert acc[S.ENDED_ON].isna().tolist() == [True, False, False]
    no_status = occ(
        tmp_path,
        "P1;ST1;01/02/2019;",
        "P2;ST1;01/02/2019;03/03/2020",
        header="codice_pratica;codice_stabile;data_rilevazione;data_liberazione",
        name="b.csv",
    )
    assert read(no_status).accepted[S.STATUS].tolist() == ["ongoing", "ended"]


def test_vacancies_cost_decimal_comma_and_generated_ids(tmp_path):
    text = (
        "Codice Stabile;Codice Alloggio;Sfitto dal;Motivo;Costo\n"
        "ST1;A1;01/01/2014;mancata manutenzione;12.345,50\n"
        "ST1;A2;01/01/2015;;€ 8.000\n"
        "ST1;A3;01/01/2016;altro;-5\n"
    )
    result = read(write(tmp_path / "v.csv", text), "vacancies")
    acc = result.accepted
    assert acc[S.RECORD_ID].tolist() == ["line-2", "line-3"]
    assert acc[S.RENOVATION_COST].tolist() == [12345.5, 8000.0]
    assert acc[S.REASON].tolist()[0] == "mancata manutenzione"
    assert "not a non-negative amount" in reasons(result)[4]
    # the vacancy's own reason does not clash with the quarantine's reason
    assert result.quarantine["vacancy_reason"].tolist() == ["altro"]


# ---------------------------------------------------------------------------
# row numbers as a person counts them


def test_row_numbers_skip_blank_lines_and_count_multiline_cells(tmp_path):
    text = (
        "codice_pratica,codice_stabile,note,data_rilevazione\n"  # line 1
        "P1,ST1,ok,01/02/2019\n"  # 2
        "\n"  # 3 blank
        ",,,\n"  # 4 only delimiters: blank
        'P2,ST1,"two\nlines",31/02/2019\n'  # 5-6
        "P3,ST1,x,01/02/2019\n"  # 7
        "P4,ST1,x,y,01/02/2019\n"  # 8: one field too many
    )
    result = read(write(tmp_path / "o.csv", text))
    reconciles(result)
    assert result.rows_read == 4
    assert list(result.accepted.index) == [2, 7]
    got = reasons(result)
    assert set(got) == {5, 8}
    assert "impossible date" in got[5]
    assert got[8].startswith("row has 5 fields but the header has 4")


def test_fast_path_row_numbers_with_blank_lines(tmp_path):
    path = occ(tmp_path, GOOD, "", "P1;ST1;31/02/2020;;in corso", "", "")
    result = read(path)
    assert result.rows_read == 2
    assert reasons(result).keys() == {4}


# ---------------------------------------------------------------------------
# file-level problems: one line naming the file, the problem and the fix


def one_line_error(path, kind="occupations", **kwds) -> str:
    with pytest.raises(InputFileError) as info:
        read(path, kind, **kwds)
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message
    return message


def test_missing_file(tmp_path):
    assert "file not found" in one_line_error(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", [b"", b"  \r\n\n", b"\xef\xbb\xbf\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "is empty" in one_line_error(path)


def test_binary_and_other_non_tables(tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    assert "binary file, not a text table" in one_line_error(binary)
    pdf = tmp_path / "verbale.csv"
    pdf.write_bytes(b"%PDF-1.7\n...")
    assert "PDF" in one_line_error(pdf)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "save it as .xlsx" in one_line_error(xls)
    prose = write(tmp_path / "note.txt", "Gentile ufficio,\nallego i dati.\n")
    assert "no recognised occupations column" in one_line_error(prose)


def test_required_column_missing(tmp_path):
    path = occ(tmp_path, "P1;ST1;x", header="codice_pratica;codice_stabile;nominativo")
    message = one_line_error(path)
    assert "no column for 'detected_on'" in message
    assert "data_rilevazione" in message  # says which header would do


def test_duplicated_headers(tmp_path):
    path = occ(
        tmp_path,
        "P1;ST1;ST2;01/02/2019",
        header="codice_pratica;codice_stabile;codice_stabile;data_rilevazione",
    )
    assert "appears twice (columns 2 and 3)" in one_line_error(path)
    both = occ(
        tmp_path,
        "P1;ST1;01/02/2019;01/03/2019;01/04/2019",
        header="codice_pratica;codice_stabile;data_rilevazione;data_fine;"
        "data_liberazione",
        name="b.csv",
    )
    message = one_line_error(both)
    assert "'data_fine' and 'data_liberazione' both mean 'ended_on'" in message
    # the fix works: ignore one of them
    ok = read(both, columns={"data_liberazione": None})
    assert ok.accepted[S.ENDED_ON].tolist() == [pd.Timestamp("2019-03-01")]


def test_lon_without_lat_is_a_file_problem(tmp_path):
    path = occ(
        tmp_path,
        "P1;ST1;01/02/2019;9.1",
        header="codice_pratica;codice_stabile;data_rilevazione;lon",
    )
    assert "has a 'lon' column but no 'lat' column" in one_line_error(path)


def test_header_only_file_reads_zero_rows(tmp_path):
    path = occ(tmp_path)
    with pytest.warns(UserWarning, match="no data rows"):
        result = read_records(path, "occupations", today=TODAY)
    assert result.rows_read == 0 and len(result.accepted) == 0


# ---------------------------------------------------------------------------
# encodings, delimiters, headers


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        ("cp1252", "cp1252"),
        ("latin-1", "latin-1"),
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_detected(tmp_path, encoding, label):
    euro = "€ " if encoding != "latin-1" else ""
    text = (
        "Codice Stabile;Denominazione;Indirizzo;Comune;Proprietà;N° Alloggi\n"
        f"ST1;Quartiere Città Studi – {euro}lotto;Via Niccolò Tommaseo 3;"
        "CINISELLO BALSAMO;ALER Milano;12\n"
        "ST2;Ca' Granda;Viale Fulvio Testi 12;Milano;Comune di Milano (MM);8\n"
    )
    if encoding == "latin-1":
        text = text.replace("–", "-")
    result = read(write(tmp_path / "e.csv", text, encoding), "estates")
    assert result.encoding == label
    acc = result.accepted
    assert acc[S.NAME].tolist()[0] == (
        "Quartiere Città Studi "
        + ("– " if encoding != "latin-1" else "- ")
        + euro
        + "lotto"
    )
    assert acc[S.ADDRESS].tolist()[0] == "Via Niccolò Tommaseo 3"
    assert acc[S.COMUNE].tolist() == ["Cinisello Balsamo", "Milano"]
    assert acc[S.OWNER].tolist() == ["Aler", "Comune-MM"]
    assert acc[S.UNITS].tolist() == [12, 8]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_and_iso_dates(tmp_path, delimiter):
    rows = [
        ["record_id", "estate_id", "detected_on", "ended_on", "status"],
        ["P1", "ST1", "2019-02-01", "2020-03-04T10:30:00", "ended"],
        ["P2", "ST1", "01.02.2019", "", "ongoing"],
    ]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    result = read(write(tmp_path / "o.csv", text))
    assert result.delimiter == delimiter
    assert result.accepted[S.DETECTED_ON].tolist() == [pd.Timestamp("2019-02-01")] * 2
    assert result.accepted[S.ENDED_ON].tolist()[0] == pd.Timestamp("2020-03-04")


def test_decimal_point_in_comma_files_and_comma_in_semicolon_files(tmp_path):
    comma = write(tmp_path / "c.csv", "estate_id,units,lon,lat\nST1,10,9.1743,45.449\n")
    semi = write(tmp_path / "s.csv", "estate_id;units;lon;lat\nST1;10;9,1743;45,449\n")
    for path in (comma, semi):
        acc = read(path, "estates").accepted
        assert acc[S.LON].tolist() == [9.1743]
        assert acc.geometry.iloc[0].equals(Point(9.1743, 45.449))
        assert acc.crs == "EPSG:4326"
        assert acc[S.POSITION_SOURCE].tolist() == ["input"]


def test_headers_case_accent_and_user_mapping(tmp_path):
    header = "Num. Pratica;Cod. Immobile;DATA RILEVAZIONE;Stato Occupazione"
    path = occ(tmp_path, "P1;ST1;01/02/2019;IN CORSO", header=header)
    message = one_line_error(path)
    assert "no column for 'record_id'" in message
    result = read(
        path, columns={"num. pratica": "record_id", "Cod. Immobile": "estate_id"}
    )
    assert result.column_map == {
        "Num. Pratica": "record_id",
        "Cod. Immobile": "estate_id",
        "DATA RILEVAZIONE": "detected_on",
        "Stato Occupazione": "status",
    }
    assert result.accepted[S.ESTATE_ID].tolist() == ["ST1"]
    with pytest.raises(ValidationError, match="not a column of occupations"):
        read(path, columns={"Num. Pratica": "nominativo"})
    with pytest.raises(InputFileError, match="not a header of the file"):
        read(path, columns={"Protocollo": "record_id"})


# ---------------------------------------------------------------------------
# personal data never reaches any output

PERSONAL = {
    "Nominativo": ["Mario Rossi", "Giulia Bianchi", "Anna Verdi"],
    "Codice Fiscale": ["RSSMRA80A01F205X", "BNCGLI85B41F205Y", "VRDNNA90C41F205Z"],
    "Telefono": ["+39 333 1234567", "+39 347 7654321", "02 99887766"],
}


def personal_file(tmp_path: Path) -> Path:
    frame = pd.DataFrame(
        {
            "Codice Pratica": ["P1", "P2", "P3"],
            "Nominativo": PERSONAL["Nominativo"],
            "Codice Stabile": ["ST1", "ST1", "ST2"],
            "Codice Fiscale": PERSONAL["Codice Fiscale"],
            "Data Rilevazione": ["01/02/2019", "31/02/2019", "05/05/2019"],
            "Telefono": PERSONAL["Telefono"],
        }
    )
    path = tmp_path / "personal.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    return path


def test_personal_columns_dropped_with_one_warning(tmp_path):
    path = personal_file(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_records(path, "occupations", today=TODAY)
    dropped = [w for w in caught if "outside the occupations schema" in str(w.message)]
    assert len(dropped) == 1
    assert issubclass(dropped[0].category, UserWarning)
    for name in PERSONAL:
        assert repr(name) in str(dropped[0].message)
    assert result.dropped_columns == tuple(PERSONAL)
    assert len(result.accepted) == 2 and len(result.quarantine) == 1
    outputs = [
        result.accepted.to_csv(),
        result.quarantine.to_csv(),
        " ".join(map(str, result.accepted.columns)),
        " ".join(map(str, result.quarantine.columns)),
    ]
    csv_path = write_table(result.quarantine, tmp_path / "q.csv")
    xlsx_path = write_table(result.accepted, tmp_path / "a.xlsx")
    outputs.append(csv_path.read_text(encoding="utf-8-sig"))
    wb = openpyxl.load_workbook(xlsx_path)
    outputs.append(" ".join(str(c.value) for row in wb.active.iter_rows() for c in row))
    text = "\n".join(outputs)
    for values in PERSONAL.values():
        for value in values:
            assert value not in text
    for name in PERSONAL:
        assert name not in text


# ---------------------------------------------------------------------------
# XLSX and layers


def test_xlsx_rows_types_and_row_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "Codice Pratica",
            "Codice Stabile",
            "Data Rilevazione",
            "Data Fine",
            "Nominativo",
        ]
    )
    ws.append(["P1", "ST1", dt.datetime(2019, 2, 1), None, "Mario Rossi"])
    ws.append([None, None, None, None, None])  # row 3 empty
    ws.append(["P2", 17, "31/02/2019", None, "Anna Verdi"])
    ws.append([3, "ST2", dt.date(2020, 5, 6), dt.datetime(2021, 1, 2, 10, 30), "X"])
    path = tmp_path / "occ.xlsx"
    wb.save(path)
    result = read(path)
    reconciles(result)
    assert result.file_format == "xlsx"
    assert list(result.accepted.index) == [2, 5]
    assert result.accepted[S.RECORD_ID].tolist() == ["P1", "3"]
    assert result.accepted[S.ENDED_ON].tolist()[1] == pd.Timestamp("2021-01-02")
    assert result.accepted[S.STATUS].tolist() == ["ongoing", "ended"]
    assert list(reasons(result)) == [4]
    assert result.quarantine[S.ESTATE_ID].tolist() == ["17"]
    assert "Mario Rossi" not in result.accepted.to_csv() + result.quarantine.to_csv()


def test_geopackage_and_geojson_estates(tmp_path):
    gdf = gpd.GeoDataFrame(
        {
            "codice_stabile": ["ST1", "ST2", "ST3"],
            "alloggi": [10, 20, 5],
            "proprietario": ["Aler", "MM", "Aler"],
            "referente": ["Mario Rossi", "Anna Verdi", "X"],
            "geometry": [
                Point(9.1743, 45.4490),
                box(9.10, 45.50, 9.11, 45.51),
                Point(45.4490, 9.1743),  # swapped
            ],
        },
        crs="EPSG:4326",
    )
    gpkg = tmp_path / "estates.gpkg"
    gdf.to_crs("EPSG:32632").to_file(gpkg, layer="stabili")
    geojson = tmp_path / "estates.geojson"
    gdf.to_file(geojson, driver="GeoJSON")
    for path in (gpkg, geojson):
        result = read(path, "estates")
        reconciles(result)
        acc = result.accepted
        assert acc[S.ESTATE_ID].tolist() == ["ST1", "ST2"]
        assert acc[S.LON].iloc[0] == pytest.approx(9.1743, abs=1e-9)
        assert acc[S.LAT].iloc[0] == pytest.approx(45.4490, abs=1e-9)
        assert box(9.10, 45.50, 9.11, 45.51).contains(acc.geometry.iloc[1])
        assert acc[S.OWNER].tolist() == ["Aler", "Comune-MM"]
        assert "look swapped" in reasons(result)[3]
        assert result.dropped_columns == ("referente",)


# ---------------------------------------------------------------------------
# counts always reconcile


def test_counts_reconcile_on_a_seeded_messy_file(tmp_path):
    rng = np.random.default_rng(7)
    choices = [
        "01/02/2019",
        "31/02/2019",
        "2019-13-01",
        "",
        "ieri",
        "01/01/1850",
        "15/07/2030",
        "2020-02-29",
        "29/02/2019",
    ]
    lines = [OCC_HEADER]
    expected_bad = 0
    for _ in range(400):
        ident = f"P{rng.integers(0, 350)}"
        date = choices[rng.integers(0, len(choices))]
        lines.append(f"{ident};ST1;{date};;in corso")
        if rng.random() < 0.05:
            lines.append("")
    path = write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    result = read(path)
    reconciles(result)
    assert result.rows_read == 400
    # an independent count: a row is good when its id is new and its date valid
    seen: set[str] = set()
    for line in lines[1:]:
        if not line:
            continue
        ident, _, date, _, _ = line.split(";")
        good = ident not in seen and date in ("01/02/2019", "2020-02-29")
        seen.add(ident)
        expected_bad += not good
    assert len(result.quarantine) == expected_bad


def test_read_bundle_checks_estate_ids(tmp_path):
    estates = write(tmp_path / "e.csv", "codice_stabile;alloggi\nST1;10\nST2;0\n")
    occupations = occ(tmp_path, GOOD, "P1;ST2;01/02/2019;;in corso")
    bundle = read_bundle(
        estates=estates, occupations=occupations, today=TODAY, study_area=BOX
    )
    records = bundle.records
    assert records.estates[S.ESTATE_ID].tolist() == ["ST1"]
    assert records.occupations[S.RECORD_ID].tolist() == ["P0"]
    assert "unknown estate_id 'ST2'" in reasons(bundle.results["occupations"])[3]
    assert len(records.evictions) == 0
    assert list(records.evictions.columns) == [
        S.RECORD_ID,
        S.ESTATE_ID,
        S.UNIT_ID,
        S.EVICTION_DATE,
        S.OUTCOME,
        S.VULNERABLE,
    ]


# ---------------------------------------------------------------------------
# write_table


def sample_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quartiere": [
                "San Siro",
                '=HYPERLINK("http://x")',
                "+39 333",
                "-1+2",
                "@SUM(A1)",
                "\tTab",
            ],
            "occupati": [873, 1, 2, 3, 4, 5],
            "ogni_100": [21.825, 0.5, np.nan, 1.0, 2.0, 3.0],
            "data": pd.to_datetime(
                [
                    "2019-12-31",
                    "2020-01-01",
                    None,
                    "2020-01-02",
                    "2020-01-03",
                    "2020-01-04",
                ]
            ),
            "vulnerabile": [True, False, True, False, True, False],
        }
    )


def test_write_table_csv_italian_excel(tmp_path):
    path = write_table(sample_table(), tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "quartiere;occupati;ogni_100;data;vulnerabile"
    assert lines[1] == "San Siro;873;21,825;31/12/2019;sì"
    assert lines[2].startswith('"\'=HYPERLINK(""http://x"")";1;0,5;01/01/2020;no')
    assert lines[3] == "'+39 333;2;;;sì"
    assert lines[4].startswith("'-1+2;")
    assert lines[5].startswith("'@SUM(A1);")
    assert lines[6].startswith("'\tTab;")
    # and it reads back with the Italian conventions
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["ogni_100"].tolist()[:2] == [21.825, 0.5]


def test_write_table_csv_english(tmp_path):
    path = write_table(sample_table(), tmp_path / "t.csv", lang="en")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "San Siro,873,21.825,2019-12-31,yes"


def test_write_table_xlsx_neutralises_formulas(tmp_path):
    path = write_table(sample_table(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    values = [c.value for c in ws["A"]]
    assert values[0] == "quartiere"
    assert values[2] == '\'=HYPERLINK("http://x")'
    assert all(not (v.startswith(("=", "+", "-", "@", "\t"))) for v in values)
    assert all(c.data_type == "s" for c in ws["A"])
    assert ws["D2"].value == dt.datetime(2019, 12, 31)
    assert ws["D2"].number_format == "DD/MM/YYYY"
    assert ws["C2"].value == 21.825
    assert ws["E2"].value == "sì"


def test_write_table_index_and_geometry(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"estate_id": ["ST1"], "lon": [9.1]},
        geometry=[Point(9.1, 45.4)],
        crs="EPSG:4326",
        index=pd.Index([7], name="row_number"),
    )
    lines = write_table(gdf, tmp_path / "g.csv").read_text(encoding="utf-8-sig")
    assert lines.splitlines() == ["row_number;estate_id;lon", "7;ST1;9,1"]
    with pytest.raises(ValidationError, match=r"must end in '\.csv' or '\.xlsx'"):
        write_table(gdf, tmp_path / "g.txt")


# ---------------------------------------------------------------------------
# the command line


def test_cli_validate_end_to_end(tmp_path, capsys):
    from geo_alloggi.cli import main

    path = personal_file(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["validate", "occupazioni", str(path), "--out-dir", str(out)])
    assert info.value.code == 0
    captured = capsys.readouterr()
    assert "occupazioni: 3 righe lette, 2 accettate, 1 in quarantena" in captured.out
    # the reason quoted in the run's language (Italian by default)
    assert "1  data impossibile … in detected_on" in captured.out
    assert "impossible date" not in captured.out
    assert "Nominativo, Codice Fiscale, Telefono" in captured.out
    assert "Traceback" not in captured.out + captured.err
    accepted = (out / "accepted.csv").read_text(encoding="utf-8-sig")
    quarantine = (out / "quarantine.csv").read_text(encoding="utf-8-sig")
    # the first column says what the row numbers count
    assert accepted.splitlines()[0] == (
        "file_line;record_id;estate_id;unit_id;detected_on;ended_on;status"
    )
    assert quarantine.splitlines()[0].startswith("file_line;reason;")
    assert accepted.splitlines()[1] == "2;P1;ST1;;01/02/2019;;ongoing"
    assert quarantine.splitlines()[1].startswith("3;data impossibile '31/02/2019'")
    for values in PERSONAL.values():
        for value in values:
            assert value not in accepted + quarantine


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"", "is empty"),
        (b"nome;telefono\nMario;333\n", "no recognised occupations column"),
    ],
)
def test_cli_validate_file_problems(tmp_path, capsys, content, message):
    from geo_alloggi.cli import main

    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SystemExit) as info:
        main(["validate", "occupations", str(path), "--out-dir", str(tmp_path / "o")])
    assert info.value.code != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0]


def test_cli_validate_subprocess_with_estates(tmp_path):
    estates = write(tmp_path / "e.csv", "codice_stabile;alloggi\nST1;10\n")
    occupations = occ(tmp_path, GOOD, "P1;ST2;01/02/2019;;in corso")
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_alloggi",
            "validate",
            "occupations",
            str(occupations),
            "--out-dir",
            str(out),
            "--estates",
            str(estates),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "2 rows read, 1 accepted, 1 quarantined" in proc.stdout
    quarantine = (out / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert "unknown estate_id 'ST2'" in quarantine
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_alloggi",
            "validate",
            "occupations",
            str(tmp_path / "missing.csv"),
            "--out-dir",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_spaces_around_values_are_stripped(tmp_path, newline):
    text = newline.join(
        [
            OCC_HEADER,
            " P1 ;ST1\xa0; 01/02/2019 ;;in corso ",
            "P2;ST2;01/02/2019;;in corso",
        ]
    )
    path = tmp_path / "o.csv"
    path.write_bytes((text + newline).encode("cp1252"))
    acc = read(path).accepted
    assert acc[S.RECORD_ID].tolist() == ["P1", "P2"]
    assert acc[S.ESTATE_ID].tolist() == ["ST1", "ST2"]
    assert acc[S.STATUS].tolist() == ["ongoing", "ongoing"]


# ---------------------------------------------------------------------------
# round trip: the SYNTHETIC demo written for Excel reads back unchanged


@pytest.fixture(scope="module")
def demo(mirror):
    from geo_alloggi.synthetic import make_demo

    return make_demo(seed=0)


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["estates", "occupations", "evictions", "vacancies"])
def test_demo_round_trip(tmp_path, demo, kind, lang, ext):
    table = getattr(demo, kind).iloc[:400]
    path = write_table(table, tmp_path / f"{kind}.{ext}", lang=lang)
    result = read(path, kind, today="2026-11-25", study_area=None)
    assert len(result.quarantine) == 0, result.quarantine["reason"].head().tolist()
    got = result.accepted.reset_index(drop=True)
    cols = [c for c in got.columns if c != "geometry"]
    expected = table[cols].reset_index(drop=True)
    for col in cols:  # read_records strips spaces around text values
        if expected[col].dtype == object or pd.api.types.is_string_dtype(expected[col]):
            expected[col] = expected[col].str.strip()
    pd.testing.assert_frame_equal(got[cols], expected, check_dtype=False)
    if kind == "estates":
        assert got.geometry.x.tolist() == pytest.approx(table[S.LON].tolist())


def test_house_number_column_joins_the_address(tmp_path):
    text = (
        "codice_stabile;indirizzo;civico;alloggi\n"
        "ST1;Via Bolla;30;10\nST2;Via Gola;;5\nST3;;12;4\n"
    )
    result = read(write(tmp_path / "e.csv", text), "estates")
    assert result.accepted[S.ADDRESS].tolist()[:2] == ["Via Bolla 30", "Via Gola"]
    assert pd.isna(result.accepted[S.ADDRESS].iloc[2])
    assert result.dropped_columns == ()


def test_workbook_and_layer_problems(tmp_path):
    fake = write(tmp_path / "dati.xlsx", "codice_pratica;data\nP1;01/02/2019\n")
    assert "not an XLSX workbook" in one_line_error(fake)
    broken = tmp_path / "rotto.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    assert "not a valid XLSX workbook" in one_line_error(broken)
    zipped = tmp_path / "dati.csv"
    zipped.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    assert "zip archive, not a table" in one_line_error(zipped)
    wb = openpyxl.Workbook()
    wb.active.append(["codice_pratica", "codice_stabile", "data_rilevazione"])
    wb.active.append(["P1", "ST1", "01/02/2019"])
    book = tmp_path / "libro.xlsx"
    wb.save(book)
    assert "has no sheet 'Foglio2'" in one_line_error(book, sheet="Foglio2")
    assert len(read(book, sheet=0).accepted) == 1
    empty = openpyxl.Workbook()
    empty_path = tmp_path / "vuoto.xlsx"
    empty.save(empty_path)
    assert "is empty" in one_line_error(empty_path)

    pts = gpd.GeoDataFrame(
        {"codice_stabile": ["ST1"], "alloggi": [3]}, geometry=[Point(9.19, 45.46)]
    )
    no_crs = tmp_path / "senza_crs.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio: no CRS written
        pts.to_file(no_crs, layer="a")
    assert "no CRS" in one_line_error(no_crs, "estates")
    two = tmp_path / "due.gpkg"
    pts.set_crs("EPSG:4326").to_file(two, layer="a")
    pts.set_crs("EPSG:4326").to_file(two, layer="b")
    assert "holds 2 layers" in one_line_error(two, "estates")
    assert len(read(two, "estates", layer="b").accepted) == 1


def test_load_records_warns_about_quarantined_rows(tmp_path):
    from geo_alloggi.io import load_records

    estates = write(tmp_path / "e.csv", "codice_stabile;alloggi\nST1;10\n")
    occupations = occ(tmp_path, GOOD, "P1;ST1;31/02/2019;;in corso")
    with pytest.warns(UserWarning, match=r"\{'occupations': 1\}"):
        records = load_records(
            estates=estates, occupations=occupations, today=TODAY, study_area=BOX
        )
    assert records.occupations[S.RECORD_ID].tolist() == ["P0"]
    assert isinstance(records.estates, gpd.GeoDataFrame)


def test_unparsable_csv_names_file_and_line(tmp_path):
    big = "x" * 200_000
    path = occ(tmp_path, GOOD, f'P1;"{big}";01/02/2019;;in corso')
    assert "cannot be parsed as CSV near line 3" in one_line_error(path)


def test_write_table_other_dtypes_neutralised(tmp_path):
    table = pd.DataFrame(
        {
            "periodo": pd.period_range("2019Q1", periods=3, freq="Q"),
            "etichetta": pd.Categorical(["=cmd|' /C calc'!A0", "Hot spot 99%", "-"]),
            "quota": pd.array([1.5, None, 2.25], dtype="Float64"),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "fragile": pd.array([True, None, False], dtype="boolean"),
            "giorno": [dt.date(2020, 1, 2), dt.datetime(2020, 3, 4, 10, 30), None],
        }
    )
    lines = write_table(table, tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert lines.splitlines() == [
        "periodo;etichetta;quota;n;fragile;giorno",
        "2019Q1;'=cmd|' /C calc'!A0;1,5;1;sì;02/01/2020",
        "2019Q2;Hot spot 99%;;;;04/03/2020 10:30",
        "2019Q3;'-;2,25;3;no;",
    ]
    ws = openpyxl.load_workbook(write_table(table, tmp_path / "t.xlsx")).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[1] == ["2019Q1", "'=cmd|' /C calc'!A0", 1.5, 1, "sì", "02/01/2020"]
    assert rows[2][2:5] == [None, None, None]


@pytest.mark.parametrize("streamed", [False, True])
def test_write_table_xlsx_cells_in_memory_and_streamed(tmp_path, monkeypatch, streamed):
    # a small table is built in memory, a big one streamed row by row: the
    # same cells either way (values, types, date format, empty cells)
    from geo_alloggi.io import _writing

    if streamed:
        monkeypatch.setattr(_writing, "_STREAM_CELLS", 0)
    table = pd.DataFrame(
        {
            "testo": ["a", "", None, "=1+1", " spazio "],
            "misto": [3, 2.5, "riservato", float("nan"), float("inf")],
            "n": pd.array([1, None, 3, 4, 2**40], dtype="Int64"),
            "q": [1.5, np.nan, -0.0, 1e20, 0.1],
            "giorno": pd.to_datetime(
                ["2020-01-02", None, "2020-03-04 10:30", "2020-01-02", None],
                format="ISO8601",
            ),
        }
    )
    ws = openpyxl.load_workbook(write_table(table, tmp_path / "t.xlsx")).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        ["testo", "misto", "n", "q", "giorno"],
        ["a", 3, 1, 1.5, dt.datetime(2020, 1, 2)],
        [None, 2.5, None, None, None],
        [None, "riservato", 3, 0, dt.datetime(2020, 3, 4, 10, 30)],
        ["'=1+1", None, 4, 1e20, dt.datetime(2020, 1, 2)],
        [" spazio ", "=1/0", 2**40, 0.1, None],
    ]
    assert [ws.cell(r, 5).number_format for r in (2, 4, 5)] == ["DD/MM/YYYY"] * 3
    assert ws["B6"].data_type == "f"  # infinity: Excel's #DIV/0!
    assert ws["A5"].data_type == "s"


# ---------------------------------------------------------------------------
# property: whatever the mess, every data row is accounted for at its line


CELLS = {
    "id": st.sampled_from(["P1", "P2", "P3", "", " P4 ", "P5"]),
    "estate": st.sampled_from(["ST1", "", "ST2"]),
    "date": st.sampled_from(
        ["01/02/2019", "31/02/2019", "2019-02-01", "", "1850-01-01", "xx", "29/02/2020"]
    ),
    "end": st.sampled_from(["", "01/03/2019", "01/01/2000", "32/01/2019"]),
    "status": st.sampled_from(["", "in corso", "liberato", "boh", "ENDED"]),
}
ROW = st.one_of(
    st.tuples(*CELLS.values()).map(";".join),
    st.just(""),
    st.just(";;;;"),
    st.tuples(*CELLS.values()).map(lambda t: ";".join((*t, "extra"))),
    st.tuples(*CELLS.values()).map(lambda t: '"' + '";"'.join(t) + '"'),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(ROW, min_size=0, max_size=25), crlf=st.booleans())
def test_every_row_accounted_for(tmp_path, rows, crlf):
    newline = "\r\n" if crlf else "\n"
    path = tmp_path / "p.csv"
    path.write_bytes((newline.join([OCC_HEADER, *rows]) + newline).encode("cp1252"))
    result = read(path)
    reconciles(result)
    # lines of real rows, by hand: 1-based, header on line 1
    expected = [i + 2 for i, r in enumerate(rows) if r.strip(';"')]
    got = sorted([*result.accepted.index, *result.quarantine[S.ROW_NUMBER]])
    assert got == expected
    assert result.rows_read == len(expected)


QUOTED_TEXT = st.lists(
    st.sampled_from(
        ["a", "b", " ", ";", ",", '"', "\n", "\r\n", "\t", "\xa0", "\u3000", "à"]
    ),
    max_size=8,
).map("".join)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(st.lists(QUOTED_TEXT, min_size=3, max_size=3), max_size=12),
    blank_after=st.sets(st.integers(0, 11)),
    crlf=st.booleans(),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_quoted_csv_reads_as_the_csv_module_does(
    tmp_path, values, blank_after, crlf, quote_all, encoding
):
    # quoted values holding delimiters, quotes, line breaks and (Unicode)
    # spaces, written by the csv module: the fast reader finds the same values,
    # stripped, at the same lines (only columns with a padded field are
    # stripped: a missed one would keep its spaces)
    import csv
    import io as _io

    from geo_alloggi.io._csv import read_csv_raw

    buf = _io.StringIO(newline="")
    writer = csv.writer(
        buf,
        delimiter=";",
        lineterminator="\r\n" if crlf else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(["a", "b", "c"])
    for i, row in enumerate(values):
        writer.writerow(["x" + row[0], *row[1:]])  # never a blank record
        if i in blank_after:
            buf.write("\r\n" if crlf else "\n")
    text = buf.getvalue()
    table = read_csv_raw(
        tmp_path / "q.csv",
        text.encode(encoding),
        select=lambda headers: list(enumerate(headers)),
        delimiter=None,
        encoding=None,
        decimal=None,
    )
    # the oracle: the csv module, the line where each record starts
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=";")
    next(reader)
    expected, lines, last = [], [], reader.line_num
    for fields in reader:
        start, last = last + 1, reader.line_num
        if fields:
            expected.append([f.strip() or None for f in fields])
            lines.append(start)
    got = table.frame.astype(object).where(table.frame.notna(), None)
    assert got.to_numpy().tolist() == expected
    assert table.row_number.tolist() == lines
    assert table.structural == {}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(
        st.lists(
            st.lists(
                st.sampled_from(["a", "b", " ", "\t", "\xa0", "à", "\u3000", "€"]),
                max_size=4,
            ).map("".join),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=10,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_unquoted_csv_strips_as_the_csv_module_reads(tmp_path, values, encoding):
    # only the columns holding a padded field are stripped: every value still
    # equals the csv module's reading, stripped, whatever the spaces
    import csv
    import io as _io

    from geo_alloggi.io._csv import read_csv_raw

    text = "\n".join(["a;b;c", *(";".join(["x" + r[0], *r[1:]]) for r in values)])
    table = read_csv_raw(
        tmp_path / "u.csv",
        (text + "\n").encode(encoding),
        select=lambda headers: list(enumerate(headers)),
        delimiter=None,
        encoding=None,
        decimal=None,
    )
    rows = list(csv.reader(_io.StringIO(text, newline=""), delimiter=";"))[1:]
    expected = [[f.strip() or None for f in r] for r in rows]
    got = table.frame.astype(object).where(table.frame.notna(), None)
    assert got.to_numpy().tolist() == expected
    assert table.row_number.tolist() == list(range(2, len(rows) + 2))


def test_xlsx_title_rows_above_the_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Elenco occupazioni abusive - aggiornamento 2019"])
    ws.append([])
    ws.append(["Codice Pratica", "Codice Stabile", "Data Rilevazione"])
    ws.append(["P1", "ST1", "01/02/2019"])
    ws.append(["P2", "ST1", "31/02/2019"])
    path = tmp_path / "titolo.xlsx"
    wb.save(path)
    result = read(path)
    assert list(result.accepted.index) == [4]
    assert list(result.quarantine[S.ROW_NUMBER]) == [5]


def test_trailing_delimiters_are_not_fields(tmp_path):
    # header with a trailing ';' and rows without it, and the other way round
    second = "P1;ST1;01/02/2019;;"
    a = write(tmp_path / "a.csv", f"{OCC_HEADER};\n{GOOD}\n{second}\n")
    b = write(tmp_path / "b.csv", f"{OCC_HEADER}\n{GOOD};\n{second};\n")
    for path in (a, b):
        result = read(path)
        assert list(result.accepted.index) == [2, 3]
    short = write(tmp_path / "c.csv", OCC_HEADER + "\nP1;ST1;01/02/2019\n")
    assert "row has 3 fields but the header has 5" in reasons(read(short))[2]


def test_json_that_is_not_a_layer(tmp_path):
    path = write(tmp_path / "dati.geojson", '{"type": "Nothing"}')
    message = one_line_error(path)
    assert "cannot be read as a geojson layer" in message
    assert "export the layer again" in message


def test_excel_day_numbers_in_a_date_column(tmp_path):
    # 43497 days after 30/12/1899 is 01/02/2019 (Excel's serial date)
    assert dt.date(1899, 12, 30) + dt.timedelta(days=43497) == dt.date(2019, 2, 1)
    path = occ(tmp_path, "P1;ST1;43497;;in corso", "P2;ST1;434;;in corso")
    result = read(path)
    assert result.accepted[S.DETECTED_ON].tolist() == [pd.Timestamp("2019-02-01")]
    assert "unreadable date '434'" in reasons(result)[3]


def test_placeholders_are_empty_cells(tmp_path):
    path = occ(tmp_path, "P1;ST1;01/02/2019;-;in corso", "P2;ST1;01/02/2019;N.D.;n.d.")
    result = read(path)
    assert list(result.accepted.index) == [2, 3]
    assert result.accepted[S.ENDED_ON].isna().all()
    assert result.accepted[S.STATUS].tolist() == ["ongoing", "ongoing"]


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(f"{OCC_HEADER}\r{GOOD}\rP1;ST1;31/02/2019;;in corso\r".encode())
    result = read(path)
    assert list(result.accepted.index) == [2]
    assert list(reasons(result)) == [3]


def test_cli_column_mapping_and_area_switch(tmp_path, capsys):
    from geo_alloggi.cli import main

    path = occ(
        tmp_path,
        "P1;Via Roma 1;01/02/2019;12,49;41,89",
        header="Num. Pratica;indirizzo;data_rilevazione;lon;lat",
    )
    out = tmp_path / "out"
    args = [
        "validate",
        "occupations",
        str(path),
        "-o",
        str(out),
        "--column",
        "Num. Pratica=record_id",
    ]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 0
    assert "1 righe lette, 0 accettate, 1 in quarantena" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main([*args, "--no-area-check"])
    assert info.value.code == 0
    assert "1 righe lette, 1 accettate, 0 in quarantena" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main([*args[:-2], "--column", "Num. Pratica"])
    assert info.value.code == 2
    assert "must be HEADER=COLUMN" in capsys.readouterr().err
