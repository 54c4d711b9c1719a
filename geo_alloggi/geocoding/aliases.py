"""Street-name forms: the keys a street answers to, with how sure each one is.

A street of the reference is known by its full name (``FULVIO TESTI``), its
registry form with the surname first (``TESTI FULVIO``), the name without a
leading particle (``DUOMO`` for ``DEL DUOMO``), the abbreviated saint
(``S AMBROGIO``), and the surname alone or after the initials of its first
names (``TESTI``, ``F TESTI``). First names are the package's list
(:data:`geo_alloggi.address.FIRST_NAMES`) plus those learnt from the registry
forms of the reference (:func:`learn_given_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo_alloggi.address import FIRST_NAMES, normalize_text, split_street_type

# alias weights: how sure a name form identifies the street
W_FULL = 1.0
W_PARTICLE = 0.97
W_SHORT = 0.95

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


def learn_given_names(pairs: Iterable[tuple[str, str]]) -> set[str]:
    """Return the known first names plus those the registry forms reveal.

    Parameters
    ----------
    pairs : iterable of (str, str)
        ``(descriptive key, registry key)`` of each street, e.g.
        ``("ALESSANDRO BISNATI", "BISNATI ALESSANDRO")``: the words the
        registry moves after the surname (at most three) are first names.

    Returns
    -------
    set of str
        :data:`geo_alloggi.address.FIRST_NAMES` and the names learnt.
    """
    given = set(FIRST_NAMES)
    for skey, rkey in pairs:
        d, r = skey.split(), rkey.split()
        k = _rotation(d, r)
        if k is not None and len(d) - k <= 3:
            given.update(d[: len(d) - k])
    return given


def name_aliases(key: str, given: set[str]) -> list[tuple[str, float]]:
    """Return the alias keys of one full street key, with their weights.

    Parameters
    ----------
    key : str
        A street key (:func:`geo_alloggi.address.street_key`), e.g.
        ``FULVIO TESTI``.
    given : set of str
        Known first names (:func:`learn_given_names`).

    Returns
    -------
    list of (str, float)
        ``(alias key, weight)``, the key itself first with weight
        :data:`W_FULL`.
    """
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


def street_type_of(value: Any) -> str:
    """Return the long form of a street type written in any way (``Vle``, ``Viale``).

    Parameters
    ----------
    value : object
        The type as written; anything but a non-empty string gives ``""``.

    Returns
    -------
    str
        ``VIALE`` for ``Vle``; a type the parser does not know, normalised.
    """
    if not isinstance(value, str) or not value.strip():
        return ""
    t, rest = split_street_type(value.strip() + " X")
    return t if rest == "X" else normalize_text(value)
