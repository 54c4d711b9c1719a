"""Maps for coordination meetings: folium layers, offline HTML, static export.

The builders draw; they never compute statistics. Each takes its data first,
options keyword-only, an optional ``m: folium.Map`` to draw on, and returns
the map, so they chain::

    m = maps.basemap_layer(comuni)
    m = maps.choropleth_layer(districts, "occupied_per_100", m=m)
    m = maps.estates_layer(estates, m=m)
    m = maps.add_controls(m)
    maps.save_offline(m, "map.html")

or, in one call, :func:`meeting_map`. Every string that comes from input data
is escaped before it reaches HTML: popups, tooltips, labels and search
results travel as JSON data and the browser sets them with ``textContent``;
legends and the page title are escaped with :func:`html.escape`; and the
rendered macros are never re-parsed as Jinja templates. Counts
from 1 to ``threshold - 1`` are shown as ``< threshold`` unless the caller
passes ``allow_small=True``. Labels are Italian by default, English with
``lang="en"`` (see :mod:`geo_alloggi._i18n`).

:func:`save_offline` writes one HTML file that loads nothing from the network:
Leaflet and MarkerCluster come from the installed XStatic packages, the
controls (full screen, search, time slider, minimap, legends) from
``geo_alloggi/resources``. District geometries are simplified with
:func:`shapely.coverage_simplify` (shared edges stay shared), rounded to
``precision`` decimals and written once per page however many layers draw
them. Element ids are deterministic: the same inputs give the same bytes.
:func:`street_layer` offers an online street basemap, switched off: the page
holds only its URL template and requests nothing until the user turns it on.
:func:`export_static` draws the main map with matplotlib for printed handouts
(:func:`draw_static` and :func:`save_static` when the files are saved apart).
:func:`style_geopackage` stores QGIS styles (QML, same classes and colours)
in a GeoPackage's ``layer_styles`` table and :func:`write_qgis_project` writes
a ``.qgz`` project that opens its layers offline.

Inputs (column names from :mod:`geo_alloggi._schema`)
-----------------------------------------------------
districts
    GeoDataFrame with a CRS, ``district_id`` (unique) and ``name``, optionally
    ``comune``; joined with statistics: a numeric column for the choropleth
    (``occupied_per_100`` by default), ``suppressed`` (bool, value withheld),
    ``hotspot`` (labels of ``HOTSPOT_LABELS``) or ``gi_bin`` (-3..3) with
    ``gi_z``/``gi_p``, ``emerging_category`` (``EMERGING_CATEGORIES``).
estates
    Point GeoDataFrame: ``estate_id`` (unique), ``name``; optional ``address``,
    ``comune``, ``owner`` (``Aler``/``Comune-MM``), ``units`` and the
    aggregated counts ``occupied``, ``vacant``, ``evictions``.
periods
    DataFrame ``district_id``, ``period`` (int year, ``pandas.Period``, date
    or text), a numeric value column (``occupied`` by default), optional
    ``suppressed``.
comuni
    The comuni in the district schema, e.g. ``load_districts("comuni",
    all_comuni=True)``, drawn as the vector basemap.
contours
    Polygons with a numeric ``level`` column (e.g.
    :func:`geo_alloggi.stats.density_surface`; ``density_min`` and
    ``density_max`` label the legend when present).
patrol, renovation
    :func:`geo_alloggi.priorities.patrol_priority` tables (``rank``,
    ``priority_score``, ``reasons`` and ``district_id`` or ``estate_id``) and
    :class:`geo_alloggi.priorities.RenovationPlan` (or its ``plan`` table).

Counts (``occupied``, ``new_occupations``, ``evictions``, ``vacant``) from 1
to ``threshold - 1`` never reach the page unless ``allow_small=True``.

Modules
-------
``_elements``
    custom folium/branca elements: layers, controls, legends, popups;
``_classification``
    class breaks, colours, and the mask of withheld and small values;
``_checks``, ``_geometry``
    input checks; simplified geometries written once per page;
``_base``
    the empty map (attribution, banner, title) and its controls;
``_layers``, ``_time_slider``, ``_markers``
    area layers, the time slider, estate and priority markers;
``_compose``
    :func:`meeting_map`;
``_export``, ``_offline``
    offline single-file HTML, static PNG/PDF/SVG;
``_qml``, ``_qgis``
    QGIS styles of the bundle's layers, ``layer_styles`` and the ``.qgz``.
"""

from geo_alloggi.maps._base import add_controls, base_map
from geo_alloggi.maps._classification import (
    COUNT_COLUMNS,
    EMERGING_COLORS,
    HOTSPOT_COLORS,
    OWNER_COLORS,
    SUPPRESSED_COLOR,
)
from geo_alloggi.maps._compose import meeting_map
from geo_alloggi.maps._elements import GeoJsonLayer, MarkerLayer
from geo_alloggi.maps._export import (
    PathLike,
    draw_static,
    export_static,
    map_html,
    save_offline,
    save_static,
)
from geo_alloggi.maps._geometry import (
    DEFAULT_PRECISION,
    DEFAULT_SIMPLIFY_M,
    GEOMETRY_CACHE,
    prepare_geometry,
)
from geo_alloggi.maps._layers import (
    basemap_layer,
    choropleth_layer,
    density_layer,
    emerging_layer,
    hotspot_layer,
    outline_layer,
    street_layer,
)
from geo_alloggi.maps._markers import estates_layer, priority_layer, renovation_layer
from geo_alloggi.maps._offline import OfflineError
from geo_alloggi.maps._qgis import (
    geopackage_styles,
    style_geopackage,
    write_qgis_project,
)
from geo_alloggi.maps._time_slider import time_slider_layer

__all__ = [
    "COUNT_COLUMNS",
    "DEFAULT_PRECISION",
    "DEFAULT_SIMPLIFY_M",
    "EMERGING_COLORS",
    "HOTSPOT_COLORS",
    "OWNER_COLORS",
    "OfflineError",
    "PathLike",
    "add_controls",
    "base_map",
    "basemap_layer",
    "choropleth_layer",
    "density_layer",
    "draw_static",
    "emerging_layer",
    "estates_layer",
    "export_static",
    "geopackage_styles",
    "hotspot_layer",
    "map_html",
    "meeting_map",
    "outline_layer",
    "priority_layer",
    "renovation_layer",
    "save_offline",
    "save_static",
    "street_layer",
    "style_geopackage",
    "time_slider_layer",
    "write_qgis_project",
]

# the names these had when maps was one module (tests and benchmarks use them)
_GeoJsonLayer = GeoJsonLayer
_MarkerLayer = MarkerLayer
_SUPPRESSED_COLOR = SUPPRESSED_COLOR
_GEOMETRY_CACHE = GEOMETRY_CACHE
_prepare_geometry = prepare_geometry
