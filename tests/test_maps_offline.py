"""The offline check reads what a page loads, never its text; the street basemap."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
from branca.element import Element
from shapely.geometry import Point

from geo_alloggi import _schema as S
from geo_alloggi import config, maps
from geo_alloggi._errors import ValidationError
from geo_alloggi.maps._offline import OfflineError, find_remote_references

EVIL = '=HYPERLINK("http://evil","x")'
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.fixture
def districts(grid3x3: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    d = grid3x3.copy()
    d[S.OCCUPIED_PER_100] = np.arange(1.0, 10.0)
    d.loc[4, S.NAME] = EVIL
    return d


@pytest.fixture
def estates(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pts = districts.to_crs("EPSG:32632").geometry.centroid
    return gpd.GeoDataFrame(
        {
            S.ESTATE_ID: [f"E{i}" for i in range(len(pts))],
            S.NAME: [EVIL if i == 0 else f"Stabile {i}" for i in range(len(pts))],
            S.ADDRESS: ["Via http://evil.example/x 1"] + ["Via Roma 1"] * 8,
            S.OWNER: ["Aler"] * 9,
            S.UNITS: [100] * 9,
            S.OCCUPIED: [12] * 9,
        },
        geometry=[Point(p.x, p.y) for p in pts],
        crs="EPSG:32632",
    ).to_crs("EPSG:4326")


# ---------------------------------------------------------------------------
# what the page loads


def test_loaded_urls_come_from_markup_only() -> None:
    page = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        '<script src="//cdn.example/y.js"></script>'
        "<style>.a{background:url('http://img.example/a.png')}"
        '@import "https://imp.example/c.css";</style>'
        '<script>var d = {"n": "=HYPERLINK(\\"http://evil\\",\\"x\\")"};</script>'
        "</head><body><span>=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)</span>"
        '<a href="https://www.openstreetmap.org/copyright">OSM</a>'
        '<div style="background-image: url( https://bg.example/x.png )"></div>'
        '<img srcset="https://a.example/1.png 1x, data:image/png;base64,AA 2x">'
        '<img src="data:image/png;base64,AAAA"><img src="local.png"></body></html>'
    )
    assert find_remote_references(page) == [
        "https://cdn.example/x.css",
        "//cdn.example/y.js",
        "http://img.example/a.png",
        "https://imp.example/c.css",
        "https://bg.example/x.png",
        "https://a.example/1.png",
    ]
    assert find_remote_references(page, allow={"https://cdn.example/"}) == [
        "//cdn.example/y.js",
        "http://img.example/a.png",
        "https://imp.example/c.css",
        "https://bg.example/x.png",
        "https://a.example/1.png",
    ]


def test_text_from_records_never_makes_the_page_remote(districts, estates) -> None:
    """Issue 13 item 5: an estate named =HYPERLINK("http://evil",...) gives a map."""
    m = maps.meeting_map(
        districts,
        estates=estates,
        title="Riunione http://evil.example",
        street_tiles=False,
    )
    m = maps.choropleth_layer(districts, m=m, name="Legenda http://evil.example")
    page = maps.map_html(m)
    assert "http://evil" in page  # the names are there, as text
    assert find_remote_references(page) == []
    # as JSON strings inside scripts, or escaped text in the legend and title
    assert json.dumps(EVIL)[1:-1] in page
    assert "Legenda http://evil.example" in page
    assert "<title>Riunione http://evil.example" in page


def test_what_would_load_is_still_refused() -> None:
    img = folium.Map(tiles=None)
    img.get_root().html.add_child(Element('<img src="https://tracker.example/p.gif">'))
    with pytest.raises(OfflineError, match=r"loads 1 remote resource.*tracker"):
        maps.map_html(img)
    css = folium.Map(tiles=None)
    css.get_root().header.add_child(
        Element("<style>.x{background:url(https://img.example/b.png)}</style>")
    )
    with pytest.raises(OfflineError, match=r"img\.example"):
        maps.map_html(css)
    linked = folium.Map(tiles=None)
    folium.raster_layers.ImageOverlay(
        "https://data.example/plan.png", bounds=[[45.4, 9.1], [45.5, 9.2]]
    ).add_to(linked)
    with pytest.raises(OfflineError, match=r"data\.example"):
        maps.map_html(linked)
    wms = folium.Map(tiles=None)
    folium.WmsTileLayer("https://wms.example/service", layers="x").add_to(wms)
    with pytest.raises(OfflineError, match=r"wms\.example"):
        maps.map_html(wms)


# ---------------------------------------------------------------------------
# the street basemap (browser behaviour in test_maps_browser.py)


def _streets(page: str) -> dict:
    found = re.findall(r"GA\.streets\((\{.*?\})\);", page)
    assert len(found) == 1
    return json.loads(found[0])


def test_street_basemap_is_offered_switched_off(districts) -> None:
    m = maps.meeting_map(districts)
    page = maps.map_html(m)
    setting = _streets(page)
    assert setting == {
        "url": OSM,
        "name": "Stradario online (tile.openstreetmap.org)",
        "attribution": "© OpenStreetMap contributors",
        "attributionUrl": "https://www.openstreetmap.org/copyright",
        "maxZoom": 19,
    }
    # built but never added at opening: no `.addTo(` on the street layer
    var = re.search(r"var (\w+) = GA\.streets\(", page).group(1)
    assert not re.search(rf"\b{var}\.addTo\(", page)
    # the layer control lists it first, with the note about what is sent
    labels = _control_labels(page)
    note = "Se lo attivate, l&#x27;area che state guardando viene inviata a "
    assert labels[0] == (
        f'<span title="{note}tile.openstreetmap.org">'
        "Stradario online (tile.openstreetmap.org)</span>"
        f'<span class="ga-layer-note">{note}tile.openstreetmap.org</span>'
    )
    assert find_remote_references(page) == []


def _control_labels(page: str) -> list[str]:
    """The layer names (HTML for Leaflet) of the page's layer control, in order."""
    block = re.search(r"overlays : +\{(.*?)\},", page, re.DOTALL)
    assert block is not None
    keys = re.findall(r'("(?:[^"\\]|\\.)*") :', block.group(1))
    return [json.loads(k) for k in keys]


def test_street_basemap_url_configurable_and_checked(districts, monkeypatch) -> None:
    url = "https://tiles.example.org/osm/{z}/{x}/{y}.png"
    page = maps.map_html(
        maps.meeting_map(
            districts, street_tiles=url, street_attribution="© Esempio", lang="en"
        )
    )
    setting = _streets(page)
    assert setting["url"] == url
    assert setting["attribution"] == "© Esempio" and setting["attributionUrl"] == ""
    assert setting["name"] == "Online street map (tiles.example.org)"
    assert "GA.streets(" not in maps.map_html(
        maps.meeting_map(districts, street_tiles=False)
    )
    monkeypatch.setattr(config, "street_tiles_url", None)
    assert "GA.streets(" not in maps.map_html(maps.meeting_map(districts))
    for bad in ("ftp://x/{z}/{x}/{y}.png", "https://x.org/tiles.png", "tiles/{z}"):
        with pytest.raises(ValidationError, match="tile template"):
            maps.street_layer(folium.Map(tiles=None), url=bad)
    with pytest.raises(ValidationError, match="no street tile URL"):
        maps.street_layer(folium.Map(tiles=None))
    with pytest.raises(ValidationError, match="max_zoom"):
        maps.street_layer(folium.Map(tiles=None), url=url, max_zoom=30)
    with pytest.raises(ValidationError, match="street_tiles"):
        maps.meeting_map(districts, street_tiles=None)  # type: ignore[arg-type]


def test_layer_names_are_escaped_in_the_layer_control(districts) -> None:
    m = maps.choropleth_layer(districts, name="<b>grassetto</b>")
    maps.add_controls(m)
    assert _control_labels(maps.map_html(m)) == ["&lt;b&gt;grassetto&lt;/b&gt;"]
