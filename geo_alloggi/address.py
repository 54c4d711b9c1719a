"""Parse and normalise Italian addresses (pure functions, no I/O).

Addresses of Italian public-housing records are typed by different offices
in different ways: ``V.LE FULVIO TESTI 12``, ``via f. testi, 12 - 20126
milano``, ``P.LE SELINUNTE 4/A``, ``Via Scalarini 7``. The functions here
turn any of them into the same parts:

* :func:`normalize_text` - upper case, accents and apostrophes folded,
  punctuation turned into spaces (commas kept as separators);
* :func:`parse_address` - a :class:`ParsedAddress` with street type (long
  form, ``VIALE``), street name, house number, esponente (``A``, ``BIS``,
  ``/2`` as ``2``), postcode and comune;
* :func:`normalize_address` - one canonical string per address
  (``VIALE FULVIO TESTI 12A, 20126 MILANO``), idempotent;
* :func:`street_key` - the comparable form of a street name (roman numerals
  of dates written in figures, ``XXV APRILE`` -> ``25 APRILE``);
* :func:`messy_address` - a seeded generator of realistic messy spellings of
  a clean address, used by tests, benchmarks and the synthetic data.

None of these functions raises on a string, whatever it holds.

Examples
--------
>>> p = parse_address("via f. testi, 12/a - 20126 Milano (MI)")
>>> (p.street_type, p.street_name, p.housenumber, p.suffix, p.postcode, p.comune)
('VIA', 'F TESTI', 12, 'A', '20126', 'MILANO')
>>> normalize_address("P.LE SELINUNTE 4/A")
'PIAZZALE SELINUNTE 4A'
>>> normalize_address("Via 8 Ottobre 2001 n. 12")
'VIA 8 OTTOBRE 2001 12'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

__all__ = [
    "FIRST_NAMES",
    "STREET_TYPES",
    "ParsedAddress",
    "format_address",
    "messy_address",
    "normalize_address",
    "normalize_text",
    "parse_address",
    "split_street_type",
    "street_key",
]

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
_DOT_ONLY = {"V.", "P.", "C.", "L.", "STR.", "VIC.", "LOC."}

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

_MONTHS = (
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
_PROVINCES = {"MI", "MB", "BG", "BS", "CO", "CR", "LC", "LO", "MN", "PV", "SO", "VA"}
# comuni recognised at the end of a string written without any separator
_TRAILING_COMUNI = ("CINISELLO BALSAMO", "SESTO SAN GIOVANNI", "MILANO", "MILAN")
_ESPONENTI = ("QUATER", "BIS", "TER")
# words about the flat, not the address (``int. 3``, ``scala B``): not a comune
_FLAT_WORDS = frozenset(
    {
        "INT",
        "INTERNO",
        "SCALA",
        "SC",
        "PIANO",
        "APP",
        "APPARTAMENTO",
        "PAL",
        "PALAZZINA",
    }
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


class ParsedAddress(NamedTuple):
    """The parts of one Italian address.

    Attributes
    ----------
    street_type
        Long form in capitals (``VIA``, ``VIALE``, ``PIAZZALE``), or ``""``.
    street_name
        Name without the type, normalised (``FULVIO TESTI``).
    housenumber
        The civic number, or None (absent, ``SNC``).
    suffix
        Esponente: a letter (``A``), ``BIS``/``TER``/``QUATER``, or the digits
        after a slash (``2`` for ``24/2``); ``""`` when none.
    postcode
        Five-digit CAP found in the string, or ``""``.
    comune
        Comune found after the street part (``MILANO``), or ``""``.
    """

    street_type: str = ""
    street_name: str = ""
    housenumber: int | None = None
    suffix: str = ""
    postcode: str = ""
    comune: str = ""

    @property
    def street(self) -> str:
        """Type and name (``VIALE FULVIO TESTI``)."""
        return " ".join(p for p in (self.street_type, self.street_name) if p)

    @property
    def number_text(self) -> str:
        """House number with its esponente, canonical (``12A``, ``24/2``)."""
        if self.housenumber is None:
            return ""
        return f"{self.housenumber}{_format_suffix(self.suffix)}"


def _format_suffix(suffix: str) -> str:
    if not suffix:
        return ""
    if suffix.isdigit():
        return "/" + suffix
    if len(suffix) > 1:
        return " " + suffix
    return suffix


# --------------------------------------------------------------------------
# text normalisation

_APOSTROPHES = "'’‘`´ʼ"
_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))
_APOSTROPHE_BETWEEN = re.compile(r"(?<=[A-Z])'(?=[A-Z])")
_KEEP = re.compile(r"[^A-Z0-9/, ]+")
_COMMAS = re.compile(r"\s*,[\s,]*")
_HAS_ALNUM = re.compile(r"[A-Z0-9]")
_YEAR = re.compile(r"\d{4}")
_ESPONENTE = re.compile(r"/?([A-Z]|BIS|TER|QUATER)|/(\d{1,3})")


def _fold(text: str) -> str:
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
    text
        Any value.

    Returns
    -------
    str
        The folded text.
    """
    if not isinstance(text, str):
        return ""
    s = _fold(text).translate(_APOSTROPHE_TABLE)
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
        out += p.replace(r"\.", r"\.?") if abbr not in _DOT_ONLY else p
    return out


def _build_type_regex() -> re.Pattern[str]:
    alts: list[tuple[str, str]] = []
    for long, abbrs in STREET_TYPES.items():
        for a in abbrs:
            alts.append((a, long))
    alts.sort(key=lambda x: -len(x[0].replace(".", "")))
    groups = "|".join(f"(?P<t{i}>{_abbr_pattern(a)})" for i, (a, _) in enumerate(alts))
    _TYPE_OF.extend(long for _, long in alts)
    return re.compile(rf"^\s*(?:{groups})(?:[\s.,]+|$|(?<=\.)(?=[A-Z]))")


_TYPE_OF: list[str] = []
_TYPE_RE = _build_type_regex()
# whole first words that are certainly a street type (checked before the regex)
_FAST_TYPES: dict[str, str] = {
    a: long
    for long, abbrs in STREET_TYPES.items()
    for a in abbrs
    if " " not in a
    and a not in _DOT_ONLY
    and long not in ("VIA PRIVATA", "STRADA PRIVATA")
}


def split_street_type(text: str) -> tuple[str, str]:
    """Split a leading street type off a text (raw or normalised).

    Parameters
    ----------
    text
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
    up = _fold(text)
    m = _TYPE_RE.match(up)
    if m is None or m.lastgroup is None:
        return "", text.strip()
    long = _TYPE_OF[int(m.lastgroup[1:])]
    rest = up[m.end() :].strip()
    if not rest or not _HAS_ALNUM.search(rest):
        # a type alone is a name (``Via``), not a type with an empty name
        return "", text.strip()
    return long, rest


# --------------------------------------------------------------------------
# parsing

_NUMBER_PREFIX = {"N", "NR", "NUM", "NUMERO", "CIV", "CIVICO", "NO"}
_SNC = re.compile(r"\b(?:SNC|S N C|SENZA NUMERO(?: CIVICO)?)\b")
_LEADING_PUNCT = re.compile(r"^[\s,.\-;:]+")
_TOKEN_NUM = re.compile(r"^(\d{1,4})(?:/?([A-Z]|BIS|TER|QUATER)|/(\d{1,3}))?$")
_POSTCODE = re.compile(r"^\d{5}$")
_MONTH_SET = frozenset(_MONTHS)
# day numbers written in words, as Milan's street register does (``VENTICINQUE APRILE``)
_DAY_WORDS: dict[str, int] = {
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
_DATE_WORDS = _MONTH_SET | {"GIORNATE"}


def _roman_to_int(token: str) -> int | None:
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


def _date_mask(tokens: list[str]) -> list[bool]:
    """Mark the tokens of a date in a street name (``8 OTTOBRE 2001``)."""
    mask = [False] * len(tokens)
    if _DATE_WORDS.isdisjoint(tokens):
        return mask
    for i, t in enumerate(tokens):
        if t in _DATE_WORDS:
            mask[i] = True
            if i > 0 and (tokens[i - 1].isdigit() or _roman_to_int(tokens[i - 1])):
                mask[i - 1] = True
            if (
                t in _MONTH_SET
                and i + 1 < len(tokens)
                and _YEAR.fullmatch(tokens[i + 1])
            ):
                mask[i + 1] = True
    return mask


def _number_token(tokens: list[str], i: int) -> tuple[int, str, int] | None:
    """Read a house number starting at token ``i``: (number, suffix, tokens used)."""
    m = _TOKEN_NUM.match(tokens[i])
    if m is None:
        return None
    number = int(m.group(1))
    suffix = m.group(2) or m.group(3) or ""
    used = 1
    if not suffix and i + 1 < len(tokens):
        nxt = tokens[i + 1]
        m2 = _ESPONENTE.fullmatch(nxt)
        if m2 is not None:
            suffix = m2.group(1) or m2.group(2) or ""
            used = 2
    return number, suffix, used


def _split_comune(rest: str) -> tuple[str, str]:
    """(postcode, comune) from the text after the street part."""
    postcode = ""
    words: list[str] = []
    toks = rest.replace(",", " ").split()
    for i, t in enumerate(toks):
        if t in _FLAT_WORDS or (i > 0 and toks[i - 1] in _FLAT_WORDS and len(t) <= 2):
            continue
        if _POSTCODE.match(t):
            if not postcode:
                postcode = t
            continue
        if not t.isalpha():
            continue
        words.append(t)
    if len(words) > 1 and words[-1] in _PROVINCES:
        words = words[:-1]
    if words == ["MI"] or words == ["MILAN"]:
        words = ["MILANO"]
    return postcode, " ".join(words)


def parse_address(text: Any) -> ParsedAddress:
    """Split an Italian address into its parts.

    Parameters
    ----------
    text
        An address as typed: ``"V.LE FULVIO TESTI 12"``,
        ``"via f. testi, 12 - 20126 milano"``, ``"P.LE SELINUNTE 4/A"``,
        ``"Via 8 Ottobre 2001, 3 bis"``, ``"Piazza XXV Aprile snc"``.
        Any other value gives an empty :class:`ParsedAddress`.

    Returns
    -------
    ParsedAddress
        Street type in long form, street name, house number with esponente,
        postcode and comune (when written in the string).

    Notes
    -----
    The house number is the first number after the start of the street name
    that is not part of a date (``8 OTTOBRE 2001``, ``XXV APRILE``,
    ``5 GIORNATE``) nor a five-digit postcode. Words after it (``MILANO``,
    ``(MI)``) are the comune; without a number, the comune is what follows the
    first comma, or a known comune name ending the string. Never raises.

    Examples
    --------
    >>> parse_address("V.LE FULVIO TESTI 12").street_type
    'VIALE'
    >>> parse_address("Via 8 Ottobre 2001 n. 12").housenumber
    12
    """
    if not isinstance(text, str):
        return ParsedAddress()
    up = _LEADING_PUNCT.sub("", _fold(text))
    stype = ""
    word = up.split(" ", 1)[0].rstrip(",")
    fast = _FAST_TYPES.get(word)
    if fast is not None and not up.startswith(("VIA PRIV", "STRADA PRIV")):
        # the usual spellings, without the full regular expression
        rest = normalize_text(up[len(word) :])
        if _HAS_ALNUM.search(rest):
            stype, s = fast, rest
    else:
        m = _TYPE_RE.match(up)
        if m is not None and m.lastgroup is not None:
            rest = normalize_text(up[m.end() :])
            if _HAS_ALNUM.search(rest):
                stype = _TYPE_OF[int(m.lastgroup[1:])]
                s = rest
    if not stype:
        s = normalize_text(up)
        if not s:
            return ParsedAddress()
        t2, rest = split_street_type(s)
        if t2:
            stype, s = t2, rest
    if "SN" in s or "SENZA" in s:
        s = _SNC.sub(" ", s).strip(" ,")
    segments = [seg.strip() for seg in s.split(",")]
    first = segments[0].split()
    tail_segments = segments[1:]
    mask = _date_mask(first)
    number: int | None = None
    suffix = ""
    name_tokens = first
    rest_text = ", ".join(tail_segments)
    found = False
    for i in range(1, len(first)):
        if mask[i] or first[i] in _NUMBER_PREFIX:
            continue
        if _POSTCODE.match(first[i]):
            continue
        got = _number_token(first, i)
        if got is None:
            continue
        number, suffix, used = got
        j = i
        while j > 0 and first[j - 1] in _NUMBER_PREFIX:
            j -= 1
        name_tokens = first[:j]
        rest_text = (
            " ".join(first[i + used :] + ([","] if tail_segments else []))
            + " "
            + ", ".join(tail_segments)
        )
        found = True
        break
    if not found and tail_segments:
        second = tail_segments[0].split()
        k = 0
        while k < len(second) and second[k] in _NUMBER_PREFIX:
            k += 1
        if k < len(second) and not _POSTCODE.match(second[k]):
            got = _number_token(second, k)
            if got is not None:
                number, suffix, used = got
                rest_text = (
                    " ".join(second[k + used :]) + ", " + ", ".join(tail_segments[1:])
                )
                found = True
    postcode, comune = _split_comune(rest_text)
    name_tokens = [t for t in name_tokens if t != "/"]
    if not found and not comune:
        # a postcode or a known comune glued at the end: ``VIA ROMA 20100 MILANO``
        while len(name_tokens) > 1 and _POSTCODE.match(name_tokens[-1]):
            postcode = postcode or name_tokens[-1]
            name_tokens = name_tokens[:-1]
        joined = " ".join(name_tokens)
        for c in _TRAILING_COMUNI:
            if joined.endswith(" " + c) and len(joined) > len(c) + 1:
                comune = "MILANO" if c == "MILAN" else c
                joined = joined[: -len(c) - 1]
                break
        name_tokens = joined.split()
        while len(name_tokens) > 1 and _POSTCODE.match(name_tokens[-1]):
            postcode = postcode or name_tokens[-1]
            name_tokens = name_tokens[:-1]
    elif not found:
        while len(name_tokens) > 1 and _POSTCODE.match(name_tokens[-1]):
            postcode = postcode or name_tokens[-1]
            name_tokens = name_tokens[:-1]
    name = " ".join(name_tokens).strip(" /")
    if not name and stype:
        name, stype = stype, ""
    return ParsedAddress(
        street_type=stype,
        street_name=name,
        housenumber=number,
        suffix=suffix,
        postcode=postcode,
        comune=comune,
    )


def format_address(parsed: ParsedAddress) -> str:
    """Write a :class:`ParsedAddress` in the canonical form.

    ``TYPE NAME NUMBER[ESPONENTE], POSTCODE COMUNE``, each part only when
    present: ``VIALE FULVIO TESTI 12A, 20126 MILANO``.
    """
    street = parsed.street
    num = parsed.number_text
    head = " ".join(p for p in (street, num) if p)
    tail = " ".join(p for p in (parsed.postcode, parsed.comune) if p)
    if head and tail:
        return f"{head}, {tail}"
    return head or tail


def normalize_address(text: Any) -> str:
    """Return the canonical form of an address; idempotent, never raises.

    Parameters
    ----------
    text
        An address in any usual Italian spelling; non-strings give ``""``.

    Returns
    -------
    str
        ``TYPE NAME NUMBER[ESPONENTE][, POSTCODE COMUNE]`` in capitals without
        accents or punctuation, types in long form. Normalising the result
        again returns it unchanged.

    Examples
    --------
    >>> normalize_address("via f. testi, 12 - 20126 milano")
    'VIA F TESTI 12, 20126 MILANO'
    >>> normalize_address("V.LE FULVIO TESTI 12 bis")
    'VIALE FULVIO TESTI 12 BIS'
    """
    out = format_address(parse_address(text))
    # the canonical form is a fixed point; iterate for the rare string whose
    # first reading differs from the reading of its canonical form
    for _ in range(8):
        again = format_address(parse_address(out))
        if again == out:
            return out
        out = again
    return out


# --------------------------------------------------------------------------
# street keys


def street_key(name: Any) -> str:
    """Return the comparable form of a street name (without type).

    Folded like :func:`normalize_text`, commas and slashes removed, the day of
    a date written in figures whether it came in roman numerals or in words
    (``XXV APRILE``, ``VENTICINQUE APRILE`` -> ``25 APRILE``), registry
    particles in brackets moved to the front (``DUOMO (DEL)`` -> ``DEL DUOMO``).

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
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", name)
    if m:
        name = f"{m.group(2)} {m.group(1)}"
    s = normalize_text(name).replace(",", " ").replace("/", " ")
    toks = s.split()
    for i, t in enumerate(toks[:-1]):
        if toks[i + 1] in _DATE_WORDS:
            v = _DAY_WORDS.get(t) or _roman_to_int(t)
            if v is not None:
                toks[i] = str(v)
    return " ".join(toks)


# --------------------------------------------------------------------------
# messy variants (tests, benchmarks, synthetic data)

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
    street_type
        Long form (``VIA``, ``Viale``); ``""`` when none.
    street_name
        Descriptive name (``FULVIO TESTI``).
    housenumber
        House number with esponente as in the reference (``12``, ``12A``,
        ``24/2``).
    rng
        A :class:`numpy.random.Generator` (seeded): the same seed gives the
        same variants.
    comune, postcode
        Added (or not) at random after the number.
    typo_rate
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
    stype = _fold(street_type).strip()
    name = _fold(street_name).strip()
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
