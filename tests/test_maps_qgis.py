"""QGIS styles in ``layer_styles`` (same classes and colours as the HTML map), .qgz."""

from __future__ import annotations

import html as htmlmod
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo_alloggi import _schema as S
from geo_alloggi import maps
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi.maps._classification import (
    EMERGING_COLORS,
    HOTSPOT_COLORS,
    OWNER_COLORS,
)

LAYER_STYLES_COLUMNS = [
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]
WITHHELD = "Dato riservato (conteggi sotto 5 o che li rivelerebbero)"
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture
def gpkg(grid3x3: gpd.GeoDataFrame, tmp_path: Path) -> Path:
    """A small bundle-like GeoPackage: every layer the pipeline writes."""
    d = grid3x3.copy()
    d[S.OCCUPIED_PER_100] = [1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 7.0, 8.0, np.nan]
    # disclosure.suppress style: the withheld columns, listed per row
    d[S.SUPPRESSED] = ["", "", "", "", "occupied,occupied_per_100"] + [""] * 4
    d[S.HOTSPOT] = [S.HOTSPOT_LABELS[b] for b in (3, 2, 1, 0, -1, -2, -3, 0, 0)]
    d.loc[8, S.HOTSPOT] = None
    d[S.EMERGING] = ["Persistent Hot Spot", "New Hot Spot"] + [
        "No Pattern Detected"
    ] * 7
    path = tmp_path / "layers.gpkg"
    d.to_file(path, layer="districts", driver="GPKG")
    rows = []
    for i, did in enumerate(d[S.DISTRICT_ID]):
        for year, occupied in ((2019, 10 * i), (2020, 10 * i + 7)):
            rows.append((did, str(year), float(occupied)))
    panel = pd.DataFrame(rows, columns=[S.DISTRICT_ID, S.PERIOD, S.OCCUPIED])
    panel[S.SUPPRESSED] = ""
    panel.loc[0, S.SUPPRESSED] = "occupied"
    panel.loc[0, S.OCCUPIED] = np.nan
    by_period = gpd.GeoDataFrame(
        panel,
        geometry=d.set_index(S.DISTRICT_ID)
        .geometry.reindex(panel[S.DISTRICT_ID])
        .values,
        crs=d.crs,
    )
    by_period.to_file(path, layer="districts_by_period", driver="GPKG")
    pts = d.to_crs("EPSG:32632").geometry.centroid.to_crs(d.crs)
    estates = gpd.GeoDataFrame(
        {
            S.ESTATE_ID: [f"E{i}" for i in range(9)],
            S.NAME: [f"Stabile {i}" for i in range(9)],
            S.OWNER: ["Aler", "Comune-MM", "Altro"] * 3,
            S.SELECTED: [True, False, True] * 3,
        },
        geometry=list(pts),
        crs=d.crs,
    )
    estates.drop(columns=S.SELECTED).to_file(path, layer="estates", driver="GPKG")
    estates.to_file(path, layer="renovation_plan", driver="GPKG")
    density = gpd.GeoDataFrame(
        {"level": [1, 2], S.DENSITY_MIN: [0.0, 12.5], S.DENSITY_MAX: [12.5, 25.0]},
        geometry=[d.geometry.iloc[0], d.geometry.iloc[4]],
        crs=d.crs,
    )
    density.to_file(path, layer="density", driver="GPKG")
    patrol = d[[S.DISTRICT_ID, S.NAME, "geometry"]].assign(rank=range(1, 10))
    patrol.to_file(path, layer="patrol_districts", driver="GPKG")
    return path


def _qml(gpkg: Path, table: str, default: bool = True) -> ET.Element:
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    row = styles[(styles.f_table_name == table) & (styles.useAsDefault == default)]
    return ET.fromstring(row.styleQML.iloc[0].split("\n", 1)[1])


def _rules(qml: ET.Element) -> list[tuple[str, str, str]]:
    """(label, filter, fill colour) of each rule, in legend order."""
    renderer = qml.find("renderer-v2")
    assert renderer is not None
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    out = []
    for rule in renderer.iter("rule"):
        sym = symbols[rule.get("symbol")]
        color = sym.find("layer/prop[@k='color']")
        assert color is not None
        out.append((rule.get("label"), rule.get("filter"), color.get("v")))
    return out


def _rgb(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4))


def _html_choropleth(frame: gpd.GeoDataFrame, column: str) -> tuple[list, list]:
    """Legend labels and style fills of the HTML map's choropleth of ``column``."""
    m = maps.choropleth_layer(frame, column)
    (layer,) = [c for c in m._children.values() if isinstance(c, maps.GeoJsonLayer)]
    labels = [
        htmlmod.unescape(x)
        for x in re.findall(r"<span>(.*?)</span>", layer.legend_html)
    ]
    return labels, layer.opts["styles"]


def test_layer_styles_table_read_back_with_pyogrio(gpkg: Path) -> None:
    written = maps.style_geopackage(gpkg)
    table = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert list(table.columns) == LAYER_STYLES_COLUMNS
    layers = {
        "districts",
        "districts_by_period",
        "estates",
        "density",
        "patrol_districts",
        "renovation_plan",
    }
    assert set(table.f_table_name) == layers
    defaults = table[table.useAsDefault.astype(bool)]
    assert sorted(defaults.f_table_name) == sorted(layers)  # one default each
    assert set(table.f_geometry_column) == {"geom"}
    assert set(table.owner) == {"geo_alloggi"}
    assert len(table) == len(written) == 8  # districts: + hot spots, + trends
    assert (table.styleQML.str.startswith("<!DOCTYPE qgis")).all()
    # styling again replaces the package's styles (no duplicates)
    maps.style_geopackage(gpkg)
    assert len(pyogrio.read_dataframe(gpkg, layer="layer_styles")) == 8
    # the layers themselves are untouched
    assert len(gpd.read_file(gpkg, layer="districts")) == 9


def test_qml_classes_are_the_html_maps(gpkg: Path) -> None:
    maps.style_geopackage(gpkg)
    qml = _qml(gpkg, "districts")
    assert qml.find("renderer-v2").get("type") == "RuleRenderer"
    rules = _rules(qml)
    frame = gpd.read_file(gpkg, layer="districts")
    labels, styles = _html_choropleth(frame, S.OCCUPIED_PER_100)
    # values shown: 1, 2, 3, 4, 6, 7, 8 (D4 withheld, D8 no data); quintiles
    shown = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0])
    breaks = np.quantile(shown, [0.2, 0.4, 0.6, 0.8, 1.0])
    assert labels == [
        "1,0 – 2,2",
        "2,2 – 3,4",
        "3,4 – 5,2",
        "5,2 – 6,8",
        "6,8 – 8,0",
        "Nessun dato",
        WITHHELD,
    ]
    assert [r[0] for r in rules] == labels  # same legend, same order
    got = [
        float(x) for x in re.findall(r"<= ([0-9.e+-]+)", " ".join(r[1] for r in rules))
    ]
    np.testing.assert_allclose(got, breaks[:-1], rtol=0, atol=1e-12)
    fills = [s["fillColor"] for s in styles]
    colours = [r[2].rsplit(",", 1)[0] for r in rules]
    assert colours == [_rgb(c) for c in fills]
    # opacities as on the map: classes 0.75, no data 0.3, withheld 0.6
    alphas = [int(r[2].rsplit(",", 1)[1]) for r in rules]
    assert alphas == [191] * 5 + [76, 153]
    assert "occupied_per_100" in rules[-1][1] and "suppressed" in rules[-1][1]
    # Italian names, labels on the district names
    assert qml.find("labeling/settings/text-style").get("fieldName") == S.NAME


def test_period_layer_has_the_time_sliders_classes(gpkg: Path) -> None:
    maps.style_geopackage(gpkg)
    rules = _rules(_qml(gpkg, "districts_by_period"))
    frame = gpd.read_file(gpkg, layer="districts_by_period")
    m = maps.time_slider_layer(
        gpd.read_file(gpkg, layer="districts"), frame.drop(columns="geometry")
    )
    (layer,) = [c for c in m._children.values() if isinstance(c, maps.GeoJsonLayer)]
    labels = [
        htmlmod.unescape(x)
        for x in re.findall(r"<span>(.*?)</span>", layer.legend_html)
    ]
    assert [r[0] for r in rules] == labels
    assert labels[-2:] == ["Nessun dato", WITHHELD]


def test_categories_use_the_maps_palettes(gpkg: Path) -> None:
    maps.style_geopackage(gpkg)
    table = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    names = list(table[table.f_table_name == "districts"].styleName)
    assert names == [
        "Alloggi occupati ogni 100",
        "Punti caldi (Gi*)",
        "Tendenze nel tempo",
    ]
    qmls = [
        ET.fromstring(q.split("\n", 1)[1])
        for q in table[table.f_table_name == "districts"].styleQML
    ]
    hot, trend = qmls[1], qmls[2]
    r = hot.find("renderer-v2")
    assert r.get("type") == "categorizedSymbol" and r.get("attr") == S.HOTSPOT
    cats = [(c.get("value"), c.get("label")) for c in r.iter("category")]
    assert cats[:7] == [
        (S.HOTSPOT_LABELS[b], lab)
        for b, lab in zip(
            (3, 2, 1, 0, -1, -2, -3),
            ("Punto caldo 99%", "Punto caldo 95%", "Punto caldo 90%",
             "Non significativo", "Punto freddo 90%", "Punto freddo 95%",
             "Punto freddo 99%"),
            strict=True,
        )
    ]  # fmt: skip
    assert cats[7] == ("", "Non significativo")  # missing: as on the HTML map
    symbols = {s.get("name"): s for s in r.iter("symbol")}
    first = symbols["0"].find("layer/prop[@k='color']").get("v")
    assert first == _rgb(HOTSPOT_COLORS[3]) + ",204"
    t = trend.find("renderer-v2")
    values = [c.get("value") for c in t.iter("category")]
    assert values == ["New Hot Spot", "Persistent Hot Spot", "No Pattern Detected", ""]
    tsym = {s.get("name"): s for s in t.iter("symbol")}
    assert (
        tsym["1"]
        .find("layer/prop[@k='color']")
        .get("v")
        .startswith(_rgb(EMERGING_COLORS["Persistent Hot Spot"]))
    )
    est = _qml(gpkg, "estates").find("renderer-v2")
    assert est.get("attr") == S.OWNER
    owners = {c.get("value"): c.get("label") for c in est.iter("category")}
    assert owners == {"Aler": "Aler Milano", "Comune-MM": "Comune (MM Casa)", "": "—"}
    esym = {s.get("name"): s for s in est.iter("symbol")}
    assert esym["0"].find("layer/prop[@k='color']").get("v") == (
        _rgb(OWNER_COLORS["Aler"]) + ",255"
    )
    density = _rules(_qml(gpkg, "density"))
    assert [d[0] for d in density] == ["0,0 – 12,5", "12,5 – 25,0"]
    patrol = _rules(_qml(gpkg, "patrol_districts"))
    assert patrol[0][:2] == ("Prime 9 posizioni", '"rank" <= 20')
    reno = _rules(_qml(gpkg, "renovation_plan"))
    assert [x[0] for x in reno] == ["Nel piano", "Fuori dal piano"]


def test_english_styles(gpkg: Path) -> None:
    maps.style_geopackage(gpkg, lang="en")
    rules = _rules(_qml(gpkg, "districts"))
    assert rules[0][0] == "1.0 – 2.2"
    assert rules[-1][0].startswith("Withheld")


def _project(qgz: Path) -> tuple[str, ET.Element]:
    with zipfile.ZipFile(qgz) as zf:
        (name,) = zf.namelist()
        text = zf.read(name).decode("utf-8")
    return name, ET.fromstring(text.split("\n", 1)[1])


def test_project_opens_the_layers_by_relative_path(gpkg: Path, tmp_path) -> None:
    styles = maps.style_geopackage(gpkg)
    qgz = maps.write_qgis_project(gpkg, tmp_path / "layers.qgz", synthetic=True)
    name, root = _project(qgz)
    assert name == "layers.qgs"
    assert root.findtext("title") == (
        "Occupazioni abusive nell'edilizia residenziale pubblica [SYNTHETIC]"
    )
    assert root.findtext("properties/Paths/Absolute") == "false"
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:32632"
    layers = root.findall("projectlayers/maplayer")
    assert len(layers) == len(styles) == 8
    sources = {m.findtext("datasource") for m in layers}
    assert sources == {
        f"./layers.gpkg|layername={s.table}" for s in styles
    }  # relative, beside the project
    # the same renderers as in layer_styles
    by_name = {m.findtext("layername"): m for m in layers}
    table = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    for row in table.itertuples():
        qml = ET.fromstring(row.styleQML.split("\n", 1)[1]).find("renderer-v2")
        proj = by_name[row.styleName].find("renderer-v2")
        assert _canonical(proj) == _canonical(qml)
    # visible at opening as on the HTML map: choropleth and estates
    tree = root.findall("layer-tree-group/layer-tree-layer")
    checked = [t.get("name") for t in tree if t.get("checked") == "Qt::Checked"]
    assert checked == ["Stabili ERP", "Alloggi occupati ogni 100"]
    text = qgz.read_bytes()
    assert b"http" not in zipfile.ZipFile(qgz).read(name).replace(
        b"http://mrcc.com/qgis.dtd", b""
    )  # nothing online
    again = maps.write_qgis_project(gpkg, tmp_path / "layers.qgz", synthetic=True)
    assert again.read_bytes() == text  # deterministic


def _canonical(element: ET.Element | None) -> str:
    assert element is not None
    element.tail = None
    return ET.canonicalize(ET.tostring(element, encoding="unicode"), strip_text=True)


def test_project_validates(gpkg: Path, tmp_path) -> None:
    with pytest.raises(ValidationError, match=r"\.qgz"):
        maps.write_qgis_project(gpkg, tmp_path / "layers.qgs")
    other = tmp_path / "sub"
    other.mkdir()
    with pytest.raises(ValidationError, match="folder of the GeoPackage"):
        maps.write_qgis_project(gpkg, other / "layers.qgz")
    with pytest.raises(InputFileError, match="not found"):
        maps.style_geopackage(tmp_path / "missing.gpkg")


# ---------------------------------------------------------------------------
# the real QGIS, headless (Debian's python3-qgis, system Python)

QGIS_SCRIPT = r"""
import json, sys
from qgis.core import (QgsApplication, QgsExpressionContextUtils, QgsMapSettings,
                       QgsProject, QgsRenderContext)
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
out = {"ok": ok, "crs": project.crs().authid(), "layers": {}}
for layer in project.mapLayers().values():
    renderer = layer.renderer()
    context = QgsRenderContext.fromMapSettings(QgsMapSettings())
    context.expressionContext().appendScopes(
        QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    renderer.startRender(context, layer.fields())
    labels = {item.ruleKey(): item.label() for item in renderer.legendSymbolItems()}
    classes = {}
    for f in layer.getFeatures():
        context.expressionContext().setFeature(f)
        keys = renderer.legendKeysForFeature(f, context)
        key = f["district_id"] if "district_id" in f.fields().names() else str(f.id())
        shown = sorted(labels[k] for k in keys if k in labels)  # not the root rule
        classes.setdefault(str(key), []).append(shown)
    renderer.stopRender(context)
    out["layers"][layer.name()] = {
        "valid": layer.isValid(), "count": layer.featureCount(),
        "renderer": renderer.type(), "source": layer.source(),
        "labels": layer.labelsEnabled(), "classes": classes,
    }
app.exitQgis()
print("JSON" + json.dumps(out))
"""


def _qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.qgis
def test_real_qgis_opens_the_project_offline(gpkg: Path, tmp_path: Path) -> None:
    """QGIS (headless) opens the .qgz, every layer valid, classes as on the map."""
    if not _qgis_available():
        pytest.skip(
            "Debian's python3-qgis is not installed (apt-get install "
            "python3-qgis: ~100 MB, 211 packages, over CI's time budget)"
        )
    maps.style_geopackage(gpkg)
    # the project and GeoPackage moved together elsewhere: paths are relative
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copy(gpkg, moved / "layers.gpkg")
    qgz = maps.write_qgis_project(moved / "layers.gpkg", moved / "layers.qgz")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QGIS_PREFIX_PATH": "/usr",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", QGIS_SCRIPT, str(qgz)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("JSON")]
    assert line, done.stderr[-2000:]
    result = json.loads(line[0][4:])
    assert result["ok"] and result["crs"] == "EPSG:32632"
    layers = result["layers"]
    assert len(layers) == 8
    for name, info in layers.items():
        assert info["valid"], name
        assert info["source"].startswith(str(moved / "layers.gpkg")), info["source"]
    choro = layers["Alloggi occupati ogni 100"]
    assert choro["renderer"] == "RuleRenderer" and choro["labels"]
    assert choro["count"] == 9
    # each district falls in exactly the HTML map's class
    frame = gpd.read_file(gpkg, layer="districts")
    labels, _ = _html_choropleth(frame, S.OCCUPIED_PER_100)
    m = maps.choropleth_layer(frame)
    (layer,) = [c for c in m._children.values() if isinstance(c, maps.GeoJsonLayer)]
    html_class = {f["i"]: f["s"] for f in layer.data["f"]}
    # style index: the classes, then no data, then withheld (as the legend)
    expected = {did: [[labels[s]]] for did, s in html_class.items()}
    assert choro["classes"] == expected
    hot = layers["Punti caldi (Gi*)"]["classes"]
    assert hot["D0"] == [["Punto caldo 99%"]] and hot["D8"] == [["Non significativo"]]
    period = layers["Quartieri per periodo: Alloggi occupati"]["classes"]
    assert period["D0"][0] == [WITHHELD]
    assert layers["Stabili ERP"]["renderer"] == "categorizedSymbol"
    plan = [
        c for cs in layers["Priorità ristrutturazione"]["classes"].values() for c in cs
    ]
    assert plan.count(["Nel piano"]) == 6 and plan.count(["Fuori dal piano"]) == 3
    density = layers["Densità delle occupazioni"]["classes"]
    assert sorted(c for cs in density.values() for c in cs) == [
        ["0,0 – 12,5"],
        ["12,5 – 25,0"],
    ]


def test_hotspots_from_gi_bin_alone(grid3x3: gpd.GeoDataFrame) -> None:
    from geo_alloggi.maps._qml import layer_styles

    d = grid3x3.assign(
        **{S.OCCUPIED_PER_100: np.arange(1.0, 10.0), S.GI_BIN: [3, 0, -1] * 3}
    )
    styles = layer_styles("districts", d, threshold=5)
    assert [s.key for s in styles] == ["choropleth", "hotspots"]
    rules = _rules(ET.fromstring(maps._qml.qml_document(styles[1]).split("\n", 1)[1]))
    assert [r[0] for r in rules][:3] == [
        "Punto caldo 99%",
        "Punto caldo 95%",
        "Punto caldo 90%",
    ]
    assert rules[0][1] == 'coalesce("gi_bin", 0) = 3'


def test_project_with_an_empty_layer(gpkg: Path, tmp_path: Path) -> None:
    # a small run can leave a layer empty (no density contours): no extent, no crash
    import shutil

    folder = tmp_path / "empty"
    folder.mkdir()
    copy = folder / "layers.gpkg"
    shutil.copy(gpkg, copy)
    styles = maps.style_geopackage(copy)
    table = styles[0].table
    frame = pyogrio.read_dataframe(copy, layer=table)
    pyogrio.write_dataframe(
        frame.iloc[:0], copy, layer=table, layer_options={"OVERWRITE": "YES"}
    )
    assert pyogrio.read_info(copy, layer=table)["total_bounds"] is None
    qgz = maps.write_qgis_project(copy, folder / "layers.qgz")
    _, root = _project(qgz)
    assert root.find("mapcanvas/extent/xmin") is not None


def test_styles_match_classes_stored_in_italian(gpkg: Path, tmp_path: Path) -> None:
    """An Italian bundle stores Italian classes: the categories carry those values."""
    from geo_alloggi._i18n import emerging_label, hotspot_label

    italian = tmp_path / "it.gpkg"
    d = gpd.read_file(gpkg, layer="districts")
    d[S.HOTSPOT] = [
        hotspot_label(v, "it") if isinstance(v, str) else None for v in d[S.HOTSPOT]
    ]
    d[S.EMERGING] = [emerging_label(v, "it") for v in d[S.EMERGING]]
    d.to_file(italian, layer="districts", driver="GPKG")
    for lang in ("it", "en"):
        styles = {s.key: s for s in maps.geopackage_styles(italian, lang=lang)}
        hot = styles["hotspots"].renderer
        hot_cats = [(c.get("value"), c.get("label")) for c in hot.iter("category")]
        assert hot_cats[3] == (
            "Non significativo",
            "Non significativo" if lang == "it" else "Not significant",
        )
        trend = styles["emerging"].renderer
        trend_values = [c.get("value") for c in trend.iter("category")]
        assert trend_values == [
            "Nuovo punto caldo", "Punto caldo persistente",
            "Nessuna tendenza rilevata", "",
        ]  # fmt: skip


def test_plain_symbols_follow_each_layers_geometries(gpkg: Path) -> None:
    # layers without a style of their own (or estates without owners) get a
    # plain symbol of their geometries' kind: markers, lines or fills
    from shapely.geometry import LineString, Point

    districts = gpd.read_file(gpkg, layer="districts")
    gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[LineString([(9.1, 45.4), (9.2, 45.5)])] * 2,
        crs=districts.crs,
    ).to_file(gpkg, layer="roads", driver="GPKG")  # fmt: skip
    gpd.GeoDataFrame(
        {"n": [1]}, geometry=[Point(9.1, 45.4)], crs=districts.crs
    ).to_file(gpkg, layer="sites", driver="GPKG")
    districts[["geometry"]].to_file(gpkg, layer="areas", driver="GPKG")
    estates = gpd.read_file(gpkg, layer="estates").drop(columns=S.OWNER)
    estates.to_file(gpkg, layer="estates", driver="GPKG")
    styles = {s.table: s for s in maps.style_geopackage(gpkg) if s.default}
    kinds = {
        table: {s.get("type") for s in _qml(gpkg, table).iter("symbol")}
        for table in ("roads", "sites", "areas", "estates")
    }
    assert kinds == {
        "roads": {"line"},
        "sites": {"marker"},
        "areas": {"fill"},
        "estates": {"marker"},
    }
    assert styles["roads"].name == "roads"
    assert styles["estates"].name == "Stabili ERP"
