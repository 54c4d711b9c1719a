"""Static map: the HTML map's classes, period, hot spots, north arrow, whole legend."""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pytest

from geo_alloggi import _schema as S
from geo_alloggi import maps
from geo_alloggi._errors import ValidationError

WITHHELD = "Dato riservato (conteggi sotto 5 o che li rivelerebbero)"


@pytest.fixture
def districts(grid3x3: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    d = grid3x3.copy()
    d[S.OCCUPIED_PER_100] = np.arange(1.0, 10.0)  # 1..9
    d[S.SUPPRESSED] = [False] * 8 + [True]  # 9 is withheld
    d[S.GI_BIN] = [0, 0, 1, 0, 3, 2, 0, 0, 3]
    d[S.HOTSPOT] = [S.HOTSPOT_LABELS[b] for b in d[S.GI_BIN]]
    d[S.GI_Z] = [0.1, 0.2, 1.7, 0.0, 3.4, 2.1, -0.3, 0.4, 2.9]
    d[S.PERIOD] = 2019
    return d


def _svg(districts: gpd.GeoDataFrame, path: Path, **kw: object) -> str:
    """Export as SVG with real <text> elements (not glyph paths) and return it."""
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ga"}):
        maps.export_static(districts, path, **kw)  # type: ignore[arg-type]
    return path.read_text(encoding="utf-8")


def _texts(svg: str) -> list[str]:
    return [htmlmod.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


def _html_legend(districts: gpd.GeoDataFrame, **kw: object) -> tuple[list, list]:
    """The HTML choropleth's legend labels and class fills, as the page gets them."""
    m = maps.choropleth_layer(districts, **kw)  # type: ignore[arg-type]
    (layer,) = [c for c in m._children.values() if isinstance(c, maps.GeoJsonLayer)]
    labels = re.findall(r"<span>(.*?)</span>", layer.legend_html)
    fills = [s["fillColor"] for s in layer.opts["styles"]]
    return [htmlmod.unescape(x) for x in labels], fills


def test_static_map_has_the_html_maps_classes(districts, tmp_path) -> None:
    svg = _svg(districts, tmp_path / "m.svg")
    texts = _texts(svg)
    labels, fills = _html_legend(districts)
    # quantiles (k=5) of the eight values shown, 1..8 (linear interpolation):
    # 2.4, 3.8, 5.2, 6.6, 8.0; value 9 is withheld
    assert labels == [
        "1,0 – 2,4",
        "2,4 – 3,8",
        "3,8 – 5,2",
        "5,2 – 6,6",
        "6,6 – 8,0",
        WITHHELD,
    ]
    start = texts.index("Alloggi occupati ogni 100")
    legend = texts[start + 1 : start + 1 + 5]
    assert legend == labels[:5]
    # the withheld label wraps over several lines and is whole
    rest = " ".join(texts[start + 6 : start + 12])
    assert WITHHELD in rest
    # every district is filled with its HTML class colour (5 classes, withheld)
    svg_fills = set(re.findall(r"fill: (#[0-9a-f]{6})", svg))
    assert set(fills[:5]) <= svg_fills
    assert maps.SUPPRESSED_COLOR in svg_fills


def test_static_map_shows_period_hotspots_and_north(districts, tmp_path) -> None:
    texts = _texts(_svg(districts, tmp_path / "m.svg", top_hotspots=2))
    assert "Periodo: 2019" in texts
    assert "N" in texts  # the north arrow's letter
    assert "Punto caldo (Gi*): bordo spesso" in " ".join(texts)
    # hot spots by gi_z: D4 (3.4), D8 (2.9), D5 (2.1), D2 (1.7); two are named
    start = texts.index("Principali punti caldi")
    assert texts[start + 1 : start + 3] == ["1.  District 4", "2.  District 8"]
    assert "3.  District 5" not in texts
    assert texts.count("1") == 1 and texts.count("2") == 1  # numbers on the map
    en = _texts(_svg(districts, tmp_path / "en.svg", lang="en", period="2019Q3"))
    assert "Period: Q3 2019" in en and "Main hot spots" in en
    assert "4.  District 2" in en
    # no hot-spot column: no outline entry, no list
    plain = districts.drop(columns=[S.GI_BIN, S.HOTSPOT, S.GI_Z, S.PERIOD])
    texts = _texts(_svg(plain, tmp_path / "plain.svg"))
    assert "Principali punti caldi" not in texts
    assert not any(t.startswith("Periodo") for t in texts)
    assert not any("bordo spesso" in t for t in texts)


def test_hotspot_outlines_drawn(districts, tmp_path) -> None:
    svg = _svg(districts, tmp_path / "m.svg")
    # each hot spot's boundary is drawn black and thick over a white halo
    black = re.findall(r"stroke: #000000; stroke-width: ([0-9.]+)", svg)
    assert sum(float(w) > 1.5 for w in black) >= 4  # other lines are <= 1 pt


@pytest.mark.parametrize("size", [(11.69, 8.27), (8.0, 5.0), (6.0, 4.5)])
def test_static_legend_never_cut(districts, tmp_path, size) -> None:
    import matplotlib.image as mpimg

    png = maps.export_static(
        districts, tmp_path / "m.png", synthetic=True, figsize=size, dpi=60
    )
    img = mpimg.imread(png)[..., :3]
    # nothing drawn on the right and top edges: no label runs off the page
    assert np.all(img[:, -3:] > 0.98)
    assert np.all(img[:2, :] > 0.98)
    texts = _texts(_svg(districts, tmp_path / "m.svg", figsize=size, synthetic=True))
    joined = " ".join(texts)
    assert WITHHELD in joined or WITHHELD.replace(" ", "") in joined.replace(" ", "")


def test_static_map_validates(districts, tmp_path) -> None:
    with pytest.raises(ValidationError, match="top_hotspots"):
        maps.export_static(districts, tmp_path / "m.png", top_hotspots=-1)
    with pytest.raises(ValidationError, match="k=0"):
        maps.export_static(districts, tmp_path / "m.png", k=0)


def test_drawn_once_saved_in_each_format(districts, tmp_path) -> None:
    first = maps.export_static(
        districts, tmp_path / "m.png", synthetic=True, also=[tmp_path / "m.pdf"]
    )
    assert first == tmp_path / "m.png"
    for name in ("m.png", "m.pdf"):  # the same bytes as drawn alone
        alone = maps.export_static(districts, tmp_path / "alone" / name, synthetic=True)
        assert (tmp_path / name).read_bytes() == alone.read_bytes()
    with pytest.raises(ValidationError, match=r"m\.jpg"):
        maps.export_static(districts, tmp_path / "x.png", also=[tmp_path / "m.jpg"])
    assert not (tmp_path / "x.png").exists()  # checked before drawing


def test_drawn_then_saved_apart_as_exported(districts, tmp_path) -> None:
    maps.export_static(
        districts, tmp_path / "m.png", synthetic=True, also=[tmp_path / "m.pdf"]
    )
    figure = maps.draw_static(districts, synthetic=True)
    for name in ("m.pdf", "m.png"):  # any order, any time: the same bytes
        saved = maps.save_static(figure, tmp_path / "apart" / name)
        assert saved.read_bytes() == (tmp_path / name).read_bytes()
    with pytest.raises(ValidationError, match=r"m\.jpg"):
        maps.save_static(figure, tmp_path / "m.jpg")


def test_class_of_one_value_is_labelled_once(districts) -> None:
    from geo_alloggi.maps._classification import classify_column

    d = districts.assign(**{S.OCCUPIED: [0, 0, 0, 0, 0, 10, 20, 30, 40]})
    cc = classify_column(d, S.OCCUPIED, k=3, threshold=5)
    # 40 is withheld (fixture); terciles of 0,0,0,0,0,10,20,30: 0, 6.67, 30
    assert cc.labels == ["0", "0 – 7", "7 – 30"]
