"""Typed defaults, in one place.

Every function that uses one of these also takes an explicit keyword argument
that wins over the default. Change a default for a whole session by assigning
to the module attribute, e.g. ``geo_alloggi.config.suppression_threshold = 10``.

Environment variables
---------------------
GEO_ALLOGGI_DATA_MIRROR
    Folder holding the official files under the names of the local mirror
    (see :mod:`geo_alloggi.datasets`). When set, files come from there and
    nothing goes to the network.
GEO_ALLOGGI_CACHE_DIR
    Where downloads and built indexes are cached (default: the per-user cache
    folder given by :func:`pooch.os_cache`).
GEO_ALLOGGI_STREET_TILES
    Tile URL template of the street basemap offered (switched off) on the HTML
    map; empty: no street basemap (see ``street_tiles_url``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pooch

from geo_alloggi._version import __version__

#: Metric CRS used for every distance and area computation (WGS 84 / UTM 32N).
metric_crs: str = "EPSG:32632"
#: CRS for exchange and maps.
geographic_crs: str = "EPSG:4326"
#: Counts from 1 to ``suppression_threshold - 1`` are never shown in outputs
#: meant for a meeting unless the caller asks for it.
suppression_threshold: int = 5
#: Identifying user agent for every HTTP request (Nominatim's policy requires one).
user_agent: str = f"geo_alloggi/{__version__} (public housing analysis)"
#: Seconds to wait for a download or an online geocoder before giving up.
http_timeout: float = 20.0
#: Label carried by every output built from synthetic records.
synthetic_label: str = "SYNTHETIC"
#: Comuni of the study area (ISTAT codes): Milano, by NIL, and Cinisello
#: Balsamo. Any of the 133 comuni of the Città metropolitana may be added.
study_area_comuni: tuple[str, ...] = ("015146", "015077")
#: OpenStreetMap's tile server (https://operations.osmfoundation.org/policies/tiles/).
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: Street basemap offered, switched off, on the HTML map: a tile URL template
#: (``{z}/{x}/{y}``). Its tiles load only when the user switches the layer on,
#: which sends the area in view to that server. Default: OpenStreetMap's tile
#: server (its usage policy: attribution shown, no prefetch, zoom <= 19);
#: ``GEO_ALLOGGI_STREET_TILES`` overrides it, an empty value removes the layer.
street_tiles_url: str | None = (
    os.environ.get("GEO_ALLOGGI_STREET_TILES", OSM_TILE_URL) or None
)
#: Attribution of the street tiles (plain text) and the page it links to.
street_tiles_attribution: str = "© OpenStreetMap contributors"
street_tiles_attribution_url: str = "https://www.openstreetmap.org/copyright"

MIRROR_ENV = "GEO_ALLOGGI_DATA_MIRROR"
CACHE_ENV = "GEO_ALLOGGI_CACHE_DIR"


def cache_dir() -> Path:
    """Return the per-user cache folder (``GEO_ALLOGGI_CACHE_DIR`` wins)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(pooch.os_cache("geo_alloggi"))


def mirror_dir(mirror: str | os.PathLike[str] | None = None) -> Path | None:
    """Return the mirror folder: the argument, else the environment, else None."""
    value = os.fspath(mirror) if mirror is not None else os.environ.get(MIRROR_ENV)
    if not value:
        return None
    return Path(value).expanduser()
