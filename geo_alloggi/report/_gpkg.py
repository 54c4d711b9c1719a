"""The GeoPackage of a meeting bundle: every layer, EPSG:4326, for QGIS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._i18n import label_categories
from geo_alloggi.report._data import MeetingData
from geo_alloggi.report._tables import district_table, periods_as_text

__all__ = ["write_geopackage"]


def write_geopackage(data: MeetingData, path: Path) -> Path:
    """Write every layer (EPSG:4326) into one GeoPackage for QGIS.

    Layers: ``districts`` (latest period with statistics, suppressed),
    ``districts_by_period`` (suppressed panel), ``estates`` (aggregated counts,
    suppressed), ``density``, ``patrol_districts`` (rank and reasons),
    ``renovation_plan``. Personal data never reach it. Hot-spot and trend
    classes are stored in the meeting's language (``data.lang``), as in the
    tables; the QGIS styles match them.

    Parameters
    ----------
    data : MeetingData
        What the bundle is written from.
    path : pathlib.Path
        The GeoPackage to write (replaced when present).

    Returns
    -------
    pathlib.Path
        The GeoPackage written.
    """
    a = data
    if path.exists():
        path.unlink()
    layers: dict[str, gpd.GeoDataFrame] = {}
    latest = a.latest.copy()
    layers["districts"] = latest
    panel = district_table(a)
    panel = (
        panel[panel.get("row_type", "district") == "district"]
        if "row_type" in panel
        else panel
    )
    # each district reprojected once, not once per period
    geo = a.districts.set_index(S.DISTRICT_ID).geometry.to_crs(config.geographic_crs)
    layers["districts_by_period"] = gpd.GeoDataFrame(
        panel.drop(columns="geometry", errors="ignore"),
        geometry=geo.reindex(panel[S.DISTRICT_ID]).values,
        crs=geo.crs,
    )
    # estates are protected upstream (small counts and counts that would give
    # a withheld district cell back are NA, named in `suppressed`)
    layers["estates"] = a.estates.copy()
    # hexagon counts are not published: hexagons cut across districts, and their
    # sums could give back a district cell withheld in the district table
    if a.contours is not None:
        layers["density"] = a.contours
    ranked = a.patrol_districts[
        [
            c
            for c in ("rank", S.DISTRICT_ID, S.NAME, S.PERIOD, S.EMERGING, "reasons")
            if c in a.patrol_districts
        ]
    ]  # counts are in the districts layer, protected; the score is not published
    pd_geo = ranked.merge(
        a.districts[[S.DISTRICT_ID, "geometry"]], on=S.DISTRICT_ID, how="left"
    )
    layers["patrol_districts"] = gpd.GeoDataFrame(
        pd_geo, geometry="geometry", crs=a.districts.crs
    )
    plan = a.renovation_plan.merge(
        a.estates[[S.ESTATE_ID, "geometry"]], on=S.ESTATE_ID, how="left"
    )
    layers["renovation_plan"] = gpd.GeoDataFrame(
        plan, geometry="geometry", crs=a.estates.crs
    )
    with _without_fsync():
        for name, layer in layers.items():
            gdf = periods_as_text(gpd.GeoDataFrame(layer).to_crs(config.geographic_crs))
            # hot-spot and trend classes in the meeting's language, as the tables
            gdf = gpd.GeoDataFrame(label_categories(gdf, a.lang))
            for col in gdf.columns:
                if col != "geometry" and gdf[col].dtype == object:
                    gdf[col] = gdf[col].astype("string")
            if a.synthetic:
                gdf.insert(0, "data_label", config.synthetic_label)
            gdf.to_file(path, layer=name, driver="GPKG")
    return path


@contextmanager
def _without_fsync() -> Iterator[None]:
    """Let SQLite skip its fsync calls while GDAL writes (the content is the same).

    A bundle is written anew, never recovered after a crash: waiting for the
    disk at each of the ~150 commits of six layers only costs time.
    """
    before = pyogrio.get_gdal_config_option(_SYNCHRONOUS)
    pyogrio.set_gdal_config_options({_SYNCHRONOUS: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({_SYNCHRONOUS: before})


_SYNCHRONOUS = "OGR_SQLITE_SYNCHRONOUS"
