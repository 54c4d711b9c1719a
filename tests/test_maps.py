"""Map builders, offline HTML, determinism, suppression, escaping, static export."""

from __future__ import annotations

import html as htmlmod
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from geo_alloggi import _schema as S
from geo_alloggi import maps
from geo_alloggi._errors import CRSError, ValidationError
from geo_alloggi._i18n import (
    emerging_label,
    fmt_count,
    fmt_date,
    fmt_eur,
    fmt_int,
    fmt_number,
    fmt_period,
    hotspot_label,
    t,
)
from geo_alloggi._offline import OfflineError, asset_block, deterministic_ids

XSS = "<img src=x onerror=alert(1)>"


# ---------------------------------------------------------------------------
# fixtures


@pytest.fixture
def districts(grid3x3: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    d = grid3x3.copy()
    d[S.OCCUPIED_PER_100] = np.arange(1.0, 10.0)  # 1..9
    d[S.OCCUPIED] = [0, 3, 12, 7, 40, 2, 9, 15, 22]
    d[S.SUPPRESSED] = [False] * 8 + [True]
    d[S.GI_BIN] = [3, 2, 1, 0, -1, -2, -3, 0, 0]
    d[S.HOTSPOT] = [S.HOTSPOT_LABELS[b] for b in d[S.GI_BIN]]
    d[S.GI_Z] = [3.1, 2.2, 1.7, 0.1, -1.7, -2.1, -3.3, 0.0, 0.2]
    d[S.EMERGING] = ["Persistent Hot Spot", "New Hot Spot"] + [
        "No Pattern Detected"
    ] * 7
    return d


@pytest.fixture
def estates(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pts = districts.to_crs("EPSG:32632").geometry.centroid
    rows = []
    for i, p in enumerate(pts):
        rows.append(
            {
                S.ESTATE_ID: f"E{i}",
                S.NAME: XSS if i == 0 else f"Stabile {i}",
                S.ADDRESS: f"Via Test {i}",
                S.COMUNE: "Milano",
                S.OWNER: "Aler" if i % 2 else "Comune-MM",
                S.UNITS: 100 + i,
                S.OCCUPIED: [3, 0, 5, 12, 1, 4, 30, 6, 9][i],
                S.VACANT: 7,
                S.EVICTIONS: 2,
                "geometry": Point(p.x + 10, p.y + 10),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:32632").to_crs("EPSG:4326")


@pytest.fixture
def periods(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    rows = []
    for j, did in enumerate(districts[S.DISTRICT_ID]):
        for y, k in zip((2018, 2019, 2020), (0, 1, 2), strict=True):
            rows.append({S.DISTRICT_ID: did, S.PERIOD: y, S.OCCUPIED: j * 3 + k * 10})
    return pd.DataFrame(rows)


WITHHELD = "Dato riservato (conteggi sotto 5 o che li rivelerebbero)"


def _layers(m: folium.Map, kind: type) -> list:
    return [c for c in m._children.values() if isinstance(c, kind)]


def _popup_cells(popup: list) -> dict[str, str]:
    """Label -> value of a popup given as data ``[title, [[k, v]...], note]``."""
    return dict(popup[1])


def _features(layer) -> list[dict]:
    """The feature properties of a layer (geometry shared or inline)."""
    if "f" in layer.data:
        return layer.data["f"]
    return [f["properties"] for f in layer.data["features"]]


def _estate_cells(layer, row: list) -> dict[str, str]:
    return {
        k: v for k, v in zip(layer.opts["fields"], row[4], strict=True) if v is not None
    }


# ---------------------------------------------------------------------------
# Italian/English labels and formats


def test_italian_and_english_number_and_date_formats() -> None:
    assert fmt_number(1234.5) == "1.234,5"
    assert fmt_number(1234.5, lang="en") == "1,234.5"
    assert fmt_number(-1234567.891, 2) == "-1.234.567,89"
    assert fmt_number(-0.04, 1) == "0,0"
    assert fmt_int(66730) == "66.730"
    assert fmt_eur(132_000_000) == "132.000.000 €"
    assert fmt_eur(-1500.5, "en", 2) == "-€1,500.50"
    assert fmt_number(float("nan")) == "n.d."
    assert fmt_date("2019-12-31") == "31/12/2019"
    assert fmt_date(pd.Timestamp("2019-01-02"), lang="en") == "2019-01-02"
    assert fmt_period(pd.Period("2019Q1", freq="Q")) == "T1 2019"
    assert fmt_period(pd.Period("2019Q3", freq="Q"), lang="en") == "Q3 2019"
    assert fmt_period(pd.Period("2019-03", freq="M")) == "03/2019"
    assert fmt_period(2019) == "2019"
    assert fmt_period("2019Q3") == "T3 2019"  # overlay.period_labels
    assert fmt_period("2019-07", lang="en") == "Jul 2019"
    assert fmt_period("2019-13") == "2019-13"


@pytest.mark.parametrize(
    ("value", "allow", "expected"),
    [(0, False, "0"), (1, False, "< 5"), (4, False, "< 5"), (5, False, "5"),
     (4, True, "4"), (1234, False, "1.234")],
)  # fmt: skip
def test_small_counts_are_suppressed(value: int, allow: bool, expected: str) -> None:
    assert fmt_count(value, threshold=5, allow_small=allow) == expected


def test_category_labels_cover_schema_in_both_languages() -> None:
    it = [emerging_label(c) for c in S.EMERGING_CATEGORIES]
    assert len(set(it)) == len(S.EMERGING_CATEGORIES)
    assert emerging_label("Persistent Hot Spot") == "Punto caldo persistente"
    assert [emerging_label(c, "en") for c in S.EMERGING_CATEGORIES] == list(
        S.EMERGING_CATEGORIES
    )
    assert hotspot_label(3) == "Punto caldo 99%"
    assert hotspot_label("Cold spot 95%") == "Punto freddo 95%"
    assert hotspot_label(-1, "en") == "Cold spot 90%"
    with pytest.raises(ValidationError, match="gi_bin=4"):
        hotspot_label(4)
    with pytest.raises(ValidationError, match="lang='fr'"):
        t("layer.estates", "fr")


# ---------------------------------------------------------------------------
# builders


def test_choropleth_classes_suppression_and_legend(districts) -> None:
    # the rates alone (without the counts they come from, whose small values
    # would hide them too: test_agency_files)
    rates = districts.drop(columns=S.OCCUPIED)
    m = maps.choropleth_layer(rates, S.OCCUPIED_PER_100, scheme="quantiles", k=3)
    (layer,) = _layers(m, maps._GeoJsonLayer)
    feats = _features(layer)
    styles = layer.opts["styles"]
    # D8 (value 9) is withheld; terciles of 1..8 (linear): 1 + 7/3 = 3.33 and
    # 1 + 14/3 = 5.67 -> classes 1-3, 4-5, 6-8
    assert [f["s"] for f in feats] == [0, 0, 0, 1, 1, 2, 2, 2, 4]
    assert styles[4]["fillColor"] == maps._SUPPRESSED_COLOR
    cells = _popup_cells(feats[8]["p"])
    assert cells["Alloggi occupati ogni 100"] == WITHHELD
    assert "9,0" not in str(feats[8]["p"])
    assert _popup_cells(feats[3]["p"])["Alloggi occupati ogni 100"] == "4,0"
    legend = htmlmod.unescape(layer.legend_html)
    # classes computed without the withheld value 9: max is 8
    assert "1,0 – 3,3" in legend and "3,3 – 5,7" in legend and "5,7 – 8,0" in legend
    assert "Dato riservato" in legend


def test_suppressed_as_listed_columns(districts) -> None:
    # disclosure.suppress style: the withheld columns of each row, values NA
    d = districts.assign(
        **{
            S.SUPPRESSED: pd.array(
                ["", "occupied", "occupied,occupied_per_100", "", "", "", "", "", ""],
                dtype="string",
            ),
            S.OCCUPIED_PER_100: pd.array(
                [1.0, 2.0, None, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], dtype="Float64"
            ),
        }
    )
    m = maps.choropleth_layer(d, popup_columns=[S.OCCUPIED], allow_small=True, k=2)
    (layer,) = _layers(m, maps._GeoJsonLayer)
    feats = _features(layer)
    withheld = len(layer.opts["styles"]) - 1
    assert [f["s"] == withheld for f in feats] == [False, False, True] + [False] * 6
    p1, p2 = (_popup_cells(feats[i]["p"]) for i in (1, 2))
    assert p1["Alloggi occupati ogni 100"] == "2,0"
    assert p1["Alloggi occupati"] == WITHHELD  # listed: hidden
    assert p2["Alloggi occupati ogni 100"] == WITHHELD
    assert _popup_cells(feats[0]["p"])["Alloggi occupati"] == "0"


def test_choropleth_of_counts_hides_small_counts(districts) -> None:
    m = maps.choropleth_layer(districts, S.OCCUPIED, k=3)
    (layer,) = _layers(m, maps._GeoJsonLayer)
    feats = _features(layer)
    withheld = len(layer.opts["styles"]) - 1
    # 3 and 2 are small counts, D8 is flagged: all three withheld; 0 is shown
    assert [f["s"] == withheld for f in feats] == [
        False, True, False, False, False, True, False, False, True,
    ]  # fmt: skip
    assert _popup_cells(feats[0]["p"])["Alloggi occupati"] == "0"
    m2 = maps.choropleth_layer(districts, S.OCCUPIED, k=3, allow_small=True)
    (layer2,) = _layers(m2, maps._GeoJsonLayer)
    assert _popup_cells(_features(layer2)[1]["p"])["Alloggi occupati"] == "3"


def test_hotspot_palette_and_categorical_legend(districts) -> None:
    m = maps.hotspot_layer(districts)
    (layer,) = _layers(m, maps._GeoJsonLayer)
    fill = [layer.opts["styles"][f["s"]]["fillColor"] for f in _features(layer)]
    assert fill[0] == "#b2182b"  # hot 99%: dark red
    assert fill[6] == "#2166ac"  # cold 99%: dark blue
    assert fill[3] == fill[7] == "#f7f7f7"
    legend = htmlmod.unescape(layer.legend_html)
    for b in S.HOTSPOT_LABELS:
        assert hotspot_label(b) in legend
    bad = districts.assign(**{S.HOTSPOT: ["Hot"] * 9})
    with pytest.raises(ValidationError, match="hotspot"):
        maps.hotspot_layer(bad)


def test_emerging_legend_lists_present_categories(districts) -> None:
    m = maps.emerging_layer(districts, lang="en")
    (layer,) = _layers(m, maps._GeoJsonLayer)
    legend = htmlmod.unescape(layer.legend_html)
    assert "Persistent Hot Spot" in legend and "New Hot Spot" in legend
    assert "Sporadic Cold Spot" not in legend
    with pytest.raises(ValidationError, match="emerging_category"):
        maps.emerging_layer(districts.assign(**{S.EMERGING: "Warm"}))


def test_estate_popups_suppress_and_escape(estates) -> None:
    m = maps.estates_layer(estates)
    (layer,) = _layers(m, maps._MarkerLayer)
    rows = {r[3]: r for r in layer.rows}
    assert set(rows) == set(estates[S.NAME])
    cells = _estate_cells(layer, rows[XSS])
    assert cells["Alloggi occupati"] == "< 5"  # 3 occupied
    assert cells["Alloggi sfitti"] == "7"
    assert cells["Sgomberi"] == "< 5"  # 2 evictions
    assert _estate_cells(layer, rows["Stabile 1"])["Alloggi occupati"] == "0"
    assert _estate_cells(layer, rows["Stabile 2"])["Alloggi occupati"] == "5"
    m10 = maps.estates_layer(estates, threshold=10)
    rows10 = {r[3]: r for r in _layers(m10, maps._MarkerLayer)[0].rows}
    assert (
        _estate_cells(_layers(m10, maps._MarkerLayer)[0], rows10["Stabile 7"])[
            "Alloggi occupati"
        ]
        == "< 10"
    )
    mall = maps.estates_layer(estates, allow_small=True)
    rowsall = {r[3]: r for r in _layers(mall, maps._MarkerLayer)[0].rows}
    assert (
        _estate_cells(_layers(mall, maps._MarkerLayer)[0], rowsall[XSS])[
            "Alloggi occupati"
        ]
        == "3"
    )


def test_template_syntax_in_input_is_not_evaluated(estates, districts) -> None:
    # branca re-parses rendered macros as Jinja templates; ours must not
    names = [f"{{{{ {i} * 7 }}}} x" for i in range(len(estates))]
    e = estates.assign(**{S.NAME: names})
    d = districts.assign(**{S.NAME: "{% for x in range(3) %}Z{% endfor %}"})
    m = maps.estates_layer(e, name="{{ 6 * 7 }} layer")
    m = maps.outline_layer(d, m=m, name="{{ 6 * 7 }} outline")
    page = maps.map_html(maps.add_controls(m), offline=False)
    assert "{{ 3 * 7 }} x" in page and "21 x" not in page
    assert "{% for x in range(3) %}Z{% endfor %}" in page and "ZZZ" not in page
    assert "{{ 6 * 7 }} layer" in page and "42 layer" not in page
    m2 = maps.base_map(title="</title><script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in maps.map_html(m2)


def test_estates_without_position_warn(estates) -> None:
    e = estates.copy()
    e.loc[2, "geometry"] = None
    with pytest.warns(UserWarning, match=r"1 estate\(s\) without a position.*'E2'"):
        m = maps.estates_layer(e)
    assert len(_layers(m, maps._MarkerLayer)[0].rows) == len(e) - 1


def test_time_slider_values_per_period(districts, periods) -> None:
    m = maps.time_slider_layer(districts, periods, k=3)
    (layer,) = _layers(m, maps._GeoJsonLayer)
    sl = layer.slider
    assert sl["periods"] == ["2018", "2019", "2020"]
    # D1 has 3, 13, 23: the 3 is a small count
    assert sl["texts"]["D1"] == ["< 5", "13", "23"]
    assert sl["texts"]["D0"] == ["0", "10", "20"]
    withheld = len(sl["styles"]) - 1
    assert sl["classes"]["D1"][0] == withheld
    assert all(len(v) == 3 for v in sl["classes"].values())
    # colours comparable across periods: larger value, never a lower class
    assert sl["classes"]["D8"][2] >= sl["classes"]["D8"][0]
    dup = pd.concat([periods, periods.head(1)])
    with pytest.raises(ValidationError, match="duplicated"):
        maps.time_slider_layer(districts, dup)


def test_priority_layer_top_rows_in_rank_order(districts) -> None:
    table = pd.DataFrame(
        {
            S.DISTRICT_ID: ["D4", "D2", "D7", "D0"],
            S.PRIORITY_RANK: [2, 1, 4, 3],
            S.PRIORITY_SCORE: [0.8, 0.9, 0.2, 0.5],
            S.PRIORITY_REASONS: ["b", "punto caldo persistente; <b>42</b>", "d", "c"],
        }
    )
    m = maps.priority_layer(table, geometry=districts, top=3)
    (layer,) = _layers(m, maps._MarkerLayer)
    assert [r[2] for r in layer.rows] == ["1", "2", "3"]
    assert [r[3] for r in layer.rows] == ["District 2", "District 4", "District 0"]
    assert layer.rows[0][4][2] == "punto caldo persistente; <b>42</b>"  # text, not HTML
    assert len(layer.areas["f"]) == 3
    with pytest.raises(ValidationError, match="without geometry"):
        maps.priority_layer(table.assign(**{S.DISTRICT_ID: "ZZ"}), geometry=districts)


def test_renovation_layer_from_plan(estates) -> None:
    plan = pd.DataFrame(
        {
            S.ESTATE_ID: ["E1", "E2", "E3"],
            S.SELECTED: [True, False, True],
            S.UNITS_CHOSEN: [12, 0, 3],
            S.COST_EUR: [480000.0, 0.0, 150000.0],
            S.RISK: [0.2, 0.5, 0.9],
            S.RISK_WEIGHTED: [2.4, 0.0, 2.7],
        }
    )
    m = maps.renovation_layer(plan, estates=estates)
    (layer,) = _layers(m, maps._MarkerLayer)
    assert [r[3] for r in layer.rows] == ["Stabile 3", "Stabile 1"]
    assert layer.rows[0][4][2].startswith("< 5 alloggi sfitti")
    assert "480.000 €" in layer.rows[1][4][2]
    # E3 placed in its district by its comune (no position): still planned,
    # not drawn, as on the estate layer; an id unknown to estates still fails
    unplaced = estates.copy()
    unplaced.loc[unplaced[S.ESTATE_ID] == "E3", "geometry"] = None
    m = maps.renovation_layer(plan, estates=unplaced)
    (layer,) = _layers(m, maps._MarkerLayer)
    assert [r[3] for r in layer.rows] == ["Stabile 1"]
    with pytest.raises(ValidationError, match="without geometry"):
        maps.renovation_layer(plan.replace({"E3": "ZZ"}), estates=estates)


def test_density_layer_levels_and_ranges(districts) -> None:
    c = gpd.GeoDataFrame(
        {"level": [2, 1], S.DENSITY_MIN: [10.0, 2.5], S.DENSITY_MAX: [20.0, 10.0]},
        geometry=[box(9.0, 45.40, 9.01, 45.41), box(8.99, 45.39, 9.02, 45.42)],
        crs="EPSG:4326",
    )
    m = maps.density_layer(c)
    (layer,) = _layers(m, maps._GeoJsonLayer)
    # drawn lowest level first, so the densest band is on top
    assert [f["s"] for f in _features(layer)] == [0, 1]
    legend = htmlmod.unescape(layer.legend_html)
    assert "2,5 – 10,0" in legend and "10,0 – 20,0" in legend
    assert "km²" in legend
    with pytest.raises(ValidationError, match="polygons"):
        maps.density_layer(
            gpd.GeoDataFrame({"level": [1]}, geometry=[Point(9, 45)], crs="EPSG:4326")
        )


def test_builders_validate_inputs_and_do_not_mutate(districts) -> None:
    before = districts.copy()
    maps.choropleth_layer(districts)
    maps.outline_layer(districts)
    assert_geodataframe_equal(districts, before)
    with pytest.raises(CRSError):
        maps.choropleth_layer(districts.set_crs(None, allow_override=True))
    with pytest.raises(ValidationError, match="missing column"):
        maps.choropleth_layer(districts, "nope")
    with pytest.raises(ValidationError, match="lang='de'"):
        maps.outline_layer(districts, lang="de")
    with pytest.raises(ValidationError, match="must be numeric"):
        maps.choropleth_layer(districts, S.HOTSPOT)
    with pytest.raises(ValidationError, match=r"folium\.Map"):
        maps.outline_layer(districts, m="map")


def test_coverage_simplification_keeps_shared_edges(nil: gpd.GeoDataFrame) -> None:
    geoms = maps._prepare_geometry(nil, simplify_m=25, precision=5)
    simplified = gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs("EPSG:32632")
    original = nil.to_crs("EPSG:32632").geometry
    n_before = int(shapely.get_num_coordinates(original.values).sum())
    n_after = int(shapely.get_num_coordinates(simplified.values).sum())
    assert n_after < 0.5 * n_before
    # neighbours still share their edges: no overlaps, no new gaps (rounding ~1 m)
    total = simplified.area.sum()
    union = shapely.union_all(simplified.buffer(0).values).area
    assert abs(total - union) / union < 1e-4
    assert abs(union - shapely.union_all(original.values).area) / union < 2e-3


# ---------------------------------------------------------------------------
# offline page, determinism


def _meeting(districts, estates, periods, **kw):
    patrol = pd.DataFrame(
        {
            S.DISTRICT_ID: ["D4", "D2"],
            S.PRIORITY_RANK: [1, 2],
            S.PRIORITY_SCORE: [0.9, 0.7],
            S.PRIORITY_REASONS: ["punto caldo persistente", "42 alloggi occupati"],
        }
    )
    return maps.meeting_map(
        districts,
        estates=estates,
        comuni=districts,
        periods=periods,
        patrol=patrol,
        **kw,
    )


def test_offline_page_has_no_remote_reference(districts, estates, periods) -> None:
    page = maps.map_html(_meeting(districts, estates, periods, synthetic=True))
    # the street basemap's URL template and attribution link are a setting of
    # the (switched-off) layer, written once inside GA.streets(...)
    streets = re.search(r"GA\.streets\((\{.*?\})\);", page)
    assert streets is not None
    setting = json.loads(streets.group(1))
    assert setting["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert setting["maxZoom"] == 19
    rest = page.replace(streets.group(0), "")
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]*", rest))
    assert urls <= {"http://www.w3.org/2000/svg", "https://leafletjs.com"}
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)
    # Leaflet and MarkerCluster are the packages' files, inlined
    import xstatic.pkg.leaflet as xl
    import xstatic.pkg.leaflet_markercluster as xm

    assert (Path(xl.BASE_DIR) / "leaflet.js").read_text("utf-8") in page
    assert (Path(xm.BASE_DIR) / "leaflet.markercluster.js").read_text("utf-8") in page
    assert "DATI SINTETICI (SYNTHETIC)" in page
    assert XSS not in page


def test_district_geometry_written_once(districts, estates, periods) -> None:
    m = maps.meeting_map(districts, estates=estates, periods=periods)
    page = maps.map_html(m)
    assert page.count("GA.addGeoms(") == 1
    layers = _layers(m, maps._GeoJsonLayer)
    assert len(layers) >= 5
    keys = {layer.data["g"] for layer in layers}
    assert len(keys) == 1  # every district layer points to the same geometries
    # nine district geometries in the page, once each
    assert page.count('"coordinates"') == len(districts)


def test_offline_refuses_what_needs_network() -> None:
    online = folium.Map(location=[45.46, 9.19])  # OpenStreetMap tiles
    with pytest.raises(OfflineError, match="tile layer"):
        maps.map_html(online)
    assert "openstreetmap" in maps.map_html(online, allow_online_tiles=True).lower()
    m = maps.base_map(tiles="OpenStreetMap")
    with pytest.raises(OfflineError, match="allow_online_tiles"):
        maps.map_html(m)
    assert "tile.openstreetmap.org" in maps.map_html(m, allow_online_tiles=True)
    icon = folium.Map(tiles=None)
    folium.Marker([45.4, 9.2], icon=folium.Icon(color="red")).add_to(icon)
    with pytest.raises(OfflineError, match=r"folium\.Icon"):
        maps.map_html(icon)
    from folium.plugins import Fullscreen

    plugin = folium.Map(tiles=None)
    Fullscreen().add_to(plugin)
    with pytest.raises(OfflineError, match="no installed package provides"):
        maps.map_html(plugin)
    with pytest.raises(OfflineError, match="unknown"):
        asset_block("unknown")


def test_offline_page_does_not_change_the_map(districts) -> None:
    m = maps.choropleth_layer(districts)
    before = list(m._children)
    online = maps.map_html(m, offline=False)
    assert "cdn" in online  # folium's links for a page served online
    offline = maps.map_html(m)
    assert list(m._children) == before
    assert "<script src=" not in offline


def test_same_inputs_give_identical_html(districts, estates, periods, tmp_path) -> None:
    a = maps.save_offline(_meeting(districts, estates, periods), tmp_path / "a.html")
    b = maps.save_offline(_meeting(districts, estates, periods), tmp_path / "b.html")
    assert a.read_bytes() == b.read_bytes()
    assert not re.search(r"_[0-9a-f]{32}\b", a.read_text("utf-8"))
    # different input, different page
    other = districts.assign(**{S.OCCUPIED_PER_100: districts[S.OCCUPIED_PER_100] * 2})
    c = maps.map_html(_meeting(other, estates, periods))
    assert c != a.read_text("utf-8")


def test_deterministic_ids_only_touch_known_ids() -> None:
    known = "a" * 32
    data = "b" * 32
    page = f"var map_{known} = 1; map_{known}.x; var d = 'x_{data}';"
    assert (
        deterministic_ids(page, {known})
        == f"var map_g1 = 1; map_g1.x; var d = 'x_{data}';"
    )


def test_english_labels(districts, estates, periods) -> None:
    page = maps.map_html(_meeting(districts, estates, periods, lang="en"))
    for key in ("layer.estates", "layer.hotspots", "control.search"):
        assert t(key, "en").rstrip("…") in page
    assert t("layer.estates", "it") not in page


def test_meeting_map_size_budget_on_study_area(study_area, mirror) -> None:
    from geo_alloggi import load_districts

    rng = np.random.default_rng(7)
    d = study_area.copy()
    n = len(d)
    d[S.OCCUPIED_PER_100] = rng.gamma(2.0, 2.0, n)
    d[S.GI_BIN] = rng.integers(-3, 4, n)
    d[S.EMERGING] = rng.choice(list(S.EMERGING_CATEGORIES), n)
    pts = d.to_crs("EPSG:32632").sample_points(12, rng=7).explode()
    est = gpd.GeoDataFrame(
        {
            S.ESTATE_ID: [f"E{i:04d}" for i in range(len(pts))],
            S.NAME: [f"Complesso ERP via Esempio {i}" for i in range(len(pts))],
            S.ADDRESS: [f"Via Esempio {i}, Milano" for i in range(len(pts))],
            S.OWNER: rng.choice(["Aler", "Comune-MM"], len(pts)),
            S.UNITS: rng.integers(10, 600, len(pts)),
            S.OCCUPIED: rng.integers(0, 40, len(pts)),
            S.VACANT: rng.integers(0, 40, len(pts)),
            S.EVICTIONS: rng.integers(0, 8, len(pts)),
        },
        geometry=pts.values,
        crs="EPSG:32632",
    ).to_crs("EPSG:4326")
    assert len(est) >= 1000
    per = pd.DataFrame(
        [
            (i, y, int(rng.integers(0, 60)))
            for i in d[S.DISTRICT_ID]
            for y in range(2015, 2021)
        ],
        columns=[S.DISTRICT_ID, S.PERIOD, S.OCCUPIED],
    )
    comuni = load_districts("comuni", all_comuni=True, mirror=mirror)
    page = maps.map_html(
        maps.meeting_map(d, estates=est, comuni=comuni, periods=per, synthetic=True)
    )
    assert len(page.encode("utf-8")) <= 3_000_000


# ---------------------------------------------------------------------------
# static export


def test_static_png_and_pdf(districts, estates, tmp_path) -> None:
    import matplotlib.image as mpimg

    png = maps.export_static(districts, tmp_path / "m.png", estates=estates,
                             synthetic=True, figsize=(8, 5), dpi=50)  # fmt: skip
    png2 = maps.export_static(districts, tmp_path / "m2.png", estates=estates,
                              synthetic=True, figsize=(8, 5), dpi=50)  # fmt: skip
    assert png.read_bytes() == png2.read_bytes()
    img = mpimg.imread(png)
    assert img.shape[:2] == (250, 400)
    red = np.array([0xB2, 0x18, 0x2B]) / 255
    banner = np.all(np.abs(img[..., :3] - red) < 0.02, axis=-1).sum()
    assert banner > 100  # the SYNTHETIC banner is there
    plain = maps.export_static(districts, tmp_path / "p.png", figsize=(8, 5), dpi=50)
    img2 = mpimg.imread(plain)
    assert np.all(np.abs(img2[..., :3] - red) < 0.02, axis=-1).sum() < banner / 10
    pdf = maps.export_static(districts, tmp_path / "m.pdf", synthetic=True)
    pdf2 = maps.export_static(districts, tmp_path / "m2.pdf", synthetic=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.read_bytes() == pdf2.read_bytes()
    with pytest.raises(ValidationError, match=r"\.png, \.pdf or \.svg"):
        maps.export_static(districts, tmp_path / "m.jpg")


def test_zoom_buttons_speak_the_map_language(districts, estates, periods) -> None:
    # Leaflet's own script (inlined) holds "Zoom in" as its default title: the
    # page's zoom control must give its titles, in the map's language
    for lang, zin, zout in (
        ("it", "Ingrandisci", "Riduci"),
        ("en", "Zoom in", "Zoom out"),
    ):
        page = maps.map_html(_meeting(districts, estates, periods, lang=lang))
        calls = re.findall(r"L\.control\.zoom\((\{.*?\})\)", page)
        assert len(calls) == 1  # folium's untranslated control is not added
        opts = json.loads(calls[0])
        assert (opts["zoomInTitle"], opts["zoomOutTitle"]) == (zin, zout)
