"""Reference sources: find the official files and assemble the geocoder's tables.

The reference is kept per comune of the study area (default Milano and
Cinisello Balsamo, :data:`geo_alloggi.config.study_area_comuni`). Its civic
points are, in order of preference: the ds634 points of Milan (Milan's
primary source); the ANNCSU Indirizzario's accesses with a position, for the
other comuni of the study area and for the Milan numbers ds634 lacks; and
optional OpenStreetMap ``addr:*`` extracts. The street names come from the
stradario and ANNCSU, and the names of the comuni around are kept (so that an
address naming one stays there). :func:`find_sources` locates the files,
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo_alloggi import config, datasets
from geo_alloggi._errors import DataUnavailableError, InputFileError, warn
from geo_alloggi._version import __version__
from geo_alloggi.address import require_comuni
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
    anncsu_civici: Path | None = None
    """The ANNCSU Indirizzario (civic-number accesses), when available."""
    comuni: tuple[tuple[str, str], ...] = tuple(BELFIORE_COMUNE.items())
    """The comuni of the study area: (cadastral code, name) pairs."""

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
            "anncsu_civici": (
                _file_stamp(self.anncsu_civici) if self.anncsu_civici else None
            ),
            "comuni": [list(c) for c in self.comuni],
        }
        text = json.dumps(stamp, sort_keys=True).encode()
        return hashlib.sha256(text).hexdigest()[:16]

    @property
    def attribution(self) -> str:
        """Licence attribution of the sources."""
        parts = [datasets.REGISTRY["civici"].attribution]
        parts += [datasets.REGISTRY[k].attribution for k in sorted(self.lists)]
        if self.anncsu_civici is not None:
            parts.append(datasets.REGISTRY["anncsu_civici"].attribution)
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
    comuni: Iterable[str | int] | None = None,
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
    comuni : iterable of str or int, optional
        The comuni of the study area (names, ISTAT or cadastral codes of
        comuni of Lombardy); default :data:`geo_alloggi.config.study_area_comuni`.
        Their ANNCSU streets and civic points are read.

    Returns
    -------
    ReferenceFiles

    Raises
    ------
    DataUnavailableError
        The civic points (or, not lenient, a street list) are unavailable.
    InputFileError
        An OSM extract does not exist.
    ValidationError
        A comune is not one of Lombardy.

    Notes
    -----
    The ANNCSU Indirizzario is used when it is mirrored or already downloaded
    (``geo-alloggi data fetch anncsu_civici``); being a large regional file,
    it is never downloaded on the way.

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
            warn(
                f"geocoder built without the {name!r} street names ({exc}); "
                f"streets without points will be unmatched, not 'street'",
                "geocoding.no_streets",
                dataset=name,
                stacklevel=3,
            )
    if lenient:
        try:  # names of the comuni around: an address naming one is kept there
            lists["comuni"] = datasets.dataset_path("comuni", mirror=mirror)
        except DataUnavailableError:
            log.info("comuni names unavailable: only the index's comuni are recognised")
    try:
        indirizzario: Path | None = datasets.dataset_path(
            "anncsu_civici", mirror=mirror, download=False
        )
    except DataUnavailableError:
        indirizzario = None
        log.info("ANNCSU Indirizzario not available: its civic points are not used")
    return ReferenceFiles(
        civici,
        lists,
        extracts,
        anncsu_civici=indirizzario,
        comuni=study_comuni(comuni),
    )


def study_comuni(comuni: Iterable[str | int] | None) -> tuple[tuple[str, str], ...]:
    """Return (cadastral code, name) of the comuni of the study area.

    Parameters
    ----------
    comuni : iterable of str or int, optional
        Names, ISTAT or cadastral codes of comuni of Lombardy (as
        :func:`geo_alloggi.address.find_comune` reads them); default
        :data:`geo_alloggi.config.study_area_comuni`.

    Returns
    -------
    tuple of (str, str)
        In the order given, each comune once.

    Raises
    ------
    ValidationError
        A value that names no comune of Lombardy.
    """
    chosen = require_comuni(config.study_area_comuni if comuni is None else comuni)
    return tuple((c.cadastral, c.name) for c in chosen)


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
    names = dict(files.comuni)
    frames = [datasets.read_civici(files.civici)]
    if files.anncsu_civici is not None:
        indirizzario = datasets.read_anncsu_civici(
            files.anncsu_civici,
            comuni=names,
            cache_dir=config.cache_dir() / "anncsu",
        )
        frames.append(indirizzario[list(datasets.CIVICI_COLUMNS)])
    for path, comune in files.extracts:
        frames.append(datasets.read_civici_osm(path, comune=comune))
    points = pd.concat(frames, ignore_index=True)
    streets = []
    # ANNCSU first: its descriptive names (``ALDO MORO``) name the streets that
    # the stradario writes in registry order (``MORO ALDO``)
    if "anncsu" in files.lists:
        a = datasets.read_anncsu(files.lists["anncsu"], belfiore=list(names))
        streets.append(
            pd.DataFrame(
                {
                    "comune": a["codice_belfiore"].map(names),
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
        With the source file names in ``sources``, the comuni around in
        ``meta["known_comuni"]`` and the civic points per comune of the study
        area and source in ``meta["coverage"]`` (:func:`coverage_records`).
    """
    points, streets = read_tables(files)
    names = [
        files.civici.name,
        *(p.name for p in files.lists.values()),
        *(p.name for p, _ in files.extracts),
    ]
    if files.anncsu_civici is not None:
        names.append(files.anncsu_civici.name)
    index = build_index(points, streets, sources=names)
    if "comuni" in files.lists:
        index.meta["known_comuni"] = sorted(_comune_names(files.lists["comuni"]))
    index.meta["coverage"] = coverage_records(points, [n for _, n in files.comuni])
    return index


def coverage_records(points: pd.DataFrame, comuni: list[str]) -> list[dict[str, Any]]:
    """Civic points per comune of the study area and source, as plain records.

    Parameters
    ----------
    points : pandas.DataFrame
        The reference points (:func:`read_tables`), every status.
    comuni : list of str
        Names of the comuni of the study area.

    Returns
    -------
    list of dict
        ``comune``, ``source``, ``points`` (current civic numbers) and
        ``with_position``; a comune without any point has one record with
        source ``""`` and zeros.
    """
    current = points[pd.to_numeric(points["status"], errors="coerce").isin([2, 4])]
    table = datasets.civic_coverage(current)
    keys = {comune_key(c): c for c in comuni}
    table = table[[comune_key(c) in keys for c in table["comune"]]].copy()
    table["comune"] = [keys[comune_key(c)] for c in table["comune"]]
    records = [
        {
            "comune": str(r.comune),
            "source": str(r.source),
            "points": int(r.points),
            "with_position": int(r.with_position),
        }
        for r in table.itertuples()
    ]
    for name in comuni:
        if name not in set(table["comune"]):
            records.append(
                {"comune": name, "source": "", "points": 0, "with_position": 0}
            )
    return records


def reference_tables(
    mirror: str | os.PathLike[str] | None = None,
    *,
    osm_extracts: OsmExtracts = (),
    street_lists: bool = True,
    comuni: Iterable[str | int] | None = None,
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
    comuni : iterable of str or int, optional
        The comuni of the study area (default
        :data:`geo_alloggi.config.study_area_comuni`).

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
        mirror,
        osm_extracts=osm_extracts,
        street_lists=street_lists,
        lenient=False,
        comuni=comuni,
    )
    return read_tables(files)
