"""QGIS-ready GeoPackage: styles in ``layer_styles`` and a project that opens offline.

:func:`style_geopackage` writes a QGIS style (QML, see
:mod:`geo_alloggi.maps._qml`) for every layer of a GeoPackage into its
``layer_styles`` table, the table QGIS itself uses ("Save style… in
database"): opening a layer applies its default style. The table is
registered in ``gpkg_contents`` as attributes, so GDAL and pyogrio read it.

:func:`write_qgis_project` writes a ``.qgz`` (a zip holding one ``.qgs`` XML
project) beside the GeoPackage: the layers in the HTML map's order and
visibility, the same styles, relative paths, no online layer.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
from pyproj import CRS, Transformer

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import InputFileError, ValidationError
from geo_alloggi._i18n import check_lang, t
from geo_alloggi.maps._checks import check_threshold
from geo_alloggi.maps._qml import QGIS_VERSION, LayerStyle, layer_styles, qml_document

__all__ = ["geopackage_styles", "style_geopackage", "write_qgis_project"]

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""
# drawing order of the project, top first (as the HTML map stacks its layers)
_ORDER = (
    "patrol",
    "renovation",
    "estates",
    "density",
    "periods",
    "emerging",
    "hotspots",
    "choropleth",
)


def _check_gpkg(path: PathLike) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"GeoPackage {os.fspath(path)!r} not found")
    return p


def geopackage_styles(
    path: PathLike,
    *,
    column: str = S.OCCUPIED_PER_100,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
) -> list[LayerStyle]:
    """Return the QGIS styles of every layer of a GeoPackage (not written).

    Each layer's attributes are read back from the file and classified with
    the functions of the HTML map, so the classes are those of the values
    QGIS will show (geometries are read only for a layer drawn with a plain
    symbol, to tell points, lines and areas apart). See
    :func:`style_geopackage` for the parameters.

    Parameters
    ----------
    path : str or os.PathLike
        The GeoPackage.
    column : str, default 'occupied_per_100'
        As for :func:`style_geopackage`.
    scheme : str, default 'quantiles'
        As for :func:`style_geopackage`.
    k : int, default 5
        As for :func:`style_geopackage`.
    cmap : str, default 'YlOrRd'
        As for :func:`style_geopackage`.
    threshold : int or None, default None
        As for :func:`style_geopackage`.
    allow_small : bool, default False
        As for :func:`style_geopackage`.
    lang : str, default 'it'
        As for :func:`style_geopackage`.

    Returns
    -------
    list of LayerStyle
        One style per layer of the GeoPackage.
    """
    check_lang(lang)
    gpkg = _check_gpkg(path)
    thr = check_threshold(threshold)
    styles: list[LayerStyle] = []
    for name, geometry_type in pyogrio.list_layers(gpkg):
        if geometry_type is None or name == "layer_styles":
            continue
        frame = pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
        styles += layer_styles(
            str(name), frame, column=column, scheme=scheme, k=k, cmap=cmap,
            threshold=thr, allow_small=allow_small, lang=lang,
            kinds=functools.partial(_geometry_kinds, gpkg, str(name)),
        )  # fmt: skip
    return styles


def _geometry_kinds(gpkg: Path, layer: str) -> set[str]:
    """Return the geometry types of a GeoPackage layer's features."""
    return set(gpd.read_file(gpkg, layer=layer).geometry.dropna().geom_type)


def style_geopackage(
    path: PathLike,
    *,
    column: str = S.OCCUPIED_PER_100,
    scheme: str = "quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    threshold: int | None = None,
    allow_small: bool = False,
    lang: str = "it",
) -> list[LayerStyle]:
    """Store a QGIS style for every layer in the GeoPackage's ``layer_styles`` table.

    Parameters
    ----------
    path : str or os.PathLike
        The GeoPackage (for example the bundle's ``layers.gpkg``).
    column : str, default 'occupied_per_100'
        Column drawn as the districts' choropleth, as on the HTML map
        (:func:`meeting_map`).
    scheme : str, default 'quantiles'
        mapclassify scheme of the choropleth, as on the HTML map.
    k : int, default 5
        Number of classes.
    cmap : str, default 'YlOrRd'
        matplotlib colormap of the classes.
    threshold : int or None, default None
        Small counts and withheld values are drawn as withheld, as on the map.
    allow_small : bool, default False
        Draw counts below ``threshold`` as they are (withheld values stay withheld).
    lang : str, default 'it'
        ``"it"`` (default) or ``"en"``: legends and style names.

    Returns
    -------
    list of LayerStyle
        The styles written (one default per layer; the districts also get
        the hot-spot and emerging-trend styles).

    Raises
    ------
    InputFileError
        ``path`` is not a file.
    ValidationError
        Bad options.

    Notes
    -----
    Styles previously written by this function are replaced; styles saved
    by users (another ``owner``) are kept but no longer the default.
    """
    gpkg = _check_gpkg(path)
    styles = geopackage_styles(
        gpkg, column=column, scheme=scheme, k=k, cmap=cmap, threshold=threshold,
        allow_small=allow_small, lang=lang,
    )  # fmt: skip
    with closing(sqlite3.connect(gpkg)) as con, con:
        # no fsync per commit: the styles are written anew if a write fails
        con.execute("PRAGMA synchronous = OFF")
        geom = dict(
            con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
        )
        stamp = dict(con.execute("SELECT table_name, last_change FROM gpkg_contents"))
        con.execute(_CREATE)
        con.execute("DELETE FROM layer_styles WHERE owner = 'geo_alloggi'")
        con.execute(
            "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name IN "
            f"({','.join('?' * len(styles))})",
            [s.table for s in styles],
        )
        description = t("caption.qgis_style", lang)
        for s in styles:
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, "
                "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                "useAsDefault, description, owner, ui, update_time) "
                "VALUES ('', '', ?, ?, ?, ?, '', ?, ?, 'geo_alloggi', NULL, ?)",
                (
                    s.table,
                    geom.get(s.table, "geom"),
                    s.name,
                    qml_document(s),
                    1 if s.default else 0,
                    description,
                    stamp.get(s.table),
                ),
            )
        _register(con, stamp)
    log.info("wrote %d QGIS style(s) into %s", len(styles), gpkg)
    return styles


def _register(con: sqlite3.Connection, stamp: dict[str, str]) -> None:
    """List ``layer_styles`` in ``gpkg_contents`` as an attributes table."""
    exists = con.execute(
        "SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles'"
    ).fetchone()
    if exists:
        return
    last = max(stamp.values()) if stamp else "1970-01-01T00:00:00.000Z"
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
        "'QGIS styles', ?)",
        (last,),
    )


# ---------------------------------------------------------------------------
# the project


def _srs(crs: CRS) -> ET.Element:
    """Return the QGIS ``<spatialrefsys>`` of a CRS with an EPSG code."""
    epsg = crs.to_epsg()
    if epsg is None:
        raise ValidationError(f"the CRS {crs.name!r} has no EPSG code")
    srs = ET.Element("spatialrefsys", {"nativeFormat": "Wkt"})
    ET.SubElement(srs, "wkt").text = crs.to_wkt()
    ET.SubElement(srs, "srid").text = str(epsg)
    ET.SubElement(srs, "authid").text = f"EPSG:{epsg}"
    ET.SubElement(srs, "description").text = crs.name
    ET.SubElement(srs, "geographicflag").text = "true" if crs.is_geographic else "false"
    return srs


def _maplayer(
    style: LayerStyle, source: str, info: dict, layer_id: str, crs: CRS
) -> ET.Element:
    geometry = str(info["geometry_type"]).replace("Multi", "")
    kind = {"Point": "Point", "LineString": "Line"}.get(geometry, "Polygon")
    layer = ET.Element(
        "maplayer",
        {
            "type": "vector",
            "geometry": kind,
            "wkbType": str(info["geometry_type"]),
            "labelsEnabled": "1" if style.labeling is not None else "0",
            "styleCategories": "AllStyleCategories",
        },
    )
    ET.SubElement(layer, "id").text = layer_id
    ET.SubElement(layer, "datasource").text = source
    ET.SubElement(layer, "layername").text = style.name
    ET.SubElement(layer, "srs").append(_srs(crs))
    ET.SubElement(layer, "provider", {"encoding": "UTF-8"}).text = "ogr"
    layer.append(style.renderer)
    if style.labeling is not None:
        layer.append(style.labeling)
    return layer


def write_qgis_project(
    gpkg: PathLike,
    path: PathLike,
    *,
    styles: list[LayerStyle] | None = None,
    title: str | None = None,
    synthetic: bool = False,
    lang: str = "it",
) -> Path:
    """Write a QGIS project (``.qgz``) that opens the GeoPackage's layers offline.

    Parameters
    ----------
    gpkg : str or os.PathLike
        The GeoPackage, in the same folder as ``path`` (sources are relative).
    path : str or os.PathLike
        Output ``.qgz`` file.
    styles : list of LayerStyle or None, default None
        The layers' styles (default: :func:`geopackage_styles` of ``gpkg``).
    title : str or None, default None
        Project title (default: the meeting title; ``[SYNTHETIC]`` appended
        for synthetic data).
    synthetic : bool, default False
        Mark the title as synthetic.
    lang : str, default 'it'
        ``"it"`` (default) or ``"en"``.

    Returns
    -------
    pathlib.Path
        The written file; the same inputs give the same bytes.

    Raises
    ------
    InputFileError
        ``gpkg`` missing.
    ValidationError
        ``path`` not a ``.qgz`` beside ``gpkg``.
    """
    check_lang(lang)
    source = _check_gpkg(gpkg)
    out = Path(path)
    if out.suffix.lower() != ".qgz":
        raise ValidationError(f"path={os.fspath(path)!r} must end in .qgz")
    if out.resolve().parent != source.resolve().parent:
        raise ValidationError(
            f"path={os.fspath(path)!r} must be in the folder of the GeoPackage "
            f"{os.fspath(gpkg)!r} (the project refers to it by a relative path)"
        )
    if styles is None:
        styles = geopackage_styles(source, lang=lang)
    name = title or t("title.meeting", lang)
    if synthetic:
        name = f"{name} [{config.synthetic_label}]"
    qgs = _project_xml(source, styles, name)
    out.parent.mkdir(parents=True, exist_ok=True)
    info = zipfile.ZipInfo(
        out.with_suffix(".qgs").name, date_time=(2020, 1, 1, 0, 0, 0)
    )
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(info, qgs)
    log.info("wrote %s", out)
    return out


def _project_xml(gpkg: Path, styles: list[LayerStyle], title: str) -> str:
    """Return the ``.qgs`` text: layer tree, map layers, extent, relative paths."""
    project_crs = CRS.from_user_input(config.metric_crs)
    root = ET.Element(
        "qgis",
        {"projectname": title, "version": QGIS_VERSION, "saveUser": "",
         "saveUserFull": "", "saveDateTime": ""},
    )  # fmt: skip
    ET.SubElement(root, "homePath", {"path": ""})
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "projectCrs").append(_srs(project_crs))
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    layers = ET.SubElement(root, "projectlayers")
    order = ET.SubElement(root, "layerorder")
    ordered = sorted(
        styles,
        key=lambda s: (_ORDER.index(s.key) if s.key in _ORDER else len(_ORDER), s.key),
    )
    infos = {}
    bounds = []
    for style in ordered:
        if style.table not in infos:
            infos[style.table] = pyogrio.read_info(gpkg, layer=style.table)
            bounds.append(
                (infos[style.table]["total_bounds"], infos[style.table]["crs"])
            )
        info = infos[style.table]
        layer_id = f"{style.table}_{style.key}"
        source = f"./{gpkg.name}|layername={style.table}"
        crs = CRS.from_user_input(info["crs"] or config.geographic_crs)
        ET.SubElement(
            tree,
            "layer-tree-layer",
            {"id": layer_id, "name": style.name, "source": source,
             "providerKey": "ogr", "expanded": "1",
             "checked": "Qt::Checked" if style.visible else "Qt::Unchecked"},
        )  # fmt: skip
        layers.append(_maplayer(style, source, info, layer_id, crs))
        ET.SubElement(order, "layer", {"id": layer_id})
    _canvas(root, bounds, project_crs)
    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    srs = ET.SubElement(props, "SpatialRefSys")
    ET.SubElement(srs, "ProjectionsEnabled", {"type": "int"}).text = "1"
    ET.SubElement(
        srs, "ProjectCrs", {"type": "QString"}
    ).text = f"EPSG:{project_crs.to_epsg()}"
    ET.indent(root)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )


def _canvas(root: ET.Element, bounds: list, crs: CRS) -> None:
    """Add the map canvas: the layers' extent in the project CRS."""
    xs: list[float] = []
    ys: list[float] = []
    for box, src in bounds:
        if box is None or not np.all(np.isfinite(np.asarray(box, dtype=float))):
            continue  # an empty layer has no extent
        minx, miny, maxx, maxy = (float(v) for v in box)
        tr = Transformer.from_crs(src or config.geographic_crs, crs, always_xy=True)
        for x, y in ((minx, miny), (maxx, maxy), (minx, maxy), (maxx, miny)):
            px, py = tr.transform(x, y)
            xs.append(px)
            ys.append(py)
    canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas"})
    ET.SubElement(canvas, "units").text = "meters"
    extent = ET.SubElement(canvas, "extent")
    if xs:
        pad = 0.03 * max(max(xs) - min(xs), max(ys) - min(ys))
        for key, value in (
            ("xmin", min(xs) - pad), ("ymin", min(ys) - pad),
            ("xmax", max(xs) + pad), ("ymax", max(ys) + pad),
        ):  # fmt: skip
            ET.SubElement(extent, key).text = f"{value:.1f}"
    ET.SubElement(canvas, "rotation").text = "0"
    ET.SubElement(canvas, "destinationsrs").append(_srs(crs))
