"""Fold Italian address text and recognise street types and street-name keys.

The low-level vocabulary shared by the parser and the geocoder's index:
:func:`normalize_text` (case, accents, apostrophes, punctuation), the street
types and their office abbreviations (:data:`STREET_TYPES`,
:func:`split_street_type`), common first names (:data:`FIRST_NAMES`), dates in
street names and :func:`street_key`. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Street types (long form, as the address reference writes them) and the
#: abbreviations offices use for them. Abbreviations are matched with or
#: without dots and inner spaces (``P.ZZA``, ``P. ZZA``, ``PZZA``).
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "VIA PRIVATA": ("VIA PRIVATA", "VPR", "V.PR", "VIA PRIV."),
    "STRADA PRIVATA": ("STRADA PRIVATA", "STR. PRIV.", "SDA PRIV."),
    "RACCORDO CAVALCAVIA": ("RACCORDO CAVALCAVIA", "RCA"),
    "VIALE": ("VIALE", "VLE", "V.LE", "V.L."),
    "VIA": ("VIA", "V."),
    "PIAZZALE": ("PIAZZALE", "PLE", "P.LE", "P.ZLE", "PZLE", "P.ALE"),
    "PIAZZETTA": ("PIAZZETTA", "PZT", "P.TTA", "PZTA", "P.ZTA"),
    "PIAZZA": ("PIAZZA", "PZA", "PZZA", "P.ZZA", "P.ZA", "P.ZZ", "P.A", "P."),
    "CORSO": ("CORSO", "CSO", "C.SO", "C."),
    "LARGO": ("LARGO", "LGO", "L.GO", "L."),
    "VICOLO": ("VICOLO", "VLO", "V.LO", "VIC."),
    "ALZAIA": ("ALZAIA", "ALZ", "ALZ."),
    "BASTIONI": ("BASTIONI", "BST", "BNI", "B.NI"),
    "GALLERIA": ("GALLERIA", "GLL", "GALL.", "GAL."),
    "PASSAGGIO": ("PASSAGGIO", "PAS", "PASS."),
    "PASSEGGIATA": ("PASSEGGIATA", "PSG"),
    "PASSERELLA": ("PASSERELLA", "PSR"),
    "RIPA": ("RIPA", "RIP"),
    "FORO": ("FORO",),
    "STRADA": ("STRADA", "SDA", "STR."),
    "SITO": ("SITO", "STO", "SIT"),
    "PARCO": ("PARCO", "PCO", "PAR"),
    "GIARDINO": ("GIARDINO", "GNO", "GRD"),
    "GIARDINI": ("GIARDINI",),
    "CAVALCAVIA": ("CAVALCAVIA", "CAV"),
    "SOTTOPASSO": ("SOTTOPASSO", "STT"),
    "SOTTOVIA": ("SOTTOVIA", "STV"),
    "TANGENZIALE": ("TANGENZIALE", "TGZ"),
    "LOCALITA": ("LOCALITA", "LOC.", "LOC"),
    "ROTATORIA": ("ROTATORIA", "ROT"),
    "PONTE": ("PONTE", "PTE"),
}

# Short abbreviations that are also words: accepted only when the office
# wrote the dot (``V. ROMA``, ``P. CADORNA``, ``C. BUENOS AIRES``).
DOT_ONLY = {"V.", "P.", "C.", "L.", "STR.", "VIC.", "LOC."}

#: Common Italian first names (and a few titles) found at the start of street
#: names; offices abbreviate them to an initial or drop them.

FIRST_NAMES: frozenset[str] = frozenset(
    [
        "ACHILLE",
        "ADA",
        "ADOLFO",
        "ADRIANO",
        "AGOSTINO",
        "ALBERTO",
        "ALBERICO",
        "ALBINO",
        "ALCIDE",
        "ALDO",
        "ALESSANDRO",
        "ALESSANDRA",
        "ALFONSO",
        "ALFREDO",
        "AMBROGIO",
        "AMEDEO",
        "AMILCARE",
        "ANDREA",
        "ANGELO",
        "ANNA",
        "ANNIBALE",
        "ANTONIO",
        "ARMANDO",
        "ARNALDO",
        "ARRIGO",
        "ARTURO",
        "ATTILIO",
        "AUGUSTO",
        "AURELIO",
        "BARTOLOMEO",
        "BENEDETTO",
        "BERNARDINO",
        "BERNARDO",
        "BIAGIO",
        "BRUNO",
        "CAMILLO",
        "CARLO",
        "CARLA",
        "CAROLINA",
        "CESARE",
        "CLAUDIO",
        "CORRADO",
        "COSTANTINO",
        "CRISTOFORO",
        "DANIELE",
        "DANTE",
        "DARIO",
        "DOMENICO",
        "EDOARDO",
        "EDMONDO",
        "ELENA",
        "ELIA",
        "EMILIO",
        "ENRICO",
        "ERCOLE",
        "ERNESTO",
        "ETTORE",
        "EUGENIO",
        "EZIO",
        "FABIO",
        "FAUSTO",
        "FEDERICO",
        "FELICE",
        "FERDINANDO",
        "FILIPPO",
        "FLAMINIO",
        "FRANCESCO",
        "FRANCO",
        "FULVIO",
        "GABRIELE",
        "GAETANO",
        "GALEAZZO",
        "GASPARE",
        "GEROLAMO",
        "GIACOMO",
        "GIAN",
        "GIANBATTISTA",
        "GIAMBATTISTA",
        "GINO",
        "GIORGIO",
        "GIOVANNI",
        "GIROLAMO",
        "GIULIO",
        "GIULIA",
        "GIUSEPPE",
        "GIUSEPPINA",
        "GUGLIELMO",
        "GUIDO",
        "IGNAZIO",
        "ITALO",
        "IVAN",
        "LAURA",
        "LEONARDO",
        "LODOVICO",
        "LORENZO",
        "LUCA",
        "LUCIANO",
        "LUDOVICO",
        "LUIGI",
        "LUISA",
        "MARCELLO",
        "MARCO",
        "MARIA",
        "MARIANO",
        "MARIO",
        "MASSIMO",
        "MATTEO",
        "MAURO",
        "MICHELE",
        "NATALE",
        "NICOLA",
        "NICOLO",
        "OTTAVIO",
        "PAOLO",
        "PASQUALE",
        "PIER",
        "PIERO",
        "PIETRO",
        "RAFFAELE",
        "RAFFAELLO",
        "RICCARDO",
        "ROBERTO",
        "RODOLFO",
        "ROMOLO",
        "SALVATORE",
        "SANDRO",
        "SERGIO",
        "SEBASTIANO",
        "SILVIO",
        "SIMONE",
        "STEFANO",
        "TEODORO",
        "TOMMASO",
        "TULLIO",
        "UGO",
        "UMBERTO",
        "VALENTINO",
        "VINCENZO",
        "VITTORIO",
        "VITO",
    ]
)

MONTHS = (
    "GENNAIO",
    "FEBBRAIO",
    "MARZO",
    "APRILE",
    "MAGGIO",
    "GIUGNO",
    "LUGLIO",
    "AGOSTO",
    "SETTEMBRE",
    "OTTOBRE",
    "NOVEMBRE",
    "DICEMBRE",
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


_APOSTROPHES = "'’‘`´ʼ"
_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))
_APOSTROPHE_BETWEEN = re.compile(r"(?<=[A-Z])'(?=[A-Z])")
_KEEP = re.compile(r"[^A-Z0-9/, ]+")
_COMMAS = re.compile(r"\s*,[\s,]*")
HAS_ALNUM = re.compile(r"[A-Z0-9]")
_PLAIN = re.compile(r"[A-Z ]*")
YEAR = re.compile(r"\d{4}")


def fold(text: str) -> str:
    """Upper case without accents (``Città`` -> ``CITTA``)."""
    if text.isascii():
        return text.upper()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.upper()


def normalize_text(text: Any) -> str:
    """Fold case, accents and punctuation of a free text.

    Upper case, accents removed (``Città`` -> ``CITTA``), an apostrophe between
    letters becomes a space (``DELL'ANNUNCIATA`` -> ``DELL ANNUNCIATA``) and
    after a letter disappears (``CITTA'`` -> ``CITTA``); every character other
    than A-Z, 0-9, ``/`` and ``,`` becomes a space; spaces are collapsed.
    Non-strings (None, NaN) give ``""``.

    Parameters
    ----------
    text : object
        Any value.

    Returns
    -------
    str
        The folded text.
    """
    if not isinstance(text, str):
        return ""
    if _PLAIN.fullmatch(text) is not None:  # capitals and spaces: only spacing
        return " ".join(text.split())
    if text.isascii():  # the usual case: only the backtick is an odd apostrophe
        s = text.upper()
        if "`" in s:
            s = s.replace("`", "'")
    else:
        s = fold(text).translate(_APOSTROPHE_TABLE)
    if "'" in s:
        s = _APOSTROPHE_BETWEEN.sub(" ", s).replace("'", "")
    s = " ".join(_KEEP.sub(" ", s).split())
    if "/" in s:
        s = s.replace(" /", "/").replace("/ ", "/")
    if "," in s:
        s = _COMMAS.sub(", ", s)
    return s.strip(" ,/")


def _abbr_pattern(abbr: str) -> str:
    parts = [re.escape(p) for p in abbr.replace(".", ". ").split()]
    out = ""
    for i, p in enumerate(parts):
        if i:
            out += r"\s*"
        out += p.replace(r"\.", r"\.?") if abbr not in DOT_ONLY else p
    return out


_TypeRegexes = tuple[re.Pattern[str], re.Pattern[str]]


def _build_type_regex() -> tuple[_TypeRegexes, dict[str, _TypeRegexes]]:
    """Build the two type regexes, and the same per first letter of a type.

    Each regex of a letter holds only the alternatives starting with it, in
    the same order and under the same group names: on a text starting with
    that letter it matches exactly as the full regex does, trying a tenth of
    the alternatives.
    """
    alts: list[tuple[str, str]] = []
    for long, abbrs in STREET_TYPES.items():
        for a in abbrs:
            alts.append((a, long))
    alts.sort(key=lambda x: -len(x[0].replace(".", "")))
    TYPE_OF.extend(long for _, long in alts)
    TYPE_ABBR.extend(a for a, _ in alts)
    tail = r"(?:[\s.,]+|$|(?<=\.)(?=[A-Z]))"

    def compiled(first: str | None) -> _TypeRegexes:
        groups = "|".join(
            f"(?P<t{i}>{_abbr_pattern(a)})"
            for i, (a, _) in enumerate(alts)
            if first is None or a[0] == first
        )
        return (
            re.compile(rf"^\s*(?:{groups}){tail}"),
            re.compile(rf"(?:{groups}){tail}"),
        )

    firsts = {a[0] for a, _ in alts}
    if not all("A" <= c <= "Z" for c in firsts):  # pragma: no cover
        raise AssertionError("every street type abbreviation starts with A-Z")
    return compiled(None), {c: compiled(c) for c in sorted(firsts)}


#: long form and written abbreviation of each named group ``t<i>`` of the regexes
TYPE_OF: list[str] = []
TYPE_ABBR: list[str] = []
#: a street type at the start of a text; :data:`TYPE_AT`: at ``pos`` of
#: ``TYPE_AT.match(text, pos)``
(TYPE_RE, TYPE_AT), _TYPE_BY_FIRST = _build_type_regex()


def match_type_at(text: str, pos: int = 0) -> re.Match[str] | None:
    """``TYPE_AT.match(text, pos)``, trying only the types starting at ``text[pos]``.

    Parameters
    ----------
    text : str
        Folded text.
    pos : int, default 0
        Where the street type would start.

    Returns
    -------
    re.Match or None
        The same match as :data:`TYPE_AT` gives.
    """
    c = text[pos : pos + 1]
    got = _TYPE_BY_FIRST.get(c)
    if got is not None:
        return got[1].match(text, pos)
    if c.isascii() and c.isalnum():
        return None  # no type starts with this letter or digit
    return TYPE_AT.match(text, pos)


def match_leading_type(text: str) -> re.Match[str] | None:
    """``TYPE_RE.match(text)``, trying only the types starting at ``text[0]``.

    Parameters
    ----------
    text : str
        Folded text.

    Returns
    -------
    re.Match or None
        The same match as :data:`TYPE_RE` gives.
    """
    c = text[:1]
    got = _TYPE_BY_FIRST.get(c)
    if got is not None:
        return got[0].match(text)
    if c.isascii() and c.isalnum():
        return None  # neither a space nor the start of a type
    return TYPE_RE.match(text)


# whole first words that are certainly a street type (checked before the regex)
FAST_TYPES: dict[str, str] = {
    a: long
    for long, abbrs in STREET_TYPES.items()
    for a in abbrs
    if " " not in a
    and a not in DOT_ONLY
    and long not in ("VIA PRIVATA", "STRADA PRIVATA")
}


def split_street_type(text: str) -> tuple[str, str]:
    """Split a leading street type off a text (raw or normalised).

    Parameters
    ----------
    text : str
        Text starting with a street type in any usual spelling, upper case
        (``V.LE FULVIO TESTI``); lower case is accepted too.

    Returns
    -------
    tuple of str
        ``(type_long_form, rest)``; ``("", text)`` when there is no type.

    Examples
    --------
    >>> split_street_type("P.ZZA DEL DUOMO")
    ('PIAZZA', 'DEL DUOMO')
    """
    if not isinstance(text, str):
        return "", ""
    up = fold(text)
    m = match_leading_type(up)
    if m is None or m.lastgroup is None:
        return "", text.strip()
    long = TYPE_OF[int(m.lastgroup[1:])]
    rest = up[m.end() :].strip()
    if not rest or not HAS_ALNUM.search(rest):
        # a type alone is a name (``Via``), not a type with an empty name
        return "", text.strip()
    return long, rest


# --------------------------------------------------------------------------
# dates in street names

MONTH_SET = frozenset(MONTHS)
# day numbers written in words, as Milan's street register does (``VENTICINQUE APRILE``)
DAY_WORDS: dict[str, int] = {
    w: i + 1
    for i, w in enumerate(
        [
            "UNO",
            "DUE",
            "TRE",
            "QUATTRO",
            "CINQUE",
            "SEI",
            "SETTE",
            "OTTO",
            "NOVE",
            "DIECI",
            "UNDICI",
            "DODICI",
            "TREDICI",
            "QUATTORDICI",
            "QUINDICI",
            "SEDICI",
            "DICIASSETTE",
            "DICIOTTO",
            "DICIANNOVE",
            "VENTI",
            "VENTUNO",
            "VENTIDUE",
            "VENTITRE",
            "VENTIQUATTRO",
            "VENTICINQUE",
            "VENTISEI",
            "VENTISETTE",
            "VENTOTTO",
            "VENTINOVE",
            "TRENTA",
            "TRENTUNO",
        ]
    )
} | {"PRIMO": 1}
DATE_WORDS = MONTH_SET | {"GIORNATE"}


def roman_to_int(token: str) -> int | None:
    if not token or any(c not in _ROMAN for c in token) or len(token) > 6:
        return None
    total = 0
    prev = 0
    for c in reversed(token):
        v = _ROMAN[c]
        if v < prev:
            total -= v
        else:
            total += v
            prev = v
    return total if 0 < total <= 100 else None


# --------------------------------------------------------------------------
# street keys


# ``DUOMO (DEL)``: the registry's particle in brackets at the end
_REGISTRY_PARTICLE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def street_key(name: Any) -> str:
    """Return the comparable form of a street name (without type).

    Folded like :func:`normalize_text`, commas and slashes removed, the day of
    a date written in figures whether it came in roman numerals or in words
    (``XXV APRILE``, ``VENTICINQUE APRILE`` -> ``25 APRILE``), registry
    particles in brackets moved to the front (``DUOMO (DEL)`` -> ``DEL DUOMO``).

    Parameters
    ----------
    name : object
        A street name without its type; a non-string gives ``""``.

    Returns
    -------
    str
        The comparable key (``""`` for an empty name).

    Examples
    --------
    >>> street_key("XXV Aprile")
    '25 APRILE'
    >>> street_key("Otto Ottobre 2001")
    '8 OTTOBRE 2001'
    >>> street_key("DUOMO (DEL)")
    'DEL DUOMO'
    """
    if not isinstance(name, str):
        return ""
    m = _REGISTRY_PARTICLE.match(name) if ")" in name else None
    if m:
        name = f"{m.group(2)} {m.group(1)}"
    s = normalize_text(name).replace(",", " ").replace("/", " ")
    toks = s.split()
    if DATE_WORDS.isdisjoint(toks):
        return " ".join(toks)
    for i, t in enumerate(toks[:-1]):
        if toks[i + 1] in DATE_WORDS:
            v = DAY_WORDS.get(t) or roman_to_int(t)
            if v is not None:
                toks[i] = str(v)
    return " ".join(toks)
