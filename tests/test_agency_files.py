"""Files shaped like the agencies' own exports, through every door a planner uses.

Aler Milano and the Comuni export estates without coordinates, with the comune
in the address text or in a column, a single year of records, cp1252 or UTF-8
with BOM. Each test is one defect found by using the package that way; the
addresses are real civic numbers of the official reference (ds634) or real
streets of Cinisello Balsamo, so they land in known districts.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo_alloggi.cli import main


def _cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return exit code, stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, stdout.getvalue(), stderr.getvalue()


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)


# Aler's layouts: an apostrophe before the number, c/o, the comune first, a CAP
ESTATES = pd.DataFrame(
    {
        "COD_STABILE": ["00585176", "00585178", "00585179"],
        "DENOMINAZIONE": ["Teano", "Balilla", "Gorki"],
        "INDIRIZZO": [
            "VIA TEANO '36",
            "c/o Aler Milano, Via Balilla 30 - Milano",
            "20092 Cinisello Balsamo (MI), via Gorki 5",
        ],
        "N_ALLOGGI": ["80", "60", "30"],
    }
)


def test_prioritise_places_estates_from_their_addresses_with_one_year(tmp_path):
    """'prioritise' on files: estates placed by address, one year is enough.

    Before: the estates of a file without coordinates were never geocoded
    (every record "outside every district"), and one year of records ended in
    "at least 2 are needed" although 'run' ranks a single year.
    """
    estates = tmp_path / "stabili.csv"
    ESTATES.to_csv(estates, sep=";", index=False, encoding="cp1252")
    occupations = tmp_path / "occupazioni.csv"
    pd.DataFrame(
        {
            "ID_VERBALE": [f"V{i}" for i in range(12)],
            "COD_STABILE": ["00585176"] * 6 + ["00585178"] * 6,
            "DATA_RILEVAZIONE": ["03/02/2024"] * 12,
        }
    ).to_csv(occupations, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    code, _, err = _cli(
        "prioritise",
        "--estates",
        str(estates),
        "--occupations",
        str(occupations),
        "--out-dir",
        str(out),
    )
    assert code == 0, err
    assert "Traceback" not in err
    ranked = _read(out / "patrol_districts.csv")
    # Via Teano 36 is in NIL 82 Comasina, Via Balilla 30 in NIL 6: six
    # occupations each rank them first; the other districts have none
    top = ranked.head(2).set_index("Codice quartiere")["Alloggi occupati"]
    assert top.to_dict() == {"MI-NIL-82": "6", "MI-NIL-6": "6"}
    assert set(ranked["Alloggi occupati"].iloc[2:]) == {"0"}
    linking = _read(out / "linking.csv")
    assert linking.iloc[0]["Record"] == "12"
    assert linking.iloc[0]["Non collegati"] == "0"


def test_place_estates_keeps_the_comune_named_in_the_address():
    """An estate whose comune is only in its address keeps it.

    Before: without a comune column the Cinisello estate had no comune, so
    the one district rule could not give it the CINISELLO district and its
    units and records were dropped as "outside every district".
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.linking import place_estates
    from geo_alloggi.overlay import assign_districts

    estates = gpd.GeoDataFrame(
        {
            "estate_id": ["A", "B", "C"],
            "address": [*ESTATES["INDIRIZZO"].iloc[1:].tolist(), ""],
        },
        geometry=gpd.GeoSeries([None, None, None]),
        crs="EPSG:4326",
    )
    with pytest.warns(UserWarning, match="2 of 3 estates"):
        placed = place_estates(estates)
    # an empty address names no comune: none is made up
    assert placed["comune"].tolist()[:2] == ["Milano", "Cinisello Balsamo"]
    assert pd.isna(placed["comune"].iloc[2])
    assert placed["position_source"].iloc[0] == "geocoded"
    assert "comune" not in estates.columns  # the caller's frame is unchanged
    with pytest.warns(UserWarning, match="1"):
        where = assign_districts(
            placed, load_districts("study_area"), id_column="estate_id"
        )
    assert where.set_index("estate_id").loc["B", "district_id"] == "CINISELLO"
    assert where.set_index("estate_id").loc["B", "position_source"] == "comune"


def test_meeting_map_hides_a_rate_that_gives_a_small_count_back(grid3x3):
    """The README's ``meeting_map(hotspots(latest, ...))`` on raw counts.

    Before: the choropleth of ``occupied_per_100`` showed 2,0 for a district
    with 2 occupied units out of 100; the units are public, so the map gave
    the small count back. A rate from a count of 0 or of 5 or more is shown.
    """
    from geo_alloggi import maps

    d = grid3x3.copy()
    d["units"] = [100] * 9
    d["occupied"] = [2, 0, 5, 12, 1, 4, 30, 7, 9]
    d["occupied_per_100"] = d["occupied"] * 100.0 / d["units"]
    html = maps.meeting_map(d, street_tiles=False).get_root().render()
    label = '"Alloggi occupati ogni 100", '
    shown = {v for v in ("2,0", "1,0", "4,0") if label + f'"{v}"' in html}
    assert shown == set()
    for value in ("0,0", "5,0", "12,0", "30,0", "7,0", "9,0"):
        assert label + f'"{value}"' in html, value
    small = maps.meeting_map(d, street_tiles=False, allow_small=True)
    assert label + '"2,0"' in small.get_root().render()


# ---------------------------------------------------------------------------
# one 'run' on a mixed agency export: comuni in and out of the study area,
# cp1252 and UTF-8 with BOM, ';' and ',', XLSX, one year, dates in several forms

AGENCY_ESTATES = pd.DataFrame(
    {
        "COD_STABILE": ["00585175", "00585176", "00585178", "00585179", "00585180"],
        "DENOMINAZIONE": ["Mac Mahon", "Teano", "Balilla", "Gorki", "Curiel"],
        "INDIRIZZO": [
            "MILANO VIA MAC MAHON '89 A",
            "VIA TEANO '36 A",
            "c/o Aler Milano, Via Balilla 30 - Milano",
            "20092 Cinisello Balsamo (MI), via Gorki 5",
            "VIA EUGENIO CURIEL 10",
        ],
        "COMUNE": ["MILANO", "MILANO", "MILANO", "CINISELLO BALSAMO", "CORSICO"],
        "ENTE": ["ALER", "ALER", "Comune-MM", "ALER", "ALER"],
        "N_ALLOGGI": [120, 80, 60, 30, 20],
    }
)
PERSONAL = ("Rossi Mario", "3331234567")


@pytest.fixture(scope="module")
def agency_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("agency")
    AGENCY_ESTATES.to_csv(
        folder / "stabili.csv", sep=";", index=False, encoding="cp1252"
    )
    pd.DataFrame(
        {
            "ID_VERBALE": [f"V{i}" for i in range(8)],
            "COD_STABILE": ["00585175"] * 3 + ["00585176"] * 3 + ["00585179"] * 2,
            "DATA_RILEVAZIONE": [
                "03/02/2024",
                "2024-03-04",
                "5.6.2024",
                "12/07/24",  # two-digit year: quarantined, with the reason
                "2024-08-01 00:00:00",
                "",  # no date: quarantined
                "31/12/2024",
                "01/10/2024",
            ],
            "NOTE": [PERSONAL[0], "", "", PERSONAL[1], "", "", "", ""],
        }
    ).to_csv(folder / "occupazioni.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame(
        {
            "ID_SGOMBERO": ["S1", "S2"],
            "COD_STABILE": ["00585175", "00585179"],
            "DATA_SGOMBERO": ["10/05/2024", "15/09/2024"],
            "ESITO": ["eseguito", "eseguito"],
        }
    ).to_excel(folder / "sgomberi.xlsx", index=False)
    (folder / "run.toml").write_text(
        "[records]\n"
        'estates = "stabili.csv"\n'
        'occupations = "occupazioni.csv"\n'
        'evictions = "sgomberi.xlsx"\n',
        encoding="utf-8",
    )
    out = folder / "out"
    code, _, err = _cli("run", str(folder / "run.toml"), "--out-dir", str(out))
    assert code == 0, err
    assert "Traceback" not in err
    return out


def test_agency_run_names_every_row_of_the_district_table(agency_run):
    """Parent and total rows are named in Italian, not by their ids.

    Before: ``MI-MUN-8;MI-MUN-8`` and ``TOTAL;TOTAL`` in the Italian table
    (and the GeoPackage layer), because the names the disclosure step gave
    them won over the areas' names.
    """
    table = _read(agency_run / "tables" / "districts_by_year.csv")
    named = dict(zip(table["Codice quartiere"], table["Nome"], strict=True))
    assert named["TOTAL"] == "Totale area di studio"
    assert named["MI-MUN-8"] == "Municipio 8"  # Via Mac Mahon 89: NIL 71, Municipio 8
    assert named["MI-MUN-9"] == "Municipio 9"  # Via Teano 36: Comasina, Municipio 9
    assert named["CM-MILANO"] == "Altri comuni della Città metropolitana"
    assert named["MI-NIL-71"] == "Villapizzone - Cagnola - Boldinasco"
    layer = gpd.read_file(agency_run / "layers.gpkg", layer="districts_by_period")
    assert "TOTAL" not in set(layer["name"])


def test_agency_run_counts_reconcile_and_keep_personal_data_out(agency_run):
    """Rows in = accepted + quarantined; the NOTE column reaches no output."""
    import json

    manifest = json.loads((agency_run / "manifest.json").read_text("utf-8"))
    occ = manifest["inputs"]["occupations"]
    assert (occ["rows_read"], occ["accepted"], occ["quarantined"]) == (8, 6, 2)
    quarantine = _read(agency_run / "quarantine" / "occupations.csv")
    assert sorted(quarantine["record_id"]) == ["V3", "V5"]
    for path in agency_run.rglob("*"):
        if path.is_file() and path.suffix in {".csv", ".html", ".md", ".json"}:
            text = path.read_text("utf-8", errors="replace")
            assert not any(p in text for p in PERSONAL), path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_geocode_reads_the_house_number_from_its_own_column(tmp_path, suffix):
    """``Via`` + ``Civico`` columns, as many agency files keep them.

    Before: the number column was ignored and every row came back at street
    level, unplaced; the record readers already joined the two.
    """
    table = pd.DataFrame(
        {
            "Cod. immobile": ["1", "2", "3"],
            "Via": ["VIA TEANO", "VIA BALILLA", "VIA BALILLA"],
            "Civico": ["36", "30", ""],
            "Comune": ["MILANO", "MILANO", "MILANO"],
        }
    )
    source = tmp_path / f"stabili{suffix}"
    if suffix == ".csv":
        table.to_csv(source, sep=";", index=False, encoding="cp1252")
    else:
        table.to_excel(source, index=False)
    out = tmp_path / "geo.csv"
    code, _, err = _cli("geocode", str(source), "--out", str(out))
    assert code == 0, err
    assert "colonna 'Civico'" in err
    got = _read(out)
    assert got["geo_matched_address"].tolist() == [
        "VIA TEANO 36, Milano",
        "VIA BALILLA 30, Milano",
        "VIA BALILLA, Milano",
    ]
    assert got["geo_match_type"].tolist() == ["exact", "exact", "street"]
    # the user's columns as they were, no helper column
    assert got["Via"].tolist() == table["Via"].tolist()
    assert "geo_query_address" not in got.columns


def test_one_district_rule_reads_the_comune_as_agencies_write_it():
    """``CINISELLO BALSAMO (MI)`` or ``Sesto S. Giovanni`` in the comune column.

    Before: only the exact name or ISTAT code found the comune's district, so
    an estate without a civic point whose comune column carried the province
    or a short form was dropped as "outside every district".
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import assign_districts

    districts = load_districts(
        "study_area", comuni=["Milano", "Cinisello Balsamo", "Sesto San Giovanni"]
    )
    written = [
        "CINISELLO BALSAMO (MI)",
        "Cinisello Balsamo - MI",
        "Sesto S. Giovanni",
        "015077",
        "Milano (MI)",  # 88 NIL: no single district
        "Corsico",  # outside the study area
        None,
    ]
    estates = gpd.GeoDataFrame(
        {"estate_id": [f"E{i}" for i in range(len(written))], "comune": written},
        geometry=gpd.GeoSeries([None] * len(written)),
        crs="EPSG:4326",
    )
    with pytest.warns(UserWarning, match="4 without a position"):
        got = assign_districts(estates, districts, id_column="estate_id")
    assert got["district_id"].tolist()[:4] == [
        "CINISELLO",
        "CINISELLO",
        "SESTO-SAN-GIOVANNI",
        "CINISELLO",
    ]
    assert got["district_id"].iloc[4:].isna().all()


def test_a_start_after_the_records_says_so(tmp_path):
    """``start = "2030"`` on records of 2024: one line naming the start.

    Before: "end=None is before start='2030'", an end nobody had given.
    """
    estates = tmp_path / "stabili.csv"
    ESTATES.to_csv(estates, sep=";", index=False, encoding="cp1252")
    occupations = tmp_path / "occupazioni.csv"
    pd.DataFrame(
        {"ID_VERBALE": ["V1"], "COD_STABILE": ["00585176"], "DATA": ["03/02/2024"]}
    ).rename(columns={"DATA": "data_rilevazione"}).to_csv(occupations, index=False)
    code, _, err = _cli(
        "overlay",
        "--estates",
        str(estates),
        "--occupations",
        str(occupations),
        "--start",
        "2030",
        "--out-dir",
        str(tmp_path / "out"),
    )
    assert code == 2
    assert "start='2030' is after the last dated record" in err
    assert "end=None" not in err
    assert "Traceback" not in err


def test_data_list_and_the_geocoder_count_the_same_milan_points(mirror):
    """'data list' and the geocode summary name one figure for ds634.

    Before: 52,224 in 'data list' (applied numbers only) against 60,693 in
    'geocode' (applied and in progress, the points it matches against).
    """
    from geo_alloggi.datasets.coverage import civic_sources
    from geo_alloggi.geocoding import Geocoder

    listed = civic_sources({"F205": "Milano"}, mirror=mirror)
    ds634 = listed[listed["source"] == "ds634"].iloc[0]
    # SOURCES.md: STATOCIVICO 2 applied = 52,224; 4 in progress = 8,469
    assert int(ds634["points"]) == 52_224 + 8_469
    used = Geocoder(comuni=["Milano"]).coverage
    assert int(used.loc[used["source"] == "ds634", "points"].iloc[0]) == 52_224 + 8_469


def test_overlay_totals_name_their_areas(tmp_path):
    """'overlay' writes its parent and total rows with names, not ids.

    Before: ``MI-MUN-9;MI-MUN-9`` and ``TOTAL;TOTAL`` in the Italian CSV.
    """
    estates = tmp_path / "stabili.csv"
    ESTATES.to_csv(estates, sep=";", index=False, encoding="cp1252")
    out = tmp_path / "out"
    code, _, err = _cli("overlay", "--estates", str(estates), "--start", "2024",
                        "--end", "2024", "--out-dir", str(out))  # fmt: skip
    assert code == 0, err
    totals = _read(out / "overlay_study_area_year_totals.csv")
    named = dict(zip(totals["Codice quartiere"], totals["Nome"], strict=True))
    assert named["TOTAL"] == "Totale area di studio"
    assert named["MI-MUN-9"] == "Municipio 9"
    assert named["CM-MILANO"] == "Altri comuni della Città metropolitana"
    assert set(totals["Tipo riga"]) == {"totale quartiere superiore", "totale generale"}


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        (None, ["00585175", "00585176", "00585182"]),  # no reason column
        (["", "", ""], ["00585175", "00585176", "00585182"]),  # empty column
        (
            ["carenza manutentiva", "in attesa di assegnazione", ""],
            ["00585175", "00585182"],
        ),
    ],
)
def test_vacancies_without_a_reason_stay_candidates(tmp_path, reasons, expected):
    """A vacancies file that states no reason still gives renovation candidates.

    Before: the default filter on the reason (lack of maintenance) dropped
    every vacancy without one, so a file without a reason column planned
    nothing ("no vacancy open ... matches reason_pattern").
    """
    import geo_alloggi as ga

    vac = pd.DataFrame(
        {
            "codice_stabile": ["00585175", "00585176", "00585182"],
            "codice_alloggio": ["U1", "U2", "U3"],
            "sfitto_dal": ["01/01/2020", "15/06/2022", "2021-03-01"],
            "costo_ristrutturazione": ["€ 22.700,00", "18.000", "12500,50"],
        }
    )
    if reasons is not None:
        vac["motivo"] = reasons
    vac.to_csv(tmp_path / "sfitti.csv", sep=";", index=False, encoding="utf-8-sig")
    gola = AGENCY_ESTATES.iloc[:1].assign(COD_STABILE="00585182")
    pd.concat([AGENCY_ESTATES, gola]).to_csv(
        tmp_path / "stabili.csv", sep=";", index=False, encoding="cp1252"
    )
    records = ga.load_records(
        estates=tmp_path / "stabili.csv", vacancies=tmp_path / "sfitti.csv"
    )
    cand = ga.renovation_candidates(records, risk=0.2)
    assert cand["estate_id"].tolist() == expected
    assert cand["units"].tolist() == [1] * len(expected)


def test_estate_codes_that_lost_their_leading_zeros_still_link(tmp_path):
    """Estates from a spreadsheet (``585175``), records from a CSV (``00585175``).

    Before: every record was quarantined as "unknown estate_id", because
    Excel had stored the agency's code as a number.
    """
    from geo_alloggi.io import read_bundle

    estates = AGENCY_ESTATES.assign(
        COD_STABILE=AGENCY_ESTATES["COD_STABILE"].astype(int)
    )
    estates.loc[len(estates)] = [7, "Due", "VIA TEANO '36", "MILANO", "ALER", 5]
    estates.to_excel(tmp_path / "stabili.xlsx", index=False)
    pd.DataFrame(
        {
            "ID_VERBALE": ["V1", "V2", "V3", "V4"],
            "COD_STABILE": ["00585175", "585176", "0007", "00999"],
            "DATA_RILEVAZIONE": ["03/02/2024"] * 4,
        }
    ).to_csv(tmp_path / "occupazioni.csv", index=False, encoding="utf-8-sig")
    with pytest.warns(UserWarning, match="2 estate id"):
        bundle = read_bundle(
            estates=tmp_path / "stabili.xlsx",
            occupations=tmp_path / "occupazioni.csv",
        )
    occ = bundle.records.occupations
    # the estate's own code, as the estates file writes it
    assert occ["estate_id"].tolist() == ["585175", "585176", "7"]
    quarantine = bundle.results["occupations"].quarantine
    assert quarantine["estate_id"].tolist() == ["00999"]
    assert "unknown estate_id" in quarantine["reason"].iloc[0]


def test_geopackage_classes_are_italian_and_styled_as_stored(agency_run):
    """The districts layer holds the Italian hot-spot classes; QGIS matches them.

    Before: ``Not significant`` in the ``hotspot`` column of an Italian bundle.
    """
    import xml.etree.ElementTree as ET

    import pyogrio

    from geo_alloggi import _schema as S

    gpkg = agency_run / "layers.gpkg"
    layer = gpd.read_file(gpkg, layer="districts")
    values = set(layer[S.HOTSPOT].dropna())
    assert values and values <= {
        "Punto caldo 99%", "Punto caldo 95%", "Punto caldo 90%", "Non significativo",
        "Punto freddo 90%", "Punto freddo 95%", "Punto freddo 99%",
    }  # fmt: skip
    english = set(S.HOTSPOT_LABELS.values()) | set(S.EMERGING_CATEGORIES)
    for name in gpd.list_layers(gpkg)["name"]:
        frame = gpd.read_file(gpkg, layer=name)
        for col in (S.HOTSPOT, S.EMERGING):
            if col in frame:
                assert not set(frame[col].dropna()) & english, (name, col)
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    row = styles[
        (styles.f_table_name == "districts") & (styles.styleName == "Punti caldi (Gi*)")
    ]
    qml = ET.fromstring(row.styleQML.iloc[0].split("\n", 1)[1])
    styled = {c.get("value") for c in qml.iter("category")}
    assert values <= styled  # every stored class has its colour in QGIS


def test_agency_quarantine_says_its_reasons_in_italian(agency_run):
    """The bundle's quarantine file gives each reason in the run's language.

    Before: ``unreadable date '12/07/24' ... expected dd/mm/yyyy or yyyy-mm-dd``
    in an Italian bundle.
    """
    from geo_alloggi._i18n import quarantine_reasons

    quarantine = _read(agency_run / "quarantine" / "occupations.csv")
    reasons = dict(zip(quarantine["record_id"], quarantine["reason"], strict=True))
    assert reasons["V3"] == (
        "data illeggibile '12/07/24' in detected_on (colonna "
        "'DATA_RILEVAZIONE'), atteso gg/mm/aaaa o aaaa-mm-gg"
    )
    assert reasons["V5"] == "detected_on mancante"
    text = (agency_run / "quarantine" / "occupations.csv").read_text("utf-8-sig")
    for english in ("unreadable", "expected", "missing", "column"):
        assert english not in text
    # English on request: the library's own text
    assert quarantine_reasons(reasons["V5"], "en") == reasons["V5"]
    assert (
        quarantine_reasons("occupation_date missing; record_id missing", "it")
        == "occupation_date mancante; record_id mancante"
    )
