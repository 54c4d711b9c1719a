"""The geocoder's reference index: streets, the names they answer to, civic points.

Built from plain tables (the readers of :mod:`geo_alloggi.datasets`, assembled
by :mod:`geo_alloggi.geocoding.sources`) into arrays and dicts the matcher
(:mod:`geo_alloggi.geocoding.match`) looks up; no file I/O here (the on-disk
cache is :mod:`geo_alloggi.geocoding.cache`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo_alloggi import config
from geo_alloggi._errors import warn
from geo_alloggi.address import split_street_type, street_key
from geo_alloggi.geocoding.aliases import (
    learn_given_names,
    name_aliases,
    street_type_of,
)
from geo_alloggi.geocoding.comuni import comune_key

#: Bumped whenever the layout of :class:`ReferenceIndex` or the build rules change.
INDEX_FORMAT = 9
#: Preference among civic points of the same number: lower wins; other
#: sources (OpenStreetMap ``osm``...) come after these.
SOURCE_RANK: dict[str, int] = {"ds634": 0, "anncsu": 1}

#: WGS 84 lon/lat -> the metric CRS of :mod:`geo_alloggi.config` (x, y order).
TO_METRIC = Transformer.from_crs(
    config.geographic_crs, config.metric_crs, always_xy=True
)

_POINT_TEXT_COLUMNS = (
    "point_id",
    "codice_via",
    "street_type",
    "street_name",
    "street_registry",
    "letter",
    "slash",
    "entrance",
    "source",
    "comune",
    "postcode",
)


@dataclass
class ReferenceIndex:
    """Everything the matcher needs, as plain arrays and dicts (picklable)."""

    comuni: dict[str, str]
    """comune key (``MILANO``) -> display name (``Milano``)."""
    postcode_comune: dict[str, str]
    street_comune: list[str]
    street_type: list[str]
    street_name: list[str]
    street_npoints: np.ndarray
    street_min: np.ndarray
    street_max: np.ndarray
    aliases: dict[tuple[str, str], tuple[tuple[int, float], ...]]
    """(comune key, street key) -> ((street id, weight), ...)."""
    fuzzy_keys: dict[str, list[str]]
    """comune key -> the street keys of that comune (for fuzzy matching)."""
    pt_sid: np.ndarray
    pt_number: np.ndarray
    pt_suffix: list[str]
    pt_lon: np.ndarray
    pt_lat: np.ndarray
    pt_x: np.ndarray
    pt_y: np.ndarray
    pt_source: list[str]
    exact: dict[tuple[int, int, str], int]
    base_key: np.ndarray
    """Sorted ``((sid * 2 + parity) << 20) | number`` of each street's base numbers."""
    base_pt: np.ndarray
    """Point index of each entry of ``base_key``."""
    sources: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        """Number of civic-number points."""
        return len(self.pt_sid)

    @property
    def n_streets(self) -> int:
        """Number of streets (with or without points)."""
        return len(self.street_type)

    def street_label(self, sid: int) -> str:
        """``VIALE FULVIO TESTI``."""
        return " ".join(p for p in (self.street_type[sid], self.street_name[sid]) if p)


# --------------------------------------------------------------------------
# streets


class _Streets:
    """Street identities while the index is built: one id per street of a comune.

    A street is found again by its code (``codice_via``) within its comune, by
    its type and name key, or by its name key alone when that is unique and
    one of the two types is unknown.
    """

    def __init__(self) -> None:
        self.comuni: dict[str, str] = {}
        self.comune: list[str] = []
        self.type: list[str] = []
        self.name: list[str] = []
        self.names_of: list[set[str]] = []
        self._by_code: dict[tuple[str, str], int] = {}
        self._by_typed: dict[tuple[str, str, str], int] = {}
        self._by_name: dict[tuple[str, str], list[int]] = defaultdict(list)

    def _new(self, ck: str, stype: str, skey: str, display: str) -> int:
        sid = len(self.type)
        self.comune.append(ck)
        self.type.append(stype)
        self.name.append(" ".join(str(display).upper().split()) or skey)
        self.names_of.append({skey})
        self._by_typed[(ck, stype, skey)] = sid
        self._by_name[(ck, skey)].append(sid)
        return sid

    def _find(self, ck: str, stype: str, skey: str) -> int | None:
        sid = self._by_typed.get((ck, stype, skey))
        if sid is not None:
            return sid
        cands = self._by_name.get((ck, skey), [])
        if len(cands) == 1 and (not stype or not self.type[cands[0]]):
            return cands[0]
        return None

    def identify(
        self,
        ck: str,
        code: str,
        stype: str,
        skey: str,
        display: str,
        *,
        rotate: bool = False,
    ) -> int:
        """Return the id of a street, created if new.

        With ``rotate``, a name in registry order (``CANONICA LUIGI``) is also
        looked up with its first one to three words moved to the end.
        """
        sid = self._by_code.get((ck, code)) if code else None
        if sid is not None:
            return sid
        sid = self._find(ck, stype, skey)
        if sid is None and rotate:
            toks = skey.split()
            for k in range(1, min(len(toks), 4)):
                sid = self._find(ck, stype, " ".join(toks[k:] + toks[:k]))
                if sid is not None:
                    break
        if sid is None:
            sid = self._new(ck, stype, skey, display)
        if code:
            self._by_code[(ck, code)] = sid
        return sid

    def add_points(self, pts: pd.DataFrame) -> np.ndarray:
        """Identify the street of each point row; return the street ids."""
        for c, ck in zip(pts["comune"], pts["ckey"], strict=True):
            self.comuni.setdefault(ck, str(c).strip().title() if c else ck.title())
        sid_of_row = np.empty(len(pts), dtype=np.int64)
        rows = zip(
            pts["ckey"],
            pts["codice_via"],
            pts["stype"],
            pts["skey"],
            pts["rkey"],
            pts["street_name"],
            strict=True,
        )
        for i, (ck, code, stype, skey, rkey, display) in enumerate(rows):
            sid = self.identify(ck, code, stype, skey, display)
            if rkey:
                self.names_of[sid].add(rkey)
            sid_of_row[i] = sid
        return sid_of_row

    def add_list(self, streets: pd.DataFrame) -> None:
        """Add the streets of a street list (names without points)."""
        st = streets.copy()
        for col in ("codice_via", "street_type", "street_name", "comune"):
            if col not in st:
                st[col] = ""
            st[col] = st[col].astype("string").fillna("").astype(object)
        st = st.drop_duplicates(["comune", "codice_via", "street_type", "street_name"])
        for c, code, t, n in zip(
            st["comune"],
            st["codice_via"],
            st["street_type"],
            st["street_name"],
            strict=True,
        ):
            ck = comune_key(c)
            if not ck or not str(n).strip():
                continue
            self.comuni.setdefault(ck, str(c).strip().title())
            skey = street_key(n)
            sid = self.identify(ck, code, street_type_of(t), skey, n, rotate=True)
            self.names_of[sid].add(skey)

    def aliases(
        self, given: set[str]
    ) -> tuple[
        dict[tuple[str, str], tuple[tuple[int, float], ...]], dict[str, list[str]]
    ]:
        """Alias keys of every street (best weight per street) and per comune."""
        alias_map: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
        for sid, names in enumerate(self.names_of):
            ck = self.comune[sid]
            for name in sorted(names):
                for key, w in name_aliases(name, given):
                    if not key:
                        continue
                    cur = alias_map[(ck, key)]
                    if cur.get(sid, 0.0) < w:
                        cur[sid] = w
        aliases = {
            k: tuple(sorted(v.items(), key=lambda item: (-item[1], item[0])))
            for k, v in alias_map.items()
        }
        fuzzy: dict[str, list[str]] = defaultdict(list)
        for ck, key in sorted(aliases):
            fuzzy[ck].append(key)
        return aliases, dict(fuzzy)


# --------------------------------------------------------------------------
# points


def _clean_points(points: pd.DataFrame) -> pd.DataFrame:
    """Usable current points (status 2 or 4) with text columns and a comune key."""
    pts = points.copy()
    for col in _POINT_TEXT_COLUMNS:
        if col not in pts:
            pts[col] = ""
        pts[col] = pts[col].astype("string").fillna("").astype(object)
    if "status" not in pts:
        pts["status"] = 2
    pts["status"] = pd.to_numeric(pts["status"], errors="coerce").fillna(2)
    pts["number"] = pd.to_numeric(pts["number"], errors="coerce")
    pts = pts[
        pts["number"].notna()
        & pts["lon"].notna()
        & pts["lat"].notna()
        & pts["status"].isin([2, 4])
        & (pts["street_name"].str.strip() != "")
    ].copy()
    pts["number"] = pts["number"].astype(np.int64)
    pts["ckey"] = [comune_key(c) for c in pts["comune"]]
    nameless = pts["ckey"] == ""
    if nameless.any():
        warn(
            f"{int(nameless.sum())} civic point(s) name no comune (no addr:city) "
            f"and are left out, e.g. ids "
            f"{pts.loc[nameless, 'point_id'].head(3).tolist()!r}; "
            f"pass osm_extracts=[(path, 'Cinisello Balsamo')] to name it",
            "geocoding.nameless_points",
            n=int(nameless.sum()),
            stacklevel=4,
        )
        pts = pts[~nameless]
    # split OSM-style full names (``Via Giuseppe Scalarini``) into type + name
    full = pts["street_type"].str.strip() == ""
    if full.any():
        split = [split_street_type(n) for n in pts.loc[full, "street_name"]]
        pts.loc[full, "street_type"] = [t for t, _ in split]
        pts.loc[full, "street_name"] = [n for _, n in split]
    pts["stype"] = [street_type_of(t) for t in pts["street_type"]]
    pts["skey"] = [street_key(n) for n in pts["street_name"]]
    pts["rkey"] = [street_key(n) for n in pts["street_registry"]]
    return pts


def _one_point_per_number(pts: pd.DataFrame) -> pd.DataFrame:
    """One point per (street, number, esponente): best source, current, main entrance.

    The source order is :data:`SOURCE_RANK`: Milan's ds634 first, then the
    ANNCSU Indirizzario (which so fills only the numbers ds634 lacks), then
    OpenStreetMap extracts.
    """
    pts = pts.copy()
    pts["suffix"] = np.where(pts["letter"] != "", pts["letter"], pts["slash"])
    pts["suffix"] = pts["suffix"].astype(str).str.upper().str.strip()
    pts["prio"] = (pts["status"] != 2).astype(int) + 2 * (pts["entrance"] != "").astype(
        int
    )
    pts["src_rank"] = pts["source"].map(SOURCE_RANK).fillna(len(SOURCE_RANK))
    pts = pts.sort_values(["sid", "number", "suffix", "src_rank", "prio", "lon", "lat"])
    return pts.drop_duplicates(["sid", "number", "suffix"], keep="first").reset_index(
        drop=True
    )


def _base_numbers(pts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys of each street's base numbers (no esponente preferred), points."""
    base = pts.assign(
        _i=np.arange(len(pts)),
        _has=(pts["suffix"] != "").astype(int),
        _len=pts["suffix"].str.len(),
    )
    base = base.sort_values(
        ["sid", "number", "_has", "_len", "suffix"]
    ).drop_duplicates(["sid", "number"])
    bkey = (
        (base["sid"].to_numpy(np.int64) * 2 + base["number"].to_numpy(np.int64) % 2)
        << 20
    ) | base["number"].to_numpy(np.int64)
    order = np.argsort(bkey, kind="stable")
    return bkey[order], base["_i"].to_numpy(np.int64)[order]


def _number_ranges(
    sid_arr: np.ndarray, num_arr: np.ndarray, n_streets: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points, lowest and highest number per street (-1 without points)."""
    npoints = (
        np.bincount(sid_arr, minlength=n_streets)
        if len(sid_arr)
        else np.zeros(n_streets, int)
    )
    smin = np.full(n_streets, -1, dtype=np.int64)
    smax = np.full(n_streets, -1, dtype=np.int64)
    if len(sid_arr):
        g = pd.DataFrame({"sid": sid_arr, "n": num_arr}).groupby("sid")["n"]
        mins, maxs = g.min(), g.max()
        smin[mins.index.to_numpy()] = mins.to_numpy()
        smax[maxs.index.to_numpy()] = maxs.to_numpy()
    return npoints.astype(np.int64), smin, smax


def _postcodes(pts: pd.DataFrame, comuni: dict[str, str]) -> dict[str, str]:
    """Postcode -> comune key, where the points give one comune (plus Milan's)."""
    postcode_comune: dict[str, str] = {}
    pc = pts.loc[pts["postcode"].str.fullmatch(r"\d{5}"), ["postcode", "ckey"]]
    for code, grp in pc.groupby("postcode")["ckey"]:
        if grp.nunique() == 1:
            postcode_comune[str(code)] = str(grp.iloc[0])
    if "MILANO" in comuni:
        for n in range(121, 163):
            postcode_comune.setdefault(f"20{n:03d}", "MILANO")
    if "CINISELLO BALSAMO" in comuni:
        postcode_comune.setdefault("20092", "CINISELLO BALSAMO")
    return postcode_comune


def build_index(
    points: pd.DataFrame,
    streets: pd.DataFrame | None = None,
    *,
    sources: list[str] | None = None,
) -> ReferenceIndex:
    """Build the reference index from civic points and street lists.

    Parameters
    ----------
    points : pandas.DataFrame
        Civic-number points with the columns of
        :data:`geo_alloggi.datasets.CIVICI_COLUMNS` (``read_civici`` and/or
        ``read_civici_osm`` output): ``comune``, ``codice_via``,
        ``street_type``, ``street_name``, ``street_registry``, ``number``,
        ``letter``, ``slash``, ``entrance``, ``status``, ``lon``, ``lat``,
        ``source``.
    streets : pandas.DataFrame, optional
        Street names without points: columns ``comune``, ``street_type``,
        ``street_name`` and optionally ``codice_via`` (stradario, ANNCSU).
    sources : list of str, optional
        Names of the source files (kept for the record).

    Returns
    -------
    ReferenceIndex

    Warns
    -----
    UserWarning
        Points naming no comune are left out.
    """
    pts = _clean_points(points)
    table = _Streets()
    pts["sid"] = table.add_points(pts)
    # first names learnt from the registry forms (``BISNATI ALESSANDRO``)
    rot = pts.drop_duplicates(["ckey", "codice_via", "skey", "rkey"])
    given = learn_given_names(zip(rot["skey"], rot["rkey"], strict=True))
    if streets is not None and len(streets):
        table.add_list(streets)
    aliases, fuzzy = table.aliases(given)

    pts = _one_point_per_number(pts)
    sid_arr = pts["sid"].to_numpy(np.int64)
    num_arr = pts["number"].to_numpy(np.int64)
    lon = pts["lon"].to_numpy(float)
    lat = pts["lat"].to_numpy(float)
    x, y = TO_METRIC.transform(lon, lat)
    suffix = pts["suffix"].tolist()
    exact = {
        (int(s), int(n), f): i
        for i, (s, n, f) in enumerate(zip(sid_arr, num_arr, suffix, strict=True))
    }
    base_key, base_pt = _base_numbers(pts)
    npoints, smin, smax = _number_ranges(sid_arr, num_arr, len(table.type))

    return ReferenceIndex(
        comuni=dict(table.comuni),
        postcode_comune=_postcodes(pts, table.comuni),
        street_comune=table.comune,
        street_type=table.type,
        street_name=table.name,
        street_npoints=npoints,
        street_min=smin,
        street_max=smax,
        aliases=aliases,
        fuzzy_keys=fuzzy,
        pt_sid=sid_arr,
        pt_number=num_arr,
        pt_suffix=suffix,
        pt_lon=lon,
        pt_lat=lat,
        pt_x=np.asarray(x, float),
        pt_y=np.asarray(y, float),
        pt_source=pts["source"].astype(str).tolist(),
        exact=exact,
        base_key=base_key,
        base_pt=base_pt,
        sources=list(sources or []),
        meta={"format": INDEX_FORMAT},
    )
