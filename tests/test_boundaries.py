"""Official district layers from the mirror in the normalised schema."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Polygon, box

from geo_alloggi import _schema as S
from geo_alloggi import config, load_districts
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._names import title_name
from geo_alloggi.boundaries import check_districts, read_districts


@pytest.mark.parametrize(
    ("level", "count"),
    [("nil", 88), ("municipi", 9), ("comuni", 2), ("study_area", 89)],
)
def test_counts_schema_validity_crs(mirror, level, count):
    gdf = load_districts(level, mirror=mirror)
    assert len(gdf) == count
    assert list(gdf.columns) == list(S.DISTRICT_COLUMNS)
    assert gdf[S.DISTRICT_ID].is_unique
    assert gdf.crs.to_epsg() == 4326
    assert shapely.is_valid(gdf.geometry.values).all()
    assert set(gdf.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (gdf[S.AREA_KM2] > 0).all()
    assert gdf[S.COMUNE_ISTAT].str.fullmatch(r"\d{6}").all()


def test_all_comuni_of_the_metropolitan_city(mirror):
    gdf = load_districts("comuni", mirror=mirror, all_comuni=True)
    assert len(gdf) == 133
    assert list(gdf[S.DISTRICT_ID][:2]) == [S.MILANO_ID, S.CINISELLO_ID]


def test_ids_and_study_area_composition(mirror):
    sa = load_districts("study_area", mirror=mirror)
    nil_ids = {f"MI-NIL-{i}" for i in range(1, 89)}
    assert set(sa[S.DISTRICT_ID]) == nil_ids | {S.CINISELLO_ID}
    cin = sa.set_index(S.DISTRICT_ID).loc[S.CINISELLO_ID]
    assert cin[S.NAME] == "Cinisello Balsamo" and cin[S.COMUNE_ISTAT] == "015077"
    mun = load_districts("municipi", mirror=mirror)
    assert list(mun[S.DISTRICT_ID]) == [f"MI-MUN-{i}" for i in range(1, 10)]


def test_reviewed_names(nil):
    names = dict(zip(nil[S.DISTRICT_ID], nil[S.NAME], strict=True))
    assert names["MI-NIL-22"] == "Città Studi"
    assert names["MI-NIL-31"] == "Monluè - Ponte Lambro"
    assert "Ca' Granda" in names["MI-NIL-14"]
    assert names["MI-NIL-66"] == "QT 8"
    assert names["MI-NIL-26"] == "XXII Marzo"
    assert names["MI-NIL-88"] == "Parco Bosco in Città"
    assert not any("'" in n and "Ca'" not in n for n in names.values())


def test_title_name_fallback():
    assert title_name("CITTA' STUDI") == "Città Studi"
    assert title_name("MONLUE' - PONTE LAMBRO") == "Monluè - Ponte Lambro"
    assert title_name("NIGUARDA - CA' GRANDA") == "Niguarda - Ca' Granda"
    assert title_name("QT 8") == "QT 8"


@pytest.mark.parametrize(
    ("name", "municipio"),
    [
        ("Duomo", 1),
        ("San Siro", 7),
        ("Quarto Oggiaro - Vialba - Musocco", 8),
        ("Comasina", 9),
        ("Gratosoglio - Q.re Missaglia - Q.re Terrazze", 5),
    ],
)
def test_nil_parents_checked_by_hand(nil, name, municipio):
    row = nil[nil[S.NAME] == name].iloc[0]
    assert row[S.PARENT_ID] == f"MI-MUN-{municipio}"
    assert 0.5 < row[S.PARENT_SHARE] <= 1.0


def test_parent_shares(nil, mirror):
    # 16 NIL have more than 5% of their area outside their main Municipio
    assert (nil[S.PARENT_SHARE] < 0.95).sum() == 16
    porta_romana = nil[nil[S.NAME] == "Porta Romana"].iloc[0]
    assert porta_romana[S.PARENT_SHARE] == pytest.approx(0.5, abs=0.02)
    # independent check of one share: intersect by hand in the metric CRS
    mun = load_districts("municipi", mirror=mirror).to_crs(config.metric_crs)
    pr = nil[nil[S.NAME] == "Porta Romana"].to_crs(config.metric_crs).geometry.iloc[0]
    areas = {
        m: pr.intersection(g).area
        for m, g in zip(mun[S.DISTRICT_ID], mun.geometry, strict=True)
    }
    best = max(areas, key=areas.get)
    assert best == porta_romana[S.PARENT_ID]
    assert areas[best] / pr.area == pytest.approx(
        porta_romana[S.PARENT_SHARE], rel=1e-6
    )


def test_cinisello_does_not_touch_milan(mirror):
    com = (
        load_districts("comuni", mirror=mirror)
        .to_crs(config.metric_crs)
        .set_index(S.DISTRICT_ID)
    )
    gap_m = com.geometry[S.MILANO_ID].distance(com.geometry[S.CINISELLO_ID])
    assert not com.geometry[S.MILANO_ID].touches(com.geometry[S.CINISELLO_ID])
    assert 900 < gap_m < 1000  # about 0.94 km between the comune boundaries


def test_areas_match_published_shape_area(mirror):
    """Our metric areas agree with the publisher's Shape_Area (m²) within 0.5%."""
    raw = gpd.read_file(mirror / "milano_nil_pgt2030_wgs84.geojson")
    nil = load_districts("nil", mirror=mirror).set_index(S.DISTRICT_ID)
    published = {
        f"MI-NIL-{i}": a / 1e6
        for i, a in zip(raw["ID_NIL"], raw["Shape_Area"], strict=True)
    }
    for did, area in published.items():
        assert nil.loc[did, S.AREA_KM2] == pytest.approx(area, rel=5e-3)


def test_nil_tile_the_comune_as_measured(nil, mirror):
    com = load_districts("comuni", mirror=mirror)
    check = check_districts(nil, reference=com[com[S.DISTRICT_ID] == S.MILANO_ID])
    assert check.invalid == 0 and check.empty == 0 and not check.duplicate_ids
    assert check.overlap_km2 < 0.01 and check.gap_km2 < 0.01
    assert check.net_area_diff_pct == pytest.approx(0.6, abs=0.2)
    assert check.sym_diff_pct == pytest.approx(2.9, abs=0.3)
    assert "symmetric difference" in check.summary()


def test_check_districts_finds_overlap_gap_and_invalid():
    a = box(0, 0, 100, 100)
    b = box(90, 0, 200, 100)  # overlaps a by 10 x 100 m
    ring = box(0, 100, 200, 300).difference(box(50, 150, 100, 200))  # a 50 x 50 m hole
    bowtie = Polygon([(300, 0), (400, 100), (400, 0), (300, 100)])  # self-intersecting
    gdf = gpd.GeoDataFrame(
        {S.DISTRICT_ID: ["a", "b", "c", "c"]},
        geometry=[a, b, ring, bowtie],
        crs=config.metric_crs,
    )
    check = check_districts(gdf)
    assert check.invalid == 1
    assert check.duplicate_ids == ("c",)
    assert check.overlap_km2 == pytest.approx(1000 / 1e6)
    assert check.gap_km2 == pytest.approx(2500 / 1e6)


def test_unknown_level():
    with pytest.raises(ValidationError, match="level='quartieri'"):
        load_districts("quartieri")


def test_returns_new_frames(mirror):
    a = load_districts("nil", mirror=mirror)
    a.loc[0, S.NAME] = "changed"
    assert load_districts("nil", mirror=mirror).loc[0, S.NAME] == "Duomo"


# --- user layers ---------------------------------------------------------------------


def _user_layer(crs):
    return gpd.GeoDataFrame(
        {
            "codice": ["U1", "U2"],
            "nome": ["Unità Nord", "Unità Sud"],
            "geometry": [box(9.10, 45.47, 9.20, 45.52), box(9.10, 45.40, 9.20, 45.47)],
        },
        crs=crs,
    )


@pytest.mark.parametrize("ext", ["geojson", "gpkg", "zip"])
def test_read_user_districts(tmp_path, ext):
    layer = _user_layer("EPSG:4326").to_crs(config.metric_crs)
    if ext == "zip":
        import zipfile

        layer.to_file(tmp_path / "units.shp")
        path = tmp_path / "units.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for f in tmp_path.glob("units.*"):
                if f.suffix != ".zip":
                    zf.write(f, f.name)
    else:
        path = tmp_path / f"units.{ext}"
        layer.to_file(path)
    gdf = read_districts(
        path,
        id_column="codice",
        name_column="nome",
        comune="Milano",
        comune_istat="015146",
    )
    assert list(gdf.columns) == list(S.DISTRICT_COLUMNS)
    assert list(gdf[S.DISTRICT_ID]) == ["U1", "U2"]
    assert gdf.crs.to_epsg() == 4326
    expected = _user_layer("EPSG:4326").to_crs(config.metric_crs).area / 1e6
    assert gdf[S.AREA_KM2].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-6)


def test_user_districts_errors(tmp_path):
    layer = _user_layer("EPSG:4326")
    path = tmp_path / "units.geojson"
    layer.to_file(path)
    with pytest.raises(InputFileError, match=r"\['code'\] not found"):
        read_districts(path, id_column="code")
    dup = layer.assign(codice=["U1", "U1"])
    dpath = tmp_path / "dup.geojson"
    dup.to_file(dpath)
    with pytest.raises(InputFileError, match="not unique"):
        read_districts(dpath, id_column="codice")
    nocrs = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):
        layer.set_crs(None, allow_override=True).to_file(nocrs)
    with pytest.raises(InputFileError, match="never guessed"):
        read_districts(nocrs, id_column="codice")


def test_user_districts_with_wrong_crs_are_refused(tmp_path):
    """UTM metres declared as degrees: the layer lands outside Italy and is refused."""
    metric = _user_layer("EPSG:4326").to_crs(config.metric_crs)
    lying = metric.set_crs("EPSG:4326", allow_override=True)
    path = tmp_path / "lying.gpkg"
    lying.to_file(path)
    with pytest.raises(InputFileError, match="wrong CRS"):
        read_districts(path, id_column="codice")


def test_user_districts_invalid_geometry_repaired(tmp_path):
    bowtie = Polygon([(9.10, 45.40), (9.20, 45.50), (9.20, 45.40), (9.10, 45.50)])
    layer = gpd.GeoDataFrame({"codice": ["B"]}, geometry=[bowtie], crs="EPSG:4326")
    path = tmp_path / "bowtie.geojson"
    layer.to_file(path)
    gdf = read_districts(path, id_column="codice")
    assert gdf.geometry.is_valid.all()
    # the bow tie becomes its two triangles: area of each = half of a quarter box
    full = gpd.GeoSeries([box(9.10, 45.40, 9.20, 45.50)], crs="EPSG:4326")
    expected = full.to_crs(config.metric_crs).area.iloc[0] / 1e6 / 2
    assert gdf[S.AREA_KM2].iloc[0] == pytest.approx(expected, rel=0.01)


# --- study area beyond two comuni ----------------------------------------------------

AREA_COMUNI = ["Milano", "Cinisello Balsamo", "Sesto San Giovanni", "Bresso", "Rozzano"]


@pytest.fixture(scope="module")
def wide_area(mirror):
    return load_districts("study_area", mirror=mirror, comuni=AREA_COMUNI)


def test_study_area_default_is_milano_and_cinisello(mirror, study_area):
    assert config.study_area_comuni == ("015146", "015077")
    same = load_districts(
        "study_area", mirror=mirror, comuni=["Cinisello Balsamo", "015146"]
    )
    assert_geodataframe_equal(same, study_area)
    # as before issue 11: the 88 NIL, then Cinisello Balsamo's comune polygon
    com = load_districts("comuni", mirror=mirror)
    before = pd.concat(
        [load_districts("nil", mirror=mirror), com[com[S.DISTRICT_ID] == "CINISELLO"]],
        ignore_index=True,
    )
    assert_geodataframe_equal(study_area, before, check_less_precise=False)
    # Cinisello Balsamo does not overlap the NIL: nothing is clipped by default
    assert study_area.attrs["clipped_km2"] == {}


def test_study_area_by_name_istat_or_cadastral_code(mirror, wide_area):
    by_code = load_districts(
        "study_area",
        mirror=mirror,
        comuni=["015209", 15032, "H623", "Cinisello B.", "MILANO"],
    )
    assert_geodataframe_equal(by_code, wide_area)
    ids = list(wide_area[S.DISTRICT_ID])
    assert ids[:88] == [f"MI-NIL-{i}" for i in range(1, 89)]
    assert ids[88:] == ["CINISELLO", "BRESSO", "ROZZANO", "SESTO-SAN-GIOVANNI"]
    others = wide_area.iloc[88:]
    assert (others[S.LEVEL] == "comune").all()
    assert list(others[S.COMUNE_ISTAT]) == ["015077", "015032", "015189", "015209"]


def test_study_area_comuni_are_clipped_against_the_nil(mirror, wide_area):
    raw = gpd.read_file(mirror / "comuni_citta_metropolitana_milano_2019.geojson")
    nil = gpd.read_file(mirror / "milano_nil_pgt2030_wgs84.geojson")
    metric_nil = shapely.union_all(nil.to_crs(config.metric_crs).geometry.values)
    clipped = wide_area.attrs["clipped_km2"]
    assert set(clipped) == {"BRESSO", "ROZZANO", "SESTO-SAN-GIOVANNI"}
    for did, name in [
        ("SESTO-SAN-GIOVANNI", "Sesto San Giovanni"),
        ("BRESSO", "Bresso"),
    ]:
        poly = raw[raw["name"] == name].to_crs(config.metric_crs).geometry.iloc[0]
        overlap = poly.intersection(metric_nil).area / 1e6
        assert 0.1 < overlap < 0.3  # issue 11: up to 0.28 km²
        assert clipped[did] == pytest.approx(overlap, rel=1e-3)
        area = wide_area.set_index(S.DISTRICT_ID).loc[did, S.AREA_KM2]
        assert area == pytest.approx(poly.area / 1e6 - overlap, rel=1e-3)
    # what overlaps is only what the official NIL overlap among themselves (a few
    # m²), plus less than a m² of floating-point residue along the cuts
    nil_only = check_districts(load_districts("nil", mirror=mirror)).overlap_km2
    assert check_districts(wide_area).overlap_km2 - nil_only < 1e-6


def test_a_point_in_an_old_overlap_has_one_district(mirror, wide_area):
    from geo_alloggi import assign_districts

    raw = gpd.read_file(mirror / "comuni_citta_metropolitana_milano_2019.geojson")
    nil = gpd.read_file(mirror / "milano_nil_pgt2030_wgs84.geojson")
    sesto = raw[raw["name"] == "Sesto San Giovanni"].geometry.iloc[0]
    overlap = sesto.intersection(shapely.union_all(nil.geometry.values))
    point = overlap.representative_point()
    holders = wide_area[wide_area.geometry.intersects(point)]
    assert len(holders) == 1 and holders[S.COMUNE].iloc[0] == "Milano"
    pts = gpd.GeoDataFrame({"record_id": ["r"]}, geometry=[point], crs=4326)
    out = assign_districts(pts, wide_area)
    assert out[S.DISTRICT_ID].iloc[0] == holders[S.DISTRICT_ID].iloc[0]


def test_study_area_without_milano_and_comuni_level(mirror):
    sa = load_districts("study_area", mirror=mirror, comuni=["Corsico", "Bresso"])
    assert list(sa[S.DISTRICT_ID]) == ["BRESSO", "CORSICO"]
    com = load_districts("comuni", mirror=mirror, comuni=["Corsico", "Milano"])
    assert list(com[S.DISTRICT_ID]) == ["MILANO", "CORSICO"]


def test_study_area_comuni_errors(mirror):
    with pytest.raises(ValidationError, match=r"did you mean \['Sesto San Giovanni'\]"):
        load_districts("study_area", mirror=mirror, comuni=["Sesto S Giovani"])
    short = load_districts("study_area", mirror=mirror, comuni=["Sesto S. Giovanni"])
    assert list(short[S.DISTRICT_ID]) == ["SESTO-SAN-GIOVANNI"]
    with pytest.raises(ValidationError, match="'Bergamo' is not one of the 133"):
        load_districts("study_area", mirror=mirror, comuni=["Bergamo"])
    with pytest.raises(ValidationError, match="comuni= applies to level"):
        load_districts("nil", mirror=mirror, comuni=["Milano"])
    with pytest.raises(ValidationError, match="empty"):
        load_districts("study_area", mirror=mirror, comuni=[])
