"""The main job end to end: the meeting bundle, its determinism and its privacy."""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo_alloggi import _schema as S
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi.pipeline import load_settings, run, run_demo

EXPECTED_FILES = {
    "map.html",
    "map.png",
    "map.pdf",
    "layers.gpkg",
    "layers.qgz",
    "summary.md",
    "manifest.json",
    "figures.json",
    "report.html",
    "tables/districts_by_year.csv",
    "tables/hotspots.csv",
    "tables/patrol_districts.csv",
    "tables/patrol_estates.csv",
    "tables/social_services.csv",
    "tables/renovation_plan.csv",
    "tables/renovation_summary.csv",
    "tables/renovation_frontier.csv",
    "tables/backtest.csv",
    "tables/backtest_summary.csv",
    "tables/linking.csv",
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory, mirror, demo_run):
    """The demo bundle built twice with the same seed (the first is the session's)."""
    b = tmp_path_factory.mktemp("demo_b")
    files_b = run_demo(b, seed=0, mirror=mirror)
    return demo_run.path, b, demo_run.files, files_b


def test_bundle_has_every_file(bundles):
    a, _, files, _ = bundles
    names = {str(p.relative_to(a)) for p in files}
    assert names >= EXPECTED_FILES
    for f in files:
        assert f.stat().st_size > 0


def test_every_output_says_synthetic(bundles):
    a, _, _files, _ = bundles
    assert "SYNTHETIC" in (a / "map.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (a / "summary.md").read_text(encoding="utf-8")
    for csv in (a / "tables").glob("*.csv"):
        assert "SYNTHETIC" in csv.read_text(encoding="utf-8-sig"), csv.name
    layers = gpd.list_layers(a / "layers.gpkg")
    for layer in layers[layers.geometry_type.notna()]["name"]:  # not layer_styles
        gdf = gpd.read_file(a / "layers.gpkg", layer=layer)
        assert (gdf["data_label"] == "SYNTHETIC").all(), layer
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["synthetic"] is True and manifest["seed"] == 0


def test_tables_open_in_italian_excel(bundles):
    a, *_ = bundles
    raw = (a / "tables" / "districts_by_year.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert ";" in header and "Alloggi occupati" in header
    table = pd.read_csv(
        a / "tables" / "districts_by_year.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    rates = table["Alloggi occupati ogni 100"].dropna()
    numeric = rates[rates != "riservato"]
    assert numeric.str.fullmatch(r"\d+(,\d+)?").all()  # decimal comma


def test_no_small_cell_in_meeting_tables(bundles):
    """Counts 1..4 never appear in the district tables, the map data or the layers."""
    a, *_ = bundles
    table = pd.read_csv(
        a / "tables" / "districts_by_year.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    for col in ("Alloggi occupati", "Nuove occupazioni", "Sgomberi", "Alloggi sfitti"):
        values = table[col].dropna()
        numbers = pd.to_numeric(
            values.str.replace(".", "", regex=False), errors="coerce"
        )
        assert not numbers.between(1, 4).any(), col
    est = gpd.read_file(a / "layers.gpkg", layer="estates")
    for col in (S.OCCUPIED, S.VACANT, S.EVICTIONS):
        assert not est[col].between(1, 4).any(), col


def _count(cell: str) -> int:
    """Read an integer cell of a meeting table (Italian thousands: ``1.234``)."""
    return int(cell.replace(".", ""))


def test_totals_published_equal_the_records(bundles, mirror):
    """Every year's grand total equals a direct count from the linked records.

    The expected counts come from the record dates with plain pandas, not from
    the overlay: occupations and vacancies under way on 31 December (detected
    or vacant on or before it, not ended by then), occupations detected and
    evictions executed during the year, and the units of every estate.
    """
    a, *_ = bundles
    from geo_alloggi.pipeline import link_bundle
    from geo_alloggi.synthetic import make_demo

    raw = make_demo(seed=0, mirror=mirror)
    rec, _ = link_bundle(raw)  # records that cannot be linked are not counted
    occ, ev, vac = rec.occupations, rec.evictions, rec.vacancies
    table = pd.read_csv(
        a / "tables" / "districts_by_year.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    totals = table[table["Riga"] == "totale generale"].set_index("Periodo")
    first, last = raw.truth["years"]
    assert list(totals.index) == [str(y) for y in range(first, last + 1)]

    def under_way(frame: pd.DataFrame, since: str, day: pd.Timestamp) -> int:
        ended = frame[S.ENDED_ON]
        return int(((frame[since] <= day) & (ended.isna() | (ended > day))).sum())

    for year in range(first, last + 1):
        day = pd.Timestamp(year, 12, 31)
        expected = {
            "Alloggi": int(rec.estates[S.UNITS].sum()),
            "Alloggi occupati": under_way(occ, S.DETECTED_ON, day),
            "Nuove occupazioni": int((occ[S.DETECTED_ON].dt.year == year).sum()),
            "Sgomberi": int(
                (
                    (ev[S.EVICTION_DATE].dt.year == year)
                    & (ev[S.OUTCOME] == "executed")
                ).sum()
            ),
            "Alloggi sfitti": under_way(vac, S.VACANT_SINCE, day),
        }
        assert min(expected.values()) > 0, (year, expected)
        row = totals.loc[str(year)]
        assert {col: _count(row[col]) for col in expected} == expected, year


def test_same_seed_same_bundle(bundles):
    a, b, files_a, _ = bundles
    for f in files_a:
        rel = f.relative_to(a)
        if rel.name in ("manifest.json",) or rel.suffix in (
            ".png",
            ".pdf",
            ".gpkg",
            ".xlsx",
        ):
            continue
        assert f.read_bytes() == (b / rel).read_bytes(), rel
    for layer in gpd.list_layers(a / "layers.gpkg")["name"]:
        left = gpd.read_file(a / "layers.gpkg", layer=layer)
        right = gpd.read_file(b / "layers.gpkg", layer=layer)
        # the QGIS styles carry their layer's write time, as the GeoPackage does
        left, right = (
            x.drop(columns="update_time", errors="ignore") for x in (left, right)
        )
        pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))
    for x in (a / "tables").glob("*.xlsx"):
        left = pd.read_excel(x, dtype=str)
        right = pd.read_excel(b / "tables" / x.name, dtype=str)
        pd.testing.assert_frame_equal(left, right)
    ma = json.loads((a / "manifest.json").read_text())
    mb = json.loads((b / "manifest.json").read_text())
    ma.pop("generated_at"), mb.pop("generated_at")
    assert ma == mb


def _html_legends(page: str) -> dict[str, list[tuple[str, str]]]:
    """Title -> [(colour, label)] of every legend of a map.html."""
    out = {}
    for raw in re.findall(r'GA\.legend\(\w+, \w+, ("(?:[^"\\]|\\.)*")\);', page):
        legend = json.loads(raw)
        title = re.search(r'ga-legend-title">(.*?)</div>', legend).group(1)
        rows = re.findall(
            r'style="background:(#[0-9a-f]{6})"></span><span>(.*?)</span>', legend
        )
        out[html.unescape(title)] = [(c, html.unescape(x)) for c, x in rows]
    return out


def test_layers_carry_the_maps_qgis_styles(bundles):
    """layers.gpkg: a QGIS style per layer, with the HTML map's classes and colours."""
    import xml.etree.ElementTree as ET

    import pyogrio

    a, *_ = bundles
    styles = pyogrio.read_dataframe(a / "layers.gpkg", layer="layer_styles")
    layers = set(gpd.list_layers(a / "layers.gpkg")["name"]) - {"layer_styles"}
    assert set(styles.f_table_name) == layers
    assert (
        styles.useAsDefault.astype(bool).groupby(styles.f_table_name).sum().eq(1).all()
    )
    row = styles[
        (styles.f_table_name == "districts") & styles.useAsDefault.astype(bool)
    ]
    qml = ET.fromstring(row.styleQML.iloc[0].split("\n", 1)[1])
    renderer = qml.find("renderer-v2")
    assert renderer.get("type") == "RuleRenderer"
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    rules = [
        (
            symbols[r.get("symbol")].find("layer/prop[@k='color']").get("v"),
            r.get("label"),
        )
        for r in renderer.iter("rule")
    ]
    page = (a / "map.html").read_text(encoding="utf-8")
    legend = _html_legends(page)["Alloggi occupati ogni 100"]
    assert [lab for _, lab in rules] == [lab for _, lab in legend]
    rgb = [",".join(str(int(c[i : i + 2], 16)) for i in (1, 3, 5)) for c, _ in legend]
    assert [c.rsplit(",", 1)[0] for c, _ in rules] == rgb
    with zipfile.ZipFile(a / "layers.qgz") as zf:
        (name,) = zf.namelist()
        project = zf.read(name).decode("utf-8")
    assert name == "layers.qgs" and "./layers.gpkg|layername=districts" in project
    assert "SYNTHETIC" in project


def test_map_within_size_budget(bundles):
    a, *_ = bundles
    assert (a / "map.html").stat().st_size <= 3 * 1024 * 1024


@pytest.mark.browser
def test_demo_map_opens_offline_in_chromium(bundles):
    """The bundle's map in Chromium, network blocked: no error, no request."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip(
            "Debian's chromium is not installed (make test installs it as root)"
        )
    from playwright.sync_api import sync_playwright

    a, *_ = bundles
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
            else:
                requests.append(url)
                r.abort()

        page.route("**/*", route)
        page.goto((a / "map.html").as_uri())
        page.wait_for_timeout(1500)
        assert errors == []
        assert requests == []
        layers = page.locator(".leaflet-control-layers-overlays label").count()
        drawn = page.evaluate("document.querySelectorAll('.leaflet-pane path').length")
        banner = page.get_by_text("SYNTHETIC").count()
        browser.close()
    assert layers >= 6 and drawn >= 89 and banner >= 1


# --- a user's own files --------------------------------------------------------------

PERSONAL = {
    "nome": ["Mario Rossi", "Giulia Bianchi", "Luca Verdi"],
    "codice_fiscale": ["RSSMRA80A01F205X", "BNCGLI85B41F205Y", "VRDLCU90C01F205Z"],
    "telefono": ["+39 333 1234567", "+39 347 7654321", "02 12345678"],
}


def _with_personal(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col, values in PERSONAL.items():
        out[col] = [values[i % len(values)] for i in range(len(out))]
    return out


@pytest.fixture(scope="module")
def user_run(tmp_path_factory, mirror):
    """Records written as a user's CSV/XLSX files with personal columns, then `run`."""
    from geo_alloggi.synthetic import make_demo

    rec = make_demo(seed=5, messy=False, mirror=mirror)
    folder = tmp_path_factory.mktemp("user")
    est = pd.DataFrame(rec.estates.drop(columns="geometry"))
    est = est[
        ["estate_id", "name", "address", "comune", "owner", "units", "lon", "lat"]
    ]
    est.rename(
        columns={
            "estate_id": "codice_stabile",
            "address": "indirizzo",
            "units": "alloggi",
        }
    ).to_csv(
        folder / "stabili.csv", sep=";", index=False, encoding="cp1252", decimal=","
    )
    occ = rec.occupations[
        ["record_id", "estate_id", "unit_id", "detected_on", "ended_on", "status"]
    ].copy()
    for c in ("detected_on", "ended_on"):
        occ[c] = occ[c].dt.strftime("%d/%m/%Y")
    _with_personal(occ).to_csv(folder / "occupazioni.csv", index=False)
    ev = rec.evictions[
        ["record_id", "estate_id", "unit_id", "date", "outcome", "vulnerable"]
    ].copy()
    _with_personal(ev).to_excel(folder / "sgomberi.xlsx", index=False)
    vac = rec.vacancies[
        [
            "record_id",
            "estate_id",
            "unit_id",
            "since",
            "ended_on",
            "reason",
            "renovation_cost_eur",
        ]
    ]
    vac.to_csv(folder / "sfitti.csv", index=False)
    (folder / "run.toml").write_text(
        """
[records]
estates = "stabili.csv"
occupations = "occupazioni.csv"
evictions = "sgomberi.xlsx"
vacancies = "sfitti.csv"

[analysis]
period = "year"
start = "2014"
end = "2025"

[priorities]
objective = "units"
budget_eur = { Aler = 3000000, "Comune-MM" = 2000000 }

[output]
lang = "en"
""",
        encoding="utf-8",
    )
    out = folder / "bundle"
    files = run(folder / "run.toml", out, mirror=mirror, pdf=False)
    # the dropped columns are named (never their values) in the bundle's notes
    notes = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["notes"]
    assert any("codice_fiscale" in n and "dropped" in n for n in notes)  # lang en
    return out, files


def _all_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as zf:
            return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    if path.suffix == ".gpkg":
        con = sqlite3.connect(path)
        try:
            parts = []
            for (table,) in con.execute(
                "select name from sqlite_master where type='table'"
            ):
                for row in con.execute(f'select * from "{table}"'):
                    parts.append(
                        " ".join(str(v) for v in row if not isinstance(v, bytes))
                    )
            return "\n".join(parts)
        finally:
            con.close()
    return data.decode("utf-8", "replace")


def test_user_run_writes_bundle_without_personal_data(user_run):
    out, _files = user_run
    assert (out / "map.html").exists() and (out / "manifest.json").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["synthetic"] is False
    for kind in ("estates", "occupations", "evictions", "vacancies"):
        entry = manifest["inputs"][kind]
        assert entry["rows_read"] == entry["accepted"] + entry["quarantined"]
    everything = "\n".join(
        _all_text(f)
        for f in out.rglob("*")
        if f.is_file() and f.suffix not in (".png", ".pdf")
    )
    for values in PERSONAL.values():
        for v in values:
            assert v not in everything, v


def test_user_run_plans_per_owner_with_the_configured_objective(user_run):
    out, _files = user_run
    tables = out / "tables"
    front = _csv(tables / "renovation_frontier.csv", "en")
    for header in ("Units recovered", "Risk-weighted units", "Spend (€)"):
        assert header in front.columns
    assert list(dict.fromkeys(front["Owner"])) == [
        "Total",
        "Aler Milano",
        "Comune (MM Casa)",
    ]
    budgets = {"Aler Milano": 3e6, "Comune (MM Casa)": 2e6, "Total": 5e6}
    for owner, part in front.groupby("Owner"):
        units = part["Units recovered"].astype(int).to_numpy()
        rw = part["Risk-weighted units"].astype(float).to_numpy()
        assert (units[1:] > units[:-1]).all() and (rw[1:] <= rw[:-1] + 0.01).all()
        assert (part["Spend (€)"].astype(float) <= budgets[owner]).all()
        # objective "units": the last plan of each owner is the one chosen
        assert part["Chosen plan"].fillna("").tolist()[-1] == "yes", owner
        assert part["Chosen plan"].fillna("").tolist()[:-1] == [""] * (len(part) - 1)
    assert len(front[front["Owner"] == "Total"]) >= 5
    summary = _csv(tables / "renovation_summary.csv", "en")
    assert {"optimal (units)", "risk per euro first"} <= set(summary["Method"])
    best = summary[summary["Method"] == "optimal (units)"].set_index("Owner")
    total = front[front["Owner"] == "Total"].iloc[-1]
    assert best.loc["Total", "Units recovered"] == total["Units recovered"]
    assert int(best.loc["Aler Milano", "Units recovered"]) + int(
        best.loc["Comune (MM Casa)", "Units recovered"]
    ) == int(total["Units recovered"])
    assert float(best.loc["Aler Milano", "Budget (€)"]) == 3e6
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "chosen plan (objective: units recovered)" in text
    assert "- Aler Milano: budget €3,000,000" in text
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Renovation: chosen plan (units recovered)" in page
    assert "Public housing estates: Aler Milano" in page
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["objective"] == "units"
    assert manifest["settings"]["budget_eur"] == {"Aler": 3e6, "Comune-MM": 2e6}


def test_demo_frontier_ends_are_the_two_plans(demo_bundle):
    tables = demo_bundle / "tables"
    front = _csv(tables / "renovation_frontier.csv")
    total = front[front["Ente gestore"] == "Totale"]
    assert len(total) >= 5
    assert total["Piano scelto"].fillna("").tolist()[0] == "sì"  # objective risk
    summary = _csv(tables / "renovation_summary.csv")
    chosen = summary[
        (summary["Ente gestore"] == "Totale")
        & (summary["Metodo"] == "ottimale (rischio)")
    ].iloc[0]
    for col in ("Alloggi recuperati", "Alloggi pesati per rischio", "Spesa (€)"):
        assert chosen[col] == total.iloc[0][col], col
    assert "prima il rischio più alto per euro" in set(summary["Metodo"])
    assert "piano scelto (obiettivo: alloggi pesati per rischio" in (
        demo_bundle / "summary.md"
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("budget_eur = { ALER = 1 }", r"owner\(s\) \['ALER'\]"),
        ('budget_eur = { Aler = "x" }', "euros per owner"),
        ('objective = "homes"', "objective='homes'"),
        ("budgets = 1", r"unknown key\(s\) \['budgets'\] in \[priorities\]"),
    ],
)
def test_priority_settings_errors_are_clear(tmp_path, text, match):
    (tmp_path / "e.csv").write_text("estate_id\nE1\n", encoding="utf-8")
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        f'[records]\nestates = "e.csv"\n[priorities]\n{text}\n', encoding="utf-8"
    )
    with pytest.raises((InputFileError, ValidationError), match=match):
        load_settings(cfg)


def test_config_errors_are_clear(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[records\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid TOML"):
        load_settings(bad)
    nofile = tmp_path / "nofile.toml"
    nofile.write_text('[records]\nestates = "nope.csv"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="does not exist"):
        load_settings(nofile)
    (tmp_path / "e.csv").write_text("estate_id\nE1\n", encoding="utf-8")
    period = tmp_path / "period.toml"
    period.write_text(
        '[records]\nestates = "e.csv"\n[analysis]\nperiod = "week"\n', encoding="utf-8"
    )
    with pytest.raises(ValidationError, match="period='week'"):
        load_settings(period)


def _csv(path: Path, lang: str = "it") -> pd.DataFrame:
    sep = ";" if lang == "it" else ","
    return pd.read_csv(path, sep=sep, encoding="utf-8-sig", dtype=str)


def test_withheld_district_cells_cannot_be_given_back(bundles, mirror):
    """Complementary suppression holds across the tables and layers of one bundle.

    For the last year: a district cell withheld in the district table is withheld
    in the patrol ranking too and never written in its reasons, and the estates
    layer can neither rebuild it (sum of its estates) nor expose one estate by
    difference from a shown district cell.
    """
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.synthetic import make_demo

    a, *_ = bundles
    districts = _csv(a / "tables" / "districts_by_year.csv")
    last = districts["Periodo"].max()
    table = districts[
        (districts["Periodo"] == last) & (districts["Riga"] == "quartiere")
    ]
    occ = dict(zip(table["Codice quartiere"], table["Alloggi occupati"], strict=True))
    hidden = {d for d, v in occ.items() if v == "riservato"}
    assert hidden  # the demo has withheld cells to protect

    # independent raw counts (not in any output)
    rec = make_demo(seed=0, mirror=mirror)
    first, end = rec.truth["years"]
    from geo_alloggi import load_districts

    raw = aggregate(
        rec, load_districts("study_area", mirror=mirror), start=first, end=end
    )
    raw = raw[raw["period"].astype(str) == last].set_index("district_id")["occupied"]

    patrol = _csv(a / "tables" / "patrol_districts.csv").set_index("Codice quartiere")
    for d in hidden:
        assert patrol.loc[d, "Alloggi occupati"] in ("riservato", "< 5")
        n = int(raw[d])
        for word in ("alloggi occupati", "alloggio occupato"):
            assert f"{n} {word}" not in patrol.loc[d, "Motivo"]

    est = gpd.read_file(a / "layers.gpkg", layer="estates")
    for d, part in est.groupby("district_id"):
        values = part[S.OCCUPIED]
        n_hidden_nonzero = int(values.isna().sum())
        if d in hidden and int(raw.get(d, 0)) > 0:
            assert n_hidden_nonzero >= 1, d  # the sum of shown estates is not the cell
        if d in occ and occ[d] != "riservato":
            assert n_hidden_nonzero != 1, d  # no single estate by difference


def test_three_doors_publish_the_same_figures(demo_bundle, tmp_path, mirror):
    """``geo-alloggi demo``, ``prioritise --synthetic`` and the library agree.

    Same seed, same published figures: the patrol ranking, the renovation plan
    and the back-test tables are byte for byte the same, and the README's
    library walk-through finds the same counts and plan (issue 12 item 7).
    """
    import warnings

    import geo_alloggi as ga
    from geo_alloggi.cli import main
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.pipeline import demo_records, trend

    out = tmp_path / "prioritise"
    args = ["prioritise", "--synthetic", "--seed", "0", "--out-dir", str(out)]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--mirror", str(mirror)])
    assert exc.value.code in (0, None)
    tables = demo_bundle / "tables"
    for stem in (
        "patrol_districts",
        "renovation_summary",
        "backtest",
        "backtest_summary",
        "linking",
    ):
        assert (out / f"{stem}.csv").read_bytes() == (
            tables / f"{stem}.csv"
        ).read_bytes(), stem

    # the library walk-through of the README
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        districts = ga.load_districts("study_area", mirror=mirror)
        demo = demo_records(seed=0, mirror=mirror)
        records = demo.records
        panel = aggregate(
            records, districts, period="year", start=demo.start, end=demo.end
        )
        emerging = trend(panel, districts)
        ranking = ga.patrol_priority(
            panel,
            emerging=emerging,
            evictions=records.evictions,
            estate_district=ga.estate_districts(records.estates, districts),
        )
        near = ga.near_hot_spots(records.estates, districts, ga.hot_districts(emerging))
        plan = ga.renovation_plan(
            ga.renovation_candidates(records, hot=near), 10_000_000
        )
    patrol = _csv(tables / "patrol_districts.csv")
    assert patrol["Codice quartiere"].head(10).tolist() == (
        ranking[S.DISTRICT_ID].head(10).tolist()
    )
    shown = patrol.set_index("Nome").loc["Scalo Romana", "Alloggi occupati"]
    last = panel[panel[S.PERIOD] == panel[S.PERIOD].max()].set_index(S.NAME)
    assert _count(shown) == int(last.loc["Scalo Romana", S.OCCUPIED])
    summary = _csv(tables / "renovation_summary.csv")
    summary = summary[summary["Ente gestore"] == "Totale"].set_index("Metodo")
    units = plan.summary.set_index("method")["units_recovered"]
    assert _count(summary.loc["ottimale (rischio)", "Alloggi recuperati"]) == int(
        units["optimal"]
    )
    # the records left unlinked are published, and they are the library's too
    manifest = json.loads((demo_bundle / "manifest.json").read_text())
    unlinked = dict(zip(demo.links["kind"], demo.links["unlinked"], strict=True))
    assert manifest["unlinked_records"] == {k: int(v) for k, v in unlinked.items()}


def test_renovation_planned_in_a_child_equals_the_plan_made_in_process(mirror):
    """The child's plan, frontier and warnings are those of a plan made in process.

    Another thread alive keeps the work in process (no fork beside threads).
    """
    import threading
    import warnings

    from pandas.testing import assert_frame_equal

    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.pipeline import demo_records, prioritise, trend

    demo = demo_records(seed=0, mirror=mirror)
    districts = load_districts("study_area", mirror=mirror)
    panel = aggregate(demo.records, districts, start=demo.start, end=demo.end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        emerging = trend(panel, districts)

    def plan() -> tuple[object, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = prioritise(
                demo.records,
                districts,
                panel,
                emerging=emerging,
                budget_eur={"Aler": 2_000_000.0},  # Comune-MM's estates left out
                threshold=3,
            )
        return out, [getattr(w.message, "key", "") for w in caught]

    forked, said = plan()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        in_process, said_here = plan()
    finally:
        stop.set()
        other.join()
    assert "priorities.owner_no_budget" in said
    assert said == said_here
    assert_frame_equal(forked.candidates, in_process.candidates)
    assert_frame_equal(forked.plan.plan, in_process.plan.plan)
    assert_frame_equal(forked.plan.summary, in_process.plan.summary)
    assert_frame_equal(forked.frontier, in_process.frontier)
    assert_frame_equal(forked.patrol_districts, in_process.patrol_districts)


def test_backtest_in_a_child_equals_the_backtest_made_in_process(mirror):
    """A run whose back-test a child computes publishes what a run without one does.

    Same back-test, rankings, notes and warnings in the same order; another
    thread alive keeps the back-test in the parent, at its step, as before.
    """
    import threading

    from _bundles import warning_log
    from pandas.testing import assert_frame_equal

    from geo_alloggi._forked import can_fork
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.pipeline import RunSettings, analyse, demo_records

    demo = demo_records(seed=0, mirror=mirror)
    districts = load_districts("study_area", mirror=mirror)
    comuni = load_districts("comuni", mirror=mirror, all_comuni=True)
    settings = RunSettings(seed=0, synthetic=True, start=demo.start, end=demo.end)

    def run_analysis() -> tuple[object, list[str]]:
        with warning_log() as messages:
            out = analyse(
                demo.records,
                districts,
                settings=settings,
                comuni=comuni,
                link=False,
                links=demo.links,
            )
        return out, list(messages)

    forks = can_fork()
    forked, said = run_analysis()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        in_process, said_here = run_analysis()
    finally:
        stop.set()
        other.join()
    assert forks == hasattr(os, "fork")
    assert forked.backtest is not None  # the demo has periods to back-test
    assert_frame_equal(forked.backtest.scores, in_process.backtest.scores)
    assert_frame_equal(forked.backtest.summary, in_process.backtest.summary)
    assert forked.backtest.weights == in_process.backtest.weights
    assert_frame_equal(forked.patrol_districts, in_process.patrol_districts)
    assert_frame_equal(forked.patrol_estates, in_process.patrol_estates)
    assert forked.notes == in_process.notes
    assert said == said_here


def test_backtest_child_stops_when_the_run_fails(mirror):
    """An error beside the back-test's child stops it (no child left running)."""
    from geo_alloggi._forked import can_fork
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.overlay import aggregate
    from geo_alloggi.pipeline import demo_records
    from geo_alloggi.pipeline._prioritise import backtest_ahead

    demo = demo_records(seed=0, mirror=mirror)
    districts = load_districts("study_area", mirror=mirror)
    panel = aggregate(demo.records, districts, start=demo.start, end=demo.end)
    pids: list[int] = []

    def fail_beside_the_child() -> None:
        with backtest_ahead(demo.records, districts, panel) as child:
            if child is not None and child._pid is not None:
                pids.append(child._pid)
            raise KeyError("the run fails")

    with pytest.raises(KeyError, match="the run"):
        fail_beside_the_child()
    assert bool(pids) == can_fork()
    for pid in pids:  # forked: the child was stopped and reaped
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
