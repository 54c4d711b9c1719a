"""Data registry: metadata, mirror readers, cache, download, missing-data path."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import threading
import zipfile
from contextlib import contextmanager

import pandas as pd
import pytest
from _anncsu_fixture import HEADER, write_fixture

from geo_alloggi import datasets
from geo_alloggi._errors import DataUnavailableError, InputFileError

EXPECTED = {
    "nil",
    "municipi",
    "comuni",
    "civici",
    "stradario",
    "anncsu",
    "anncsu_civici",
}
#: datasets the project's mirror holds (no real ANNCSU Indirizzario is there)
MIRRORED = EXPECTED - {"anncsu_civici"}


def test_registry_has_every_dataset_with_licence_and_url():
    assert set(datasets.REGISTRY) == EXPECTED
    for ds in datasets.REGISTRY.values():
        assert ds.licence.startswith("CC BY")
        assert ds.url.startswith("https://")
        assert ds.publisher and ds.attribution and ds.fields and ds.coverage


def test_describe_reports_mirror_as_source(mirror):
    table = datasets.describe(mirror=mirror).set_index("dataset")
    assert set(table.index) == EXPECTED
    assert set(table.loc[sorted(MIRRORED), "source"]) == {"mirror"}
    assert table.loc["anncsu_civici", "source"] == "missing"
    assert (
        table.loc["anncsu_civici", "location"] == datasets.REGISTRY["anncsu_civici"].url
    )
    assert table.loc["civici", "release"] == "2020-03-02"


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


@contextmanager
def _serve(folder):
    """A real HTTP server on 127.0.0.1 serving ``folder``."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture
def http_server(mirror):
    """A real HTTP server on 127.0.0.1 serving the mirror folder."""
    with _serve(mirror) as base:
        yield base


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


# --- ANNCSU Indirizzario (civic-number accesses), on the FIXTURE --------------------

ANNCSU_URL = (
    "https://anncsu.open.agenziaentrate.gov.it/age-inspire/opendata/anncsu/"
    "getds.php?INDIR_LOMB"
)


@pytest.fixture
def anncsu_zip(tmp_path):
    """The FIXTURE zip (made-up points, real street names), in a fresh folder."""
    return write_fixture(tmp_path / "FIXTURE_anncsu")


def test_anncsu_civici_in_registry():
    ds = datasets.REGISTRY["anncsu_civici"]
    assert ds.url == ANNCSU_URL
    assert ds.filename == "anncsu_indirizzi_lombardia.zip"
    assert ds.licence == "CC BY 4.0" and ds.frequency == "monthly"
    assert "Agenzia delle Entrate" in ds.publisher and "ISTAT" in ds.publisher
    assert ds.fields == tuple(HEADER.split(";"))


def test_fixture_is_in_the_published_format(anncsu_zip):
    with zipfile.ZipFile(anncsu_zip) as zf:
        assert zf.namelist() == ["INDIR_LOMB_20250301.csv"]
        assert zf.comment.startswith(b"FIXTURE")
        raw = zf.read("INDIR_LOMB_20250301.csv")
    assert "FIXTURE" in anncsu_zip.name
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    header = raw.decode("utf-8").split("\n")[0]
    assert header == (
        "CODICE_COMUNE;CODICE_ISTAT;PROGRESSIVO_NAZIONALE;CODICE_COMUNALE;ODONIMO;"
        "LOCALITA';DIZIONE_LINGUA1;DIZIONE_LINGUA2;PROGRESSIVO_ACCESSO;"
        "CODICE_COMUNALE_ACCESSO;CIVICO;ESPONENTE;SPECIFICITA;METRICO;"
        "PROGRESSIVO_SNC;COORD_X_COMUNE;COORD_Y_COMUNE;QUOTA;METODO"
    )


def test_fixture_points_lie_in_their_comune(mirror, anncsu_zip, tmp_path):
    import geopandas as gpd

    comuni = datasets.read_layer(
        mirror / "comuni_citta_metropolitana_milano_2019.geojson"
    )
    pts = datasets.read_anncsu_civici(anncsu_zip, cache=False)
    pts = pts[pts["lon"].notna()]
    located = gpd.GeoDataFrame(
        pts, geometry=gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326"
    ).sjoin(comuni[["com_catasto_code", "geometry"]], predicate="within")
    assert len(located) == len(pts)
    assert (located["com_catasto_code"] == located["codice_comune"]).all()


def test_read_anncsu_civici_fixture(anncsu_zip, tmp_path):
    pts = datasets.read_anncsu_civici(
        anncsu_zip, comuni={"C707": "Cinisello Balsamo"}, cache_dir=tmp_path / "c"
    )
    assert list(pts.columns) == list(datasets.ANNCSU_CIVICI_COLUMNS)
    # only the comune asked for: the fixture holds 19 Cinisello accesses
    assert set(pts["codice_comune"]) == {"C707"} and len(pts) == 19
    assert set(pts["comune"]) == {"Cinisello Balsamo"}
    assert set(pts["codice_istat"]) == {"015077"}
    row = pts.set_index("point_id").loc["90000103"]  # VIA MASSIMO GORKI 5
    assert row["street_name"] == "VIA MASSIMO GORKI" and row["number"] == 5
    assert row["lon"] == 9.2204 and row["lat"] == 45.5584  # "9,2204";"45,5584"
    assert row["codice_via"] == "138761" and row["method"] == 3
    assert row["source"] == "anncsu"
    # "0", "" and "0,0" are missing positions; the accesses are kept
    testi = pts.set_index("point_id")
    for pid in ("90000203", "90000204", "90000304"):
        assert pd.isna(testi.loc[pid, "lon"]) and pd.isna(testi.loc[pid, "lat"])
    assert int(pts["lon"].isna().sum()) == 3
    # ESPONENTE: letters, BIS, a slash number; SNC: no number
    by_id = pts.set_index("point_id")
    assert (by_id.loc["90000107", "letter"], by_id.loc["90000107", "housenumber"]) == (
        "A",
        "5A",
    )
    assert by_id.loc["90000205", "letter"] == "BIS"
    assert by_id.loc["90000205", "housenumber"] == "18BIS"
    assert (by_id.loc["90000303", "slash"], by_id.loc["90000303", "letter"]) == (
        "1",
        "",
    )
    assert by_id.loc["90000303", "housenumber"] == "4/1"
    assert pd.isna(by_id.loc["90000401", "number"])
    assert by_id.loc["90000401", "housenumber"] == ""
    assert pts.attrs["release"] == "2025-03-01"


def test_read_anncsu_civici_by_istat_code_is_the_same(anncsu_zip, tmp_path):
    by_cad = datasets.read_anncsu_civici(
        anncsu_zip, comuni=["C707", "D045"], cache=False
    )
    by_istat = datasets.read_anncsu_civici(
        anncsu_zip, comuni=["015077", 15093], cache=False
    )
    pd.testing.assert_frame_equal(by_cad, by_istat)
    assert by_cad["codice_comune"].value_counts().to_dict() == {"C707": 19, "D045": 4}
    # the same street name in four comuni of the file: only those asked for
    curiel = by_cad[by_cad["street_name"] == "VIA EUGENIO CURIEL"]
    assert set(curiel["codice_comune"]) == {"C707", "D045"}
    with pytest.raises(ValueError, match="neither a cadastral code"):
        datasets.read_anncsu_civici(anncsu_zip, comuni=["Milano"], cache=False)


def test_read_anncsu_civici_cache(anncsu_zip, tmp_path):
    cache = tmp_path / "cache"
    first = datasets.read_anncsu_civici(
        anncsu_zip, comuni={"F205": "Milano"}, cache_dir=cache
    )
    (stored,) = cache.glob("*.pkl")
    again = datasets.read_anncsu_civici(
        anncsu_zip, comuni={"F205": "Milano"}, cache_dir=cache
    )
    pd.testing.assert_frame_equal(first, again)
    assert again.attrs["release"] == "2025-03-01"
    # the cache is read, not the file: a cache with other content is believed
    unnamed = datasets.read_anncsu_civici(anncsu_zip, comuni=["F205"], cache_dir=cache)
    assert list(cache.glob("*.pkl")) == [stored]
    assert set(unnamed["comune"]) == {""}
    # a new release (another file) is read again
    os.utime(anncsu_zip, ns=(1, 1))
    datasets.read_anncsu_civici(anncsu_zip, comuni=["F205"], cache_dir=cache)
    assert len(list(cache.glob("*.pkl"))) == 2


def test_read_anncsu_civici_refuses_other_files(tmp_path, mirror):
    with pytest.raises(InputFileError, match="missing column"):
        datasets.read_anncsu_civici(
            mirror / "milano_stradario_sezioni_elettorali_2022.csv", cache=False
        )
    with pytest.raises(InputFileError, match="no such file"):
        datasets.read_anncsu_civici(tmp_path / "absent.zip")


def test_civic_coverage_counts_positions(anncsu_zip):
    pts = datasets.read_anncsu_civici(
        anncsu_zip,
        comuni={"F205": "Milano", "C707": "Cinisello Balsamo", "D045": "Corsico"},
        cache=False,
    )
    cov = datasets.civic_coverage(pts).set_index("comune")
    # counted from the FIXTURE's lines: Cinisello 19 accesses, 3 without position
    assert cov.loc["Cinisello Balsamo", "points"] == 19
    assert cov.loc["Cinisello Balsamo", "with_position"] == 16
    assert cov.loc["Corsico", "with_position"] == 4
    assert (cov.loc["Milano", "points"], cov.loc["Milano", "with_position"]) == (6, 5)
    assert cov.loc["Milano", "share_with_position"] == pytest.approx(5 / 6)


def test_describe_reads_the_release_from_the_mirrored_zip(mirror, tmp_path):
    folder = tmp_path / "FIXTURE_mirror"
    write_fixture(folder, name="anncsu_indirizzi_lombardia.zip")
    table = datasets.describe(mirror=folder).set_index("dataset")
    assert table.loc["anncsu_civici", "source"] == "mirror"
    assert table.loc["anncsu_civici", "release"] == "2025-03-01"


def test_fetch_anncsu_records_release_with_checksum(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    served = tmp_path / "served"
    write_fixture(served, name="getds.zip")
    (served / "page.html").write_text("<html>maintenance</html>", encoding="utf-8")
    cache = tmp_path / "cache"
    with _serve(served) as base:
        (path,) = datasets.fetch(
            "anncsu_civici", cache_dir=cache, url=f"{base}/getds.zip"
        )
        assert path == cache / "anncsu_indirizzi_lombardia.zip"
        record = json.loads((cache / "checksums.json").read_text())["anncsu_civici"]
        assert record["release"] == "2025-03-01"
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        table = datasets.describe(cache_dir=cache).set_index("dataset")
        assert table.loc["anncsu_civici", "release"].startswith("2025-03-01")
        # a page instead of the zip is refused; the cached release stays
        with pytest.raises(DataUnavailableError) as err:
            datasets.fetch("anncsu_civici", cache_dir=cache, url=f"{base}/page.html")
    msg = str(err.value)
    assert "'anncsu_civici'" in msg and ANNCSU_URL in msg and "\n" not in msg
    assert zipfile.is_zipfile(path) and not list(cache.glob("*.part"))


def test_fetch_anncsu_without_network_says_how_to_provide(tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError) as err:
        datasets.fetch(
            "anncsu_civici",
            cache_dir=tmp_path,
            url="http://127.0.0.1:9/getds.php?INDIR_LOMB",
            timeout=5,
        )
    msg = str(err.value)
    assert "'anncsu_civici'" in msg and "127.0.0.1:9" in msg and "\n" not in msg
    assert ANNCSU_URL in msg and "anncsu_indirizzi_lombardia.zip" in msg
    assert "geo-alloggi data fetch anncsu_civici" in msg
    with pytest.raises(DataUnavailableError, match="not in the mirror folder"):
        datasets.dataset_path("anncsu_civici", mirror=tmp_path)


def test_import_folder_registers_files_in_the_cache(mirror, tmp_path, monkeypatch):
    """After an import, no mirror is needed: the cache answers, checksums recorded."""
    monkeypatch.delenv("GEO_ALLOGGI_DATA_MIRROR", raising=False)
    cache = tmp_path / "cache"
    first = datasets.import_folder(mirror, cache_dir=cache)
    assert set(first["status"]) == {"imported"}
    in_mirror = {
        n for n, d in datasets.REGISTRY.items() if (mirror / d.filename).is_file()
    }
    assert in_mirror >= {"nil", "municipi", "comuni", "civici", "stradario", "anncsu"}
    assert set(first["dataset"]) == in_mirror
    for row in first.itertuples():
        copied = cache / row.file
        assert copied.read_bytes() == (mirror / row.file).read_bytes()
        assert row.sha256 == hashlib.sha256(copied.read_bytes()).hexdigest()
    record = json.loads((cache / "checksums.json").read_text(encoding="utf-8"))
    assert record["civici"]["release"] == "2020-03-02"
    assert (
        record["civici"]["sha256"]
        == hashlib.sha256(
            (mirror / "milano_civici_ds634_20200302.zip").read_bytes()
        ).hexdigest()
    )
    table = datasets.describe(cache_dir=cache).set_index("dataset")
    assert set(table.loc[sorted(in_mirror), "source"]) == {"cache"}
    assert table.loc["civici", "release"].startswith("2020-03-02 (imported 20")
    assert datasets.dataset_path("nil", cache_dir=cache, download=False) == (
        cache / "milano_nil_pgt2030_wgs84.geojson"
    )
    extract = "milano_civici_municipio5_202010_osmtags.json"
    assert datasets.dataset_path(
        "civici", cache_dir=cache, download=False, filename=extract
    ) == (cache / extract)
    # importing again copies nothing; a damaged copy is replaced
    assert set(datasets.import_folder(mirror, cache_dir=cache)["status"]) == {
        "unchanged"
    }
    (cache / "milano_nil_pgt2030_wgs84.geojson").write_text("{}", encoding="utf-8")
    again = datasets.import_folder(mirror, cache_dir=cache).set_index("file")
    assert again.loc["milano_nil_pgt2030_wgs84.geojson", "status"] == "imported"


def test_import_folder_refuses_a_folder_without_official_files(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputFileError, match="holds none of the official files"):
        datasets.import_folder(tmp_path, cache_dir=tmp_path / "cache")
    with pytest.raises(InputFileError, match="is not a folder"):
        datasets.import_folder(tmp_path / "nope", cache_dir=tmp_path / "cache")
