"""The geocoder: a loaded reference index, and :func:`geocode` on top of it."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import points as _points

from geo_alloggi import config, datasets
from geo_alloggi._errors import ValidationError, warn
from geo_alloggi._schema import (
    GEO_COLUMNS,
    GEO_COMUNE,
    GEO_LAT,
    GEO_LON,
    GEO_MATCH_TYPE,
    GEO_MATCHED_ADDRESS,
    GEO_SCORE,
    GEO_SOURCE,
)
from geo_alloggi.address import ParsedAddress
from geo_alloggi.geocoding.cache import (
    build_rtree,
    load_index,
    open_rtree,
    save_index,
)
from geo_alloggi.geocoding.comuni import area_keys
from geo_alloggi.geocoding.corrections import Corrections, read_corrections
from geo_alloggi.geocoding.index import TO_METRIC, ReferenceIndex, build_index
from geo_alloggi.geocoding.online import ATTRIBUTION as ONLINE_ATTRIBUTION
from geo_alloggi.geocoding.online import ask_nominatim
from geo_alloggi.geocoding.rows import Matches, known_comuni, match_rows
from geo_alloggi.geocoding.sources import OsmExtracts, build_reference, find_sources

__all__ = ["REVIEW_SCORE", "Geocoder", "geocode"]

log = logging.getLogger(__name__)

#: Results scoring below this go to the review file of the command line.
REVIEW_SCORE = 0.8


class Geocoder:
    """A loaded reference index of civic-number points and street names.

    Parameters
    ----------
    mirror : str, os.PathLike[str] or None, default None
        Folder of the official files (default ``GEO_ALLOGGI_DATA_MIRROR``; without
        a mirror the files come from the download cache, see
        :func:`geo_alloggi.datasets.dataset_path`).
    osm_extracts : OsmExtracts, default ()
        OpenStreetMap ``addr:*`` JSON extracts (Overpass ``out json`` or a JSON
        array of nodes) adding civic points, e.g. for Cinisello Balsamo: paths,
        or ``(path, comune)`` pairs naming the comune of points without
        ``addr:city``.
    street_lists : bool, default True
        Also load the street names of the stradario (Milano) and of ANNCSU
        (every comune of ``comuni``), so that streets without points are known
        as such.
    cache : bool, default True
        Load the index from the on-disk cache and save it there after a build.
    cache_dir : str, os.PathLike[str] or None, default None
        Cache folder (default ``<config.cache_dir()>/geocoder``).
    default_comune : str or None, default 'Milano'
        Comune assumed for rows whose comune is given nowhere (a warning says
        how many).
    comuni : iterable of str or int or None, default None
        The comuni of the study area (names, ISTAT or cadastral codes of
        comuni of Lombardy); default
        :data:`geo_alloggi.config.study_area_comuni`, Milano and Cinisello
        Balsamo. Their ANNCSU street names and Indirizzario civic points are
        read, each kept under its own comune.

    Notes
    -----
    Points: the current civic numbers of ds634 (``STATOCIVICO`` 2), plus numbers
    in progress (4) that have no current point; suppressed numbers (99) are
    left out. Where the ANNCSU Indirizzario is mirrored or downloaded
    (``anncsu_civici``), its accesses with a position add the civic points of
    the other comuni of the study area and the Milan numbers ds634 lacks
    (ds634 wins where both have a number); then OpenStreetMap extracts.
    ``geo_source`` says which source placed each row, and :attr:`coverage`
    counts the points of each comune and source. A comune of the study area
    left without any point is named once, in a warning pointing to OSM
    extracts and the online fallback.

    Secondary entrances (``21N05``, ``3P01``) stand for their base
    number only where the base number has no point of its own. Street names:
    ds634's descriptive (``ALESSANDRO BISNATI``) and registry (``BISNATI
    ALESSANDRO``, ``DUOMO (DEL)``) forms, the stradario's and ANNCSU's, and the
    short forms derived from them (``BISNATI``, ``A BISNATI``, ``DUOMO``).

    The cache file is keyed by the source files' names, sizes and modification
    times, the package version and the index format: a new release of any
    source rebuilds the index. :meth:`nearest` uses an rtree stored on disk
    beside it.

    Examples
    --------
    >>> from geo_alloggi.geocoding import Geocoder
    >>> g = Geocoder()
    >>> g.geocode(["Via Scalarini 7"], comune="Milano").loc[0, "geo_match_type"]
    'exact'
    """

    def __init__(
        self,
        mirror: str | os.PathLike[str] | None = None,
        *,
        osm_extracts: OsmExtracts = (),
        street_lists: bool = True,
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        default_comune: str | None = "Milano",
        comuni: Iterable[str | int] | None = None,
    ) -> None:
        self.default_comune = default_comune
        self._cache_dir = (
            Path(cache_dir)
            if cache_dir is not None
            else config.cache_dir() / "geocoder"
        )
        self._rtree: Any = None
        self._rtree_lock = threading.Lock()
        files = find_sources(
            mirror, osm_extracts=osm_extracts, street_lists=street_lists, comuni=comuni
        )
        self._key = files.key()
        self.index_path = self._cache_dir / f"index-{self._key}.pkl"
        self.rtree_base = self._cache_dir / f"rtree-{self._key}"
        index = load_index(self.index_path) if cache else None
        if index is None:
            log.info("building the geocoding index from %s", files.civici)
            index = build_reference(files)
            if cache:
                try:
                    save_index(index, self.index_path)
                    build_rtree(index, self.rtree_base)
                except OSError as exc:
                    log.warning(
                        "geocoding index not cached in %s (%s)", self._cache_dir, exc
                    )
        self.index: ReferenceIndex = index
        self._attribution = files.attribution
        self.study_area: tuple[str, ...] | None = tuple(n for _, n in files.comuni)
        _warn_comuni_without_points(self.coverage, self._key)

    @classmethod
    def from_tables(
        cls,
        points: pd.DataFrame,
        streets: pd.DataFrame | None = None,
        *,
        default_comune: str | None = "Milano",
        rtree_dir: str | os.PathLike[str] | None = None,
    ) -> Geocoder:
        """Build a geocoder from tables instead of the registry (no disk cache).

        Parameters
        ----------
        points : pandas.DataFrame
            Civic points, columns of :data:`geo_alloggi.datasets.CIVICI_COLUMNS`.
        streets : pandas.DataFrame or None, default None
            Street names without points (``comune``, ``street_type``,
            ``street_name``, optional ``codice_via``).
        default_comune : str or None, default 'Milano'
            Comune assumed for rows without one.
        rtree_dir : str, os.PathLike[str] or None, default None
            Folder for the on-disk rtree of :meth:`nearest` (default: the cache
            folder, under a name keyed by the points).

        Returns
        -------
        Geocoder
            The geocoder.
        """
        self = cls.__new__(cls)
        self.default_comune = default_comune
        self.index = build_index(points, streets, sources=["tables"])
        self._cache_dir = (
            Path(rtree_dir)
            if rtree_dir is not None
            else config.cache_dir() / "geocoder"
        )
        h = hashlib.sha256(
            self.index.pt_x.tobytes() + self.index.pt_y.tobytes()
        ).hexdigest()[:16]
        self._key = h
        self.index_path = Path()
        self.rtree_base = self._cache_dir / f"rtree-tables-{h}"
        self._rtree = None
        self._rtree_lock = threading.Lock()
        self._attribution = datasets.REGISTRY["civici"].attribution
        self.study_area = None
        return self

    # ------------------------------------------------------------------ info
    @property
    def attribution(self) -> str:
        """Licence attribution of the reference data (to show with the results)."""
        return self._attribution

    study_area: tuple[str, ...] | None
    """Names of the comuni of the study area whose civic points were read (the
    default area of :meth:`geocode`); None for a geocoder built from tables."""

    @property
    def coverage(self) -> pd.DataFrame:
        """Civic points per comune of the study area and source.

        Returns
        -------
        pandas.DataFrame
            ``comune``, ``source`` (``ds634``, ``anncsu``, ``osm``; ``""`` for a
            comune without any point), ``points`` (current civic numbers) and
            ``with_position``; empty for a geocoder built from tables.
        """
        return pd.DataFrame(
            self.index.meta.get("coverage", []),
            columns=["comune", "source", "points", "with_position"],
        )

    @property
    def comuni(self) -> list[str]:
        """Comuni known to the index (display names)."""
        return sorted(self.index.comuni.values())

    def __repr__(self) -> str:
        return (
            f"Geocoder({self.index.n_points} points, {self.index.n_streets} streets, "
            f"comuni={self.comuni!r})"
        )

    # --------------------------------------------------------------- nearest
    def _open_rtree(self) -> Any:
        with self._rtree_lock:
            if self._rtree is None:
                self._rtree = open_rtree(self.index, self.rtree_base)
            return self._rtree

    def nearest(self, lon: float, lat: float, *, k: int = 1) -> pd.DataFrame:
        """Return the ``k`` civic points nearest to a position (rtree on disk).

        Parameters
        ----------
        lon, lat : float
            Position in WGS 84.
        k : int, default 1
            How many points.

        Returns
        -------
        pandas.DataFrame
            ``address``, ``comune``, ``lon``, ``lat``, ``distance_m``, sorted by
            distance (ties in insertion order).

        Raises
        ------
        ValidationError
            ``lon``/``lat`` are not finite WGS 84 coordinates or ``k`` < 1.
        """
        if not (
            np.isfinite(lon)
            and np.isfinite(lat)
            and -180 <= lon <= 180
            and -90 <= lat <= 90
        ):
            raise ValidationError(
                f"nearest: ({lon!r}, {lat!r}) is not a WGS 84 lon/lat position"
            )
        if int(k) < 1:
            raise ValidationError(f"nearest: k={k!r}; expected a positive integer")
        x, y = TO_METRIC.transform(float(lon), float(lat))
        idx = self._open_rtree()
        ids = np.asarray(list(idx.nearest((x, y, x, y), int(k))), dtype=np.int64)
        ix = self.index
        d = np.hypot(ix.pt_x[ids] - x, ix.pt_y[ids] - y)
        order = np.argsort(d, kind="stable")[: int(k)]
        ids, d = ids[order], d[order]
        return pd.DataFrame(
            {
                "address": [self._point_label(int(i)) for i in ids],
                "comune": [
                    ix.comuni.get(ix.street_comune[ix.pt_sid[i]], "") for i in ids
                ],
                "lon": ix.pt_lon[ids],
                "lat": ix.pt_lat[ids],
                "distance_m": d,
            }
        )

    def _point_label(self, p: int) -> str:
        ix = self.index
        parsed = ParsedAddress(
            street_type=ix.street_type[ix.pt_sid[p]],
            street_name=ix.street_name[ix.pt_sid[p]],
            housenumber=int(ix.pt_number[p]),
            suffix=ix.pt_suffix[p],
        )
        return f"{parsed.street} {parsed.number_text}"

    # --------------------------------------------------------------- geocode
    def geocode(
        self,
        data: pd.DataFrame | Iterable[str],
        *,
        address_column: str = "address",
        comune_column: str | None = None,
        comune: str | None = None,
        comuni: Iterable[str] | None = None,
        corrections: Corrections | None = None,
        online: bool = False,
        nominatim_url: str | None = None,
        online_cache_dir: str | os.PathLike[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> gpd.GeoDataFrame:
        """Geocode the addresses of a table (see :func:`geo_alloggi.geocode`).

        Parameters
        ----------
        data : pandas.DataFrame or iterable of str
            Table with the addresses, or the addresses themselves.
        address_column : str, default 'address'
            As for :func:`geo_alloggi.geocode`.
        comune_column : str or None, default None
            As for :func:`geo_alloggi.geocode`.
        comune : str or None, default None
            As for :func:`geo_alloggi.geocode`.
        comuni : iterable of str or None, default None
            As for :func:`geo_alloggi.geocode`.
        corrections : Corrections or None, default None
            As for :func:`geo_alloggi.geocode`.
        online : bool, default False
            As for :func:`geo_alloggi.geocode`.
        nominatim_url : str or None, default None
            As for :func:`geo_alloggi.geocode`.
        online_cache_dir : str, os.PathLike[str] or None, default None
            As for :func:`geo_alloggi.geocode`.
        progress : callable or None, default None
            Called once with the number of addresses geocoded, at the end.

        Returns
        -------
        geopandas.GeoDataFrame
            As for :func:`geo_alloggi.geocode`.
        """
        frame = _as_frame(data, address_column)
        _check_columns(frame, address_column, comune_column, comune)
        n = len(frame)
        addresses = _text_column(frame[address_column])
        if comune_column is not None:
            row_comune = _text_column(frame[comune_column])
        else:
            row_comune = [comune or ""] * n
        table = read_corrections(corrections) if corrections is not None else None
        area = area_keys(comuni if comuni is not None else self.study_area)

        res = match_rows(
            self.index,
            addresses,
            row_comune,
            table,
            default_comune=self.default_comune,
            known=self._known_comuni,
            area=area,
        )
        if online:
            ask_nominatim(
                res, self.index.comuni, url=nominatim_url, cache_dir=online_cache_dir
            )
        if progress is not None:
            progress(n)
        return self._assemble(frame, res)

    @property
    def _known_comuni(self) -> frozenset[str]:
        known: frozenset[str] | None = getattr(self, "_known_cache", None)
        if known is None:
            known = known_comuni(self.index)
            self._known_cache = known
        return known

    def _assemble(self, frame: pd.DataFrame, res: Matches) -> gpd.GeoDataFrame:
        """Return the input frame with the geo columns and point geometry; warn."""
        n = len(frame)
        base = pd.DataFrame(frame).drop(
            columns=[c for c in GEO_COLUMNS if c in frame.columns]
        )
        if isinstance(frame, gpd.GeoDataFrame) and "geometry" in base.columns:
            base = base.drop(columns="geometry")
        lon = np.asarray(res.lon, dtype=float)
        lat = np.asarray(res.lat, dtype=float)
        has = np.isfinite(lon) & np.isfinite(lat)
        mt = np.asarray(res.match_type, dtype=object)
        lon[~has] = np.nan
        lat[~has] = np.nan
        out = base.copy()
        out[GEO_LON] = lon
        out[GEO_LAT] = lat
        out[GEO_MATCH_TYPE] = pd.array(mt, dtype="string")
        out[GEO_SCORE] = np.asarray(res.score, dtype=float)
        out[GEO_MATCHED_ADDRESS] = pd.array(res.matched_address, dtype="string")
        out[GEO_SOURCE] = pd.array(res.source, dtype="string")
        out[GEO_COMUNE] = pd.array(res.comune, dtype="string")
        geom = np.full(n, None, dtype=object)
        if has.any():
            geom[has] = _points(lon[has], lat[has])
        gdf = gpd.GeoDataFrame(
            out,
            geometry=gpd.GeoSeries(geom, index=out.index),
            crs=config.geographic_crs,
        )
        used_online = bool((np.asarray(res.source) == "nominatim").any())
        attribution = self.attribution + (
            "; " + ONLINE_ATTRIBUTION if used_online else ""
        )
        gdf.attrs["attribution"] = attribution
        if res.no_comune and self.default_comune:
            warn(
                f"{res.no_comune} of {n} address(es) name no comune; assumed "
                f"{self.default_comune!r} (pass comune= or comune_column=)",
                "geocoding.no_comune",
                n=res.no_comune,
                total=n,
                comune=self.default_comune,
                stacklevel=3,
            )
        unplaced = ~has
        if unplaced.any():
            ids = list(out.index[unplaced][:5])
            counts = pd.Series(mt[unplaced]).value_counts().to_dict()
            # the index says what it counts when it is named (file_line,
            # sheet_row); otherwise these are index labels, not positions
            where = str(out.index.name or "index").replace("_", " ")
            warn(
                f"{int(unplaced.sum())} of {n} address(es) got no position "
                f"({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))}); "
                f"e.g. {where} {ids!r}",
                "geocoding.unplaced",
                n=int(unplaced.sum()),
                total=n,
                where=str(out.index.name or "index"),
                rows=ids,
                stacklevel=3,
            )
        return gdf


# the comuni already named in this session, per reference (said once)
_WARNED_WITHOUT_POINTS: set[tuple[str, str]] = set()


def _warn_comuni_without_points(coverage: pd.DataFrame, key: str) -> None:
    """Name, once per session, the comuni of the study area without civic points."""
    if coverage.empty:
        return
    placed = coverage.groupby("comune")["with_position"].sum()
    missing = sorted(str(c) for c, n in placed.items() if n == 0)
    fresh = [c for c in missing if (key, c) not in _WARNED_WITHOUT_POINTS]
    if fresh:
        _WARNED_WITHOUT_POINTS.update((key, c) for c in fresh)
        warn(
            datasets.no_points_message(fresh),
            "geocoding.comuni_without_points",
            comuni=fresh,
            stacklevel=3,
        )


def _as_frame(data: Any, address_column: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.rename(address_column).to_frame()
    if isinstance(data, str):
        raise ValidationError(
            f"data={data!r} is a single string; pass a DataFrame or a list of addresses"
        )
    try:
        values = list(data)
    except TypeError:
        raise ValidationError(
            f"data must be a DataFrame or a list of addresses, "
            f"got {type(data).__name__}"
        ) from None
    return pd.DataFrame({address_column: pd.array(values, dtype="string")})


def _check_columns(
    frame: pd.DataFrame,
    address_column: str,
    comune_column: str | None,
    comune: str | None,
) -> None:
    if address_column not in frame.columns:
        raise ValidationError(
            f"address_column={address_column!r} is not a column of data; columns: "
            f"{list(map(str, frame.columns))!r}"
        )
    if comune_column is not None and comune is not None:
        raise ValidationError("give comune_column= or comune=, not both")
    if comune_column is not None and comune_column not in frame.columns:
        raise ValidationError(
            f"comune_column={comune_column!r} is not a column of data; columns: "
            f"{list(map(str, frame.columns))!r}"
        )


def _text_column(series: pd.Series) -> list[str]:
    return [
        v if isinstance(v, str) else ("" if pd.isna(v) else str(v))
        for v in series.tolist()
    ]


# --------------------------------------------------------------------------
# module-level convenience

_GEOCODERS: dict[tuple[str, str, tuple[str, ...]], Geocoder] = {}
_GEOCODERS_LOCK = threading.Lock()


def _default_geocoder(
    mirror: str | os.PathLike[str] | None, comuni: Iterable[str] | None = None
) -> Geocoder:
    """Return the session's geocoder of a mirror and study area, built once."""
    folder = config.mirror_dir(mirror)
    area = tuple(
        str(c) for c in (config.study_area_comuni if comuni is None else comuni)
    )
    key = (str(folder) if folder else "", str(config.cache_dir()), area)
    with _GEOCODERS_LOCK:
        g = _GEOCODERS.get(key)
        if g is None:
            g = Geocoder(mirror, comuni=area)
            _GEOCODERS[key] = g
        return g


def geocode(
    data: pd.DataFrame | Iterable[str],
    *,
    address_column: str = "address",
    comune_column: str | None = None,
    comune: str | None = None,
    comuni: Iterable[str] | None = None,
    corrections: Corrections | None = None,
    online: bool = False,
    geocoder: Geocoder | None = None,
    mirror: str | os.PathLike[str] | None = None,
    nominatim_url: str | None = None,
    online_cache_dir: str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame:
    """Geocode a table of Italian addresses offline, with a match quality per row.

    Parameters
    ----------
    data : pandas.DataFrame or iterable of str
        A DataFrame (or GeoDataFrame) with an address column, or a list of
        address strings.
    address_column : str, default 'address'
        Column holding the addresses (``V.LE FULVIO TESTI 12``, ``via f. testi,
        12 - 20126 milano``).
    comune_column : str or None, default None
        Column naming each row's comune (``Milano``, ``CINISELLO BALSAMO``,
        ISTAT ``015146`` or Belfiore ``F205`` codes), or
    comune : str or None, default None
        One comune for all rows. Without either, the comune written in the
        address (or its postcode) is used, else the geocoder's
        ``default_comune`` (``Milano``) with a warning. When the address
        itself names another comune (``Viale Fulvio Testi 5, Cinisello
        Balsamo`` given as Milano), the row is left unmatched and
        ``geo_matched_address`` names both comuni.
    comuni : iterable of str or None, default None
        Comuni of the study area (names, ISTAT or cadastral codes; default
        the geocoder's own, :attr:`Geocoder.study_area`, else
        :data:`geo_alloggi.config.study_area_comuni`, Milano and Cinisello
        Balsamo). An address in another comune gets ``geo_match_type``
        ``out_of_area`` and no position, never a position of a same-named
        street in the study area.
    corrections : Corrections or None, default None
        User corrections applied before matching (file, DataFrame or mapping;
        see :func:`read_corrections`).
    online : bool, default False
        Ask Nominatim for the rows left ``street`` or ``unmatched`` (at most
        one request per second, answers cached on disk; off by default).
    geocoder : Geocoder or None, default None
        A loaded :class:`Geocoder` to reuse; default one built (or loaded from
        the cache) from the data registry for ``comuni``, kept for the session.
    mirror : str, os.PathLike[str] or None, default None
        Folder of the official files for the default geocoder.
    nominatim_url : str or None, default None
        Nominatim server (default ``https://nominatim.openstreetmap.org``).
    online_cache_dir : str, os.PathLike[str] or None, default None
        Folder of the Nominatim answers cache.

    Returns
    -------
    geopandas.GeoDataFrame
        Same index and columns as ``data`` plus ``geo_lon``, ``geo_lat``,
        ``geo_match_type`` (``exact``, ``interpolated``, ``nearest_number``,
        ``street``, ``unmatched``, ``out_of_area``), ``geo_score`` in [0, 1],
        ``geo_matched_address``, ``geo_source`` (``ds634``, ``anncsu``, ``osm``,
        ``street_list``, ``corrections``, ``nominatim`` or empty) and
        ``geo_comune`` (the comune the address was matched in, or named in;
        the default comune where none is named). ``snc`` and ``km``
        addresses have no civic number: at best ``street``, never placed
        at a number; point
        geometry in EPSG:4326, None where there is no position. The licence
        attribution of the sources used is in ``.attrs["attribution"]``.

    Raises
    ------
    ValidationError
        ``address_column`` or ``comune_column`` is not a column of ``data``.
    DataUnavailableError
        The civic-number dataset is neither mirrored nor cached nor reachable.

    Warns
    -----
    UserWarning
        With the count (and a few row labels) of addresses left without a
        position, and of rows whose comune was assumed.

    Notes
    -----
    ``geo_score`` combines the street-name similarity (1 for a known name
    form, the rapidfuzz ratio for a fuzzy match, lowered for a different street
    type or an ambiguous name) with the kind of placement: 1 exact, 0.9 same
    number with another esponente, 0.85 interpolated, about 0.75 nearest
    number, 0.5 street only, 0 unmatched. Rows below 0.8 deserve a look.
    Interpolation uses the two nearest numbers of the same parity when they
    differ by at most 16 and lie within 300 m of each other; a number more
    than 4 away from every civic number of its street is not placed.

    Examples
    --------
    >>> import pandas as pd
    >>> out = geocode(pd.DataFrame({"address": ["P.LE SELINUNTE 4"]}), comune="Milano")
    >>> out.loc[0, "geo_match_type"], float(out.loc[0, "geo_score"])
    ('exact', 1.0)
    """
    g = geocoder if geocoder is not None else _default_geocoder(mirror, comuni)
    if not isinstance(g, Geocoder):
        raise ValidationError(f"geocoder={g!r}; expected a geo_alloggi Geocoder")
    return g.geocode(
        data,
        address_column=address_column,
        comune_column=comune_column,
        comune=comune,
        comuni=comuni,
        corrections=corrections,
        online=online,
        nominatim_url=nominatim_url,
        online_cache_dir=online_cache_dir,
    )
