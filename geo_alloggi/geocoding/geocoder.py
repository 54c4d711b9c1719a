"""The geocoder: a loaded reference index, and :func:`geocode` on top of it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import points as _points

from geo_alloggi import config, datasets
from geo_alloggi._errors import (
    DataUnavailableError,
    InputFileError,
    ValidationError,
)
from geo_alloggi._schema import (
    GEO_COLUMNS,
    GEO_LAT,
    GEO_LON,
    GEO_MATCH_TYPE,
    GEO_MATCHED_ADDRESS,
    GEO_SCORE,
    GEO_SOURCE,
)
from geo_alloggi._version import __version__
from geo_alloggi.address import (
    ParsedAddress,
    messy_address,
    normalize_address,
    parse_address,
)
from geo_alloggi.geocoding.index import (
    INDEX_FORMAT,
    ReferenceIndex,
    build_index,
    build_rtree,
    comune_key,
    load_index,
    save_index,
)
from geo_alloggi.geocoding.match import place_numbers, resolve_streets
from geo_alloggi.geocoding.online import ATTRIBUTION as ONLINE_ATTRIBUTION

__all__ = [
    "CORRECTION_COLUMNS",
    "ONLINE_ATTRIBUTION",
    "REVIEW_SCORE",
    "Geocoder",
    "add_correction",
    "geocode",
    "messy_address",
    "read_corrections",
    "reference_tables",
]

log = logging.getLogger(__name__)

#: Results scoring below this go to the review file of the command line.
REVIEW_SCORE = 0.8
#: Columns of a corrections file (``lon``/``lat`` or ``matched_address``).
CORRECTION_COLUMNS: tuple[str, ...] = (
    "address",
    "comune",
    "lon",
    "lat",
    "matched_address",
)
#: Score given to a user's correction and to a house-level Nominatim answer.
SCORE_CORRECTION = 1.0
SCORE_ONLINE = 0.8

_CINISELLO_BELFIORE = "C707"
_MILANO_BELFIORE = "F205"
_BELFIORE_COMUNE = {
    _MILANO_BELFIORE: "Milano",
    _CINISELLO_BELFIORE: "Cinisello Balsamo",
}

Corrections: TypeAlias = str | os.PathLike[str] | pd.DataFrame | Mapping[str, Any]


# --------------------------------------------------------------------------
# corrections


def _number_text(number: int, suffix: str) -> str:
    if not suffix:
        return str(number)
    if suffix.isdigit():
        return f"{number}/{suffix}"
    return f"{number}{suffix}" if len(suffix) == 1 else f"{number} {suffix}"


def _street_number_key(parsed: ParsedAddress) -> str:
    return " ".join(p for p in (parsed.street, parsed.number_text) if p)


def read_corrections(corrections: Corrections) -> pd.DataFrame:
    """Read a corrections table: address -> coordinates or -> address to use.

    Parameters
    ----------
    corrections
        A CSV file (``,`` or ``;``), a DataFrame, or a mapping
        ``{address: (lon, lat)}`` / ``{address: "matched address"}``. Columns:
        ``address`` (required), ``comune`` (optional; empty means any comune),
        and either ``lon`` and ``lat`` (WGS 84) or ``matched_address``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CORRECTION_COLUMNS` plus ``key`` and ``comune_key``.

    Raises
    ------
    InputFileError
        The file cannot be read or lacks the ``address`` column.
    ValidationError
        A row has neither valid coordinates nor a matched address.
    """
    if isinstance(corrections, pd.DataFrame):
        df = corrections.copy()
        where = "corrections"
    elif isinstance(corrections, Mapping):
        rows = []
        for addr, value in corrections.items():
            if isinstance(value, str):
                rows.append({"address": addr, "matched_address": value})
            else:
                try:
                    lon, lat = value
                except (TypeError, ValueError):
                    raise ValidationError(
                        f"corrections[{addr!r}] = {value!r}; "
                        "expected (lon, lat) or an address"
                    ) from None
                rows.append({"address": addr, "lon": lon, "lat": lat})
        df = pd.DataFrame(rows)
        where = "corrections"
    else:
        path = Path(corrections)
        where = str(path)
        if not path.is_file():
            raise InputFileError(f"corrections file {where!r} does not exist")
        try:
            df = pd.read_csv(
                path,
                sep=None,
                engine="python",
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
            )
        except Exception as exc:
            raise InputFileError(
                f"corrections file {where!r} cannot be read as CSV ({exc})"
            ) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "address" not in df.columns:
        if len(df) == 0 and len(df.columns) == 0:
            df = pd.DataFrame(columns=["address"])
        else:
            raise InputFileError(
                f"{where!r} has no 'address' column; "
                f"columns found: {list(df.columns)!r}"
            )
    for col in CORRECTION_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    out = df[list(CORRECTION_COLUMNS)].copy()
    for col in ("address", "comune", "matched_address"):
        out[col] = out[col].astype("string").fillna("").str.strip()
    for col in ("lon", "lat"):
        text = out[col].astype("string").fillna("").str.replace(",", ".", regex=False)
        out[col] = pd.to_numeric(text, errors="coerce").astype("float64")
    has_xy = out["lon"].between(-180, 180) & out["lat"].between(-90, 90)
    bad = ~has_xy & (out["matched_address"] == "")
    if bad.any():
        first = out.loc[bad, "address"].head(3).tolist()
        raise ValidationError(
            f"{where!r}: {int(bad.sum())} correction(s) have neither lon/lat in "
            f"WGS 84 nor a matched_address, e.g. {first!r}"
        )
    parsed = [parse_address(a) for a in out["address"]]
    out["key"] = [_street_number_key(p) for p in parsed]
    out["comune_key"] = [
        comune_key(c) if c else comune_key(p.comune)
        for c, p in zip(out["comune"], parsed, strict=True)
    ]
    return out.reset_index(drop=True)


def add_correction(
    path: str | os.PathLike[str],
    address: str,
    *,
    lon: float | None = None,
    lat: float | None = None,
    matched_address: str | None = None,
    comune: str | None = None,
) -> Path:
    """Add or replace one correction in a corrections CSV file (created if absent).

    Parameters
    ----------
    path
        The corrections file, kept across runs.
    address
        The address as it appears in the records.
    lon, lat
        The right position (WGS 84), or
    matched_address
        The address to geocode instead.
    comune
        Restrict the correction to one comune.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValidationError
        Neither coordinates nor a matched address are given.
    """
    if (lon is None or lat is None) and not matched_address:
        raise ValidationError(
            f"add_correction({address!r}): give lon and lat, or matched_address"
        )
    p = Path(path)
    table = (
        read_corrections(p)
        if p.is_file()
        else read_corrections(pd.DataFrame(columns=["address"]))
    )
    row = {
        "address": address,
        "comune": comune or "",
        "lon": lon if lon is not None else np.nan,
        "lat": lat if lat is not None else np.nan,
        "matched_address": matched_address or "",
    }
    new = read_corrections(pd.DataFrame([row]))
    same = (table["key"] == new.loc[0, "key"]) & (
        table["comune_key"] == new.loc[0, "comune_key"]
    )
    table = pd.concat([table[~same], new], ignore_index=True)
    p.parent.mkdir(parents=True, exist_ok=True)
    table[list(CORRECTION_COLUMNS)].to_csv(p, index=False)
    return p


# --------------------------------------------------------------------------
# the geocoder


def _file_stamp(path: Path) -> list[Any]:
    st = path.stat()
    return [path.name, st.st_size, st.st_mtime_ns]


class Geocoder:
    """A loaded reference index of civic-number points and street names.

    Parameters
    ----------
    mirror
        Folder of the official files (default ``GEO_ALLOGGI_DATA_MIRROR``; without
        a mirror the files come from the download cache, see
        :func:`geo_alloggi.datasets.dataset_path`).
    osm_extracts
        OpenStreetMap ``addr:*`` JSON extracts (Overpass ``out json`` or a JSON
        array of nodes) adding civic points, e.g. for Cinisello Balsamo: paths,
        or ``(path, comune)`` pairs naming the comune of points without
        ``addr:city``.
    street_lists
        Also load the street names of the stradario and of ANNCSU (Milano
        ``F205``, Cinisello Balsamo ``C707``), so that streets without points
        are known as such.
    cache
        Load the index from the on-disk cache and save it there after a build.
    cache_dir
        Cache folder (default ``<config.cache_dir()>/geocoder``).
    default_comune
        Comune assumed for rows whose comune is given nowhere (a warning says
        how many).

    Notes
    -----
    Points: the current civic numbers of ds634 (``STATOCIVICO`` 2), plus numbers
    in progress (4) that have no current point; suppressed numbers (99) are
    left out. Secondary entrances (``21N05``, ``3P01``) stand for their base
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
        osm_extracts: Iterable[
            str | os.PathLike[str] | tuple[str | os.PathLike[str], str]
        ] = (),
        street_lists: bool = True,
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        default_comune: str | None = "Milano",
    ) -> None:
        self.default_comune = default_comune
        self._cache_dir = (
            Path(cache_dir)
            if cache_dir is not None
            else config.cache_dir() / "geocoder"
        )
        self._rtree: Any = None
        self._rtree_lock = threading.Lock()
        extracts: list[tuple[Path, str | None]] = []
        for item in osm_extracts:
            if isinstance(item, tuple):
                extracts.append((Path(item[0]), item[1]))
            else:
                extracts.append((Path(item), None))
        for path, _ in extracts:
            if not path.is_file():
                raise InputFileError(f"osm_extracts: {str(path)!r} does not exist")
        civici = datasets.dataset_path("civici", mirror=mirror)
        lists: dict[str, Path] = {}
        if street_lists:
            for name in ("stradario", "anncsu"):
                try:
                    lists[name] = datasets.dataset_path(name, mirror=mirror)
                except DataUnavailableError as exc:
                    warnings.warn(
                        f"geocoder built without the {name!r} street names ({exc}); "
                        f"streets without points will be unmatched, not 'street'",
                        UserWarning,
                        stacklevel=2,
                    )
        try:  # names of the comuni around: an address naming one is kept there
            lists["comuni"] = datasets.dataset_path("comuni", mirror=mirror)
        except DataUnavailableError:
            log.info("comuni names unavailable: only the index's comuni are recognised")
        stamp = {
            "version": __version__,
            "format": INDEX_FORMAT,
            "civici": _file_stamp(civici),
            "lists": {k: _file_stamp(v) for k, v in sorted(lists.items())},
            "osm": [[*_file_stamp(p), c] for p, c in extracts],
        }
        digest = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()[
            :16
        ]
        self._key = digest
        self.index_path = self._cache_dir / f"index-{digest}.pkl"
        self.rtree_base = self._cache_dir / f"rtree-{digest}"
        index = load_index(self.index_path) if cache else None
        if index is None:
            log.info("building the geocoding index from %s", civici)
            index = _build_from_files(civici, lists, extracts)
            if cache:
                try:
                    save_index(index, self.index_path)
                    build_rtree(index, self.rtree_base)
                except OSError as exc:
                    log.warning(
                        "geocoding index not cached in %s (%s)", self._cache_dir, exc
                    )
        self.index: ReferenceIndex = index
        self._attribution = _attribution(lists, bool(extracts))

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
        points
            Civic points, columns of :data:`geo_alloggi.datasets.CIVICI_COLUMNS`.
        streets
            Street names without points (``comune``, ``street_type``,
            ``street_name``, optional ``codice_via``).
        default_comune
            Comune assumed for rows without one.
        rtree_dir
            Folder for the on-disk rtree of :meth:`nearest` (default: the cache
            folder, under a name keyed by the points).
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
        return self

    # ------------------------------------------------------------------ info
    @property
    def attribution(self) -> str:
        """Licence attribution of the reference data (to show with the results)."""
        return self._attribution

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
        from rtree import index as rindex

        with self._rtree_lock:
            if self._rtree is None:
                base = self.rtree_base
                if not (
                    Path(f"{base}.idx").is_file() and Path(f"{base}.dat").is_file()
                ):
                    build_rtree(self.index, base)
                props = rindex.Property()
                props.dimension = 2
                self._rtree = rindex.Index(str(base), properties=props)
            return self._rtree

    def nearest(self, lon: float, lat: float, *, k: int = 1) -> pd.DataFrame:
        """Return the ``k`` civic points nearest to a position (rtree on disk).

        Parameters
        ----------
        lon, lat
            Position in WGS 84.
        k
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
        from geo_alloggi.geocoding.index import _TO_METRIC

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
        x, y = _TO_METRIC.transform(float(lon), float(lat))
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
        corrections: Corrections | None = None,
        online: bool = False,
        nominatim_url: str | None = None,
        online_cache_dir: str | os.PathLike[str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> gpd.GeoDataFrame:
        """Geocode the addresses of a table (see :func:`geo_alloggi.geocode`)."""
        frame = _as_frame(data, address_column)
        _check_columns(frame, address_column, comune_column, comune)
        n = len(frame)
        addresses = _text_column(frame[address_column])
        if comune_column is not None:
            row_comune = _text_column(frame[comune_column])
        else:
            row_comune = [comune or ""] * n
        table = read_corrections(corrections) if corrections is not None else None

        res = self._match(addresses, row_comune, table)
        if online:
            self._online(res, nominatim_url, online_cache_dir)
        if progress is not None:
            progress(n)
        return self._assemble(frame, res, online)

    def _match(
        self,
        addresses: list[str],
        row_comune: list[str],
        corrections: pd.DataFrame | None,
    ) -> dict[str, Any]:
        ix = self.index
        n = len(addresses)
        # parse each distinct address once; resolve each distinct comune once
        parsed_of: dict[str, ParsedAddress] = {}
        comune_of: dict[tuple[str, str, str], tuple[str, str]] = {}
        parsed: list[ParsedAddress] = []
        ckeys: list[str] = []
        conflicts: dict[int, str] = {}
        no_comune = 0
        default = comune_key(self.default_comune) if self.default_comune else ""
        for a, given in zip(addresses, row_comune, strict=True):
            p = parsed_of.get(a)
            if p is None:
                p = parse_address(a)
                parsed_of[a] = p
            parsed.append(p)
            k = (given, p.comune, p.postcode)
            got = comune_of.get(k)
            if got is None:
                got = self._comune_of(given, p)
                comune_of[k] = got
            ck, conflict = got
            if conflict:
                conflicts[len(ckeys)] = conflict
            if not ck:
                no_comune += 1
                ck = default
            ckeys.append(ck)

        source = np.full(n, "", dtype=object)
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        fixed = np.zeros(n, dtype=bool)
        matched_addr = np.full(n, "", dtype=object)
        mtype_fixed = np.full(n, "", dtype=object)
        score_fixed = np.zeros(n)
        redirected = np.zeros(n, dtype=bool)
        if corrections is not None and len(corrections):
            parsed, fixed, redirected = self._apply_corrections(
                parsed,
                ckeys,
                corrections,
                lon,
                lat,
                fixed,
                matched_addr,
                mtype_fixed,
                source,
            )
            score_fixed[fixed] = SCORE_CORRECTION

        # street resolution on distinct (comune, type, name)
        from geo_alloggi.address import street_key

        key_of: dict[str, str] = {}
        triples = []
        number_list = []
        suffixes = []
        for p, ck in zip(parsed, ckeys, strict=True):
            name = p.street_name
            skey = key_of.get(name)
            if skey is None:
                skey = street_key(name)
                key_of[name] = skey
            triples.append((ck, p.street_type, skey))
            number_list.append(-1 if p.housenumber is None else p.housenumber)
            suffixes.append(p.suffix)
        hits = resolve_streets(ix, list(dict.fromkeys(triples)))
        numbers = np.array(number_list, dtype=np.int64)
        sids = np.full(n, -1, dtype=np.int64)
        sscore = np.zeros(n)
        ambiguous: dict[int, str] = {}
        for i, t in enumerate(triples):
            h = hits[t]
            if not h.sids:
                continue
            sid = h.sids[0]
            if len(h.sids) > 1:
                # several streets answer to this name: the house number decides
                num = int(numbers[i])
                having = [
                    c
                    for c in h.sids
                    if (c, num, suffixes[i]) in ix.exact or (c, num, "") in ix.exact
                ]
                if len(having) != 1:
                    names = " | ".join(ix.street_label(c) for c in h.sids[:4])
                    ambiguous[i] = f"ambiguous: {names}"
                    continue
                sid = having[0]
            sids[i] = sid
            sscore[i] = h.score
        sids[fixed] = -1
        for i, why in conflicts.items():
            # the address names another comune than the one given: not placed
            sids[i] = -1
            ambiguous[i] = why
        pl = place_numbers(ix, sids, sscore, numbers, suffixes)

        mtype = pl.match_type
        score = pl.score
        lon = np.where(fixed, lon, pl.lon)
        lat = np.where(fixed, lat, pl.lat)
        mtype = np.where(fixed & (mtype_fixed != ""), mtype_fixed, mtype)
        score = np.where(fixed, score_fixed, score)
        for i, why in ambiguous.items():
            if not fixed[i]:
                matched_addr[i] = why
        label: dict[int, tuple[str, str]] = {}
        pt_source = ix.pt_source
        numbers_out = pl.number.tolist()
        points_used = pl.point.tolist()
        for i in np.flatnonzero((sids >= 0) & ~(fixed & (matched_addr != ""))).tolist():
            sid = int(sids[i])
            lab = label.get(sid)
            if lab is None:
                lab = (ix.street_label(sid), ix.comuni.get(ix.street_comune[sid], ""))
                label[sid] = lab
            if mtype[i] == "street":
                matched_addr[i] = f"{lab[0]}, {lab[1]}"
            else:
                num_text = _number_text(numbers_out[i], pl.suffix[i])
                matched_addr[i] = f"{lab[0]} {num_text}, {lab[1]}"
            p = points_used[i]
            source[i] = pt_source[p] if p >= 0 else "street_list"
        # positions found through a correction's address say so
        source[redirected & (source != "")] = "corrections"
        return {
            "parsed": parsed,
            "ckeys": ckeys,
            "no_comune": no_comune,
            "lon": lon,
            "lat": lat,
            "match_type": mtype,
            "score": np.round(score, 4),
            "matched_address": matched_addr,
            "source": source,
        }

    def _comune_of(self, given: str, p: ParsedAddress) -> tuple[str, str]:
        """Comune key of a row and, if any, why it conflicts with the address.

        The row's column or ``comune=`` wins; but when the address itself names
        another known comune (by name or postcode), the row is not placed.
        Without a given comune, the address's own comune (or postcode) is used.
        """
        ix = self.index
        text_ck = comune_key(p.comune) if p.comune else ""
        post_ck = ix.postcode_comune.get(p.postcode, "") if p.postcode else ""
        if not given:
            return text_ck or post_ck, ""
        ck = comune_key(given)
        known = self._known_comuni
        for other in (text_ck, post_ck):
            if other and other != ck and other in known:
                return ck, f"comune conflict: {other} in the address, {ck} given"
        return ck, ""

    @property
    def _known_comuni(self) -> frozenset[str]:
        known = getattr(self, "_known_cache", None)
        if known is None:
            known = frozenset(self.index.comuni) | frozenset(
                self.index.meta.get("known_comuni", ())
            )
            self._known_cache = known
        return known

    def _apply_corrections(
        self,
        parsed: list[ParsedAddress],
        ckeys: list[str],
        table: pd.DataFrame,
        lon: np.ndarray,
        lat: np.ndarray,
        fixed: np.ndarray,
        matched_addr: np.ndarray,
        mtype_fixed: np.ndarray,
        source: np.ndarray,
    ) -> tuple[list[ParsedAddress], np.ndarray, np.ndarray]:
        """Apply corrections in place; return the parsed addresses to match."""
        lookup: dict[tuple[str, str], dict[str, Any]] = {}
        for row in table.to_dict("records"):
            lookup[(row["key"], row["comune_key"])] = row
        out = list(parsed)
        redirected = np.zeros(len(parsed), dtype=bool)
        for i, (p, ck) in enumerate(zip(parsed, ckeys, strict=True)):
            key = _street_number_key(p)
            if not key:
                continue
            row = lookup.get((key, ck)) or lookup.get((key, ""))
            if row is None:
                continue
            if np.isfinite(row["lon"]) and np.isfinite(row["lat"]):
                lon[i], lat[i] = row["lon"], row["lat"]
                fixed[i] = True
                mtype_fixed[i] = "exact"
                matched_addr[i] = row["matched_address"] or row["address"]
                source[i] = "corrections"
            else:
                out[i] = parse_address(row["matched_address"])
                redirected[i] = True
        return out, fixed, redirected

    def _online(
        self,
        res: dict[str, Any],
        url: str | None,
        cache_dir: str | os.PathLike[str] | None,
    ) -> None:
        todo = np.flatnonzero(np.isin(res["match_type"], ("street", "unmatched")))
        parsed: list[ParsedAddress] = res["parsed"]
        queries: dict[str, str] = {}
        row_key: dict[int, str] = {}
        for i in todo:
            p = parsed[i]
            street = _street_number_key(p)
            if not p.street_name or p.housenumber is None:
                continue
            ck = res["ckeys"][i]
            place = self.index.comuni.get(ck, ck.title()) if ck else ""
            text = ", ".join(
                x
                for x in (
                    street,
                    " ".join(y for y in (p.postcode, place) if y),
                    "Italia",
                )
                if x
            )
            key = f"{normalize_address(street)}|{ck}"
            queries.setdefault(key, text)
            row_key[int(i)] = key
        if not queries:
            return
        fallback = _fallback(url, cache_dir)
        requests0, failures0 = fallback.requests, fallback.failures
        answers = fallback.lookup(queries)
        for row, key in row_key.items():
            ans = answers.get(key)
            if not ans:
                continue
            ck = res["ckeys"][row]
            if ck and comune_key(ans.get("comune", "")) != ck:
                continue  # never placed in another comune
            if ans["kind"] == "house":
                res["lon"][row] = ans["lon"]
                res["lat"][row] = ans["lat"]
                res["match_type"][row] = "exact"
                res["score"][row] = SCORE_ONLINE
                res["matched_address"][row] = ans["display_name"]
                res["source"][row] = "nominatim"
            elif ans["kind"] == "street" and res["match_type"][row] == "unmatched":
                res["match_type"][row] = "street"
                res["score"][row] = 0.4
                res["matched_address"][row] = ans["display_name"]
                res["source"][row] = "nominatim"
        failed = fallback.failures - failures0
        if failed:
            warnings.warn(
                f"online geocoding: {failed} of {fallback.requests - requests0} "
                f"request(s) to {fallback.url} failed (not cached; they will be "
                f"retried next time)",
                UserWarning,
                stacklevel=4,
            )

    def _assemble(
        self, frame: pd.DataFrame, res: dict[str, Any], online: bool
    ) -> gpd.GeoDataFrame:
        n = len(frame)
        base = pd.DataFrame(frame).drop(
            columns=[c for c in GEO_COLUMNS if c in frame.columns]
        )
        if isinstance(frame, gpd.GeoDataFrame) and "geometry" in base.columns:
            base = base.drop(columns="geometry")
        lon = np.asarray(res["lon"], dtype=float)
        lat = np.asarray(res["lat"], dtype=float)
        has = np.isfinite(lon) & np.isfinite(lat)
        mt = np.asarray(res["match_type"], dtype=object)
        lon[~has] = np.nan
        lat[~has] = np.nan
        out = base.copy()
        out[GEO_LON] = lon
        out[GEO_LAT] = lat
        out[GEO_MATCH_TYPE] = pd.array(mt, dtype="string")
        out[GEO_SCORE] = np.asarray(res["score"], dtype=float)
        out[GEO_MATCHED_ADDRESS] = pd.array(res["matched_address"], dtype="string")
        out[GEO_SOURCE] = pd.array(res["source"], dtype="string")
        geom = np.full(n, None, dtype=object)
        if has.any():
            geom[has] = _points(lon[has], lat[has])
        gdf = gpd.GeoDataFrame(
            out,
            geometry=gpd.GeoSeries(geom, index=out.index),
            crs=config.geographic_crs,
        )
        used_online = bool((np.asarray(res["source"]) == "nominatim").any())
        attribution = self.attribution + (
            "; " + ONLINE_ATTRIBUTION if used_online else ""
        )
        gdf.attrs["attribution"] = attribution
        if res["no_comune"] and self.default_comune:
            warnings.warn(
                f"{res['no_comune']} of {n} address(es) name no comune; assumed "
                f"{self.default_comune!r} (pass comune= or comune_column=)",
                UserWarning,
                stacklevel=3,
            )
        unplaced = ~has
        if unplaced.any():
            ids = list(out.index[unplaced][:5])
            counts = pd.Series(mt[unplaced]).value_counts().to_dict()
            warnings.warn(
                f"{int(unplaced.sum())} of {n} address(es) got no position "
                f"({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))}); "
                f"e.g. rows {ids!r}",
                UserWarning,
                stacklevel=3,
            )
        return gdf


_FALLBACKS: dict[tuple[str, str], Any] = {}


def _fallback(url: str | None, cache_dir: str | os.PathLike[str] | None) -> Any:
    """Return the session's Nominatim client for a server and cache.

    One client per server: its rate limiter spaces requests across calls too.
    """
    from geo_alloggi.geocoding.online import DEFAULT_URL, NominatimFallback

    key = ((url or DEFAULT_URL).rstrip("/"), str(cache_dir or config.cache_dir()))
    with _GEOCODERS_LOCK:
        fb = _FALLBACKS.get(key)
        if fb is None:
            fb = NominatimFallback(url, cache_dir=cache_dir)
            _FALLBACKS[key] = fb
        return fb


def _attribution(lists: Mapping[str, Path], osm: bool) -> str:
    parts = [datasets.REGISTRY["civici"].attribution]
    parts += [datasets.REGISTRY[k].attribution for k in sorted(lists)]
    if osm:
        parts.append(
            "Civic points of OSM extracts: © OpenStreetMap contributors, ODbL 1.0"
        )
    return "; ".join(parts)


def _build_from_files(
    civici: Path, lists: Mapping[str, Path], extracts: list[tuple[Path, str | None]]
) -> ReferenceIndex:
    points, streets = _tables_from_files(civici, lists, extracts)
    sources = [
        civici.name,
        *(p.name for p in lists.values()),
        *(p.name for p, _ in extracts),
    ]
    index = build_index(points, streets, sources=sources)
    if "comuni" in lists:
        index.meta["known_comuni"] = sorted(_comune_names(lists["comuni"]))
    return index


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


def _tables_from_files(
    civici: Path, lists: Mapping[str, Path], extracts: list[tuple[Path, str | None]]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    frames = [datasets.read_civici(civici)]
    for path, comune in extracts:
        frames.append(datasets.read_civici_osm(path, comune=comune))
    points = pd.concat(frames, ignore_index=True)
    streets = []
    # ANNCSU first: its descriptive names (``ALDO MORO``) name the streets that
    # the stradario writes in registry order (``MORO ALDO``)
    if "anncsu" in lists:
        a = datasets.read_anncsu(lists["anncsu"], belfiore=list(_BELFIORE_COMUNE))
        streets.append(
            pd.DataFrame(
                {
                    "comune": a["codice_belfiore"].map(_BELFIORE_COMUNE),
                    "codice_via": "",
                    "street_type": a["street_type"],
                    "street_name": a["street_name"],
                }
            )
        )
    if "stradario" in lists:
        s = datasets.read_stradario(lists["stradario"])
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


def reference_tables(
    mirror: str | os.PathLike[str] | None = None,
    *,
    osm_extracts: Iterable[
        str | os.PathLike[str] | tuple[str | os.PathLike[str], str]
    ] = (),
    street_lists: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return the tables a :class:`Geocoder` is built from: points and streets.

    Useful to build a geocoder on a modified reference with
    :meth:`Geocoder.from_tables` (e.g. points held out for an evaluation).

    Returns
    -------
    tuple
        ``(points, streets)``: points with the columns of
        :data:`geo_alloggi.datasets.CIVICI_COLUMNS` (every status), streets with
        ``comune``, ``codice_via``, ``street_type``, ``street_name`` (or None).
    """
    civici = datasets.dataset_path("civici", mirror=mirror)
    lists = {}
    if street_lists:
        lists = {
            n: datasets.dataset_path(n, mirror=mirror) for n in ("stradario", "anncsu")
        }
    extracts: list[tuple[Path, str | None]] = [
        (Path(x[0]), x[1]) if isinstance(x, tuple) else (Path(x), None)
        for x in osm_extracts
    ]
    return _tables_from_files(civici, lists, extracts)


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

_GEOCODERS: dict[tuple[str, str], Geocoder] = {}
_GEOCODERS_LOCK = threading.Lock()


def _default_geocoder(mirror: str | os.PathLike[str] | None) -> Geocoder:
    folder = config.mirror_dir(mirror)
    key = (str(folder) if folder else "", str(config.cache_dir()))
    with _GEOCODERS_LOCK:
        g = _GEOCODERS.get(key)
        if g is None:
            g = Geocoder(mirror)
            _GEOCODERS[key] = g
        return g


def geocode(
    data: pd.DataFrame | Iterable[str],
    *,
    address_column: str = "address",
    comune_column: str | None = None,
    comune: str | None = None,
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
    data
        A DataFrame (or GeoDataFrame) with an address column, or a list of
        address strings.
    address_column
        Column holding the addresses (``V.LE FULVIO TESTI 12``, ``via f. testi,
        12 - 20126 milano``).
    comune_column
        Column naming each row's comune (``Milano``, ``CINISELLO BALSAMO``,
        ISTAT ``015146`` or Belfiore ``F205`` codes), or
    comune
        One comune for all rows. Without either, the comune written in the
        address (or its postcode) is used, else the geocoder's
        ``default_comune`` (``Milano``) with a warning. When the address
        itself names another comune (``Viale Fulvio Testi 5, Cinisello
        Balsamo`` given as Milano), the row is left unmatched and
        ``geo_matched_address`` says why.
    corrections
        User corrections applied before matching (file, DataFrame or mapping;
        see :func:`read_corrections`).
    online
        Ask Nominatim for the rows left ``street`` or ``unmatched`` (at most
        one request per second, answers cached on disk; off by default).
    geocoder
        A loaded :class:`Geocoder` to reuse; default one built (or loaded from
        the cache) from the data registry, kept for the session.
    mirror
        Folder of the official files for the default geocoder.
    nominatim_url
        Nominatim server (default ``https://nominatim.openstreetmap.org``).
    online_cache_dir
        Folder of the Nominatim answers cache.

    Returns
    -------
    geopandas.GeoDataFrame
        Same index and columns as ``data`` plus ``geo_lon``, ``geo_lat``,
        ``geo_match_type`` (``exact``, ``interpolated``, ``nearest_number``,
        ``street``, ``unmatched``), ``geo_score`` in [0, 1],
        ``geo_matched_address`` and ``geo_source`` (``ds634``, ``osm``,
        ``street_list``, ``corrections``, ``nominatim`` or empty); point
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
    g = geocoder if geocoder is not None else _default_geocoder(mirror)
    if not isinstance(g, Geocoder):
        raise ValidationError(f"geocoder={g!r}; expected a geo_alloggi Geocoder")
    return g.geocode(
        data,
        address_column=address_column,
        comune_column=comune_column,
        comune=comune,
        corrections=corrections,
        online=online,
        nominatim_url=nominatim_url,
        online_cache_dir=online_cache_dir,
    )
