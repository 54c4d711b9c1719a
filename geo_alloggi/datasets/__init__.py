"""Official open datasets: registry, download and cache, local mirror, readers.

Each dataset is described once (publisher, licence, attribution, official URL,
expected fields) in :mod:`~geo_alloggi.datasets.registry`. Files are resolved
by :mod:`~geo_alloggi.datasets.mirror` in this order:

1. a **mirror** folder (``mirror=`` argument or ``GEO_ALLOGGI_DATA_MIRROR``)
   holding the files under the names of the project's local mirror. When a
   mirror is set, files come only from there and nothing goes to the network;
2. the per-user **cache** (:func:`geo_alloggi.config.cache_dir`), filled by
   :func:`fetch` (:mod:`~geo_alloggi.datasets.download`) or by
   :func:`import_folder` (:mod:`~geo_alloggi.datasets.importing`: a folder of
   official files, e.g. the project's mirror) with the SHA-256 of each file
   recorded beside it;
3. the **network**, only when the caller allows a download.

Readers (:mod:`~geo_alloggi.datasets.readers`) return plain tables with the
publisher's field names mapped to a few stable snake_case names; higher layers
(``boundaries``, ``geocoding``) build on them. Which readers have been
verified against which release is said in each reader's docstring. The ANNCSU
Indirizzario, a large regional file, has its own streaming reader with an
on-disk cache (:mod:`~geo_alloggi.datasets.anncsu`).

Examples
--------
>>> from geo_alloggi import datasets
>>> sorted(datasets.REGISTRY)
['anncsu', 'anncsu_civici', 'civici', 'comuni', 'municipi', 'nil', 'stradario']
>>> datasets.REGISTRY["nil"].licence
'CC BY 4.0'
"""

from __future__ import annotations

from geo_alloggi.datasets.anncsu import (
    ANNCSU_CIVICI_COLUMNS,
    civic_coverage,
    read_anncsu_civici,
)
from geo_alloggi.datasets.coverage import civic_sources, no_points_message
from geo_alloggi.datasets.download import fetch, sha256_file
from geo_alloggi.datasets.importing import import_folder
from geo_alloggi.datasets.mirror import dataset_path, describe, source_of
from geo_alloggi.datasets.readers import (
    ANNCSU_COLUMNS,
    CIVICI_COLUMNS,
    STRADARIO_COLUMNS,
    read_anncsu,
    read_civici,
    read_civici_osm,
    read_layer,
    read_stradario,
)
from geo_alloggi.datasets.registry import (
    ANNCSU_INDIRIZZARIO_HEADER,
    COMUNE_MILANO_PORTAL,
    REGISTRY,
    Dataset,
    attribution,
)

__all__ = [
    "ANNCSU_CIVICI_COLUMNS",
    "ANNCSU_COLUMNS",
    "ANNCSU_INDIRIZZARIO_HEADER",
    "CIVICI_COLUMNS",
    "COMUNE_MILANO_PORTAL",
    "REGISTRY",
    "STRADARIO_COLUMNS",
    "Dataset",
    "attribution",
    "civic_coverage",
    "civic_sources",
    "dataset_path",
    "describe",
    "fetch",
    "import_folder",
    "no_points_message",
    "read_anncsu",
    "read_anncsu_civici",
    "read_civici",
    "read_civici_osm",
    "read_layer",
    "read_stradario",
    "sha256_file",
    "source_of",
]
