"""Data registry: metadata, mirror readers, cache, download, missing-data path."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading

import pandas as pd
import pytest

from geo_alloggi import datasets
from geo_alloggi._errors import DataUnavailableError, InputFileError

EXPECTED = {"nil", "municipi", "comuni", "civici", "stradario", "anncsu"}


def test_registry_has_every_dataset_with_licence_and_url():
    assert set(datasets.REGISTRY) == EXPECTED
    for ds in datasets.REGISTRY.values():
        assert ds.licence.startswith("CC BY")
        assert ds.url.startswith("https://")
        assert ds.publisher and ds.attribution and ds.fields and ds.coverage


def test_describe_reports_mirror_as_source(mirror):
    table = datasets.describe(mirror=mirror)
    assert set(table["dataset"]) == EXPECTED
    assert set(table["source"]) == {"mirror"}
    civici = table.set_index("dataset").loc["civici"]
    assert civici["release"] == "2020-03-02"


def test_describe_without_mirror_says_network(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    table = datasets.describe(cache_dir=tmp_path)
    assert set(table["source"]) == {"network"}
    assert (
        table.set_index("dataset").loc["nil", "location"]
        == datasets.REGISTRY["nil"].url
    )


def test_read_civici_official_release(mirror):
    civ = datasets.read_civici(mirror / "milano_civici_ds634_20200302.zip")
    # counts published with the release (SOURCES.md): 63,046 rows, 52,224 applied
    assert len(civ) == 63046
    assert (civ["status"] == 2).sum() == 52224
    assert (civ["status"] == 4).sum() == 8469
    assert civ["lat"].between(45.39, 45.54).all()
    assert civ["lon"].between(9.04, 9.28).all()
    duomo = civ[civ["codice_via"] == "1"].iloc[0]
    assert duomo["street_registry"] == "DUOMO (DEL)"
    assert duomo["street_name"] == "DEL DUOMO"
    assert duomo["street_type"] == "Piazza"
    # secondary entrances: NUMEROCOMPLETO 21N05 = number 21 + entrance N05
    row = civ[civ["housenumber"] == "21N05"].iloc[0]
    assert (row["number"], row["entrance"]) == (21, "N05")


def test_read_civici_decimal_comma_matches_metric_columns(mirror):
    """LAT/LONG (decimal comma) agree with the official UTM 32N columns to < 1 m."""
    import zipfile

    import numpy as np
    from pyproj import Transformer

    with zipfile.ZipFile(mirror / "milano_civici_ds634_20200302.zip") as zf:
        raw = pd.read_csv(
            zf.open("CIVICI_20200302.CSV"), sep=";", decimal=",", nrows=500
        )
    civ = datasets.read_civici(mirror / "milano_civici_ds634_20200302.zip").iloc[:500]
    x, y = Transformer.from_crs(4326, 32632, always_xy=True).transform(
        civ["lon"], civ["lat"]
    )
    assert np.abs(x - raw["WGS84_X"]).max() < 1.0
    assert np.abs(y - raw["WGS84_Y"]).max() < 1.0


def test_read_civici_osm_extract(mirror):
    pts = datasets.read_civici_osm(
        mirror / "milano_civici_municipio5_202010_osmtags.json"
    )
    assert len(pts) == 4896  # SOURCES.md
    scal = pts[
        (pts["street_name"] == "Via Giuseppe Scalarini") & (pts["housenumber"] == "7")
    ]
    assert len(scal) == 1 and scal.iloc[0]["postcode"] == "20139"
    p01 = pts[pts["housenumber"].str.lower() == "3p01"]
    assert set(p01["entrance"]) == {"P01"} and set(p01["number"]) == {3}


def test_read_civici_osm_overpass_form(tmp_path):
    doc = {
        "elements": [
            {
                "type": "node",
                "id": 1,
                "lat": 45.56,
                "lon": 9.21,
                "tags": {"addr:street": "Via Libertà", "addr:housenumber": "12/A"},
            },
        ]
    }
    path = tmp_path / "cinisello.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    pts = datasets.read_civici_osm(path, comune="Cinisello Balsamo")
    assert pts.loc[0, "comune"] == "Cinisello Balsamo"
    assert (pts.loc[0, "number"], pts.loc[0, "letter"]) == (12, "A")


def test_read_stradario_electoral_2022(mirror):
    s = datasets.read_stradario(mirror / "milano_stradario_sezioni_elettorali_2022.csv")
    assert len(s) == 51323
    assert s["codice_via"].nunique() == 3954
    first = s.iloc[0]
    assert (first["street_name"], first["number"], first["postcode"]) == (
        "8 OTTOBRE 2001",
        12,
        "20138",
    )


def test_read_stradario_ds2973_layout(tmp_path):
    """The current DS2973 layout (';', BOM, full CAP), on a fixture from its columns."""
    text = (
        "CODICE_VIA;DESCRIZIONE_VIA;CIVICO;BARRATO;CAP;SEZIONE;MUNICIPIO\n"
        "1;PIAZZA DEL DUOMO;21;;20122;1;1\n"
        "4377;VIA 8 OTTOBRE 2001;12;A;20138;916;4\n"
    )
    path = tmp_path / "ds2973.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    s = datasets.read_stradario(path)
    assert list(s["postcode"]) == ["20122", "20138"]
    assert list(s["suffix"]) == ["", "A"]
    assert s.loc[1, "number"] == 12


def test_read_stradario_rejects_other_table(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="missing column"):
        datasets.read_stradario(path)


def test_read_anncsu_filters_comuni(mirror):
    a = datasets.read_anncsu(
        mirror / "anncsu_odonimi_lombardia_202502.csv.gz", belfiore=["F205", "C707"]
    )
    counts = a["codice_belfiore"].value_counts()
    assert counts["C707"] == 451 and counts["F205"] == 4407  # SOURCES.md


def test_nil_reads_from_zipped_shapefile_alternate(mirror, tmp_path):
    """A mirror holding only the zipped Shapefile still gives the same 88 NIL."""
    only_shp = tmp_path / "mirror"
    only_shp.mkdir()
    shutil.copy(mirror / "milano_nil_pgt2030_shp_2022.zip", only_shp)
    where, path = datasets.source_of("nil", mirror=only_shp)
    assert where == "mirror" and path.name.endswith(".zip")
    gdf = datasets.read_layer(path)
    assert len(gdf) == 88 and sorted(gdf["ID_NIL"]) == list(range(1, 89))


def test_read_layer_refuses_missing_crs(tmp_path):
    path = tmp_path / "nocrs.geojson"
    # a GeoJSON with a projected-looking CRS member removed is still WGS 84 by the
    # standard; a Shapefile without .prj has no CRS at all
    import geopandas as gpd
    from shapely.geometry import box

    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[box(0, 0, 1, 1)], crs=None)
    shp = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):
        gdf.to_file(shp)
    with pytest.raises(InputFileError, match="no coordinate reference system"):
        datasets.read_layer(shp)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="could not be read"):
        datasets.read_layer(path)


# --- cache, download, missing data -------------------------------------------------


def test_missing_file_in_mirror_names_dataset_url_and_remedy(tmp_path):
    with pytest.raises(DataUnavailableError) as err:
        datasets.dataset_path("nil", mirror=tmp_path)
    msg = str(err.value)
    assert "'nil'" in msg and datasets.REGISTRY["nil"].url in msg
    assert "GEO_ALLOGGI_DATA_MIRROR" in msg and "\n" not in msg


def test_unreachable_network_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError) as err:
        datasets.fetch(
            "nil",
            cache_dir=tmp_path,
            url="http://127.0.0.1:9/ds964_nil_wm.geojson",
            timeout=5,
        )
    msg = str(err.value)
    assert (
        "'nil'" in msg and "127.0.0.1:9" in msg and "geo-alloggi data fetch nil" in msg
    )
    assert not list(tmp_path.glob("*.geojson"))


def test_no_download_and_no_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError, match="downloads are off"):
        datasets.dataset_path("comuni", cache_dir=tmp_path, download=False)


@pytest.fixture
def http_server(mirror):
    """A real HTTP server on 127.0.0.1 serving the mirror folder."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(mirror)
    )

    class Quiet(handler.func):  # type: ignore[name-defined]
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(mirror))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetch_downloads_into_cache_and_records_checksum(
    http_server, mirror, tmp_path, monkeypatch
):
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    (path,) = datasets.fetch(
        "nil", cache_dir=tmp_path, url=f"{http_server}/milano_nil_pgt2030_wgs84.geojson"
    )
    expected = hashlib.sha256(
        (mirror / "milano_nil_pgt2030_wgs84.geojson").read_bytes()
    )
    record = json.loads((tmp_path / "checksums.json").read_text())
    assert record["nil"]["sha256"] == expected.hexdigest()
    assert path.parent == tmp_path
    # now it resolves from the cache, without network
    where, cached = datasets.source_of("nil", cache_dir=tmp_path)
    assert where == "cache" and cached == path
    from geo_alloggi import load_districts

    # NIL parents need the Municipi too
    datasets.fetch(
        "municipi",
        cache_dir=tmp_path,
        url=f"{http_server}/milano_municipi_wgs84.geojson",
    )
    nil = load_districts("nil", cache_dir=tmp_path, download=False)
    assert len(nil) == 88
