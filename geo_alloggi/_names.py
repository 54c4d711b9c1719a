"""Reviewed proper names of Milan's 88 NIL (PGT 2030), keyed by ``ID_NIL``.

The official file writes names in capitals with apostrophes for accents
(``CITTA' STUDI``, ``MONLUE'``) and a few abbreviations (``PTA ROMANA``,
``P.TA``, ``S.``). Each name below was reviewed by hand: real accents
(``Città``, ``Monluè``), ``Ca'`` kept (an elision, not an accent), Italian
lower-case particles (``del``, ``sul``, ``in``), ``Q.re`` for *quartiere*,
``QT 8`` and the Roman numeral of ``XXII Marzo`` kept in capitals.
A NIL whose ``ID_NIL`` is not here (a future release) falls back to
:func:`title_name`.
"""

from __future__ import annotations

import re

NIL_NAMES: dict[int, str] = {
    1: "Duomo",
    2: "Brera",
    3: "Giardini Porta Venezia",
    4: "Guastalla",
    5: "Porta Vigentina - Porta Lodovica",
    6: "Porta Ticinese - Conca del Naviglio",
    7: "Magenta - San Vittore",
    8: "Parco Sempione",
    9: "Porta Garibaldi - Porta Nuova",
    10: "Stazione Centrale - Ponte Seveso",
    11: "Isola",
    12: "Maciachini - Maggiolina",
    13: "Greco - Segnano",
    14: "Niguarda - Ca' Granda - Prato Centenaro - Q.re Fulvio Testi",
    15: "Bicocca",
    16: "Gorla - Precotto",
    17: "Adriano",
    18: "Cimiano - Rottole - Q.re Feltre",
    19: "Padova - Turro - Crescenzago",
    20: "Loreto - Casoretto - NoLo",
    21: "Buenos Aires - Porta Venezia - Porta Monforte",
    22: "Città Studi",
    23: "Lambrate - Ortica",
    24: "Parco Forlanini - Cavriano",
    25: "Corsica",
    26: "XXII Marzo",
    27: "Porta Romana",
    28: "Umbria - Molise - Calvairate",
    29: "Ortomercato",
    30: "Taliedo - Morsenchio - Q.re Forlanini",
    31: "Monluè - Ponte Lambro",
    32: "Triulzo Superiore",
    33: "Rogoredo - Santa Giulia",
    34: "Chiaravalle",
    35: "Lodi - Corvetto",
    36: "Scalo Romana",
    37: "Morivione",
    38: "Vigentino - Q.re Fatima",
    39: "Quintosole",
    40: "Ronchetto delle Rane",
    41: "Gratosoglio - Q.re Missaglia - Q.re Terrazze",
    42: "Stadera - Chiesa Rossa - Q.re Torretta - Conca Fallata",
    43: "Tibaldi",
    44: "Porta Ticinese - Conchetta",
    45: "Moncucco - San Cristoforo",
    46: "Barona",
    47: "Cantalupa",
    48: "Ronchetto sul Naviglio - Q.re Lodovico il Moro",
    49: "Giambellino",
    50: "Porta Genova",
    51: "Porta Magenta",
    52: "Bande Nere",
    53: "Lorenteggio",
    54: "Muggiano",
    55: "Baggio - Q.re degli Olmi - Q.re Valsesia",
    56: "Forze Armate",
    57: "San Siro",
    58: "De Angeli - Monte Rosa",
    59: "Tre Torri",
    60: "Stadio - Ippodromi",
    61: "Quarto Cagnino",
    62: "Quinto Romano",
    63: "Figino",
    64: "Trenno",
    65: "Q.re Gallaratese - Q.re San Leonardo - Lampugnano",
    66: "QT 8",
    67: "Portello",
    68: "Pagano",
    69: "Sarpi",
    70: "Ghisolfa",
    71: "Villapizzone - Cagnola - Boldinasco",
    72: "Maggiore - Musocco - Certosa",
    73: "Cascina Merlata",
    74: "Roserio",
    75: "Stephenson",
    76: "Quarto Oggiaro - Vialba - Musocco",
    77: "Bovisa",
    78: "Farini",
    79: "Dergano",
    80: "Affori",
    81: "Bovisasca",
    82: "Comasina",
    83: "Bruzzano",
    84: "Parco Nord",
    85: "Parco delle Abbazie",
    86: "Parco dei Navigli",
    87: "Assiano",
    88: "Parco Bosco in Città",
}

_LOWER = {
    "del",
    "della",
    "delle",
    "dei",
    "degli",
    "di",
    "il",
    "in",
    "sul",
    "sulla",
    "e",
}
_ACCENT = {"A": "à", "E": "è", "I": "ì", "O": "ò", "U": "ù"}
_ROMAN = re.compile(r"^[IVXLC]+$")
#: Short codes kept in capitals (QT 8 is the "Quartiere Triennale 8").
_CODES = {"QT"}


def title_name(name: str) -> str:
    """Title-case an upper-case Italian place name, restoring final accents.

    ``CITTA' STUDI`` → ``Città Studi``; ``CA'`` stays ``Ca'``; Roman numerals
    and short codes with digits stay in capitals.

    Examples
    --------
    >>> title_name("PARCO BOSCO IN CITTA'")
    'Parco Bosco in Città'
    >>> title_name("XXII MARZO")
    'XXII Marzo'
    """
    words = []
    for i, word in enumerate(str(name).split()):
        upper = word.upper()
        if upper == "CA'":
            words.append("Ca'")
        elif len(upper) > 2 and upper.endswith("'") and upper[-2] in _ACCENT:
            words.append(upper[:-2].capitalize() + _ACCENT[upper[-2]])
        elif (
            (_ROMAN.match(upper) and len(upper) > 1)
            or upper in _CODES
            or any(ch.isdigit() for ch in upper)
        ):
            words.append(upper)
        elif i > 0 and upper.lower() in _LOWER:
            words.append(upper.lower())
        else:
            words.append("-".join(p.capitalize() for p in word.split("-")))
    return " ".join(words)
