"""The offline meeting map in the real Chromium, with every network request blocked.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``),
driven by Playwright's Python package; never ``playwright install``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo_alloggi import _schema as S
from geo_alloggi import maps

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
XSS = "<img src=x onerror=alert(1)>"
XSS_DISTRICT = "<script>alert(2)</script>Quarto"
DRAWN = (
    "document.querySelectorAll('.leaflet-pane path, .ga-estate, .ga-rank, "
    ".marker-cluster').length"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
]


def _data() -> dict[str, Any]:
    rows = []
    for r in range(3):
        for c in range(3):
            i = r * 3 + c
            rows.append(
                {
                    S.DISTRICT_ID: f"D{i}",
                    S.NAME: XSS_DISTRICT if i == 5 else f"District {i}",
                    S.LEVEL: "custom",
                    S.COMUNE: "Milano",
                    "geometry": box(
                        500000 + 1000 * c, 5030000 + 1000 * r,
                        501000 + 1000 * c, 5031000 + 1000 * r,
                    ),
                }
            )  # fmt: skip
    d = gpd.GeoDataFrame(rows, crs="EPSG:32632")
    d[S.OCCUPIED_PER_100] = np.arange(1.0, 10.0)
    d[S.SUPPRESSED] = [False] * 8 + [True]
    d[S.GI_BIN] = [3, 2, 1, 0, -1, -2, -3, 0, 0]
    d[S.EMERGING] = ["Persistent Hot Spot", "New Hot Spot"] + [
        "No Pattern Detected"
    ] * 7
    est_rows = []
    for i in range(40):
        x = 500100 + (i % 8) * 350
        y = 5030100 + (i // 8) * 550
        est_rows.append(
            {
                S.ESTATE_ID: f"E{i:02d}",
                S.NAME: XSS if i == 0 else f"Stabile {i}",
                S.ADDRESS: f"Via Prova {i}",
                S.OWNER: "Aler" if i % 2 else "Comune-MM",
                S.UNITS: 20 + 10 * i,
                S.OCCUPIED: 3 if i == 0 else i,
                S.VACANT: 6,
                S.EVICTIONS: 1,
                "geometry": Point(x, y),
            }
        )
    estates = gpd.GeoDataFrame(est_rows, crs="EPSG:32632").to_crs("EPSG:4326")
    periods = pd.DataFrame(
        [
            {S.DISTRICT_ID: f"D{i}", S.PERIOD: y, S.OCCUPIED: i * 5 + (y - 2018) * 20}
            for i in range(9)
            for y in (2018, 2019, 2020)
        ]
    )
    patrol = pd.DataFrame(
        {
            S.DISTRICT_ID: ["D4", "D0"],
            S.PRIORITY_RANK: [1, 2],
            S.PRIORITY_SCORE: [0.9, 0.6],
            S.PRIORITY_REASONS: ["punto caldo persistente", "42 alloggi occupati"],
        }
    )
    plan = pd.DataFrame(
        {
            S.ESTATE_ID: ["E05", "E06"],
            S.SELECTED: [True, True],
            S.UNITS_CHOSEN: [10, 6],
            S.COST_EUR: [400000.0, 260000.0],
            S.RISK: [0.4, 0.3],
            S.RISK_WEIGHTED: [4.0, 1.8],
        }
    )
    contours = gpd.GeoDataFrame(
        {"level": [1, 2]},
        geometry=[
            box(500500, 5030500, 502500, 5032500),
            box(501000, 5031000, 502000, 5032000),
        ],
        crs="EPSG:32632",
    )
    comuni = gpd.GeoDataFrame(
        {S.DISTRICT_ID: ["C1"], S.NAME: ["Comune di prova"]},
        geometry=[box(499000, 5029000, 504000, 5034000)],
        crs="EPSG:32632",
    )
    return {
        "districts": d.to_crs("EPSG:4326"),
        "estates": estates,
        "periods": periods,
        "patrol": patrol,
        "renovation": plan,
        "contours": contours,
        "comuni": comuni,
    }


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, maps.folium.Map]:
    data = _data()
    m = maps.meeting_map(data.pop("districts"), synthetic=True, **data)
    path = tmp_path_factory.mktemp("browser") / "map.html"
    maps.save_offline(m, path)
    return path, m


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} absent: apt-get install chromium (Debian package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Session:
    """One page with console errors, page errors, dialogs and requests recorded."""

    def __init__(self, browser: Any, path: Path, *, wait_ga: bool = True) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 860})
        self.page.on(
            "console",
            lambda msg: self.errors.append(msg.text) if msg.type == "error" else None,
        )
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)

        def route(r: Any) -> None:
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                self.requests.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(path.as_uri())
        if wait_ga:
            self.page.wait_for_function("window.GA && GA.maps.length === 1")
        self.page.wait_for_timeout(300)

    def js(self, code: str, arg: Any = None) -> Any:
        return self.page.evaluate(code, arg)


@pytest.fixture
def session(browser: Any, page_file: tuple[Path, Any]) -> Iterator[Session]:
    s = Session(browser, page_file[0])
    yield s
    s.page.close()


def _overlays(s: Session) -> list[dict[str, Any]]:
    return s.js(
        """() => {
        const map = GA.maps[0];
        return [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
          .map(l => { const i = l.querySelector('input');
                      return {name: l.textContent.trim(), checked: i.checked,
                              onMap: !!map._layers[i.layerId]}; });
        }"""
    )


def test_loads_offline_without_errors(session: Session) -> None:
    assert session.errors == []
    assert session.requests == []
    assert session.dialogs == []
    assert session.js("document.querySelector('.ga-banner').textContent").startswith(
        "DATI SINTETICI (SYNTHETIC)"
    )
    # the comuni basemap and the choropleth are drawn as SVG paths
    assert (
        session.js("document.querySelectorAll('.leaflet-overlay-pane path').length")
        >= 18
    )


def test_every_layer_present_and_toggles(session: Session) -> None:
    names = [o["name"] for o in _overlays(session)]
    assert names == [
        "Stradario online (tile.openstreetmap.org)Se lo attivate, l'area che state "
        "guardando viene inviata a tile.openstreetmap.org",
        "Comuni (base)",
        "Alloggi occupati ogni 100",
        "Punti caldi (Gi*)",
        "Tendenze nel tempo",
        "Andamento per periodo: Alloggi occupati",
        "Densità delle occupazioni",
        "Priorità ristrutturazione",
        "Priorità controlli",
        "Confini dei quartieri",
        # one estates layer per owner, so the map filters estates by owner
        "Stabili ERP: Aler Milano",
        "Stabili ERP: Comune (MM Casa)",
    ]
    labels = session.page.locator(".leaflet-control-layers-overlays label")
    for i in range(labels.count()):
        before = _overlays(session)[i]
        if before["name"].startswith("Stradario"):
            assert before["checked"] is False and before["onMap"] is False
            continue  # online tiles: see test_street_basemap_loads_only_when_on
        assert before["checked"] == before["onMap"]
        paths = session.js(DRAWN)
        labels.nth(i).locator("input").click()
        after = _overlays(session)[i]
        assert after["checked"] is not before["checked"]
        assert after["onMap"] is not before["onMap"], after["name"]
        paths_after = session.js(DRAWN)
        assert paths_after != paths, after["name"]  # something was drawn or removed
        labels.nth(i).locator("input").click()
        assert _overlays(session)[i]["onMap"] is before["onMap"]
    assert session.errors == []


def test_district_popup_opens_on_click(session: Session) -> None:
    # hide the estate markers (one layer per owner), then click inside District 4
    # (the middle square)
    estates = session.page.locator(
        ".leaflet-control-layers-overlays label", has_text="Stabili ERP"
    )
    assert estates.count() == 2
    for i in range(estates.count()):
        estates.nth(i).locator("input").click()
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(32632, 4326, always_xy=True).transform(
        501250, 5031300
    )
    xy = session.js(
        """([lat, lon]) => { const map = GA.maps[0];
        const p = map.latLngToContainerPoint(L.latLng(lat, lon));
        const r = map.getContainer().getBoundingClientRect();
        return [p.x + r.left, p.y + r.top]; }""",
        [lat, lon],
    )
    session.page.mouse.click(*xy)
    popup = session.page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5000)
    assert "District 4" in popup.inner_text()
    assert session.errors == []


def test_script_in_names_shows_as_text_and_never_runs(session: Session) -> None:
    search = session.page.locator(".ga-search-input")
    search.fill("<img")
    item = session.page.locator(".ga-search-item").first
    assert item.inner_text().startswith(XSS)
    item.click()
    title = session.page.locator(".leaflet-popup-content .ga-popup-title")
    title.wait_for(state="visible")
    assert title.inner_text() == XSS
    content = session.page.locator(".leaflet-popup-content")
    assert "< 5" in content.inner_text()  # 3 occupied units: suppressed
    assert session.js("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert (
        session.js("document.querySelectorAll('.leaflet-popup-content img').length")
        == 0
    )
    # the district whose name holds a <script> tag: label and popup as text
    search.fill("quarto")
    session.page.locator(".ga-search-item").first.click()
    session.page.wait_for_timeout(400)
    texts = session.js(
        "[...document.querySelectorAll('.leaflet-popup-content .ga-popup-title')]"
        ".map(e => e.textContent)"
    )
    assert texts == [XSS_DISTRICT]
    assert session.js(
        "[...document.querySelectorAll('.ga-label')].some(e => e.textContent === "
        f"{XSS_DISTRICT!r})"
    )
    session.page.wait_for_timeout(200)
    assert session.dialogs == []
    assert session.errors == []
    assert session.requests == []


def test_time_slider_restyles_districts(session: Session, page_file) -> None:
    _, m = page_file
    layer = next(
        c
        for c in m._children.values()
        if isinstance(c, maps._GeoJsonLayer) and c.slider
    )
    sl = layer.slider
    session.page.locator(
        ".leaflet-control-layers-overlays label", has_text="Andamento"
    ).locator("input").click()
    slider = session.page.locator(".ga-slider-input")
    slider.wait_for(state="visible")

    def fills(period: int) -> list[str]:
        session.js(
            """(v) => { const s = document.querySelector('.ga-slider-input');
                s.value = v; s.dispatchEvent(new Event('input')); }""",
            period,
        )
        return session.js(
            """(name) => { const out = []; GA.maps[0].eachLayer(l => {
                if (l.feature && l.feature.properties.i && l.options.fillColor
                    && l._eventParents) {
                  for (const k in l._eventParents) {
                    if (l._eventParents[k].gaName === name)
                      out.push([l.feature.properties.i, l.options.fillColor]); } } });
                return out; }""",
            layer.layer_name,
        )

    for p in (0, 2):
        got = dict(fills(p))
        expected = {
            d: sl["styles"][cls[p]]["fillColor"] for d, cls in sl["classes"].items()
        }
        assert got == expected
        assert session.page.locator(".ga-slider-label").inner_text() == sl["periods"][p]
    assert dict(fills(0)) != dict(fills(2))
    # play steps through the periods (from the last it wraps to the first)
    label = session.page.locator(".ga-slider-label")
    assert label.inner_text() == sl["periods"][2]
    session.page.locator(".ga-slider-play").click()
    session.page.wait_for_function(
        "document.querySelector('.ga-slider-label').textContent === "
        f"{sl['periods'][0]!r}"
    )
    session.page.locator(".ga-slider-play").click()  # pause
    assert session.errors == []


def test_fullscreen_minimap_and_screenshot(session: Session, tmp_path: Path) -> None:
    assert session.js("document.querySelectorAll('.ga-minimap path').length") >= 2
    on = "GA.maps[0].getContainer().classList.contains('ga-fullscreen-on')"
    assert session.js(on) is False
    session.page.locator(".ga-fullscreen-button").click()
    session.page.wait_for_timeout(200)
    assert session.js(on) is True
    box_ = session.js(
        "(() => { const r = GA.maps[0].getContainer().getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height]; })()"
    )
    assert box_ == [0, 0, 1280, 860]
    session.page.locator(".ga-fullscreen-button").click()
    session.page.wait_for_timeout(200)
    assert session.js(on) is False
    shot = tmp_path / "map.png"
    session.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert session.errors == []


def test_plain_folium_map_made_offline(browser: Any, tmp_path: Path) -> None:
    """A map built with folium itself (MarkerCluster plugin, default markers)."""
    import folium
    from folium.plugins import MarkerCluster

    m = folium.Map(tiles=None, location=[45.46, 9.19], zoom_start=10)
    cluster = MarkerCluster().add_to(m)
    folium.Marker([45.43, 9.12], popup="uno").add_to(cluster)  # ~300 px apart:
    folium.Marker([45.49, 9.26], popup="due").add_to(cluster)  # not clustered
    folium.LayerControl(collapsed=True).add_to(m)
    s = Session(browser, maps.save_offline(m, tmp_path / "plain.html"), wait_ga=False)
    try:
        assert s.errors == []
        assert s.requests == []
        srcs = s.js(
            "[...document.querySelectorAll('.leaflet-marker-icon')].map(i => i.src)"
        )
        assert len(srcs) == 2 and all(src.startswith("data:image/png") for src in srcs)
        toggle = s.js(
            "getComputedStyle(document.querySelector('.leaflet-control-layers-toggle'))"
            ".backgroundImage"
        )
        assert toggle.startswith('url("data:image/png')
        s.page.locator(".leaflet-marker-icon").first.click()  # folium's popup: jQuery
        s.page.locator(".leaflet-popup-content").wait_for(state="visible")
        assert s.page.locator(".leaflet-popup-content").inner_text() in {"uno", "due"}
        assert s.errors == []
    finally:
        s.page.close()


# ---------------------------------------------------------------------------
# legends wrap; the street basemap loads only when switched on

WITHHELD = "Dato riservato (conteggi sotto 5 o che li rivelerebbero)"

# every legend's text boxes (Range rectangles of each text node) against the
# legend's own box, and the legend against the viewport
LEGEND_BOXES = """() => [...document.querySelectorAll('.ga-legend')].map(lg => {
  const box = lg.getBoundingClientRect();
  const texts = [...lg.querySelectorAll('.ga-legend-title, .ga-legend-row > span')]
    .filter(e => e.textContent).map(e => {
      const r = document.createRange(); r.selectNodeContents(e);
      const t = r.getBoundingClientRect();
      return {text: e.textContent, left: t.left, right: t.right};
    });
  return {left: box.left, right: box.right, scrollWidth: lg.scrollWidth,
          clientWidth: lg.clientWidth, texts: texts, text: lg.innerText};
})"""


def _switch_on_every_overlay(page: Any) -> None:
    """Tick every overlay but the online tiles (by script: on a narrow screen
    the legends cover part of the layer control)."""
    page.evaluate(
        """() => document.querySelectorAll('.leaflet-control-layers-overlays label')
        .forEach(l => { const i = l.querySelector('input');
          if (!i.checked && !l.textContent.includes('Stradario')) { i.click(); } })"""
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_legends_wrap_and_are_never_cut(
    browser: Any, page_file: tuple[Path, Any], width: int
) -> None:
    s = Session(browser, page_file[0])
    try:
        s.page.set_viewport_size({"width": width, "height": 860})
        _switch_on_every_overlay(s.page)
        s.page.wait_for_timeout(300)
        legends = s.js(LEGEND_BOXES)
        assert len(legends) >= 5
        for lg in legends:
            assert lg["scrollWidth"] <= lg["clientWidth"], lg["text"]
            assert lg["left"] >= 0 and lg["right"] <= width
            for t in lg["texts"]:
                assert lg["left"] <= t["left"] and t["right"] <= lg["right"], t
        whole = [t["text"] for lg in legends for t in lg["texts"]]
        assert WITHHELD in whole  # the long label, whole and inside its legend
        # the pile of legends scrolls below the top controls, never past the top
        pile = s.js(
            """() => { const c = document.querySelector('.leaflet-bottom.leaflet-left');
            const r = c.getBoundingClientRect();
            return [r.top, c.scrollHeight > c.clientHeight,
                    getComputedStyle(c).overflowY]; }"""
        )
        assert pile[0] >= 150 and pile[2] == "auto"
        s.page.screenshot(path=f"/tmp/geo_alloggi_legends_{width}.png")
        assert s.errors == [] and s.requests == []
    finally:
        s.page.close()


class _TileServer:
    """Local HTTP server: a PNG for each ``/tiles/...`` path, else a folder's files."""

    def __init__(self, folder: Path) -> None:
        import http.server
        import io
        import threading

        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (256, 256), (200, 225, 250)).save(buf, "PNG")
        png = buf.getvalue()
        self.seen: list[tuple[str, str | None]] = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append((self.path, self.headers.get("Referer")))
                if self.path.startswith("/tiles/"):
                    body, kind = png, "image/png"
                else:
                    target = folder / self.path.lstrip("/")
                    if not target.is_file():
                        self.send_error(404)
                        return
                    body, kind = target.read_bytes(), "text/html; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_street_basemap_loads_only_when_switched_on(
    browser: Any, tmp_path: Path
) -> None:
    server = _TileServer(tmp_path)
    template = f"{server.origin}/tiles/{{z}}/{{x}}/{{y}}.png"
    data = _data()
    m = maps.meeting_map(data.pop("districts"), street_tiles=template, **data)
    path = maps.save_offline(m, tmp_path / "map.html")
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    requests: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("file:"):
            r.continue_()
        elif url.startswith(server.origin):
            requests.append(url)
            r.continue_()
        else:
            requests.append(url)
            r.abort()

    try:
        page.route("**/*", route)
        page.goto(path.as_uri())
        page.wait_for_function("window.GA && GA.maps.length === 1")
        page.wait_for_timeout(500)
        assert requests == [] and server.seen == []  # off: nothing requested
        label = page.locator(
            ".leaflet-control-layers-overlays label", has_text="Stradario online"
        )
        host = server.origin.removeprefix("http://")
        note = f"Se lo attivate, l'area che state guardando viene inviata a {host}"
        assert label.locator(".ga-layer-note").inner_text() == note
        assert label.locator("span[title]").first.get_attribute("title") == note
        attribution = page.locator(".leaflet-control-attribution")
        assert "OpenStreetMap" not in attribution.inner_text()
        label.locator("input").click()
        page.wait_for_function(
            "document.querySelectorAll('.leaflet-tile-loaded').length > 0"
        )
        assert requests
        assert all(u.startswith(f"{server.origin}/tiles/") for u in requests)
        link = attribution.locator("a", has_text="© OpenStreetMap contributors")
        assert link.get_attribute("href") == "https://www.openstreetmap.org/copyright"
        page.evaluate("GA.maps[0].setZoom(25)")  # capped at zoom 19
        page.wait_for_timeout(800)
        zooms = {int(u.split("/tiles/")[1].split("/")[0]) for u in requests}
        assert max(zooms) <= 19
        label.locator("input").click()  # off again: no more tiles, no attribution
        page.wait_for_timeout(200)
        before = len(requests)
        page.evaluate("GA.maps[0].panBy([300, 200], {animate: false})")
        page.wait_for_timeout(600)
        assert len(requests) == before
        assert "OpenStreetMap" not in attribution.inner_text()
        # served from a web server, the page sends its Referer with each tile
        server.seen.clear()
        page.goto(f"{server.origin}/map.html")
        page.wait_for_function("window.GA && GA.maps.length === 1")
        page.locator(
            ".leaflet-control-layers-overlays label", has_text="Stradario online"
        ).locator("input").click()
        page.wait_for_function(
            "document.querySelectorAll('.leaflet-tile-loaded').length > 0"
        )
        tiles = [(p, ref) for p, ref in server.seen if p.startswith("/tiles/")]
        assert tiles and all(ref == f"{server.origin}/map.html" for _, ref in tiles)
    finally:
        page.close()
        server.close()
