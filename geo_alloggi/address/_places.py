"""Read the words around a street: CAP, province, the comune named, other places.

An address names its comune only where a comune stands: before the street
(``Milano, via ...``, ``20092 Cinisello Balsamo (MI) via ...``) or after the
civic number, a comma, the CAP or the province (``via ... 12 - 20126
Milano``). :func:`read_places` reads such groups of words, already cut off the
street by the parser, and never looks inside a street name. What is not a CAP,
a province, a comune nor a word about the flat (``scala B``, ``int. 4``) is a
place: a quarter, an estate, a hamlet (``quartiere San Siro``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from geo_alloggi.address._comuni import (
    PROVINCES,
    Comune,
    match_comune_words,
)

POSTCODE = re.compile(r"^\d{5}$")
# words about the flat, not the address (``int. 3``, ``scala B``, ``piano 3``)
FLAT_WORDS = frozenset(
    {
        "ALLOGGIO",
        "APP",
        "APPARTAMENTO",
        "BLOCCO",
        "BOX",
        "CANTINA",
        "CORPO",
        "EDIFICIO",
        "INT",
        "INTERNO",
        "LOTTO",
        "PAL",
        "PALAZZINA",
        "PALAZZO",
        "PIANO",
        "SC",
        "SCALA",
        "SUB",
        "TORRE",
    }
)
# values of a flat word that are words (``piano terra``)
_FLAT_VALUES = frozenset({"TERRA", "RIALZATO", "PRIMO", "SECONDO", "TERZO", "QUARTO"})
# nothing after these is read: a recipient (``c/o Aler``), a corner (``angolo via X``)
STOP_WORDS = frozenset({"C/O", "PRESSO", "ANGOLO", "ANG"})
# what follows these is a place, never a comune (``quartiere San Siro``)
PLACE_MARKERS = frozenset(
    {
        "CASE",
        "COMPLESSO",
        "CONDOMINIO",
        "FRAZ",
        "FRAZIONE",
        "LOC",
        "LOCALITA",
        "QRE",
        "QUART",
        "QUARTIERE",
        "RESIDENZA",
        "RIONE",
        "STABILE",
        "VILLAGGIO",
        "ZONA",
    }
)
_COUNTRY = frozenset({"ITALIA", "ITALY"})
#: quarters of Milan named like a comune elsewhere in Lombardy (San Siro and
#: Ponte Lambro in the province of Como, Missaglia in that of Lecco): read as
#: that comune only when the province or one of its CAPs is written too
MILAN_QUARTERS = frozenset({"San Siro", "Ponte Lambro", "Missaglia"})


class Places(NamedTuple):
    """What the words around a street say.

    Attributes
    ----------
    postcode
        First five-digit CAP, or ``""``.
    province
        Last province code (``MI``), or ``""``.
    comune
        The comune named (the last one when several are), or None.
    place
        Other place words, folded (``QUARTIERE SAN SIRO``), or ``""``.
    """

    postcode: str = ""
    province: str = ""
    comune: Comune | None = None
    place: str = ""


_NOTHING = Places()


def _plain_words(tokens: tuple[str, ...]) -> tuple[list[str], str, str]:
    """(words, postcode, province) of a group, codes and numbers left out."""
    words: list[str] = []
    postcode = ""
    for t in tokens:
        if t.replace("/", "").isalpha():
            words.append(t)
        elif not postcode and POSTCODE.match(t):
            postcode = t
    province = ""
    if words and words[-1] in PROVINCES:
        province = words.pop()
    return words, postcode, province


def _place_words(words: list[str]) -> list[str]:
    """Leave out words about the flat (and their values), stop at ``c/o``."""
    out: list[str] = []
    skip = False
    for t in words:
        if skip:
            skip = False
            if len(t) <= 3 or t in _FLAT_VALUES:
                continue
        if t in STOP_WORDS:
            break
        if t in FLAT_WORDS:
            skip = True
            continue
        out.append(t)
    if out and out[-1] in _COUNTRY:
        out.pop()
    return out


def _comune_in(words: list[str]) -> tuple[Comune | None, list[str]]:
    """Find the comune named by all the words, or by their end or start; the rest."""
    hit = match_comune_words(words)
    if hit is not None:
        return hit, []
    n = len(words)
    # a quarter of Milan named like a comune counts only standing alone
    for k in range(1, n):  # the end: ``ALER MILANO``, never after ``quartiere``
        if words[k - 1] in PLACE_MARKERS:
            continue
        hit = match_comune_words(words[k:], first_words=False)
        if hit is not None and hit.name not in MILAN_QUARTERS:
            return hit, words[:k]
    if words and words[0] in PLACE_MARKERS:
        return None, words
    for k in range(n - 1, 0, -1):  # the start: ``MILANO QUARTIERE SAN SIRO``
        hit = match_comune_words(words[:k], first_words=False)
        if hit is not None and hit.name not in MILAN_QUARTERS:
            return hit, words[k:]
    return None, words


def names_comune(tokens: list[str]) -> bool:
    """Whether tokens are a comune's full name and nothing else (codes, CAP apart)."""
    words, _, _ = _plain_words(tuple(tokens))
    return bool(words) and match_comune_words(words, first_words=False) is not None


@functools.lru_cache(maxsize=4096)
def _read_group(
    tokens: tuple[str, ...],
) -> tuple[str, str, Comune | None, tuple[str, ...]]:
    """(postcode, province, comune, other words) of one group; groups repeat."""
    words, postcode, province = _plain_words(tokens)
    if not words:
        return postcode, province, None, ()
    # the whole group first: ``Torre Boldone``, ``Angolo Terme`` are comuni
    hit = match_comune_words(words)
    if hit is not None:
        return postcode, province, hit, ()
    words = _place_words(words)
    if words and words[-1] in PROVINCES:
        province = province or words.pop()
    hit, rest = _comune_in(words) if words else (None, [])
    return postcode, province, hit, tuple(rest)


@functools.lru_cache(maxsize=8192)
def read_places(groups: tuple[tuple[str, ...], ...]) -> Places:
    """Read CAP, province, comune and places from groups of folded tokens.

    The same groups recur across addresses (nothing, ``MILANO``, ``20126
    MILANO MI``): each distinct tuple of groups is read once.

    Parameters
    ----------
    groups
        Token tuples in reading order: what stood before the street, then what
        followed the civic number, then each later comma-separated part.

    Returns
    -------
    Places
        A comune named in several groups: the last one wins. A quarter of
        Milan named like a distant comune (:data:`MILAN_QUARTERS`) is a place
        unless the province or a CAP of that comune confirms it.
    """
    if not any(groups):
        return _NOTHING
    postcode = ""
    province = ""
    comune: Comune | None = None
    place: list[str] = []
    for tokens in groups:
        if not tokens:
            continue
        cap, prov, hit, rest = _read_group(tuple(tokens))
        postcode = postcode or cap
        province = prov or province
        if hit is not None and hit.name in MILAN_QUARTERS:
            confirmed = (prov or province) == hit.province or (
                (cap or postcode) in hit.postcodes
            )
            if not confirmed:
                rest = (*rest, *hit.key.split())
                hit = None
        if hit is not None:
            comune = hit
        if rest:
            place.extend(w for w in rest if len(w) > 1)
    return Places(postcode, province, comune, " ".join(place))
