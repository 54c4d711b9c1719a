"""Write a clean address the way an office might have typed it (seeded)."""

from __future__ import annotations

import re
from typing import Any

from geo_alloggi.address._text import FIRST_NAMES, fold

_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "VIA": ("VIA", "V.", "Via", "via", ""),
    "VIALE": ("VIALE", "V.LE", "VLE", "V.le", "Viale"),
    "PIAZZA": ("PIAZZA", "P.ZZA", "P.ZA", "PZA", "P.za", "Piazza"),
    "PIAZZALE": ("PIAZZALE", "P.LE", "PLE", "P.le", "Piazzale"),
    "CORSO": ("CORSO", "C.SO", "CSO", "C.so", "Corso"),
    "LARGO": ("LARGO", "L.GO", "LGO", "Largo"),
    "VICOLO": ("VICOLO", "V.LO", "VLO", "Vicolo"),
    "ALZAIA": ("ALZAIA", "ALZ", "Alzaia"),
}


def _typo(word: str, rng: Any) -> str:
    if len(word) < 6:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:  # deletion
        return word[:i] + word[i + 1 :]
    if kind == 1:  # transposition
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]  # doubled letter


def messy_address(
    street_type: str,
    street_name: str,
    housenumber: str | int,
    *,
    rng: Any,
    comune: str | None = None,
    postcode: str | None = None,
    typo_rate: float = 0.15,
) -> str:
    """Write a clean address the way an office might have typed it.

    Parameters
    ----------
    street_type : str
        Long form (``VIA``, ``Viale``); ``""`` when none.
    street_name : str
        Descriptive name (``FULVIO TESTI``).
    housenumber : str or int
        House number with esponente as in the reference (``12``, ``12A``,
        ``24/2``).
    rng : numpy.random.Generator
        A :class:`numpy.random.Generator` (seeded): the same seed gives the
        same variants.
    comune, postcode : str or None, default None
        Added (or not) at random after the number.
    typo_rate : float, default 0.15
        Probability of one typing error (deleted, swapped or doubled letter) in
        the longest word of the name.

    Returns
    -------
    str
        A messy spelling: abbreviated or dropped street type, first names
        abbreviated to an initial or dropped, accents and apostrophes lost,
        random case, esponente written ``12/A``, ``12 A``, ``12a`` or ``12 bis``,
        ``n.`` before the number, the comune and postcode in varied forms.

    Examples
    --------
    >>> import numpy as np
    >>> messy_address("VIALE", "FULVIO TESTI", "12", rng=np.random.default_rng(1))
    'Viale TESTI ,12'
    """
    stype = fold(street_type).strip()
    name = fold(street_name).strip()
    toks = name.split()
    # first names: abbreviate or drop
    if len(toks) >= 2 and toks[0] in FIRST_NAMES:
        u = rng.random()
        if u < 0.3:
            toks[0] = toks[0][0] + "."
        elif u < 0.55:
            toks = toks[1:]
    if toks and rng.random() < typo_rate:
        j = max(range(len(toks)), key=lambda k: len(toks[k]))
        toks[j] = _typo(toks[j], rng)
    if rng.random() < 0.2:
        toks = [t.replace("'", "") for t in toks]
    choices = _ABBREVIATIONS.get(stype, (stype, stype.title()))
    t = str(choices[int(rng.integers(0, len(choices)))]) if stype else ""
    hn = str(housenumber).strip().upper()
    m = re.match(r"^(\d+)\s*/?\s*([A-Z]+|\d+)?$", hn)
    if m and m.group(2):
        base, suf = m.group(1), m.group(2)
        if suf.isdigit():
            hn = f"{base}/{suf}"
        else:
            forms = (
                f"{base}/{suf}",
                f"{base} {suf}",
                f"{base}{suf.lower()}",
                f"{base}{suf}",
            )
            hn = forms[int(rng.integers(0, len(forms)))]
    u = rng.random()
    if u < 0.15:
        hn = "n. " + hn
    elif u < 0.2:
        hn = "N." + hn
    sep = (" ", ", ", " ,")[int(rng.integers(0, 3))]
    street = " ".join(p for p in (t, " ".join(toks)) if p)
    case = int(rng.integers(0, 3))
    if case == 0:
        street = street.lower()
    elif case == 1:
        street = street.title()
    out = f"{street}{sep}{hn}"
    v = rng.random()
    if comune and v < 0.5:
        c = str(comune)
        if postcode and rng.random() < 0.5:
            c = f"{postcode} {c}"
        forms = (f", {c}", f" - {c.upper()}", f", {c} (MI)", f" {c.upper()}")
        out += forms[int(rng.integers(0, len(forms)))]
    if rng.random() < 0.1:
        out = "  " + out.replace(" ", "  ", 1) + " "
    return out
