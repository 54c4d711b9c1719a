"""Comune recognition: one key per comune, and the comune each address row is in.

A comune is written many ways in the records (``Milano (MI)``, ``MILAN``,
ISTAT ``015146``, Belfiore ``F205``); :func:`comune_key` reduces them to one
key (``MILANO``). :func:`resolve_comune` decides the comune of a row from the
comune given with it and the one its address names (by name or postcode).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from geo_alloggi.address import ParsedAddress, normalize_text

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


def resolve_comune(
    given: str,
    parsed: ParsedAddress,
    *,
    postcodes: Mapping[str, str],
    known: frozenset[str],
) -> tuple[str, str]:
    """Return the comune key of a row and, if any, why it conflicts with the address.

    The row's column or ``comune=`` wins; but when the address itself names
    another known comune (by name or postcode), the row is not placed.
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
    for other in (text_ck, post_ck):
        if other and other != ck and other in known:
            return ck, f"comune conflict: {other} in the address, {ck} given"
    return ck, ""
