"""Street resolution and house-number placement: parsed addresses -> positions.

Street names are resolved once per distinct (comune, type, name) - exact alias
lookup first, then rapidfuzz on the distinct names left, per comune - and the
house numbers of every row are then placed with array operations: exact
point, esponente of the same number, interpolation between the neighbouring
numbers of the same side of the street, nearest number, or the street alone
where the numbering is too irregular to place it (see :func:`place_numbers`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from geo_alloggi.geocoding.index import ReferenceIndex

#: Largest difference between the neighbouring numbers used to interpolate.
MAX_GAP = 16
#: Largest distance (m) between those neighbours for the interpolation to be sound.
MAX_SPAN = 300.0
#: Largest difference between the asked number and the nearest one used instead.
NEAR_TOL = 4
#: Largest estimated offset (m) of the asked number from the nearest one used.
NEAR_MAX_M = 40.0

SCORE_INTERPOLATED = 0.85
SCORE_SUFFIX = 0.9
SCORE_NEAREST = 0.75
SCORE_STREET = 0.5
TYPE_MISMATCH = 0.92
AMBIGUOUS = 0.9
INITIAL_AS_TYPE = 0.9
#: A fuzzy match must beat the best other street by this many points (0-100).
FUZZY_MARGIN = 4.0
# lowest cutoff of :func:`_fuzzy_cutoff` minus the margin: lower scores never count
FUZZY_FLOOR = 79
#: Comparisons from which one block of names is scored on two threads
#: (rapidfuzz's own; each score is the same on one).
TWO_THREADS_FROM = 20_000

# types offices abbreviate to one letter and a dot, like a first name's initial
_INITIAL_TYPES = frozenset(("VIA", "PIAZZA", "CORSO", "LARGO"))
_EQUIVALENT_TYPES = {
    frozenset(("VIA", "VIA PRIVATA")),
    frozenset(("STRADA", "STRADA PRIVATA")),
}


def _fuzzy_cutoff(key: str) -> float:
    n = len(key)
    if n <= 4:
        return 90.0
    if n <= 6:
        return 83.0
    return 84.0


@dataclass
class StreetHit:
    """A resolved street: candidate ids (best first), score and how it was found."""

    sids: tuple[int, ...]
    score: float
    how: str  # "alias", "fuzzy", "" (not found)


def _type_ok(index: ReferenceIndex, sid: int, stype: str) -> bool:
    t = index.street_type[sid]
    return (
        not stype or not t or t == stype or frozenset((t, stype)) in _EQUIVALENT_TYPES
    )


def _choose(
    index: ReferenceIndex,
    hits: tuple[tuple[int, float], ...],
    stype: str,
    ratio: float,
    how: str,
) -> StreetHit:
    def level(sid: int) -> int:
        if stype and index.street_type[sid] == stype:
            return 0
        return 1 if _type_ok(index, sid, stype) else 2

    ranked = sorted(
        hits, key=lambda h: (level(h[0]), -h[1], index.street_npoints[h[0]] == 0, h[0])
    )
    best_sid, best_w = ranked[0]
    best_level = level(best_sid)
    ok = best_level < 2
    same = tuple(s for s, w in ranked if w == best_w and level(s) == best_level)
    score = ratio * best_w * (1.0 if ok else TYPE_MISMATCH)
    if len(same) > 1:
        score *= AMBIGUOUS
    return StreetHit(same, score, how)


def resolve_streets(
    index: ReferenceIndex, queries: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], StreetHit]:
    """Resolve distinct ``(comune key, street type, street key)`` to streets."""
    out: dict[tuple[str, str, str], StreetHit] = {}
    pending: dict[str, list[tuple[str, str, str]]] = {}
    miss = StreetHit((), 0.0, "")
    for q in queries:
        ck, stype, skey = q
        if not skey or ck not in index.comuni:
            out[q] = miss
            continue
        hits = index.aliases.get((ck, skey))
        if hits is None and stype:
            hits = index.aliases.get((ck, f"{stype} {skey}"))
        hit = _choose(index, hits, stype, 1.0, "alias") if hits is not None else None
        if stype in _INITIAL_TYPES:
            # ``P. BUZZI``: the "type" may be the initial of a first name (Paolo)
            alt = index.aliases.get((ck, f"{stype[0]} {skey}"))
            if alt is not None:
                alt_hit = _choose(index, alt, "", INITIAL_AS_TYPE, "alias")
                if hit is None:
                    hit = alt_hit
                elif not set(alt_hit.sids) <= set(hit.sids):
                    # ``V. MONTI``: Via Monti or Via Vincenzo Monti? the number decides
                    merged = tuple(dict.fromkeys(hit.sids + alt_hit.sids))
                    hit = StreetHit(
                        merged, min(hit.score, alt_hit.score) * AMBIGUOUS, "alias"
                    )
        if hit is not None:
            out[q] = hit
        else:
            pending.setdefault(ck, []).append(q)
    for ck, qs in pending.items():
        choices = index.fuzzy_keys.get(ck, [])
        if not choices:
            for q in qs:
                out[q] = miss
            continue
        # one name may come with several types (``V.``, ``VIA``): compared once
        names = list(dict.fromkeys(q[2] for q in qs))
        found = _fuzzy_candidates(choices, names, _blocks_of(index, ck))
        found_of = dict(zip(names, found, strict=True))
        for q in qs:
            cands = found_of[q[2]]
            s = max(cands.values(), default=0)
            if s < _fuzzy_cutoff(q[2]):
                out[q] = miss
                continue
            # every choice near the best score, merged (ties between streets)
            near: dict[int, float] = {}
            for k, sk in cands.items():
                if sk <= s - FUZZY_MARGIN:
                    continue
                for sid, w in index.aliases[(ck, choices[k])]:
                    if sk < s:
                        near.setdefault(sid, -1.0)
                    else:
                        near[sid] = max(near.get(sid, 0.0), w)
            if any(w < 0 for w in near.values()):
                out[q] = miss  # another street is almost as close: too uncertain
                continue
            out[q] = _choose(index, tuple(near.items()), q[1], s / 100.0, "fuzzy")
    return out


class _Block(NamedTuple):
    """The choices of one block, by length (then position in the choices)."""

    positions: np.ndarray
    texts: list[str]
    lengths: list[int]


_Blocks = tuple[dict[str, _Block], dict[str, _Block]]


def _by_length(choices: list[str], groups: dict[str, list[int]]) -> dict[str, _Block]:
    out: dict[str, _Block] = {}
    for letter, positions in groups.items():
        ordered = sorted(positions, key=lambda i: (len(choices[i]), i))
        out[letter] = _Block(
            np.asarray(ordered, dtype=np.int64),
            [choices[i] for i in ordered],
            [len(choices[i]) for i in ordered],
        )
    return out


def _blocks_of(index: ReferenceIndex, ck: str) -> _Blocks:
    """Choices by first and by last letter, by length (built once per comune)."""
    cache: dict[str, _Blocks] = index.__dict__.setdefault("_fuzzy_length_blocks", {})
    got = cache.get(ck)
    if got is None:
        choices = index.fuzzy_keys.get(ck, [])
        first: dict[str, list[int]] = {}
        last: dict[str, list[int]] = {}
        for i, c in enumerate(choices):
            first.setdefault(c[:1], []).append(i)
            last.setdefault(c[-1:], []).append(i)
        got = (_by_length(choices, first), _by_length(choices, last))
        cache[ck] = got
    return got


def _fuzzy_candidates(
    choices: list[str], names: list[str], blocks_by_letter: _Blocks
) -> list[dict[int, int]]:
    """Choices scoring at least :data:`FUZZY_FLOOR` against each name (fuzz.ratio).

    Compared within blocks of choices sharing the first or the last letter of
    the name: one typing error never changes both, and the blocks are a tenth
    of the choices each. Within a block, only choices whose length allows
    the floor are compared: ``fuzz.ratio`` of strings of lengths ``a`` and
    ``b`` is at most ``200 * min(a, b) / (a + b)``, so a name of length ``n``
    is compared with the lengths ``ceil(F n / (200 - F))`` to ``floor((200 -
    F) n / F)`` (``F``: the floor), a slice of the block sorted by length.
    """
    out: list[dict[int, int]] = [{} for _ in names]
    by_first, by_last = blocks_by_letter
    floor = FUZZY_FLOOR
    for blocks, pick in ((by_first, lambda t: t[:1]), (by_last, lambda t: t[-1:])):
        groups: dict[tuple[str, int], list[int]] = {}
        for i, name in enumerate(names):
            groups.setdefault((pick(name), len(name)), []).append(i)
        for (letter, size), rows in groups.items():
            block = blocks.get(letter)
            if block is None:
                continue
            lo = bisect.bisect_left(block.lengths, -(-floor * size // (200 - floor)))
            hi = bisect.bisect_right(block.lengths, (200 - floor) * size // floor)
            if lo >= hi:
                continue
            scores = process.cdist(
                [names[r] for r in rows],
                block.texts[lo:hi],
                scorer=fuzz.ratio,
                score_cutoff=floor,
                dtype=np.uint8,
                workers=2 if len(rows) * (hi - lo) >= TWO_THREADS_FROM else 1,
            )
            rr, cc = np.nonzero(scores)
            values = scores[rr, cc].tolist()
            cols = block.positions[lo + cc].tolist()
            for row, col, v in zip(rr.tolist(), cols, values, strict=True):
                out[rows[row]][col] = v
    return out


@dataclass
class Placement:
    """Per-row arrays produced by :func:`place_numbers`."""

    lon: np.ndarray
    lat: np.ndarray
    match_type: np.ndarray
    score: np.ndarray
    number: np.ndarray
    suffix: list[str]
    point: np.ndarray  # index of the point used (-1 when none)


def place_numbers(
    index: ReferenceIndex,
    sids: np.ndarray,
    street_score: np.ndarray,
    numbers: np.ndarray,
    suffixes: list[str],
) -> Placement:
    """Place each row's house number on its street.

    A number with a point is ``exact``; a number whose only points carry an
    esponente (``12A`` for ``12``) takes that point as ``nearest_number``. An
    absent number is placed only from neighbouring numbers of the **same
    street and side** (parity), and only where their numbering is regular
    enough to say where it lies:

    * ``interpolated`` between the nearest lower and higher numbers of its
      side when they are at most :data:`MAX_GAP` apart in number and
      :data:`MAX_SPAN` metres apart in space;
    * otherwise ``nearest_number`` at the closest number of its side, at most
      :data:`NEAR_TOL` away, when the local spacing (metres per number unit,
      from that number and the next one beyond it, or from the two
      neighbours when the asked number lies between them) puts the asked
      number within :data:`NEAR_MAX_M` of it; with a single point on its
      side, only the adjacent number (2 away) is taken.

    The numbering counts as irregular there, and the row stays a ``street``
    match without coordinates (for review), when

    * the neighbours are far apart relative to their number gap (spacing
      times the distance in numbers above :data:`NEAR_MAX_M`);
    * the asked number lies inside a long stretch without points: its lower
      and higher neighbours of the same side exist but are more than
      :data:`MAX_GAP` apart, so neither interpolation nor the nearest number
      can tell where in the stretch it is;
    * its side has no points at all, only the other side: parity says the
      numbers opposite are across the street or at another stretch (squares
      and one-sided streets are numbered in ways the points cannot confirm).

    Parameters
    ----------
    sids
        Street id per row (-1: no street).
    street_score
        Score of the street match per row, in [0, 1].
    numbers
        House number per row (-1: none).
    suffixes
        Esponente per row (``""`` when none).
    """
    n = len(sids)
    pl = Placement(
        lon=np.full(n, np.nan),
        lat=np.full(n, np.nan),
        match_type=np.full(n, "unmatched", dtype=object),
        score=np.zeros(n),
        number=numbers.copy(),
        suffix=list(suffixes),
        point=np.full(n, -1, dtype=np.int64),
    )
    has_street = sids >= 0
    pl.match_type[has_street] = "street"
    pl.score[has_street] = SCORE_STREET * street_score[has_street]
    rest = _place_existing(index, pl, sids, street_score, numbers, suffixes)
    if rest and len(index.base_key):
        _place_from_neighbours(
            index, pl, np.asarray(rest, dtype=np.int64), sids, street_score, numbers
        )
    placed = (pl.point >= 0) & (pl.match_type != "interpolated")
    pl.lon[placed] = index.pt_lon[pl.point[placed]]
    pl.lat[placed] = index.pt_lat[pl.point[placed]]
    pl.score = np.clip(pl.score, 0.0, 1.0)
    return pl


def _place_existing(
    index: ReferenceIndex,
    pl: Placement,
    sids: np.ndarray,
    street_score: np.ndarray,
    numbers: np.ndarray,
    suffixes: list[str],
) -> list[int]:
    """Place the numbers that have a point, in place; return the rows left."""
    exact = index.exact
    todo = np.flatnonzero((sids >= 0) & (numbers >= 0)).tolist()
    sid_of = sids.tolist()
    number_of = numbers.tolist()
    rest: list[int] = []
    hit_rows: list[int] = []
    hit_points: list[int] = []
    other_rows: list[int] = []  # the number without its esponente
    other_points: list[int] = []
    for i in todo:
        sid, num, suffix = sid_of[i], number_of[i], suffixes[i]
        p = exact.get((sid, num, suffix))
        if p is not None:
            hit_rows.append(i)
            hit_points.append(p)
            continue
        if suffix:
            p = exact.get((sid, num, ""))
            if p is not None:
                other_rows.append(i)
                other_points.append(p)
                pl.suffix[i] = ""
                continue
        rest.append(i)
    if hit_rows:
        pl.point[hit_rows] = hit_points
        pl.match_type[hit_rows] = "exact"
        pl.score[hit_rows] = street_score[hit_rows]
    if other_rows:
        pl.point[other_rows] = other_points
        pl.match_type[other_rows] = "nearest_number"
        pl.score[other_rows] = SCORE_SUFFIX * street_score[other_rows]
    return rest


@dataclass
class _Neighbours:
    """For rows without a point: the neighbouring numbers of their side."""

    same: np.ndarray  # the number exists with an esponente only (at p_hi)
    interp: np.ndarray  # interpolate between p_lo and p_hi
    near: np.ndarray  # take the nearest number (p_lo if use_lo else p_hi)
    use_lo: np.ndarray
    d_near: np.ndarray
    t: np.ndarray  # position between p_lo (0) and p_hi (1)
    p_lo: np.ndarray
    p_hi: np.ndarray


def _neighbours(index: ReferenceIndex, s: np.ndarray, num: np.ndarray) -> _Neighbours:
    """Apply the rules of :func:`place_numbers` to rows without a point."""
    group = s * 2 + num % 2
    keys = (group << 20) | num
    bk = index.base_key
    pos = np.searchsorted(bk, keys)
    # the same number with only an esponente (``12A`` for ``12``)
    posc = np.minimum(pos, len(bk) - 1)
    same = bk[posc] == keys
    lo_i = np.maximum(pos - 1, 0)
    hi_i = posc
    lo_ok = (pos > 0) & ((bk[lo_i] >> 20) == group)
    hi_ok = (pos < len(bk)) & ((bk[hi_i] >> 20) == group) & ~same
    n_lo = bk[lo_i] & 0xFFFFF
    n_hi = bk[hi_i] & 0xFFFFF
    p_lo = index.base_pt[lo_i]
    p_hi = index.base_pt[hi_i]
    span = np.hypot(
        index.pt_x[p_hi] - index.pt_x[p_lo], index.pt_y[p_hi] - index.pt_y[p_lo]
    )
    gap = n_hi - n_lo
    interp = lo_ok & hi_ok & ~same & (gap <= MAX_GAP) & (span <= MAX_SPAN)
    d_lo = np.where(lo_ok, num - n_lo, 1 << 30)
    d_hi = np.where(hi_ok, n_hi - num, 1 << 30)
    use_lo = d_lo <= d_hi
    d_near = np.minimum(d_lo, d_hi)
    near = ~same & ~interp & (d_near <= NEAR_TOL)
    # sound only if the local spacing of numbers puts the asked one close by:
    # metres per number unit from the chosen neighbour and the next one beyond
    c_i = np.where(use_lo, lo_i, hi_i)
    nx_i = np.clip(np.where(use_lo, c_i - 1, c_i + 1), 0, len(bk) - 1)
    nx_ok = (nx_i != c_i) & ((bk[nx_i] >> 20) == group) & (bk[nx_i] != keys)
    pc, pn = index.base_pt[c_i], index.base_pt[nx_i]
    dn = np.abs((bk[c_i] & 0xFFFFF) - (bk[nx_i] & 0xFFFFF))
    spacing = np.hypot(
        index.pt_x[pc] - index.pt_x[pn], index.pt_y[pc] - index.pt_y[pn]
    ) / np.maximum(dn, 1)
    # between two neighbours too far apart to interpolate, their own spacing
    both = lo_ok & hi_ok
    spacing = np.where(both, span / np.maximum(gap, 1), spacing)
    near &= np.where(nx_ok | both, spacing * d_near <= NEAR_MAX_M, d_near <= 2)
    # inside a long stretch without points the number may lie anywhere in it
    near &= ~(both & (gap > MAX_GAP))
    t = np.clip((num - n_lo) / np.maximum(gap, 1), 0.0, 1.0)
    return _Neighbours(same, interp, near, use_lo, d_near, t, p_lo, p_hi)


def _place_from_neighbours(
    index: ReferenceIndex,
    pl: Placement,
    r: np.ndarray,
    sids: np.ndarray,
    street_score: np.ndarray,
    numbers: np.ndarray,
) -> None:
    """Place rows ``r`` (no point of their own) from their neighbours, in place."""
    nb = _neighbours(index, sids[r], numbers[r])
    for k, i in enumerate(r):
        if nb.same[k]:
            p = int(nb.p_hi[k])
            pl.point[i] = p
            pl.match_type[i] = "nearest_number"
            pl.score[i] = SCORE_SUFFIX * street_score[i]
            pl.suffix[i] = index.pt_suffix[p]
        elif nb.interp[k]:
            a, b = int(nb.p_lo[k]), int(nb.p_hi[k])
            t = nb.t[k]
            pl.lon[i] = index.pt_lon[a] + t * (index.pt_lon[b] - index.pt_lon[a])
            pl.lat[i] = index.pt_lat[a] + t * (index.pt_lat[b] - index.pt_lat[a])
            pl.point[i] = a
            pl.match_type[i] = "interpolated"
            pl.score[i] = SCORE_INTERPOLATED * street_score[i]
        elif nb.near[k]:
            p = int(nb.p_lo[k] if nb.use_lo[k] else nb.p_hi[k])
            pl.point[i] = p
            pl.match_type[i] = "nearest_number"
            pl.score[i] = (
                SCORE_NEAREST * street_score[i] * (1.0 - 0.02 * float(nb.d_near[k]))
            )
            pl.number[i] = index.pt_number[p]
            pl.suffix[i] = index.pt_suffix[p]
