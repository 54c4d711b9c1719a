"""Comune recognition: one key per comune, and the comune each address row is in.

A comune is written many ways in the records (``Milano (MI)``, ``MILAN``,
ISTAT ``015146``, Belfiore ``F205``); :func:`comune_key` reduces them to one
key (``MILANO``). :func:`resolve_comune` decides the comune of a row from the
comune given with it and the one its address names (by name or postcode).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from geo_alloggi import config
from geo_alloggi.address import (
    ParsedAddress,
    find_comune,
    normalize_text,
    require_comuni,
)

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

#: Belfiore code -> display name of the comuni whose ANNCSU streets are read.
BELFIORE_COMUNE = {
    "F205": "Milano",
    "C707": "Cinisello Balsamo",
}


def comune_key(value: Any) -> str:
    """Return the key of a comune: ``Milano (MI)``, ``015146``, ``F205`` -> ``MILANO``.

    Parameters
    ----------
    value : object
        A comune name, ISTAT code (string or integer) or Belfiore code.

    Returns
    -------
    str
        The upper-case name without province, or ``""`` for an empty value.
    """
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = str(int(value))
    if isinstance(value, str):
        return _key_of_text(value)
    return _key_of_name(value)


@lru_cache(maxsize=4096)
def _key_of_text(value: str) -> str:
    code = value.strip().upper()
    if code.isdigit() and len(code) <= 6:
        code = code.zfill(6)
    if code in _CODE_COMUNE:
        return _CODE_COMUNE[code]
    key = _key_of_name(value)
    if key in _COMUNE_ALIASES.values():
        return key
    # any comune of Lombardy by its official name (codes, short forms)
    hit = find_comune(value) if value.strip() else None
    return normalize_text(hit.name) if hit is not None else key


def comune_name(key: str) -> str:
    """Return the display name of a comune key (``MILANO`` -> ``Milano``).

    Parameters
    ----------
    key : str
        A key of :func:`comune_key`.

    Returns
    -------
    str
        The official ISTAT name for a comune of Lombardy, else the key itself.
    """
    return _name_of_key(key)


@lru_cache(maxsize=4096)
def _name_of_key(key: str) -> str:
    hit = find_comune(key) if key else None
    return hit.name if hit is not None else key


def area_keys(comuni: Iterable[Any] | None) -> frozenset[str]:
    """Return the comune keys of a study area (default: the configured one).

    Parameters
    ----------
    comuni : iterable or None
        Names, ISTAT or cadastral codes; None for
        :data:`geo_alloggi.config.study_area_comuni`.

    Returns
    -------
    frozenset of str

    Raises
    ------
    ValidationError
        A comune that is no comune of Lombardy, or an empty list.
    """
    chosen = require_comuni(config.study_area_comuni if comuni is None else comuni)
    return frozenset(normalize_text(c.name) for c in chosen)


def _key_of_name(value: Any) -> str:
    s = normalize_text(value).replace(",", " ")
    toks = [t for t in s.split() if not t.isdigit()]
    if len(toks) > 1 and toks[-1] in {"MI", "MB"}:
        toks = toks[:-1]
    s = " ".join(toks)
    return _COMUNE_ALIASES.get(s, s)


def resolve_comune(
    given: str,
    parsed: ParsedAddress,
    *,
    postcodes: Mapping[str, str],
    known: frozenset[str],
) -> tuple[str, str]:
    """Return the comune key of a row and, if any, why it conflicts with the address.

    The row's column or ``comune=`` wins; but when the address itself names
    another comune (by name, or by the postcode of a known comune), the row is
    not placed and the conflict names both.
    Without a given comune, the address's own comune (or postcode) is used.

    Parameters
    ----------
    given : str
        The comune given with the row (``""`` when none).
    parsed : ParsedAddress
        The row's parsed address.
    postcodes : mapping of str to str
        Postcode -> comune key (:attr:`ReferenceIndex.postcode_comune`).
    known : frozenset of str
        Comune keys recognised in an address as another comune.

    Returns
    -------
    tuple of (str, str)
        ``(comune key, conflict)``; the key is ``""`` when no comune is given
        nor written, the conflict ``""`` when there is none.
    """
    text_ck = comune_key(parsed.comune) if parsed.comune else ""
    post_ck = postcodes.get(parsed.postcode, "") if parsed.postcode else ""
    if not given:
        return text_ck or post_ck, ""
    ck = comune_key(given)
    if text_ck and text_ck != ck:
        return ck, _conflict(text_ck, ck)
    if post_ck and post_ck != ck and post_ck in known:
        return ck, _conflict(post_ck, ck)
    return ck, ""


def _conflict(text_ck: str, ck: str) -> str:
    return (
        f"comune conflict: {comune_name(text_ck)} in the address, "
        f"{comune_name(ck)} given"
    )
