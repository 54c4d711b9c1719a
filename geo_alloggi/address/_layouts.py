"""Write a clean address in each layout Italian offices use (tests, benchmarks).

Agency files write the same civic number in many layouts: the comune before
or after the street, with or without a comma, dash, CAP or province, an
internal code first, Aler's apostrophe before the number, staircases and
flats after it. :func:`address_in_layout` writes one address in one named
layout family, deterministically, so that a check can rewrite official
addresses in every family and measure how many are still placed.
"""

from __future__ import annotations

import re

from geo_alloggi.address._comuni import find_comune
from geo_alloggi.address._text import fold

#: Layout families of issue 11, each with the comune in the text only.
LAYOUT_FAMILIES: tuple[str, ...] = (
    "comune_after",  # VIA MAC MAHON 89, MILANO
    "comune_after_cap_province",  # Via Mac Mahon 89 - 20154 Milano (MI)
    "comune_before",  # MILANO VIA MAC MAHON 89
    "comune_before_comma",  # Milano, Via Mac Mahon 89
    "comune_before_dash",  # Milano (MI) - via Mac Mahon n. 89
    "cap_before",  # 20154 Milano (MI), via Mac Mahon 89
    "internal_code",  # 00585175 MILANO VIA MAC MAHON '89
    "aler_apostrophe",  # VIA MAC MAHON '89 A, MILANO
    "number_prefix",  # via Mac Mahon nr. 89, Milano
    "staircase",  # Via Mac Mahon 89 sc. B int. 4 piano 3, Milano
    "care_of",  # c/o Aler Milano, Via Mac Mahon 89 - Milano
    "place_before",  # quartiere San Siro, via Mac Mahon 89, Milano
    "no_number",  # Via Mac Mahon snc, Milano
)

_NUMBER = re.compile(r"^\s*(\d{1,4})\s*(?:/\s*(\d{1,3}))?\s*/?\s*([A-Z]+)?\s*$")


def _split_number(housenumber: str | int) -> tuple[str, str, str]:
    """(digits, slash part, letters) of ``12``, ``12A``, ``24/2``, ``9/9/A``."""
    m = _NUMBER.match(fold(str(housenumber)))
    if m is None:
        return str(housenumber).strip(), "", ""
    return m.group(1), m.group(2) or "", m.group(3) or ""


def address_in_layout(
    street_type: str,
    street_name: str,
    housenumber: str | int,
    comune: str,
    layout: str,
    *,
    postcode: str = "",
    province: str = "MI",
    code: str = "00585175",
    place: str = "quartiere San Siro",
) -> str:
    """Write one address in one layout family of :data:`LAYOUT_FAMILIES`.

    Parameters
    ----------
    street_type, street_name : str
        The street as the reference writes it (``VIA``, ``MAC MAHON``).
    housenumber : str or int
        Civic number with esponente as in the reference: ``89``, ``89A``,
        ``24/2``, ``12BIS``. A slash number is written ``24.2`` in the
        ``number_prefix`` family (``15/103`` stays: three digits after a dot
        are not read as a slash number) and ``24/2`` elsewhere.
    comune : str
        The comune, written in the text (``Milano``).
    layout : str
        A name of :data:`LAYOUT_FAMILIES`.
    postcode : str, default ''
        CAP (default: the comune's first CAP in ISTAT's list, if the comune is one of
        Lombardy).
    province : str, default 'MI'
        Province code.
    code : str, default '00585175'
        The internal code of the ``internal_code`` family.
    place : str, default 'quartiere San Siro'
        The estate or quarter of the ``place_before`` family.

    Returns
    -------
    str
        The address. ``no_number`` drops the civic number (``snc``).

    Raises
    ------
    ValueError
        For a layout that is not one of :data:`LAYOUT_FAMILIES`.

    Examples
    --------
    >>> address_in_layout("VIA", "MAC MAHON", "89A", "Milano", "internal_code")
    "00585175 MILANO VIA MAC MAHON '89 A"
    >>> address_in_layout("Via", "Balilla", "30/2", "Milano", "number_prefix")
    'via Balilla nr. 30.2, Milano'
    """
    digits, slash, letters = _split_number(housenumber)
    if not postcode:
        known = find_comune(comune)
        postcode = known.postcodes[0] if known is not None and known.postcodes else ""
    up = f"{street_type} {street_name}".strip().upper()
    title = f"{street_type.title()} {street_name.title()}".strip()
    low = f"{street_type.lower()} {street_name.title()}".strip()
    num = digits + (f"/{slash}" if slash else "") + letters
    spaced = (
        digits + (f"/{slash}" if slash else "") + (f" {letters}" if letters else "")
    )
    cap = f"{postcode} " if postcode else ""
    prov = f" ({province})" if province else ""
    c_up = comune.upper()
    forms = {
        "comune_after": f"{up} {num}, {c_up}",
        "comune_after_cap_province": f"{title} {num} - {cap}{comune}{prov}",
        "comune_before": f"{c_up} {up} {num}",
        "comune_before_comma": f"{comune}, {title} {num}",
        "comune_before_dash": f"{comune}{prov} - {low} n. {num}",
        "cap_before": f"{cap}{comune}{prov}, {low} {spaced}",
        "internal_code": f"{code} {c_up} {up} '{spaced}",
        "aler_apostrophe": f"{up} '{spaced}, {c_up}",
        "number_prefix": (
            f"{low} nr. {digits}"
            + (f".{slash}" if 0 < len(slash) <= 2 else f"/{slash}" if slash else "")
            + (f" {letters.lower()}" if letters else "")
            + f", {comune}"
        ),
        "staircase": f"{title} {num} sc. B int. 4 piano 3, {comune}",
        "care_of": f"c/o Aler Milano, {title} {num} - {comune}",
        "place_before": f"{place}, {low} {num}, {comune}",
        "no_number": f"{title} snc, {comune}",
    }
    if layout not in forms:
        raise ValueError(
            f"address_in_layout: layout={layout!r} is not one of "
            f"{', '.join(LAYOUT_FAMILIES)}"
        )
    return forms[layout]
