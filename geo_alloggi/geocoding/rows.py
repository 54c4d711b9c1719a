"""Match a batch of address rows: comune, corrections, street, house number, label.

Each distinct address is parsed once and each distinct (comune, type, name)
resolved once (:func:`geo_alloggi.geocoding.match.resolve_streets`); the
house numbers are then placed with array operations
(:func:`geo_alloggi.geocoding.match.place_numbers`). An address is never
placed in another comune than its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo_alloggi._forked import Forked
from geo_alloggi.address import ParsedAddress, parse_address, street_key
from geo_alloggi.geocoding.comuni import comune_key, comune_name, resolve_comune
from geo_alloggi.geocoding.corrections import SCORE_CORRECTION, apply_corrections
from geo_alloggi.geocoding.index import ReferenceIndex
from geo_alloggi.geocoding.match import Placement, place_numbers, resolve_streets

#: Distinct addresses from which a batch is parsed in two processes (the fork
#: and the trip of the parsed parts back cost a few hundredths of a second).
PARSE_IN_TWO = 10_000


@dataclass
class Matches:
    """Per-row results of :func:`match_rows` (arrays of one item per row)."""

    parsed: list[ParsedAddress]
    """The addresses matched (after the corrections)."""
    ckeys: list[str]
    """Comune key of each row."""
    comune: list[str]
    """Display name of each row's comune (matched in, or named in)."""
    no_comune: int
    """Rows whose comune was given nowhere (the default comune was assumed)."""
    lon: np.ndarray
    lat: np.ndarray
    match_type: np.ndarray
    score: np.ndarray
    matched_address: np.ndarray
    source: np.ndarray


def known_comuni(index: ReferenceIndex) -> frozenset[str]:
    """Return the comune keys an address may name: the index's and its neighbours'.

    Parameters
    ----------
    index : ReferenceIndex
        The index (``meta["known_comuni"]`` lists the comuni around).

    Returns
    -------
    frozenset of str
    """
    return frozenset(index.comuni) | frozenset(index.meta.get("known_comuni", ()))


def _cores() -> int:
    """CPUs this process may run on."""
    getter = getattr(os, "sched_getaffinity", None)
    return len(getter(0)) if getter is not None else os.cpu_count() or 1


def _parse_plain(texts: list[str]) -> list[tuple[Any, ...]]:
    """Parse each text; plain tuples, quicker to pickle than named ones."""
    return [tuple(parse_address(t)) for t in texts]


def _parse_distinct(texts: list[str]) -> list[ParsedAddress]:
    """Parse each of the distinct ``texts``, in order.

    From :data:`PARSE_IN_TWO` texts on, with a second CPU, a forked child
    parses the second half while this process parses the first
    (:class:`geo_alloggi._forked.Forked`: in process where fork is missing or
    other Python threads run). Parsing is a pure function of the text, so the
    result is the same either way.
    """
    if len(texts) < PARSE_IN_TWO or _cores() < 2:
        return [parse_address(t) for t in texts]
    half = len(texts) // 2
    with Forked(_parse_plain, texts[half:]) as child:
        head = [parse_address(t) for t in texts[:half]]
        tail = child.result()
    new = tuple.__new__
    return head + [new(ParsedAddress, t) for t in tail]


def _parse_rows(
    index: ReferenceIndex,
    addresses: list[str],
    row_comune: list[str],
    *,
    default_ck: str,
    known: frozenset[str],
) -> tuple[list[ParsedAddress], list[str], dict[int, str], int]:
    """Return the parsed addresses, comune keys, conflicts and rows without comune."""
    distinct = list(dict.fromkeys(addresses))
    parsed_of = dict(zip(distinct, _parse_distinct(distinct), strict=True))
    comune_of: dict[tuple[str, str, str], tuple[str, str]] = {}
    parsed: list[ParsedAddress] = []
    ckeys: list[str] = []
    conflicts: dict[int, str] = {}
    no_comune = 0
    for a, given in zip(addresses, row_comune, strict=True):
        p = parsed_of[a]
        parsed.append(p)
        k = (given, p.comune, p.postcode)
        got = comune_of.get(k)
        if got is None:
            got = resolve_comune(given, p, postcodes=index.postcode_comune, known=known)
            comune_of[k] = got
        ck, conflict = got
        if conflict:
            conflicts[len(ckeys)] = conflict
        if not ck:
            no_comune += 1
            ck = default_ck
        ckeys.append(ck)
    return parsed, ckeys, conflicts, no_comune


def _street_ids(
    index: ReferenceIndex,
    parsed: list[ParsedAddress],
    ckeys: list[str],
    numbers: np.ndarray,
    suffixes: list[str],
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Street id (-1: none) and street score per row, and why some are ambiguous.

    Each distinct (comune, type, name) is keyed and resolved once; the rows
    take their street from it with array indexing, and only the rows of a
    name several streets answer to are looked at one by one.
    """
    # distinct (comune, type, name as parsed) -> position in ``distinct``
    seen: dict[tuple[str, str, str], int] = {}
    row_of = [
        seen.setdefault((ck, p.street_type, p.street_name), len(seen))
        for p, ck in zip(parsed, ckeys, strict=True)
    ]
    key_of: dict[str, str] = {}
    triples = []
    for ck, stype, name in seen:
        skey = key_of.get(name)
        if skey is None:
            skey = street_key(name)
            key_of[name] = skey
        triples.append((ck, stype, skey))
    hits = resolve_streets(index, list(dict.fromkeys(triples)))
    found = [hits[t] for t in triples]
    # per distinct name: the street, its score, and whether the number decides
    d_sid = np.array([h.sids[0] if h.sids else -1 for h in found], dtype=np.int64)
    d_score = np.array([h.score if h.sids else 0.0 for h in found], dtype=float)
    several = np.array([len(h.sids) > 1 for h in found], dtype=bool)
    rows = np.asarray(row_of, dtype=np.int64)
    sids = d_sid[rows] if len(rows) else np.full(0, -1, dtype=np.int64)
    sscore = d_score[rows] if len(rows) else np.zeros(0)
    ambiguous: dict[int, str] = {}
    for i in np.flatnonzero(several[rows]).tolist() if len(rows) else []:
        # several streets answer to this name: the house number decides
        h = found[row_of[i]]
        num = int(numbers[i])
        having = [
            c
            for c in h.sids
            if (c, num, suffixes[i]) in index.exact or (c, num, "") in index.exact
        ]
        if len(having) != 1:
            names = " | ".join(index.street_label(c) for c in h.sids[:4])
            ambiguous[i] = f"ambiguous: {names}"
            sids[i] = -1
            sscore[i] = 0.0
            continue
        sids[i] = having[0]
    return sids, sscore, ambiguous


def _number_text(number: int, suffix: str) -> str:
    if not suffix:
        return str(number)
    if suffix.isdigit():
        return f"{number}/{suffix}"
    return f"{number}{suffix}" if len(suffix) == 1 else f"{number} {suffix}"


def _label_rows(
    index: ReferenceIndex,
    rows: np.ndarray,
    sids: np.ndarray,
    mtype: np.ndarray,
    pl: Placement,
    matched_addr: np.ndarray,
    source: np.ndarray,
) -> None:
    """Write the matched address and the source of the placed ``rows`` in place."""
    label: dict[int, tuple[str, str]] = {}
    pt_source = index.pt_source
    numbers_out = pl.number.tolist()
    points_used = pl.point.tolist()
    sid_of = sids.tolist()
    kind = mtype.tolist()
    for i in rows.tolist():
        sid = sid_of[i]
        lab = label.get(sid)
        if lab is None:
            lab = (
                index.street_label(sid),
                index.comuni.get(index.street_comune[sid], ""),
            )
            label[sid] = lab
        if kind[i] == "street":
            matched_addr[i] = f"{lab[0]}, {lab[1]}"
        else:
            num_text = _number_text(numbers_out[i], pl.suffix[i])
            matched_addr[i] = f"{lab[0]} {num_text}, {lab[1]}"
        p = points_used[i]
        source[i] = pt_source[p] if p >= 0 else "street_list"


def match_rows(
    index: ReferenceIndex,
    addresses: list[str],
    row_comune: list[str],
    corrections: pd.DataFrame | None,
    *,
    default_comune: str | None,
    known: frozenset[str],
    area: frozenset[str] | None = None,
) -> Matches:
    """Match each address row against the index.

    Parameters
    ----------
    index : ReferenceIndex
        The reference index.
    addresses : list of str
        The addresses as written.
    row_comune : list of str
        The comune given with each row (``""`` when none).
    corrections : pandas.DataFrame or None
        Output of :func:`geo_alloggi.geocoding.read_corrections`.
    default_comune : str or None
        Comune assumed where neither the row nor its address names one.
    known : frozenset of str
        Comune keys recognised in an address (:func:`known_comuni`).
    area : frozenset of str or None
        Comune keys of the study area; rows in another comune get
        ``out_of_area`` and no position. None: every comune is in the area.

    Returns
    -------
    Matches
    """
    n = len(addresses)
    default_ck = comune_key(default_comune) if default_comune else ""
    parsed, ckeys, conflicts, no_comune = _parse_rows(
        index, addresses, row_comune, default_ck=default_ck, known=known
    )
    fix = apply_corrections(parsed, ckeys, corrections)
    parsed, fixed = fix.parsed, fix.fixed
    # snc / km: no civic number, a street-level result by design
    numbers = np.array(
        [-1 if p.housenumber is None or p.no_number else p.housenumber for p in parsed],
        dtype=np.int64,
    )
    suffixes = [p.suffix for p in parsed]
    sids, sscore, ambiguous = _street_ids(index, parsed, ckeys, numbers, suffixes)
    sids[fixed] = -1
    for i, why in conflicts.items():
        # the address names another comune than the one given: not placed
        sids[i] = -1
        ambiguous[i] = why
    # per distinct comune: its display name, and whether it is out of the area
    name_of = {ck: comune_name(ck) for ck in dict.fromkeys(ckeys)}
    away = {ck: area is not None and bool(ck) and ck not in area for ck in name_of}
    outside = np.array([away[ck] for ck in ckeys], dtype=bool)
    outside &= ~fixed
    sids[outside] = -1
    pl = place_numbers(index, sids, sscore, numbers, suffixes)

    lon = np.where(fixed, fix.lon, pl.lon)
    lat = np.where(fixed, fix.lat, pl.lat)
    mtype = np.where(fixed, "exact", pl.match_type)
    score = np.where(fixed, SCORE_CORRECTION, pl.score)
    matched_addr = fix.matched_address.copy()
    source = np.where(fixed, "corrections", np.full(n, "", dtype=object))
    for i, why in ambiguous.items():
        if not fixed[i]:
            matched_addr[i] = why
    _label_rows(index, np.flatnonzero(sids >= 0), sids, mtype, pl, matched_addr, source)
    # positions found through a correction's address say so
    source[fix.redirected & (source != "")] = "corrections"
    names = [name_of[ck] for ck in ckeys]
    if outside.any():
        mtype = mtype.astype(object)
        mtype[outside] = "out_of_area"
        lon = np.where(outside, np.nan, lon)
        lat = np.where(outside, np.nan, lat)
        score = np.where(outside, 0.0, score)
        for i in np.flatnonzero(outside).tolist():
            matched_addr[i] = f"out of area: {names[i]}"
    return Matches(
        parsed=parsed,
        ckeys=ckeys,
        comune=names,
        no_comune=no_comune,
        lon=lon,
        lat=lat,
        match_type=mtype,
        score=np.round(score, 4),
        matched_address=matched_addr,
        source=source,
    )
