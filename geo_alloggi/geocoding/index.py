"""The geocoder's reference index: streets, their names, civic-number points.

Built from plain tables (the readers of :mod:`geo_alloggi.datasets`), saved
to and loaded from the on-disk cache by :mod:`geo_alloggi.geocoding`. This
module does no file I/O of its own besides :func:`save_index`/:func:`load_index`
and the rtree file built by :func:`build_rtree`.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo_alloggi import config
from geo_alloggi.address import (
    FIRST_NAMES,
    normalize_text,
    split_street_type,
    street_key,
)

#: Bumped whenever the layout of :class:`ReferenceIndex` or the build rules change.
INDEX_FORMAT = 8

_PARTICLES = frozenset(
    [
        "DEL",
        "DELLA",
        "DELLE",
        "DEI",
        "DEGLI",
        "DELL",
        "DELLO",
        "DI",
        "DA",
        "DAL",
        "DALLA",
        "DALLE",
        "DAI",
        "DAGLI",
        "D",
        "AL",
        "ALLA",
        "ALLE",
        "AI",
        "AGLI",
        "ALL",
        "LA",
        "LE",
        "IL",
        "LO",
        "I",
        "GLI",
    ]
)
_SAINTS = {
    "SAN": "S",
    "SANTA": "S",
    "SANTO": "S",
    "SANT": "S",
    "SS": "SS",
    "SANTI": "SS",
}

# alias weights: how sure a name form identifies the street
W_FULL = 1.0
W_PARTICLE = 0.97
W_SHORT = 0.95


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


def comune_key(value: Any) -> str:
    """Key of a comune: ``Milano (MI)``, ``015146``, ``F205`` -> ``MILANO``."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = str(int(value))
    if isinstance(value, str):
        code = value.strip().upper()
        if code.isdigit() and len(code) <= 6:
            code = code.zfill(6)
        if code in _CODE_COMUNE:
            return _CODE_COMUNE[code]
    s = normalize_text(value).replace(",", " ")
    toks = [t for t in s.split() if not t.isdigit()]
    if len(toks) > 1 and toks[-1] in {"MI", "MB"}:
        toks = toks[:-1]
    s = " ".join(toks)
    return _COMUNE_ALIASES.get(s, s)


_COMUNE_ALIASES = {
    "MILAN": "MILANO",
    "MI": "MILANO",
    "CINISELLO": "CINISELLO BALSAMO",
    "CINISELLO B": "CINISELLO BALSAMO",
}
# ISTAT and Belfiore (cadastral) codes of the comuni the data registry covers
_CODE_COMUNE = {
    "015146": "MILANO",
    "F205": "MILANO",
    "015077": "CINISELLO BALSAMO",
    "C707": "CINISELLO BALSAMO",
}


def _split_given(tokens: list[str], given: set[str]) -> tuple[list[str], list[str]]:
    """(given names, surname) of a name's tokens, using a set of known first names."""
    k = 0
    while k < len(tokens) - 1 and k < 3 and tokens[k] in given:
        k += 1
    return tokens[:k], tokens[k:]


def _rotation(desc: list[str], reg: list[str]) -> int | None:
    """K such that desc == reg[k:] + reg[:k] (registry puts the surname first)."""
    n = len(desc)
    if n < 2 or len(reg) != n or desc == reg:
        return None
    for k in range(1, n):
        if reg[k:] + reg[:k] == desc:
            return k
    return None


def _name_aliases(key: str, given: set[str]) -> list[tuple[str, float]]:
    """Alias keys of one full street key, with their weights."""
    out: list[tuple[str, float]] = [(key, W_FULL)]
    toks = key.split()
    if not toks:
        return out
    if len(toks) > 1 and toks[0] in _PARTICLES:
        out.append((" ".join(toks[1:]), W_PARTICLE))
    if toks[0] in _SAINTS and len(toks) > 1:
        out.append((" ".join([_SAINTS[toks[0]], *toks[1:]]), W_PARTICLE))
    head, tail = _split_given(toks, given)
    if head and tail:
        surname = " ".join(tail)
        out.append((surname, W_SHORT))
        out.append((" ".join([*(h[0] for h in head), surname]), W_SHORT))
        out.append(("".join(h[0] for h in head) + " " + surname, W_SHORT))
        if len(head) > 1:
            out.append((" ".join([head[0][0], surname]), W_SHORT))
            out.append((" ".join([head[-1], surname]), W_SHORT))
    # registry form, surname first (``TESTI FULVIO``)
    if head and tail:
        out.append((" ".join([*tail, *head]), W_FULL))
    return out


def _type_of(value: Any) -> str:
    """Long-form street type of a type written in any way (``Vle``, ``Viale``)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    t, rest = split_street_type(value.strip() + " X")
    return t if rest == "X" else normalize_text(value)


_TO_METRIC = Transformer.from_crs(
    config.geographic_crs, config.metric_crs, always_xy=True
)


def build_index(
    points: pd.DataFrame,
    streets: pd.DataFrame | None = None,
    *,
    sources: list[str] | None = None,
) -> ReferenceIndex:
    """Build the reference index from civic points and street lists.

    Parameters
    ----------
    points
        Civic-number points with the columns of
        :data:`geo_alloggi.datasets.CIVICI_COLUMNS` (``read_civici`` and/or
        ``read_civici_osm`` output): ``comune``, ``codice_via``,
        ``street_type``, ``street_name``, ``street_registry``, ``number``,
        ``letter``, ``slash``, ``entrance``, ``status``, ``lon``, ``lat``,
        ``source``.
    streets
        Street names without points: columns ``comune``, ``street_type``,
        ``street_name`` and optionally ``codice_via`` (stradario, ANNCSU).
    sources
        Names of the source files (kept for the record).

    Returns
    -------
    ReferenceIndex
    """
    pts = points.copy()
    for col in (
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
    ):
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
        warnings.warn(
            f"{int(nameless.sum())} civic point(s) name no comune (no addr:city) "
            f"and are left out, e.g. ids "
            f"{pts.loc[nameless, 'point_id'].head(3).tolist()!r}; "
            f"pass osm_extracts=[(path, 'Cinisello Balsamo')] to name it",
            UserWarning,
            stacklevel=3,
        )
        pts = pts[~nameless]

    # street identity ---------------------------------------------------------
    comuni: dict[str, str] = {}
    street_comune: list[str] = []
    street_type: list[str] = []
    street_name: list[str] = []
    names_of: list[set[str]] = []
    by_code: dict[tuple[str, str], int] = {}
    by_typed: dict[tuple[str, str, str], int] = {}
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)

    def new_street(ck: str, stype: str, skey: str, display: str) -> int:
        sid = len(street_type)
        street_comune.append(ck)
        street_type.append(stype)
        street_name.append(" ".join(str(display).upper().split()) or skey)
        names_of.append({skey})
        by_typed[(ck, stype, skey)] = sid
        by_name[(ck, skey)].append(sid)
        return sid

    def find_street(ck: str, stype: str, skey: str) -> int | None:
        sid = by_typed.get((ck, stype, skey))
        if sid is not None:
            return sid
        cands = by_name.get((ck, skey), [])
        if len(cands) == 1 and (not stype or not street_type[cands[0]]):
            return cands[0]
        return None

    # split OSM-style full names (``Via Giuseppe Scalarini``) into type + name
    full = pts["street_type"].str.strip() == ""
    if full.any():
        split = [split_street_type(n) for n in pts.loc[full, "street_name"]]
        pts.loc[full, "street_type"] = [t for t, _ in split]
        pts.loc[full, "street_name"] = [n for _, n in split]
    pts["stype"] = [_type_of(t) for t in pts["street_type"]]
    pts["skey"] = [street_key(n) for n in pts["street_name"]]
    pts["rkey"] = [street_key(n) for n in pts["street_registry"]]

    for c, ck in zip(pts["comune"], pts["ckey"], strict=True):
        comuni.setdefault(ck, str(c).strip().title() if c else ck.title())

    # learn given names from registry rotations (``BISNATI ALESSANDRO``)
    given = set(FIRST_NAMES)
    rot = pts.drop_duplicates(["ckey", "codice_via", "skey", "rkey"])
    for skey, rkey in zip(rot["skey"], rot["rkey"], strict=True):
        d, r = skey.split(), rkey.split()
        k = _rotation(d, r)
        if k is not None and len(d) - k <= 3:
            given.update(d[: len(d) - k])

    sid_of_row = np.empty(len(pts), dtype=np.int64)
    for i, (ck, code, stype, skey, rkey, display) in enumerate(
        zip(
            pts["ckey"],
            pts["codice_via"],
            pts["stype"],
            pts["skey"],
            pts["rkey"],
            pts["street_name"],
            strict=True,
        )
    ):
        sid = by_code.get((ck, code)) if code else None
        if sid is None:
            sid = find_street(ck, stype, skey)
            if sid is None:
                sid = new_street(ck, stype, skey, display)
            if code:
                by_code[(ck, code)] = sid
        if rkey and rkey not in names_of[sid]:
            names_of[sid].add(rkey)
        sid_of_row[i] = sid
    pts["sid"] = sid_of_row

    if streets is not None and len(streets):
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
            comuni.setdefault(ck, str(c).strip().title())
            stype = _type_of(t)
            skey = street_key(n)
            sid = by_code.get((ck, code)) if code else None
            if sid is None:
                sid = find_street(ck, stype, skey)
                if sid is None:
                    # the registry order of the stradario (``CANONICA LUIGI``)
                    toks = skey.split()
                    for k in range(1, min(len(toks), 4)):
                        rotated = " ".join(toks[k:] + toks[:k])
                        sid = find_street(ck, stype, rotated)
                        if sid is not None:
                            break
                if sid is None:
                    sid = new_street(ck, stype, skey, n)
                if code:
                    by_code[(ck, code)] = sid
            names_of[sid].add(skey)

    # aliases ---------------------------------------------------------------
    alias_map: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for sid, names in enumerate(names_of):
        ck = street_comune[sid]
        for name in sorted(names):
            for key, w in _name_aliases(name, given):
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

    # points: one per (street, number, esponente) ------------------------------
    pts["suffix"] = np.where(pts["letter"] != "", pts["letter"], pts["slash"])
    pts["suffix"] = pts["suffix"].astype(str).str.upper().str.strip()
    pts["prio"] = (pts["status"] != 2).astype(int) + 2 * (pts["entrance"] != "").astype(
        int
    )
    pts["src_rank"] = (pts["source"] != "ds634").astype(int)
    pts = pts.sort_values(["sid", "number", "suffix", "src_rank", "prio", "lon", "lat"])
    pts = pts.drop_duplicates(["sid", "number", "suffix"], keep="first").reset_index(
        drop=True
    )

    sid_arr = pts["sid"].to_numpy(np.int64)
    num_arr = pts["number"].to_numpy(np.int64)
    lon = pts["lon"].to_numpy(float)
    lat = pts["lat"].to_numpy(float)
    x, y = _TO_METRIC.transform(lon, lat)
    suffix = pts["suffix"].tolist()
    exact = {
        (int(s), int(n), f): i
        for i, (s, n, f) in enumerate(zip(sid_arr, num_arr, suffix, strict=True))
    }

    # base numbers (no esponente preferred) for interpolation
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
    base_key = bkey[order]
    base_pt = base["_i"].to_numpy(np.int64)[order]

    n_streets = len(street_type)
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

    return ReferenceIndex(
        comuni=dict(comuni),
        postcode_comune=postcode_comune,
        street_comune=street_comune,
        street_type=street_type,
        street_name=street_name,
        street_npoints=npoints.astype(np.int64),
        street_min=smin,
        street_max=smax,
        aliases=aliases,
        fuzzy_keys=dict(fuzzy),
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


def save_index(index: ReferenceIndex, path: Path) -> None:
    """Write the index atomically (temporary file then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        # dataclasses.replace keeps the fields only, not the matcher's caches
        pickle.dump(dataclasses.replace(index), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def load_index(path: Path) -> ReferenceIndex | None:
    """Read an index written by :func:`save_index`; None if unreadable or stale."""
    try:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
    except Exception:
        return None
    if not isinstance(obj, ReferenceIndex) or obj.meta.get("format") != INDEX_FORMAT:
        return None
    return obj


def build_rtree(index: ReferenceIndex, base: Path) -> Path:
    """Build the on-disk rtree of the points at ``base`` (``.idx``/``.dat`` files).

    Built under a temporary name and renamed, so that concurrent builders do
    not see half-written files.
    """
    from rtree import index as rindex

    base.parent.mkdir(parents=True, exist_ok=True)
    tmp = base.with_name(f".{base.name}.{os.getpid()}.tmp")
    props = rindex.Property()
    props.dimension = 2
    props.overwrite = True

    def stream() -> Iterator[tuple[int, tuple[float, float, float, float], None]]:
        for i, (x, y) in enumerate(zip(index.pt_x, index.pt_y, strict=True)):
            yield (i, (float(x), float(y), float(x), float(y)), None)

    idx = rindex.Index(str(tmp), stream(), properties=props)
    idx.close()
    for ext in (".idx", ".dat"):
        os.replace(f"{tmp}{ext}", f"{base}{ext}")
    return base
