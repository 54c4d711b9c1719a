"""Reference sources: find the official files and assemble the geocoder's tables.

The reference is the ds634 civic points of Milan, optional OpenStreetMap
``addr:*`` extracts (e.g. for Cinisello Balsamo), the street names of the
stradario and of ANNCSU, and the names of the comuni around (so that an
address naming one is kept there). :func:`find_sources` locates the files,
:func:`read_tables` turns them into the two plain tables
:func:`geo_alloggi.geocoding.index.build_index` takes (points, streets), and
:func:`build_reference` builds the index from them. A new kind of source is
added here; the matcher does not change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo_alloggi import datasets
from geo_alloggi._errors import DataUnavailableError, InputFileError
from geo_alloggi._version import __version__
from geo_alloggi.geocoding.comuni import BELFIORE_COMUNE, comune_key
from geo_alloggi.geocoding.index import INDEX_FORMAT, ReferenceIndex, build_index

log = logging.getLogger(__name__)

#: OpenStreetMap extracts: paths, or ``(path, comune)`` pairs naming the comune
#: of points without ``addr:city``.
OsmExtracts = Iterable[str | os.PathLike[str] | tuple[str | os.PathLike[str], str]]

OSM_ATTRIBUTION = "Civic points of OSM extracts: © OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class ReferenceFiles:
    """The files a geocoder's reference index is built from."""

    civici: Path
    """The ds634 civic points."""
    lists: Mapping[str, Path]
    """Dataset name (``stradario``, ``anncsu``, ``comuni``) -> file."""
    extracts: tuple[tuple[Path, str | None], ...]
    """OpenStreetMap extracts and the comune of their points (None: ``addr:city``)."""

    def key(self) -> str:
        """Return a digest of the files' names, sizes and times, version and format.

        Returns
        -------
        str
            16 hexadecimal digits: a new release of any source changes it.
        """
        stamp = {
            "version": __version__,
            "format": INDEX_FORMAT,
            "civici": _file_stamp(self.civici),
            "lists": {k: _file_stamp(v) for k, v in sorted(self.lists.items())},
            "osm": [[*_file_stamp(p), c] for p, c in self.extracts],
        }
        text = json.dumps(stamp, sort_keys=True).encode()
        return hashlib.sha256(text).hexdigest()[:16]

    @property
    def attribution(self) -> str:
        """Licence attribution of the sources."""
        parts = [datasets.REGISTRY["civici"].attribution]
        parts += [datasets.REGISTRY[k].attribution for k in sorted(self.lists)]
        if self.extracts:
            parts.append(OSM_ATTRIBUTION)
        return "; ".join(parts)


def _file_stamp(path: Path) -> list[Any]:
    st = path.stat()
    return [path.name, st.st_size, st.st_mtime_ns]


def _extracts(osm_extracts: OsmExtracts) -> tuple[tuple[Path, str | None], ...]:
    out: list[tuple[Path, str | None]] = []
    for item in osm_extracts:
        if isinstance(item, tuple):
            out.append((Path(item[0]), item[1]))
        else:
            out.append((Path(item), None))
    for path, _ in out:
        if not path.is_file():
            raise InputFileError(f"osm_extracts: {str(path)!r} does not exist")
    return tuple(out)


def find_sources(
    mirror: str | os.PathLike[str] | None = None,
    *,
    osm_extracts: OsmExtracts = (),
    street_lists: bool = True,
    lenient: bool = True,
) -> ReferenceFiles:
    """Locate the reference files (mirror, download cache or download).

    Parameters
    ----------
    mirror : str, os.PathLike or None
        Folder of the official files (default ``GEO_ALLOGGI_DATA_MIRROR``).
    osm_extracts : iterable
        OpenStreetMap ``addr:*`` JSON extracts: paths or ``(path, comune)``.
    street_lists : bool
        Also use the street names of the stradario and of ANNCSU.
    lenient : bool
        True (for a geocoder): a street list that is unavailable is left out
        with a warning, and the names of the comuni around are looked for.
        False (for the tables alone): every street list must be available;
        the comuni are not looked for.

    Returns
    -------
    ReferenceFiles

    Raises
    ------
    DataUnavailableError
        The civic points (or, not lenient, a street list) are unavailable.
    InputFileError
        An OSM extract does not exist.

    Warns
    -----
    UserWarning
        A street list is left out (lenient only).
    """
    extracts = _extracts(osm_extracts)
    civici = datasets.dataset_path("civici", mirror=mirror)
    lists: dict[str, Path] = {}
    for name in ("stradario", "anncsu") if street_lists else ():
        try:
            lists[name] = datasets.dataset_path(name, mirror=mirror)
        except DataUnavailableError as exc:
            if not lenient:
                raise
            warnings.warn(
                f"geocoder built without the {name!r} street names ({exc}); "
                f"streets without points will be unmatched, not 'street'",
                UserWarning,
                stacklevel=3,
            )
    if lenient:
        try:  # names of the comuni around: an address naming one is kept there
            lists["comuni"] = datasets.dataset_path("comuni", mirror=mirror)
        except DataUnavailableError:
            log.info("comuni names unavailable: only the index's comuni are recognised")
    return ReferenceFiles(civici, lists, extracts)


def read_tables(files: ReferenceFiles) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read the points and streets tables of the reference files.

    Parameters
    ----------
    files : ReferenceFiles
        Output of :func:`find_sources`.

    Returns
    -------
    tuple
        ``(points, streets)``: points with the columns of
        :data:`geo_alloggi.datasets.CIVICI_COLUMNS` (every status), streets with
        ``comune``, ``codice_via``, ``street_type``, ``street_name`` (or None).
    """
    frames = [datasets.read_civici(files.civici)]
    for path, comune in files.extracts:
        frames.append(datasets.read_civici_osm(path, comune=comune))
    points = pd.concat(frames, ignore_index=True)
    streets = []
    # ANNCSU first: its descriptive names (``ALDO MORO``) name the streets that
    # the stradario writes in registry order (``MORO ALDO``)
    if "anncsu" in files.lists:
        a = datasets.read_anncsu(files.lists["anncsu"], belfiore=list(BELFIORE_COMUNE))
        streets.append(
            pd.DataFrame(
                {
                    "comune": a["codice_belfiore"].map(BELFIORE_COMUNE),
                    "codice_via": "",
                    "street_type": a["street_type"],
                    "street_name": a["street_name"],
                }
            )
        )
    if "stradario" in files.lists:
        s = datasets.read_stradario(files.lists["stradario"])
        streets.append(
            pd.DataFrame(
                {
                    "comune": "Milano",
                    "codice_via": s["codice_via"],
                    "street_type": s["street_type"],
                    "street_name": s["street_name"],
                }
            ).drop_duplicates()
        )
    street_table = pd.concat(streets, ignore_index=True) if streets else None
    return points, street_table


def _comune_names(path: Path) -> set[str]:
    """Comune keys of the features of the comuni GeoJSON (``name`` property)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            comune_key(f["properties"]["name"])
            for f in data.get("features", [])
            if f.get("properties", {}).get("name")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def build_reference(files: ReferenceFiles) -> ReferenceIndex:
    """Build the reference index of the files.

    Parameters
    ----------
    files : ReferenceFiles
        Output of :func:`find_sources`.

    Returns
    -------
    ReferenceIndex
        With the source file names in ``sources`` and the comuni around in
        ``meta["known_comuni"]``.
    """
    points, streets = read_tables(files)
    names = [
        files.civici.name,
        *(p.name for p in files.lists.values()),
        *(p.name for p, _ in files.extracts),
    ]
    index = build_index(points, streets, sources=names)
    if "comuni" in files.lists:
        index.meta["known_comuni"] = sorted(_comune_names(files.lists["comuni"]))
    return index


def reference_tables(
    mirror: str | os.PathLike[str] | None = None,
    *,
    osm_extracts: OsmExtracts = (),
    street_lists: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return the tables a :class:`Geocoder` is built from: points and streets.

    Useful to build a geocoder on a modified reference with
    :meth:`Geocoder.from_tables` (e.g. points held out for an evaluation).

    Parameters
    ----------
    mirror : str, os.PathLike or None
        Folder of the official files (default ``GEO_ALLOGGI_DATA_MIRROR``).
    osm_extracts : iterable
        OpenStreetMap ``addr:*`` JSON extracts: paths or ``(path, comune)``.
    street_lists : bool
        Also read the street names of the stradario and of ANNCSU.

    Returns
    -------
    tuple
        ``(points, streets)``: points with the columns of
        :data:`geo_alloggi.datasets.CIVICI_COLUMNS` (every status), streets with
        ``comune``, ``codice_via``, ``street_type``, ``street_name`` (or None).

    Raises
    ------
    DataUnavailableError
        A dataset is neither mirrored nor cached nor reachable.
    """
    files = find_sources(
        mirror, osm_extracts=osm_extracts, street_lists=street_lists, lenient=False
    )
    return read_tables(files)
