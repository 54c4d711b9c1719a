"""Split an Italian address into street type, name, number, postcode and comune."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from geo_alloggi.address._text import (
    DATE_WORDS,
    FAST_TYPES,
    HAS_ALNUM,
    MONTH_SET,
    TYPE_OF,
    TYPE_RE,
    YEAR,
    fold,
    normalize_text,
    roman_to_int,
    split_street_type,
)

_PROVINCES = {"MI", "MB", "BG", "BS", "CO", "CR", "LC", "LO", "MN", "PV", "SO", "VA"}
# comuni recognised at the end of a string written without any separator
_TRAILING_COMUNI = ("CINISELLO BALSAMO", "SESTO SAN GIOVANNI", "MILANO", "MILAN")
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
# parsing

_ESPONENTE = re.compile(r"/?([A-Z]|BIS|TER|QUATER)|/(\d{1,3})")
_NUMBER_PREFIX = {"N", "NR", "NUM", "NUMERO", "CIV", "CIVICO", "NO"}
_SNC = re.compile(r"\b(?:SNC|S N C|SENZA NUMERO(?: CIVICO)?)\b")
_LEADING_PUNCT = re.compile(r"^[\s,.\-;:]+")
_TOKEN_NUM = re.compile(r"^(\d{1,4})(?:/?([A-Z]|BIS|TER|QUATER)|/(\d{1,3}))?$")
_POSTCODE = re.compile(r"^\d{5}$")


def _date_mask(tokens: list[str]) -> list[bool]:
    """Mark the tokens of a date in a street name (``8 OTTOBRE 2001``)."""
    mask = [False] * len(tokens)
    if DATE_WORDS.isdisjoint(tokens):
        return mask
    for i, t in enumerate(tokens):
        if t in DATE_WORDS:
            mask[i] = True
            if i > 0 and (tokens[i - 1].isdigit() or roman_to_int(tokens[i - 1])):
                mask[i - 1] = True
            if t in MONTH_SET and i + 1 < len(tokens) and YEAR.fullmatch(tokens[i + 1]):
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
    up = _LEADING_PUNCT.sub("", fold(text))
    stype = ""
    word = up.split(" ", 1)[0].rstrip(",")
    fast = FAST_TYPES.get(word)
    if fast is not None and not up.startswith(("VIA PRIV", "STRADA PRIV")):
        # the usual spellings, without the full regular expression
        rest = normalize_text(up[len(word) :])
        if HAS_ALNUM.search(rest):
            stype, s = fast, rest
    else:
        m = TYPE_RE.match(up)
        if m is not None and m.lastgroup is not None:
            rest = normalize_text(up[m.end() :])
            if HAS_ALNUM.search(rest):
                stype = TYPE_OF[int(m.lastgroup[1:])]
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
