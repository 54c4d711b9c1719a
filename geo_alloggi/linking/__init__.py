"""Link occupation, eviction and vacancy records to the estates they concern.

A record names its estate by id, or by address, or only by coordinates.
:func:`link_records` tries, in this order:

1. ``estate_id`` — the record's estate id is one of the estates';
2. ``address`` — the record's address equals an estate's address once both
   are normalised (:func:`geo_alloggi.address.normalize_address`), else the
   address is geocoded (:func:`geo_alloggi.geocoding.geocode`) and the point
   snapped to the nearest estate within ``tolerance_m``;
3. ``coordinates`` — the record's own ``lon``/``lat`` snapped to the nearest
   estate within ``tolerance_m``.

Nearest-estate searches use an R-tree (:mod:`rtree`) built on the estates'
points in :data:`geo_alloggi.config.metric_crs`. Records that cannot be linked
stay in the output with ``link_method == "unlinked"`` and a ``link_note``
saying why; nothing is dropped. The text keys records and estates are
matched on live in :mod:`geo_alloggi.linking._keys`.

:func:`place_estates` gives a position to estates that have none by
geocoding their address.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_alloggi import _schema as S
from geo_alloggi import config
from geo_alloggi._errors import DataUnavailableError, ValidationError, warn
from geo_alloggi._validate import (
    require_columns,
    require_geodataframe,
    require_unique,
)
from geo_alloggi.linking._keys import (
    address_key,
    comune_key,
    distinct_text,
    given_somewhere,
    pairs_with_text,
    per_distinct,
    stripped_text,
)
from geo_alloggi.linking._links import Links
from geo_alloggi.linking._nearest import (
    Nearest,
    estate_points,
    placed_points,
    to_metric,
)

__all__ = [
    "LINK_METHODS",
    "LinkResult",
    "estate_points",
    "link_records",
    "place_estates",
    "placed_points",
]

logger = logging.getLogger(__name__)

# --- linking output (columns added by link_records) -------------------------
LINK_METHOD = "link_method"
LINK_DISTANCE_M = "link_distance_m"
LINK_NOTE = "link_note"
#: Values of ``link_method``, in the order they are tried.
LINK_METHODS: tuple[str, ...] = ("estate_id", "address", "coordinates", "unlinked")
#: Geocoder match types precise enough to snap a record to an estate.
PRECISE_MATCHES: tuple[str, ...] = ("exact", "interpolated", "nearest_number")
#: Geocoder answers kept between calls of :func:`link_records`:
#: ``(address, comune, comune column given) -> (match type, lon, lat)``.
GeocodeMemo = dict[tuple[Any, Any, bool], tuple[str, float, float]]


@dataclass(frozen=True)
class LinkResult:
    """What :func:`link_records` did.

    Attributes
    ----------
    records : pandas.DataFrame
        Every input record (same index, same order) with ``estate_id`` set to
        the linked estate, plus ``link_method`` (one of :data:`LINK_METHODS`),
        ``link_distance_m`` (metres from the record's point to the estate when
        snapped, else NaN) and ``link_note`` (why a record is unlinked, or
        which given estate id was replaced; empty otherwise).
    unlinked : pandas.DataFrame
        The records left unlinked (a view of ``records``): the report of what
        could not be placed.
    method_counts : dict of str to int or None, default None
        Records per link method as counted when linking (:meth:`counts`
        counts ``records`` when None).
    """

    records: pd.DataFrame
    unlinked: pd.DataFrame
    method_counts: Mapping[str, int] | None = field(
        default=None, repr=False, compare=False
    )

    def to_frame(self) -> pd.DataFrame:
        """Return every record with its link (a copy of :attr:`records`).

        Returns
        -------
        pandas.DataFrame
            The records with their link.
        """
        return self.records.copy()

    def counts(self) -> dict[str, int]:
        """Return the number of records per link method (all methods listed).

        Returns
        -------
        dict of str to int
            Link method -> number of records.
        """
        if self.method_counts is not None:
            return {m: int(self.method_counts.get(m, 0)) for m in LINK_METHODS}
        counts = self.records[LINK_METHOD].value_counts()
        return {m: int(counts.get(m, 0)) for m in LINK_METHODS}

    def summary(self) -> str:
        """One line for a person.

        Returns
        -------
        str
            The counts per link method on one line.
        """
        c = self.counts()
        return ", ".join(
            f"{v} by {k}" if k != "unlinked" else f"{v} unlinked" for k, v in c.items()
        )


def _geocode(
    frame: pd.DataFrame,
    *,
    address_column: str,
    comune_column: str | None,
    geocoder: Any,
    geocode_kwds: Mapping[str, Any] | None,
) -> pd.DataFrame | None:
    """Geocode ``frame``; None (with a warning) when no geocoder is available."""
    from geo_alloggi.geocoding import geocode

    kwds = dict(geocode_kwds or {})
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = geocode(
                frame,
                address_column=address_column,
                comune_column=comune_column,
                geocoder=geocoder,
                **kwds,
            )
    except DataUnavailableError as exc:
        warn(
            f"addresses not geocoded, no geocoder available ({str(exc).split(';')[0]})",
            "linking.no_geocoder",
            stacklevel=4,
        )
        return None
    for w in caught:
        logger.info("geocoder: %s", w.message)
    return out


def _link_by_coordinates(
    links: Links, records: pd.DataFrame, nearest: Nearest, tolerance_m: float
) -> None:
    """Step 3: snap the records' own lon/lat to the nearest estate."""
    todo = np.flatnonzero(links.unlinked())
    if not len(todo):
        return
    lon = pd.to_numeric(records[S.LON], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(records[S.LAT], errors="coerce").to_numpy(dtype=float)
    x, y = to_metric(lon[todo], lat[todo])
    pos, dist = nearest.query(x, y, tolerance_m)
    hit = pos >= 0
    links.set(todo[hit], pos[hit], "coordinates", dist[hit])
    links.notes.add_one(
        todo[~hit & np.isfinite(x)],
        f"no estate within {tolerance_m:g} m of the point",
    )


def _geocode_pairs(
    addresses: np.ndarray,
    comuni: np.ndarray,
    with_comune: bool,
    *,
    geocoder: Any,
    geocode_kwds: Mapping[str, Any] | None,
    memo: GeocodeMemo,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Return the match type, lon and lat of distinct (address, comune) pairs.

    Pairs already in ``memo`` are not geocoded again; the others are, and
    added to it. None (with a warning) when no geocoder is available.
    """
    keys = [(a, c, with_comune) for a, c in zip(addresses, comuni, strict=True)]
    todo = [i for i, key in enumerate(keys) if key not in memo]
    if todo:
        frame = pd.DataFrame(
            {
                "address": pd.Series(addresses[todo], dtype=object),
                "comune": pd.Series(comuni[todo], dtype=object),
            }
        )
        geo = _geocode(
            frame,
            address_column="address",
            comune_column="comune" if with_comune else None,
            geocoder=geocoder,
            geocode_kwds=geocode_kwds,
        )
        if geo is None:
            return None
        found = zip(
            geo[S.GEO_MATCH_TYPE].astype(object).to_numpy().tolist(),
            geo[S.GEO_LON].to_numpy(dtype=float).tolist(),
            geo[S.GEO_LAT].to_numpy(dtype=float).tolist(),
            strict=True,
        )
        for i, answer in zip(todo, found, strict=True):
            memo[keys[i]] = answer
    answers = [memo[key] for key in keys]
    match_type = np.array([a[0] for a in answers], dtype=object)
    lon = np.array([a[1] for a in answers], dtype=float)
    lat = np.array([a[2] for a in answers], dtype=float)
    return match_type, lon, lat


def _link_by_address(
    links: Links,
    records: pd.DataFrame,
    estates: gpd.GeoDataFrame,
    nearest: Nearest,
    *,
    address_column: str,
    comune_column: str | None,
    tolerance_m: float,
    geocode: bool,
    geocoder: Any,
    accept_match_types: Sequence[str],
    geocode_kwds: Mapping[str, Any] | None,
    memo: GeocodeMemo,
) -> None:
    """Step 2: link by normalised address, else by geocoding and snapping.

    Each distinct (address, comune) pair is keyed, matched and geocoded once.
    """
    a_codes, a_text = distinct_text(records[address_column], repeated=True)
    written = np.array([t is not None for t in a_text])[a_codes]
    todo = np.flatnonzero(links.unlinked() & written)
    if not len(todo):
        return
    with_comune = comune_column is not None and comune_column in records.columns
    # every record still to link: views of the columns, no copy of a subset
    rows = slice(None) if len(todo) == len(records) else todo
    comuni = (
        records[comune_column].to_numpy(dtype=object)[rows]
        if with_comune
        else np.full(len(todo), None, dtype=object)
    )
    codes, pair_a, u_comune = pairs_with_text(a_codes[rows], comuni)
    u_addr = a_text[pair_a]
    choice = _match_address_keys(
        u_addr, u_comune, estates, address_column, comune_column
    )
    row_choice = choice[codes]
    hit = row_choice >= 0
    if hit.all():
        links.set(todo, row_choice, "address", 0.0)
        return
    links.set(todo[hit], row_choice[hit], "address", 0.0)
    left = np.flatnonzero(choice < 0)  # distinct pairs still unlinked
    if not len(left):
        return
    left_rows = ~hit
    rows, row_pair = todo[left_rows], codes[left_rows]
    # position of each distinct pair among ``left``
    at = np.full(len(choice), -1, dtype=np.int64)
    at[left] = np.arange(len(left))
    k = at[row_pair]
    if not geocode:
        msg = np.array(
            [f"address {a!r} matches no estate" for a in u_addr[left]], dtype=object
        )
        links.notes.add(rows, k, msg)
        return
    got = _geocode_pairs(
        u_addr[left],
        u_comune[left],
        with_comune,
        geocoder=geocoder,
        geocode_kwds=geocode_kwds,
        memo=memo,
    )
    if got is None:
        return
    mt, lon, lat = got
    precise = np.isin(mt, list(accept_match_types))
    gx, gy = to_metric(np.where(precise, lon, np.nan), np.where(precise, lat, np.nan))
    pos, dist = nearest.query(gx, gy, tolerance_m)
    msg = np.array(
        [
            f"address {a!r} geocoded ({t}) but no estate within {tolerance_m:g} m"
            if p
            else f"address {a!r} not geocoded precisely ({t})"
            for a, t, p in zip(u_addr[left], mt, precise, strict=True)
        ],
        dtype=object,
    )
    snapped = pos[k] >= 0
    links.set(rows[snapped], pos[k[snapped]], "address", dist[k[snapped]])
    links.notes.add(rows[~snapped], k[~snapped], msg)


def _match_address_keys(
    addresses: np.ndarray,
    comuni: np.ndarray,
    estates: gpd.GeoDataFrame,
    address_column: str,
    comune_column: str | None,
) -> np.ndarray:
    """Return the position of the estate each (address, comune) names, else -1.

    An address names an estate when both normalise to the same key and the
    comuni agree (or either is blank); of several, the smallest estate id.
    """
    choice = np.full(len(addresses), -1, dtype=np.int64)
    if address_column not in estates.columns:
        return choice
    estate_ids = estates[S.ESTATE_ID].astype(str).to_numpy()
    written = stripped_text(estates[address_column])
    # each key's estates by increasing id: the first that fits is the smallest
    by_key: dict[str, list[int]] = {}
    for j in np.argsort(estate_ids, kind="stable").tolist():
        key = address_key(written[j])
        if key:
            by_key.setdefault(key, []).append(j)
    est_comune = (
        [comune_key(c) for c in stripped_text(estates[comune_column])]
        if comune_column is not None and comune_column in estates.columns
        else [""] * len(estates)
    )
    keys = per_distinct(addresses, address_key)
    comune_keys = per_distinct(comuni, comune_key)
    pairs = zip(keys.tolist(), comune_keys.tolist(), strict=True)
    for i, (key, rc) in enumerate(pairs):
        for j in by_key.get(key, ()):
            if not rc or est_comune[j] in ("", rc):
                choice[i] = j
                break
    return choice


def link_records(
    records: pd.DataFrame,
    estates: gpd.GeoDataFrame,
    *,
    geocoder: Any = None,
    tolerance_m: float = 75.0,
    address_column: str = S.ADDRESS,
    comune_column: str | None = S.COMUNE,
    geocode: bool = True,
    accept_match_types: Sequence[str] = PRECISE_MATCHES,
    geocode_kwds: Mapping[str, Any] | None = None,
    geocode_memo: GeocodeMemo | None = None,
) -> LinkResult:
    """Link records to estates by estate id, else address, else coordinates.

    Parameters
    ----------
    records : pd.DataFrame
        Occupations, evictions or vacancies (canonical tables of
        :mod:`geo_alloggi._records`), with ``estate_id`` and optionally the
        address, comune, ``lon`` and ``lat`` columns.
    estates : gpd.GeoDataFrame
        Estates with ``estate_id`` (unique) and point geometries (a CRS is
        required; estates without a position can only be linked by id or by
        their written address).
    geocoder : Any, optional
        A loaded :class:`geo_alloggi.geocoding.Geocoder` for the addresses;
        default: the session's default geocoder (official data from the
        mirror). When no geocoder can be built the address step only compares
        normalised addresses, with a warning.
    tolerance_m : float, optional
        Largest distance in metres between a record's point (geocoded or
        given) and the estate it is snapped to.
    address_column : str, default 'address'
        Column of ``records`` and ``estates`` holding the address.
    comune_column : str or None, default 'comune'
        Column of ``records`` and ``estates`` holding the comune.
    geocode : bool, optional
        Set False to skip geocoding (normalised address comparison only).
    accept_match_types : sequence of str, optional
        Geocoder match types precise enough to snap to an estate (street-level
        and unmatched positions never are).
    geocode_kwds : mapping of str to object or None, optional
        Extra keyword arguments for :func:`geo_alloggi.geocoding.geocode`
        (``corrections``, ``online``, ``mirror``...).
    geocode_memo : dict or None, default None
        Geocoder answers kept between calls with the same ``geocoder`` and
        ``geocode_kwds`` (filled in place; see :data:`GeocodeMemo`): tables
        written with the same addresses geocode each distinct one once.

    Returns
    -------
    LinkResult
        ``records`` (every record, with ``estate_id`` linked and
        ``link_method``, ``link_distance_m``, ``link_note``) and ``unlinked``
        (the report of records that could not be linked).

    Raises
    ------
    ValidationError
        ``records`` is not a DataFrame, ``estates`` lacks ``estate_id`` or
        has duplicated ids, or ``tolerance_m`` is not positive.
    CRSError
        ``estates`` has no CRS.

    Warns
    -----
    UserWarning
        With the number of unlinked records and a few of their ids.

    Notes
    -----
    Distances are measured in :data:`geo_alloggi.config.metric_crs`. When two
    estates are equally near, the one with the smaller ``estate_id`` wins, so
    the same inputs always give the same links. A record whose given estate id
    is unknown but whose address or point falls on an estate is linked there,
    and ``link_note`` keeps the id that was given.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> estates = gpd.GeoDataFrame(
    ...     {"estate_id": ["E1"], "address": ["Via Bolla 30"]},
    ...     geometry=[Point(9.1078, 45.5038)],
    ...     crs="EPSG:4326",
    ... )
    >>> records = pd.DataFrame(
    ...     {
    ...         "record_id": ["a", "b"],
    ...         "estate_id": ["E1", None],
    ...         "address": [None, "V. BOLLA, 30"],
    ...         "lon": [None, None],
    ...         "lat": [None, None],
    ...     }
    ... )
    >>> out = link_records(records, estates, geocode=False)
    >>> out.records["link_method"].tolist()
    ['estate_id', 'address']
    """
    if not isinstance(records, pd.DataFrame):
        raise ValidationError(
            f"records must be a pandas DataFrame, got {type(records).__name__!r}"
        )
    require_geodataframe(estates, "estates")
    require_columns(estates, [S.ESTATE_ID], "estates")
    require_unique(estates, S.ESTATE_ID, "estates")
    if not (isinstance(tolerance_m, int | float) and tolerance_m > 0):
        raise ValidationError(f"tolerance_m={tolerance_m!r} must be a positive number")

    n = len(records)
    # copy-on-write: the columns set below never reach the caller's frame
    out = records.copy(deep=False)
    estate_ids = estates[S.ESTATE_ID].astype(str).to_numpy()
    if S.ESTATE_ID in records.columns and given_somewhere(records[S.ESTATE_ID]):
        g_codes, g_text = distinct_text(records[S.ESTATE_ID])
    else:  # no estate id given (agency files often carry none)
        g_codes, g_text = np.full(n, -1), np.array([None], dtype=object)
    links = Links(n, LINK_METHODS)
    links.by_id(g_codes, g_text, estate_ids)
    nearest = Nearest(estates)
    if address_column in records.columns:
        _link_by_address(
            links,
            records,
            estates,
            nearest,
            address_column=address_column,
            comune_column=comune_column,
            tolerance_m=tolerance_m,
            geocode=geocode,
            geocoder=geocoder,
            accept_match_types=accept_match_types,
            geocode_kwds=geocode_kwds,
            memo={} if geocode_memo is None else geocode_memo,
        )
    if S.LON in records.columns and S.LAT in records.columns:
        _link_by_coordinates(links, records, nearest, tolerance_m)

    unlinked_rows = links.unlinked()
    links.notes.add_one(
        np.flatnonzero(unlinked_rows & links.notes.empty()),
        "no estate id, address or coordinates",
    )
    columns = links.columns(estate_ids, g_text, g_codes)
    out[S.ESTATE_ID] = pd.Series(columns["estate_id"], index=out.index)
    out[LINK_METHOD] = pd.Series(columns["method"], index=out.index)
    out[LINK_DISTANCE_M] = columns["distance"]
    out[LINK_NOTE] = pd.Series(columns["note"], index=out.index)
    unlinked = out[unlinked_rows]
    if len(unlinked):
        id_col = S.RECORD_ID if S.RECORD_ID in out.columns else None
        sample = (
            unlinked[id_col].astype(str).head(5).tolist()
            if id_col
            else [str(v) for v in unlinked.index[:5]]
        )
        warn(
            f"{len(unlinked)} of {n} records could not be linked to an estate "
            f"(e.g. {sample!r}); see LinkResult.unlinked",
            "linking.unlinked",
            n=len(unlinked),
            total=n,
            sample=sample,
            stacklevel=2,
        )
    per_method = np.bincount(links.method, minlength=len(LINK_METHODS))
    counts = dict(zip(LINK_METHODS, per_method.tolist(), strict=True))
    result = LinkResult(records=out, unlinked=unlinked, method_counts=counts)
    logger.info("linked records: %s", result.summary())
    return result


def place_estates(
    estates: gpd.GeoDataFrame,
    *,
    geocoder: Any = None,
    address_column: str = S.ADDRESS,
    comune_column: str | None = S.COMUNE,
    accept_match_types: Sequence[str] = PRECISE_MATCHES,
    geocode_kwds: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """Geocode the estates that have no position.

    Parameters
    ----------
    estates : gpd.GeoDataFrame
        Estates (canonical table) with a CRS; rows with a missing or empty
        geometry are geocoded from ``address_column``.
    geocoder : Any, optional
        A loaded :class:`geo_alloggi.geocoding.Geocoder`; default: the
        session's default geocoder.
    address_column : str, default 'address'
        Column with each estate's address.
    comune_column : str or None, default 'comune'
        Column with each estate's comune.
    accept_match_types : sequence of str, optional
        Match types accepted as a position (default exact, interpolated and
        nearest number; a street-level match is not an estate's position).
    geocode_kwds : mapping of str to object or None, optional
        Extra keyword arguments for :func:`geo_alloggi.geocoding.geocode`.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame in EPSG:4326: placed estates get a point, ``lon``/``lat``
        and ``position_source == "geocoded"``; estates already placed are
        unchanged.

    Raises
    ------
    ValidationError
        Missing ``estate_id`` or address column.
    CRSError
        ``estates`` has no CRS.
    DataUnavailableError
        No geocoder was given and the official address points are missing.

    Warns
    -----
    UserWarning
        With the number and a few ids of estates left without a position.
    """
    from geo_alloggi.geocoding import geocode

    require_geodataframe(estates, "estates")
    require_columns(estates, [S.ESTATE_ID, address_column], "estates")
    out = estates.to_crs(config.geographic_crs)
    geom = out.geometry
    missing = (geom.isna() | geom.is_empty).to_numpy()
    if S.POSITION_SOURCE not in out.columns:
        out[S.POSITION_SOURCE] = pd.Series(
            np.where(missing, np.array(None, dtype=object), "input"),
            index=out.index,
            dtype="str",
        )
    for col in (S.LON, S.LAT):
        if col not in out.columns:
            out[col] = np.nan
    if not missing.any():
        return out
    todo = out.loc[missing]
    with_comune = comune_column is not None and comune_column in out.columns
    frame = pd.DataFrame(
        {
            "address": todo[address_column].astype(object).to_numpy(),
            "comune": (
                todo[comune_column].astype(object).to_numpy()
                if with_comune
                else np.full(len(todo), None, dtype=object)
            ),
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        geo = geocode(
            frame,
            address_column="address",
            comune_column="comune" if with_comune else None,
            geocoder=geocoder,
            **dict(geocode_kwds or {}),
        )
    for w in caught:  # our own warning below says what matters
        logger.info("geocoder: %s", w.message)
    mt = geo[S.GEO_MATCH_TYPE].astype(object).to_numpy()
    ok = np.isin(mt, list(accept_match_types)) & np.isfinite(
        geo[S.GEO_LON].to_numpy(dtype=float)
    )
    idx = todo.index[ok]
    lon = geo[S.GEO_LON].to_numpy(dtype=float)[ok]
    lat = geo[S.GEO_LAT].to_numpy(dtype=float)[ok]
    out.loc[idx, S.LON] = lon
    out.loc[idx, S.LAT] = lat
    out.loc[idx, S.POSITION_SOURCE] = "geocoded"
    if S.GEO_COMUNE in geo.columns:
        # an unmatched address names no comune: its geo_comune is the default
        named = geo[S.GEO_COMUNE].astype(object).where(mt != "unmatched")
        out = _comune_from_text(out, todo.index, named, comune_column)
    new_geom = out.geometry.copy()
    new_geom.loc[idx] = gpd.points_from_xy(lon, lat)
    out = out.set_geometry(new_geom.set_crs(config.geographic_crs, allow_override=True))
    left = todo.index[~ok]
    if len(left):
        sample = out.loc[left, S.ESTATE_ID].astype(str).head(5).tolist()
        warn(
            f"{len(left)} of {len(todo)} estates without a position could not be "
            f"geocoded precisely (e.g. {sample!r}); they stay unplaced",
            "linking.estates_unplaced",
            n=len(left),
            total=len(todo),
            sample=sample,
            stacklevel=2,
        )
    return out


def _comune_from_text(
    out: gpd.GeoDataFrame,
    rows: pd.Index,
    named: pd.Series,
    comune_column: str | None,
) -> gpd.GeoDataFrame:
    """Fill the estates' missing comune with the one their address names.

    ``20092 Cinisello Balsamo (MI), via Gorki 5`` in a file without a comune
    column keeps its comune, so the one district rule can place the estate
    in its comune's district when the address has no civic point.
    """
    column = comune_column or S.COMUNE
    found = pd.Series(named.astype(object).to_numpy(), index=rows, dtype=object)
    found = found.where(found.notna() & (found.astype(str).str.strip() != ""))
    if column not in out.columns:
        out[column] = pd.Series(None, index=out.index, dtype=object)
    current = out.loc[rows, column].astype(object)
    empty = current.isna() | (current.astype(str).str.strip() == "")
    fill = rows[(empty & found.notna()).to_numpy()]
    if len(fill):
        out[column] = out[column].astype(object)
        out.loc[fill, column] = found.loc[fill]
    return out
