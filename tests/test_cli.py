"""The command line, run as a user would (subprocess), with exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from geo_alloggi import __version__


def run_cli(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "geo_alloggi", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,  # a run prints report.pdf with Chromium too
    )


def test_help_and_version():
    res = run_cli("--help")
    assert res.returncode == 0 and "data" in res.stdout and "districts" in res.stdout
    res = run_cli("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"geo-alloggi {__version__}"


def test_data_list_with_mirror(mirror):
    res = run_cli(
        "data", "list", env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"}
    )
    assert res.returncode == 0, res.stderr
    for name in ("nil", "municipi", "comuni", "civici", "stradario", "anncsu"):
        assert name in res.stdout
    assert "mirror" in res.stdout and "CC BY 4.0" in res.stdout


def test_districts_summary(mirror):
    res = run_cli(
        "districts",
        "summary",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"},
    )
    assert res.returncode == 0, res.stderr
    assert "89 districts" in res.stdout
    assert "Cinisello Balsamo" in res.stdout and "Milano" in res.stdout
    assert "symmetric difference" in res.stdout


def test_missing_data_is_one_clear_line(tmp_path):
    """No mirror, empty cache, no network: exit code 2 and one line, no traceback."""
    env = {"GEO_ALLOGGI_DATA_MIRROR": str(tmp_path / "empty-mirror")}
    (tmp_path / "empty-mirror").mkdir()
    res = run_cli("districts", "summary", env=env)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: dataset ")
    assert "https://" in lines[0] and "GEO_ALLOGGI_DATA_MIRROR" in lines[0]


def test_unknown_command_is_usage_error():
    res = run_cli("frobnicate")
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_run_example_config_end_to_end(mirror, tmp_path):
    """The README's `geo-alloggi run examples/run.toml` on the SYNTHETIC examples."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "run.toml"
    out = tmp_path / "bundle"
    res = run_cli(
        "run",
        str(example),
        "--out-dir",
        str(out),
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror)},
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert "fonte" in res.stderr  # the dropped column is named in a warning
    # the bundle's language (lang = "it") speaks to the user, labels included
    said = " ".join(res.stdout.split())
    assert "[DATI SINTETICI (SYNTHETIC)] fascicolo per la riunione scritto in" in said
    assert "rapporto stampabile:" in said and "cifre chiave:" in said
    assert "written" not in said and "warning" not in res.stderr
    for name in (
        "map.html",
        "layers.gpkg",
        "summary.md",
        "manifest.json",
        "tables/patrol_districts.csv",
    ):
        assert (out / name).is_file(), name
    assert "SYNTHETIC" in (out / "summary.md").read_text(encoding="utf-8")


def test_run_with_bad_config_is_one_line(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text('[records]\nestates = "missing.csv"\n', encoding="utf-8")
    res = run_cli("run", str(cfg), "--out-dir", str(tmp_path / "out"))
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "does not exist" in lines[0]


def test_districts_summary_with_more_comuni_reports_the_clipped_overlaps(mirror):
    res = run_cli(
        "districts",
        "summary",
        "--comuni",
        "Milano,Cinisello Balsamo",
        "--comuni",
        "Sesto San Giovanni",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "200"},
    )
    assert res.returncode == 0, res.stderr
    assert "90 districts" in res.stdout and "Sesto San Giovanni" in res.stdout
    assert "SESTO-SAN-GIOVANNI 0.284 km²" in " ".join(res.stdout.split())
    res = run_cli(
        "districts",
        "summary",
        "--comuni",
        "Bergamo",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror)},
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "'Bergamo' is not one of the 133 comuni" in res.stderr


def test_data_list_counts_civic_points_per_comune(mirror, anncsu_mirror):
    res = run_cli(
        "data", "list", env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "250"}
    )
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())
    # the ds634 numbers the geocoder uses, as its summary counts them: applied
    # (52,224) and in progress (8,469), SOURCES.md
    assert "Milano │ ds634 │ 60,693 │ 60,693 (100%)" in out
    assert "anncsu_civici not available" in out
    assert "no civic-number points for Cinisello Balsamo from any" in out
    assert "--osm" in out and "--online" in out
    # with the FIXTURE Indirizzario in the mirror (made-up points)
    res = run_cli(
        "data",
        "list",
        "--comuni",
        "Milano,Cinisello Balsamo,Bresso",
        env={"GEO_ALLOGGI_DATA_MIRROR": str(anncsu_mirror), "COLUMNS": "250"},
    )
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())
    assert "2025-03-01" in out  # the release, read from INDIR_LOMB_20250301.csv
    assert "Cinisello Balsamo │ anncsu │ 19 │ 16 (84%)" in out
    assert "Milano │ anncsu │ 6 │ 5 (83%)" in out
    assert "no civic-number points for Bresso from any" in out


# --- a new user's first hour: example files, Italian headers, row numbers ----------

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples")


def _errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("error")]


def test_geocode_reads_italian_headers_and_numbers_file_lines(mirror, tmp_path):
    """`indirizzo`/`comune` need no option; rows say which line of the file they are."""
    import pandas as pd

    src = tmp_path / "indirizzi.csv"
    src.write_text(
        "indirizzo;comune;note\n"  # line 1
        'Via Padova 1;Milano;"two\nlines"\n'  # lines 2-3
        "\n"  # line 4, blank: not a row
        "Via Inesistente Del Tutto 3;Milano;x\n"  # line 5
        ";Milano;no address\n",  # line 6
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    res = run_cli("geocode", str(src), "--out", str(out), env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    # said in the command's language (Italian by default), warnings included
    assert "indirizzi dalla colonna 'indirizzo', comune dalla colonna 'comune'" in (
        res.stderr
    )
    assert "es. riga del file [5, 6]" in res.stderr
    assert "warning" not in res.stderr
    table = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    assert table.columns[0] == "file_line"
    assert table["file_line"].tolist() == ["2", "5", "6"]
    review = pd.read_csv(
        tmp_path / "out.review.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    assert review["file_line"].tolist() == ["5", "6"]


def test_geocode_xlsx_numbers_sheet_rows(mirror, tmp_path):
    import openpyxl
    import pandas as pd

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Elenco stabili 2025"])  # row 1: a title above the header
    ws.append([])  # row 2
    ws.append(["Indirizzo", "Comune"])  # row 3: the header
    ws.append(["Via Padova 1", "Milano"])  # row 4
    ws.append(["Via Inesistente Del Tutto 3", "Milano"])  # row 5
    src = tmp_path / "indirizzi.xlsx"
    wb.save(src)
    out = tmp_path / "out.csv"
    res = run_cli("geocode", str(src), "--out", str(out), env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "es. riga del foglio [5]" in res.stderr
    table = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    assert table["sheet_row"].tolist() == ["4", "5"]


@pytest.mark.parametrize("header", ["indirizzo", "address"])
def test_geocode_reads_a_one_column_file_as_one_column(mirror, tmp_path, header):
    """One address a line and no delimiter: commas stay inside the address."""
    import pandas as pd

    addresses = ["Via Padova 1, Milano", "Viale Monza 10", "Via Roma 3; scala B"]
    src = tmp_path / "indirizzi.csv"
    src.write_text("\n".join([header, *addresses]) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = run_cli("geocode", str(src), "--out", str(out), env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert f"indirizzi dalla colonna {header!r}" in res.stderr
    table = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str)
    assert table["file_line"].tolist() == ["2", "3", "4"]
    assert table[header].tolist() == addresses


def test_geocode_names_the_missing_column(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("codice;nome\nA;B\n", encoding="utf-8")
    res = run_cli("geocode", str(src), "--out", str(tmp_path / "o.csv"))
    assert res.returncode == 2
    (line,) = _errors(res.stderr)
    assert "no address column" in line and "--address-column" in line


def test_validate_example_needs_no_column_option(mirror, tmp_path):
    """The example's `id_verbale` is a known Italian header of the record id."""
    import pandas as pd

    out = tmp_path / "check"
    res = run_cli(
        "validate",
        "occupations",
        os.path.join(EXAMPLES, "occupations.csv"),
        "--out-dir",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "0 in quarantena" in res.stdout
    accepted = pd.read_csv(
        out / "accepted.csv", sep=";", encoding="utf-8-sig", dtype=str, nrows=2
    )
    assert accepted.columns[:2].tolist() == ["file_line", "record_id"]
    assert accepted["file_line"].tolist() == ["2", "3"]


def _small_run(folder, estate_rows: int = 3):
    """A run.toml with a few San Siro estates and a few occupations."""
    import pandas as pd

    est = pd.read_csv(os.path.join(EXAMPLES, "estates.csv"), sep=";", dtype=str)
    est = est.head(estate_rows)
    est.to_csv(folder / "stabili.csv", sep=";", index=False)
    occ = pd.DataFrame(
        {
            "id_verbale": ["V1", "V2", "V3"],
            "codice_stabile": est["codice_stabile"].tolist()[:1] * 3,
            "data_rilevazione": ["01/02/2018", "01/03/2019", "01/04/2019"],
        }
    )
    occ.to_csv(folder / "occupazioni.csv", sep=";", index=False)
    config = folder / "run.toml"
    config.write_text(
        '[records]\nsynthetic = true\nestates = "stabili.csv"\n'
        'occupations = "occupazioni.csv"\n',
        encoding="utf-8",
    )
    return config


def test_run_custom_districts_with_id_and_name_columns(mirror, tmp_path):
    import pandas as pd

    from geo_alloggi import load_districts

    zone = load_districts("municipi", mirror=mirror)[
        ["district_id", "name", "geometry"]
    ]
    zone = zone.rename(columns={"district_id": "codice", "name": "nome"})
    zone["codice"] = "Z" + zone["codice"].str[-1]
    zone["nome"] = "Zona " + zone["codice"]
    zone.to_file(tmp_path / "zone.gpkg")
    config = _small_run(tmp_path)
    # as examples/run.toml: the configuration names the study area's comuni,
    # which the layer given on the command line replaces
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text + '\n[districts]\ncomuni = ["Milano", "Cinisello Balsamo"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ("run", str(config), "--out-dir", str(out), "--districts")
    res = run_cli(
        *args,
        str(tmp_path / "zone.gpkg"),
        "--id-column",
        "codice",
        "--name-column",
        "nome",
    )
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(
        out / "tables" / "districts_by_year.csv", sep=";", encoding="utf-8-sig"
    )
    districts = table[table["Riga"] == "quartiere"]
    assert set(districts["Codice quartiere"]) == {f"Z{i}" for i in range(1, 10)}
    assert set(districts["Nome"]) == {f"Zona Z{i}" for i in range(1, 10)}
    # without the option the default id column is missing: one line naming it
    res = run_cli(*args, str(tmp_path / "zone.gpkg"))
    assert res.returncode == 2
    (line,) = _errors(res.stderr)
    assert "district_id" in line
    # the columns without a layer: one line
    res = run_cli("run", str(config), "--out-dir", str(out), "--id-column", "codice")
    assert res.returncode == 2
    (line,) = _errors(res.stderr)
    assert "--districts FILE" in line


def test_run_says_the_first_problem_of_layer_and_records(mirror, tmp_path):
    """The district layer is read beside the records: its problem is said first."""
    from geo_alloggi import load_districts

    zone = load_districts("municipi", mirror=mirror)[["name", "geometry"]]
    zone.to_file(tmp_path / "zone.gpkg")  # no district_id column
    config = _small_run(tmp_path)
    (tmp_path / "occupazioni.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    out = tmp_path / "out"
    layer = ("--districts", str(tmp_path / "zone.gpkg"))
    # both broken: the layer's problem, as when it was read before the records
    res = run_cli("run", str(config), "--out-dir", str(out), *layer)
    assert res.returncode == 2
    (line,) = _errors(res.stderr)
    assert "district_id" in line and "occupazioni" not in line
    # the layer fine: the records' problem
    res = run_cli("run", str(config), "--out-dir", str(out))
    assert res.returncode == 2
    (line,) = _errors(res.stderr)
    assert "occupazioni.csv" in line and "district_id" not in line


def test_geocode_reports_civic_points_per_comune(anncsu_mirror, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "address;comune\nVIA EUGENIO CURIEL 5;Corsico\nVIA MASSIMO GORKI 5;"
        "Cinisello Balsamo\nVIA EUGENIO CURIEL 19;Milano\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    res = run_cli(
        "geocode",
        str(src),
        "--out",
        str(out),
        "--comune-column",
        "comune",
        "--comuni",
        "Milano,Cinisello Balsamo,Corsico,Bresso",
        "--lang",
        "en",
        env={
            "GEO_ALLOGGI_DATA_MIRROR": str(anncsu_mirror),
            "GEO_ALLOGGI_CACHE_DIR": str(tmp_path / "cache"),
            "COLUMNS": "250",
        },
    )
    assert res.returncode == 0, res.stderr
    text = " ".join(res.stdout.split())
    # FIXTURE points (made up): Cinisello 16 of 19 accesses have a position
    assert "civic points, Cinisello Balsamo: anncsu 16 of 19 with a position" in text
    assert "civic points, Corsico: anncsu 4 of 4 with a position" in text
    assert "civic points, Bresso: none" in text
    # said from the catalogue (the library's message names options)
    assert "No civic-number points for Bresso" in " ".join(res.stderr.split())
    import csv

    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["geo_source"] for r in rows] == ["anncsu", "anncsu", "ds634"]


def test_run_places_cinisello_estates_without_positions(mirror, tmp_path):
    """Issue 11: five estates, two in Cinisello Balsamo without coordinates."""
    import csv

    (tmp_path / "estates.csv").write_text(
        "codice_stabile;nome;indirizzo;comune;proprietario;alloggi;lon;lat\n"
        "S1;Uno;VIA EUGENIO CURIEL 19;Milano;Aler;40;9,161545;45,438932\n"
        "S2;Due;VIALE FULVIO TESTI 8;Milano;Aler;60;9,198962;45,502695\n"
        "S3;Tre;VIA MASSIMO GORKI 3;Milano;Comune-MM;30;9,150384;45,450760\n"
        "S4;Quattro;VIA MASSIMO GORKI 5;Cinisello Balsamo;Aler;50;;\n"
        "S5;Cinque;VIALE FULVIO TESTI 12;Cinisello Balsamo;Aler;70;;\n",
        encoding="utf-8",
    )
    (tmp_path / "occupazioni.csv").write_text(
        "id;codice_stabile;data_rilevazione;data_fine;stato\n"
        "O1;S1;15/03/2023;;in corso\n"
        "O2;S2;01/06/2023;30/09/2024;concluso\n"
        "O3;S4;10/02/2023;;in corso\n"
        "O4;S5;20/11/2024;;in corso\n"
        "O5;S3;05/05/2024;;in corso\n"
        "O6;S4;07/07/2024;;in corso\n",
        encoding="utf-8",
    )
    (tmp_path / "run.toml").write_text(
        '[records]\nsynthetic = true\nestates = "estates.csv"\n'
        'occupations = "occupazioni.csv"\n'
        '[records.columns.occupations]\n"data_fine" = "ended_on"\n"stato" = "status"\n'
        "[districts]\ncomuni = ['Milano', 'Cinisello Balsamo']\n",
        encoding="utf-8",
    )
    out = tmp_path / "bundle"
    res = run_cli(
        "run",
        str(tmp_path / "run.toml"),
        "--out-dir",
        str(out),
        env={"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "300"},
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    text = " ".join(res.stderr.split())
    # said in the meeting's language (Italian), the district by name
    assert "2 record senza posizione collocati nell'unico quartiere del loro" in text
    table = out / "tables" / "districts_by_year.csv"
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    cinisello = [r for r in rows if r["Codice quartiere"] == "CINISELLO"]
    # S4 (50 units) and S5 (70 units) are counted in CINISELLO in both years
    assert sorted(r["Periodo"] for r in cinisello) == ["2023", "2024"]
    assert {r["Alloggi"] for r in cinisello} == {"120"}


def test_mixed_comuni_corsico_is_out_of_area_never_in_milan(mirror, tmp_path):
    """Issue 11: Milano, Cinisello and Corsico estates, study area Milano + Cinisello.

    ``VIA EUGENIO CURIEL 19`` exists in Milano and in Corsico: the Corsico
    estates (comune in a column, or only in the text) are ``out_of_area``, get
    no position and are counted nowhere; the Milano one is placed on its
    official ds634 point.
    """
    import csv

    from geo_alloggi import datasets

    (tmp_path / "estates.csv").write_text(
        "codice_stabile;nome;indirizzo;comune;proprietario;alloggi\n"
        "S1;Uno;VIA EUGENIO CURIEL 19;Milano;Aler;40\n"
        "S2;Due;VIALE FULVIO TESTI 8;Milano;Aler;60\n"
        "S4;Quattro;VIA MASSIMO GORKI 5;Cinisello Balsamo;Aler;50\n"
        "S5;Cinque;VIALE FULVIO TESTI 12;Cinisello Balsamo;Aler;70\n"
        "S6;Sei;VIA EUGENIO CURIEL 19;Corsico;Aler;80\n"
        "S7;Sette;Corsico, Via Eugenio Curiel 19;;Aler;25\n",
        encoding="utf-8",
    )
    (tmp_path / "occupazioni.csv").write_text(
        "id;codice_stabile;data_rilevazione;indirizzo;comune\n"
        "O1;S1;15/03/2023;;\n"
        "O2;S4;10/02/2023;;\n"
        "O3;S6;05/05/2024;;\n"
        "O4;S7;07/07/2024;;\n"
        "O5;;08/08/2024;VIA EUGENIO CURIEL 19;Corsico\n",
        encoding="utf-8",
    )
    env = {"GEO_ALLOGGI_DATA_MIRROR": str(mirror), "COLUMNS": "300"}
    out = tmp_path / "geo.csv"
    res = run_cli(
        "geocode",
        str(tmp_path / "estates.csv"),
        "--out",
        str(out),
        "--comuni",
        "Milano,Cinisello Balsamo",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["codice_stabile"]: r for r in csv.DictReader(fh, delimiter=";")}
    for sid in ("S6", "S7"):
        assert rows[sid]["geo_match_type"] == "out_of_area", sid
        assert rows[sid]["geo_comune"] == "Corsico", sid
        assert rows[sid]["geo_lon"] == rows[sid]["geo_lat"] == "", sid
    # Milano's own Curiel 19: its official point (read independently here)
    civici = datasets.read_civici(mirror / datasets.REGISTRY["civici"].filename)
    ref = civici[
        (civici["street_name"] == "EUGENIO CURIEL")
        & (civici["housenumber"] == "19")
        & (civici["status"] == 2)
        & (civici["entrance"] == "")
    ]
    assert len(ref) == 1
    assert rows["S1"]["geo_match_type"] == "exact"
    lon = float(rows["S1"]["geo_lon"].replace(",", "."))
    assert abs(lon - float(ref["lon"].iloc[0])) < 1e-5
    # Cinisello has no civic points in the mirror: street level, never Milan's
    for sid in ("S4", "S5"):
        assert rows[sid]["geo_comune"] == "Cinisello Balsamo"
        assert rows[sid]["geo_lon"] == ""

    # vacant units for the renovation tables: S6 (Corsico) has the most
    (tmp_path / "sfitti.csv").write_text(
        "id;codice_stabile;sfitto_dal;motivo;costo\n"
        "V1;S1;01/02/2023;carenza manutentiva;20000\n"
        "V2;S4;01/02/2023;carenza manutentiva;20000\n"
        "V3;S6;01/02/2023;carenza manutentiva;20000\n"
        "V4;S6;01/02/2023;carenza manutentiva;20000\n"
        "V5;S7;01/02/2023;carenza manutentiva;20000\n",
        encoding="utf-8",
    )
    (tmp_path / "run.toml").write_text(
        '[records]\nsynthetic = true\nestates = "estates.csv"\n'
        'occupations = "occupazioni.csv"\nvacancies = "sfitti.csv"\n'
        "[districts]\ncomuni = ['Milano', 'Cinisello Balsamo']\n",
        encoding="utf-8",
    )
    bundle = tmp_path / "bundle"
    res = run_cli("run", str(tmp_path / "run.toml"), "--out-dir", str(bundle), env=env)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    text = " ".join(res.stderr.split())
    # said in the meeting's language (Italian)
    assert "i loro alloggi e record non sono conteggiati (es. S6, S7)" in text
    import geopandas as gpd

    estates = gpd.read_file(bundle / "layers.gpkg", layer="estates")
    estates = estates.set_index("estate_id")
    assert estates.loc[["S6", "S7"], "geometry"].isna().all()
    assert estates.loc[["S6", "S7"], "district_id"].isna().all()
    with (bundle / "tables" / "districts_by_year.csv").open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        table = list(csv.DictReader(fh, delimiter=";"))
    # S1 + S2 in Milan's NIL, S4 + S5 in CINISELLO; Corsico's 105 units nowhere
    totals = {
        r["Periodo"]: r["Alloggi"] for r in table if r["Riga"] == "totale generale"
    }
    assert totals == {"2023": "220", "2024": "220"}
    cinisello = {r["Alloggi"] for r in table if r["Codice quartiere"] == "CINISELLO"}
    assert cinisello == {"120"}

    def read(name):
        path = bundle / "tables" / f"{name}.csv"
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh, delimiter=";"))

    # out of the study area: left out of every ranking and plan, with its
    # records (Cinisello's estates, placed by their comune, stay in)
    ranked = [r["Codice stabile"] for r in read("patrol_estates")]
    assert sorted(ranked) == ["S1", "S2", "S4", "S5"]
    candidates = [r["Codice stabile"] for r in read("renovation_plan")]
    assert sorted(candidates) == ["S1", "S4"]
    # one vacant unit each in S1 and S4: at 20.000 € a unit, cheapest-first
    # returns both within the 10 M€ budget, and never Corsico's three
    summary = {r["Metodo"]: r for r in read("renovation_summary")}
    assert summary["prima i più economici"]["Alloggi recuperati"] == "2"
    frontier = read("renovation_frontier")
    assert max(int(r["Alloggi recuperati"]) for r in frontier) <= 2
    said = " ".join((bundle / "summary.md").read_text(encoding="utf-8").split())
    assert (
        "2 stabili non collocati in alcun quartiere dell'area di studio (fuori "
        "dall'area o senza posizione) restano fuori dalle classifiche dei "
        "pattugliamenti e dai piani di ristrutturazione, con i loro record "
        "(es. S6, S7)."
    ) in said
    assert said.count("restano fuori dalle classifiche dei pattugliamenti") == 1


@pytest.mark.parametrize(
    ("lang", "note", "english"),
    [("it", "fuori area: Corsico", "out of area"), ("en", "out of area: Corsico", "")],
)
def test_geocode_notes_unplaced_rows_in_the_commands_language(
    mirror, tmp_path, lang, note, english
):
    """An address outside the study area is noted in the command's language.

    Before: ``out of area: Corsico`` in the table of an Italian user.
    """
    import pandas as pd

    src = tmp_path / "indirizzi.csv"
    src.write_text(
        "indirizzo;comune\nVia Padova 1;Milano\nVia Roma 1;Corsico\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    res = run_cli("geocode", str(src), "--out", str(out), "--lang", lang)
    assert res.returncode == 0, res.stderr
    sep = ";" if lang == "it" else ","
    table = pd.read_csv(out, sep=sep, encoding="utf-8-sig", dtype=str)
    assert table["geo_match_type"].tolist()[1] == "out_of_area"
    assert table["geo_matched_address"].tolist()[1] == note
    review = pd.read_csv(
        tmp_path / "out.review.csv", sep=sep, encoding="utf-8-sig", dtype=str
    )
    assert review["geo_matched_address"].tolist() == [note]
    if english:
        assert english not in out.read_text("utf-8-sig")
