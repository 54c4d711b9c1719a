"""Split an Italian address into street type, name, number, postcode and comune."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from geo_alloggi.address._comuni import find_comune, starts_comune
from geo_alloggi.address._places import (
    FLAT_WORDS,
    PLACE_MARKERS,
    POSTCODE,
    STOP_WORDS,
    names_comune,
    read_places,
)
from geo_alloggi.address._text import (
    DATE_WORDS,
    DOT_ONLY,
    FAST_TYPES,
    HAS_ALNUM,
    MONTH_SET,
    TYPE_ABBR,
    TYPE_OF,
    YEAR,
    fold,
    match_leading_type,
    match_type_at,
    normalize_text,
    roman_to_int,
    split_street_type,
)

# comuni read at the end of a street without number nor separator
# (``VIA ROMA MILANO``); other names there may be part of the street's name
_TRAILING_COMUNI = ("CINISELLO BALSAMO", "SESTO SAN GIOVANNI", "MILANO", "MILAN")


class ParsedAddress(NamedTuple):
    """The parts of one Italian address.

    Attributes
    ----------
    street_type : str
        Long form in capitals (``VIA``, ``VIALE``, ``PIAZZALE``), or ``""``.
    street_name : str
        Name without the type, normalised (``FULVIO TESTI``).
    housenumber : int or None
        The civic number, or None (absent, ``snc``, a kilometre).
    suffix : str
        Esponente: a letter (``A``), ``BIS``/``TER``/``QUATER``, or the digits
        after a slash (``2`` for ``24/2`` and ``24.2``); ``""`` when none.
    postcode : str
        Five-digit CAP found in the string, or ``""``.
    comune : str
        The comune of Lombardy the text names where a comune stands (before
        the street, or after its number, a comma, the CAP or the province),
        by its official ISTAT name (``Milano``, ``Sesto San Giovanni``), or
        ``""``.
    province : str
        Province code written in the text (``MI`` of ``(MI)``), or ``""``.
    place : str
        Other place words before or after the street, folded: a quarter, an
        estate, a name that is no comune of Lombardy (``QUARTIERE SAN
        SIRO``, ``TURRO``); ``""`` when none.
    no_number : bool
        True when the text says the address has no civic number (``snc``,
        ``senza numero``, a kilometre): a street-level address by design.
    km : float or None
        The kilometre of a road address (``3.2`` for ``km 3,2``), or None.
    """

    street_type: str = ""
    street_name: str = ""
    housenumber: int | None = None
    suffix: str = ""
    postcode: str = ""
    comune: str = ""
    province: str = ""
    place: str = ""
    no_number: bool = False
    km: float | None = None

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

# a letter after a slash number (``70/22A``, ``9/9/A``) is not kept
_ESPONENTE = re.compile(r"/?([A-Z]|BIS|TER|QUATER)|/(\d{1,3})(?:/?[A-Z])?")
_NUMBER_PREFIX = {"N", "NR", "NUM", "NUMERO", "CIV", "CIVICO", "NO"}
_SNC = re.compile(r"\bS\.?\s?N\.?\s?C\b\.?|\bSENZA\s+NUMERO(?:\s+CIVICO)?\b")
_KM = re.compile(r"\bKM\.?\s*(\d{1,4})(?:[.,](\d{1,3}))?\b")
# ``30.2``: the slash number 30/2 (not 2,000 nor a decimal)
_DOTTED_NUMBER = re.compile(r"(?<![\d.,/])(\d{1,4})\.(\d{1,2})(?![\d.])")
# a dash with a space on one side separates parts (``Milano (MI) - via ...``)
_DASH = re.compile(r"\s[-\u2013\u2014]+\s*|[-\u2013\u2014]+\s")
_HAS_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\S+")
# anything :func:`_prepare` rewrites: a kilometre, snc, 30.2, a dash, Q.RE
_SPECIAL = re.compile(r"KM|S\.?\s?N|SENZA|\d\.\d|[-\u2013\u2014]|Q\.?\s?RE")
_DIGIT_DOT_DIGIT = re.compile(r"\d\.\d")
_QUARTIERE = re.compile(r"\bQ\.?\s?RE\b\.?")
# long street types that may follow a comune or a place in the same part
_STRONG_TYPES = frozenset(
    {
        "ALZAIA",
        "BASTIONI",
        "CORSO",
        "LARGO",
        "PIAZZA",
        "PIAZZALE",
        "PIAZZETTA",
        "STRADA",
        "STRADA PRIVATA",
        "VIA",
        "VIA PRIVATA",
        "VIALE",
        "VICOLO",
    }
)
# first words of a part that is no street
_NOT_A_STREET = frozenset({"C/O", "PRESSO", "QUARTIERE"})
# words that cannot end a comune or place standing before a street
_PARTICLES = frozenset(
    {"A", "AL", "ALLA", "DA", "DAL", "DALLA", "DE", "DEI", "DEL", "DELLA", "DELLE"}
    | {"DEGLI", "DELLO", "DI", "E", "ED", "IN", "PER", "SU", "SUL", "SULLA", "S"}
)
_LEADING_PUNCT = " \t\n\r\f\v,.-;:"
_TOKEN_NUM = re.compile(
    r"^(\d{1,4})(?:/?([A-Z]|BIS|TER|QUATER)|/(\d{1,3})(?:/?[A-Z])?)?$"
)


def _date_mask(tokens: list[str] | tuple[str, ...]) -> list[bool]:
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


def _number_token(
    tokens: list[str] | tuple[str, ...], i: int
) -> tuple[int, str, int] | None:
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


class _Segment(NamedTuple):
    """One comma-separated part: street type, the words before and after it.

    ``number`` is where :func:`_find_number` found the civic number in
    ``tokens``, or None. Segments are cached and shared: never changed.
    """

    stype: str
    lead: tuple[str, ...]
    tokens: tuple[str, ...]
    number: tuple[int, int, int, str, int] | None


_NO_SEGMENT = _Segment("", (), (), None)
# builds a named tuple from a tuple of all its fields, without the keyword
# handling of its constructor (hot paths)
_new_tuple = tuple.__new__


# first two characters of every street type's spelling: a cheap test before
# the full regular expression
_TYPE_STARTS = frozenset(
    v[:2]
    for abbr in TYPE_ABBR
    for v in (abbr, abbr.replace(".", ""), abbr.replace(".", " "))
)
# a word whose first two characters are in _TYPE_STARTS (a one-character
# start: the whole word), found in one search
_TYPE_WORD = re.compile(
    r"(?<!\S)(?:"
    + "|".join(
        sorted(re.escape(v) for v in _TYPE_STARTS if len(v) == 2 and " " not in v)
    )
    + "|["
    + "".join(sorted(re.escape(v) for v in _TYPE_STARTS if len(v) == 1))
    + r"](?!\S))"
)


@functools.lru_cache(maxsize=2**14)
def _leading_type(raw: str) -> tuple[str, str]:
    """(type, normalised rest) of a part that starts with a street type.

    Cached: the same street is written with many numbers, commas, comuni.
    """
    word = raw.partition(" ")[0]
    fast = FAST_TYPES.get(word)
    if fast is not None and not raw.startswith(("VIA PRIV", "STRADA PRIV")):
        # the usual spellings, without the full regular expression
        rest = normalize_text(raw[len(word) :])
        return (fast, rest) if HAS_ALNUM.search(rest) else ("", "")
    if raw[:2] not in _TYPE_STARTS:
        return "", ""
    m = match_leading_type(raw)
    if m is not None and m.lastgroup is not None:
        rest = normalize_text(raw[m.end() :])
        if HAS_ALNUM.search(rest):
            return TYPE_OF[int(m.lastgroup[1:])], rest
    return "", ""


def _can_lead(tokens: list[str]) -> bool:
    """Whether words may stand before a street: a code, CAP, comune, place."""
    if not tokens:
        return False
    if tokens[-1] in _PARTICLES and not names_comune(tokens):  # ``Dello``
        return False
    # a number after the first word is a civic number: the street came first
    return not any(t[0].isdigit() and not POSTCODE.match(t) for t in tokens[1:])


def _type_inside(
    raw: str, *, after_type: bool
) -> tuple[str, list[str], list[str]] | None:
    """Find a street that starts after a code, comune or place in the same part.

    Returns (type, words before it, words after it). When several street
    types could start it, the first one after a comune's name wins
    (``00585175 PIAZZA BREMBANA VIA ROMA 5``). After a street type
    (``PONTE LAMBRO VIA ...``, ``GLL CORSO``), only after a comune or a
    marked place.
    """
    found: list[tuple[bool, bool, tuple[str, list[str], list[str]]]] = []
    for w in _WORD.finditer(raw, 1):
        start = w.start()
        if raw[start : start + 2] not in _TYPE_STARTS or raw[start - 1] != " ":
            continue
        m = match_type_at(raw, start)
        if m is None or m.lastgroup is None:
            continue
        g = int(m.lastgroup[1:])
        lead = normalize_text(raw[: m.start()]).split()
        if not _can_lead(lead):
            continue
        comune = names_comune(lead)
        strong = TYPE_OF[g] in _STRONG_TYPES
        if not (strong or comune):
            continue  # ``Milano Galleria ...`` but not ``Gallerie d'Italia``
        if after_type and not (comune or lead[0] in PLACE_MARKERS):
            continue
        if TYPE_ABBR[g] in DOT_ONLY and not comune:
            continue  # ``V.``, ``P.``: only after a comune (``Milano V. Padova 3``)
        rest = normalize_text(raw[m.end() :]).split()
        if rest:
            found.append((strong, comune, (TYPE_OF[g], lead, rest)))
    # a weak type followed by a street that may start is a place's name:
    # ``MILANO PONTE LAMBRO VIA ...``, but ``MILANO GALLERIA DEL CORSO 2``
    found = [
        f
        for k, f in enumerate(found)
        if f[0] or not any(s for s, _, _ in found[k + 1 :])
    ]
    for _, comune, street in found:
        if comune:
            return street
    return found[0][2] if found else None


# a part that ends in a plain civic number after words without any digit
# (``VIA MAC MAHON 89``, ``MILANO VIA DELLA CAPINERA 5``)
_TAIL_NUMBER = re.compile(r"(\D*[^\d\s]) ('?)(\d{1,4})([A-Z]|/\d{1,3})?")


def _read_segment(raw: str) -> _Segment:
    """Read one part (stripped, folded): type, words before it, after it.

    A part ending in a plain number after words without digits is read once
    per distinct words (:func:`_words_before_number`): the number takes no
    part in reading them, unless it may be the year of a date (``VIA XX
    SETTEMBRE 1870``), which is read in full.
    """
    # the number is the last word (after an apostrophe): test that cheaply first
    last = raw[raw.rfind(" ") + 1 :].lstrip("'")
    m = _TAIL_NUMBER.fullmatch(raw) if last[:1].isdigit() else None
    if m is not None:
        words, quote, digits, esponente = m.groups("")
        known = _words_before_number(words, quote, esponente)
        if known is not None and not (known[3] and YEAR.fullmatch(digits)):
            stype, lead, head, _, name_end, suffix = known
            return _new_tuple(
                _Segment,
                (
                    stype,
                    lead,
                    (*head, digits + esponente),
                    (name_end, len(head), int(digits), suffix, 1),
                ),
            )
    return _read_part(raw)


@functools.lru_cache(maxsize=2**15)
def _words_before_number(
    words: str, quote: str, esponente: str
) -> tuple[str, tuple[str, ...], tuple[str, ...], bool, int, str] | None:
    """Read ``WORDS 'NE`` once for any plain number ``N`` (``E``: esponente).

    None when ``N`` would not be the civic number there. Otherwise (type,
    words before the type, words of the part before the number, whether the
    word before the number is a month, where the name ends, the suffix).
    """
    stype, lead, tokens, number = _read_part(f"{words} {quote}1{esponente}")
    head = tokens[:-1]
    if tokens[-1:] != (f"1{esponente}",) or number is None:
        return None
    if number[1] != len(head) or number[2] != 1 or number[4] != 1:
        return None
    after_month = bool(head) and head[-1] in MONTH_SET
    return stype, lead, head, after_month, number[0], number[3]


@functools.lru_cache(maxsize=2**16)
def _read_part(raw: str) -> _Segment:
    """Read one part word by word (:func:`_read_segment`).

    Parts repeat across addresses (``MILANO (MI)``, ``C/O ALER MILANO``, a
    street without its number): each distinct text is read once.
    """
    lead: list[str] = []
    stype, rest = _leading_type(raw)
    tokens = rest.split()
    # a comune named like a street (``PIAZZA BREMBANA VIA ROMA 5``)
    homonym = stype in _STRONG_TYPES and starts_comune(raw.partition(" ")[0])
    if stype not in _STRONG_TYPES or homonym:
        inside = _type_inside(raw, after_type=bool(stype)) if " " in raw else None
        if inside is not None:  # ``MILANO VIA ...``, ``PONTE LAMBRO VIA ...``
            stype, lead, tokens = inside
        elif not stype:
            s = normalize_text(raw)
            stype, rest = split_street_type(s) if s[:2] in _TYPE_STARTS else ("", s)
            tokens = rest.split()
    return _Segment(stype, tuple(lead), tuple(tokens), _find_number(tokens))


def _find_number(
    tokens: list[str] | tuple[str, ...],
) -> tuple[int, int, int, str, int] | None:
    """(name end, number start, number, suffix, tokens used) in a street part."""
    # only a word starting with a digit may be the number: none, nothing to read
    for first in range(1, len(tokens)):
        if tokens[first][:1].isdigit():
            break
    else:
        return None
    mask = _date_mask(tokens)
    for i in range(first, len(tokens)):
        tok = tokens[i]
        if not tok[:1].isdigit() or mask[i] or POSTCODE.match(tok):
            continue
        got = _number_token(tokens, i)
        if got is None:
            continue
        j = i
        while j > 0 and tokens[j - 1] in _NUMBER_PREFIX:
            j -= 1
        return j, i, got[0], got[1], got[2]
    return None


def _prepare(text: str) -> tuple[str, bool, float | None]:
    """Folded text with parts separated by commas; whether it says no number; km."""
    up = fold(text).lstrip(_LEADING_PUNCT)
    no_number = False
    km: float | None = None
    if _SPECIAL.search(up) is None:
        return up, no_number, km  # most addresses: nothing below applies
    if "KM" in up:
        m = _KM.search(up)
        if m is not None:
            km = float(f"{m.group(1)}.{m.group(2) or 0}")
            up = up[: m.start()] + "," + up[m.end() :]
            no_number = True
    if "SN" in up or "S." in up or "S N" in up or "SENZA" in up:
        up, n = _SNC.subn(",", up)
        no_number = no_number or n > 0
    if "." in up and _DIGIT_DOT_DIGIT.search(up) is not None:
        up = _DOTTED_NUMBER.sub(_slash, up)
    if "-" in up or "\u2013" in up or "\u2014" in up:
        up = _DASH.sub(lambda m: _dash(up, m), up)
    if "Q" in up:
        up = _QUARTIERE.sub("QUARTIERE", up)
    return up, no_number, km


def _slash(m: re.Match[str]) -> str:
    return f"{m.group(1)}/{m.group(2)}"


def _dash(up: str, m: re.Match[str]) -> str:
    """Read a spaced dash as a separator next to a number or before a street.

    ``via Balilla 30 - Milano``, ``via f. testi - 20126``, ``Milano (MI) - via
    Balilla``; inside a name (``GIARDINO SERGIO BASSI - ELIO SAMMARCHI``) it is
    a space.
    """
    after = up[m.end() :].lstrip()
    if _HAS_DIGIT.search(up, 0, m.start()) or after[:1].isdigit():
        return ","
    return "," if match_leading_type(after) is not None else " "


@functools.lru_cache(maxsize=8192)
def _part_tokens(part: str) -> tuple[str, ...]:
    """Folded words of a part around the street (``20126 MILANO (MI)``)."""
    return tuple(normalize_text(part).split())


@functools.lru_cache(maxsize=4096)
def _number_after_comma(
    second: tuple[str, ...],
) -> tuple[int, str, tuple[str, ...]] | None:
    """Read the number opening the part after the street: (number, suffix, rest).

    ``N. 12``, ``12/A``, ``12 - 20126 MILANO``: a civic number, after
    ``n.``, ``nr.``, ``civ.``, that is no postcode. Such parts recur: each
    distinct one is read once.
    """
    k = 0
    while k < len(second) and second[k] in _NUMBER_PREFIX:
        k += 1
    if k < len(second) and not POSTCODE.match(second[k]):
        num = _number_token(second, k)
        if num is not None:
            number, suffix, used = num
            return number, suffix, second[k + used :]
    return None


def _pick_street(parts: list[str]) -> tuple[int, _Segment | None]:
    """Index of the part holding the street (-1: none), and that part read.

    The first part with a street type and a civic number; else the first with
    a street type. Without any type: the first part with a name and a number,
    else the first part (``TREVIGLIO, N. 32`` is a street of Milan, not the
    comune), a recipient (``c/o``) or marked quarter apart.
    """
    segs: list[_Segment | None] = [None] * len(parts)
    typed = -1
    for i, raw in enumerate(parts):
        # a part none of whose words can start a street type is read later,
        # only if no part has a type (``TESTI, 12 - MILANO``)
        if i and _TYPE_WORD.search(raw) is None:
            continue
        if not i and not HAS_ALNUM.search(raw):
            continue
        seg = _read_segment(raw.strip())
        segs[i] = seg
        if seg.stype:
            if seg.number is not None:
                return i, seg
            if typed < 0:
                typed = i
    if typed >= 0:
        return typed, segs[typed]
    for i, raw in enumerate(parts):
        if segs[i] is None and HAS_ALNUM.search(raw):
            segs[i] = _read_segment(raw.strip())
    read = [
        i
        for i, g in enumerate(segs)
        if g is not None and g.tokens and g.tokens[0] not in _NOT_A_STREET
    ]
    for i in read:
        got = segs[i].number  # type: ignore[union-attr]
        if got is not None and got[0] > 0:
            return i, segs[i]  # a name and a number: ``MILANO, SALOMONE ORESTE 5``
    if read:
        return read[0], segs[read[0]]  # ``TREVIGLIO, N. 32``: a street, not a comune
    at = next((i for i, g in enumerate(segs) if g is not None and g.tokens), -1)
    return at, segs[at] if at >= 0 else None


def parse_address(text: Any) -> ParsedAddress:
    """Split an Italian address into its parts.

    Parameters
    ----------
    text : object
        An address as typed, in any of the layouts offices use:
        ``"V.LE FULVIO TESTI 12"``, ``"via f. testi, 12 - 20126 milano"``,
        ``"MILANO VIA MAC MAHON '89 A"``, ``"20092 Cinisello Balsamo (MI), via
        Gorki 5"``, ``"00585175 MILANO VIA DELLA CAPINERA '5"``, ``"c/o Aler
        Milano, Via Balilla 30 - Milano"``, ``"quartiere San Siro, via Zamagna
        4"``, ``"Via 8 Ottobre 2001, 3 bis"``, ``"Piazza XXV Aprile snc"``.
        Any other value gives an empty :class:`ParsedAddress`.

    Returns
    -------
    ParsedAddress
        Street type in long form, street name, house number with esponente,
        and what the text says around the street: postcode, comune, province,
        places, whether it has no civic number.

    Notes
    -----
    The text is cut into parts at commas and at dashes with a space on one
    side. The street is the first part with a street type and a number; words
    before its type in the same part (an internal code, a comune, a place) are
    read like the parts before it. The house number is the first number after
    the start of the street name that is not part of a date (``8 OTTOBRE
    2001``, ``XXV APRILE``, ``5 GIORNATE``) nor a five-digit postcode; ``n.``,
    ``nr.``, ``civ.`` and an apostrophe may precede it, a letter, ``bis``,
    ``/2`` or ``.2`` follow it; ``scala``, ``int.``, ``piano`` and their values
    are about the flat and are dropped. A comune is read only outside the
    street (:func:`read_places`): ``VIALE MONZA 140`` names no comune. Never
    raises.

    Examples
    --------
    >>> parse_address("V.LE FULVIO TESTI 12").street_type
    'VIALE'
    >>> parse_address("Via 8 Ottobre 2001 n. 12").housenumber
    12
    >>> p = parse_address("MILANO VIA MAC MAHON '89 A")
    >>> (p.comune, p.street, p.housenumber, p.suffix)
    ('Milano', 'VIA MAC MAHON', 89, 'A')
    """
    if not isinstance(text, str):
        return ParsedAddress()
    up, no_number, km = _prepare(text)
    parts = up.split(",")
    at, seg = _pick_street(parts)
    if at < 0:
        return ParsedAddress(no_number=no_number, km=km)
    seg = seg or _NO_SEGMENT
    stype, tokens = seg.stype, seg.tokens
    groups = [_part_tokens(p) for p in parts[:at]] if at else []
    groups.append(seg.lead)
    later = [_part_tokens(p) for p in parts[at + 1 :]]
    number: int | None = None
    suffix = ""
    name_tokens: Sequence[str] = tokens
    after: tuple[str, ...] = ()
    # a kilometre replaces the civic number; the road's number stays in its name
    got = seg.number if km is None else None
    if got is not None:
        j, i, number, suffix, used = got
        name_tokens = tokens[:j]
        after = tokens[i + used :]
    elif later and later[0] and km is None:
        # the number after a comma: ``VIA F. TESTI, 12``
        num = _number_after_comma(later[0])
        if num is not None:
            number, suffix, later[0] = num
    places = read_places((*groups, after, *later))
    postcode = places.postcode
    comune = places.comune.name if places.comune is not None else ""
    if "/" in name_tokens:
        name_tokens = [t for t in name_tokens if t != "/"]
    if number is None:
        name_tokens, postcode, glued = _strip_glued(name_tokens, postcode)
        if not comune and glued:
            comune = glued
    name = " ".join(name_tokens).strip(" /")
    if not name and stype:
        name, stype = stype, ""
    return _new_tuple(
        ParsedAddress,
        (
            stype,
            name,
            number,
            suffix,
            postcode,
            comune,
            places.province,
            places.place,
            no_number,
            km,
        ),
    )


def _strip_glued(
    tokens: Sequence[str], postcode: str
) -> tuple[Sequence[str], str, str]:
    """Cut a postcode or a known comune glued at the end (``VIA ROMA MILANO``)."""
    while len(tokens) > 1 and POSTCODE.match(tokens[-1]):
        postcode = postcode or tokens[-1]
        tokens = tokens[:-1]
    joined = " ".join(tokens)
    glued = ""
    for c in _TRAILING_COMUNI:
        if joined.endswith(" " + c) and len(joined) > len(c) + 1:
            hit = find_comune(c)
            glued = hit.name if hit is not None else ""
            tokens = joined[: -len(c) - 1].split()
            break
    while len(tokens) > 1 and POSTCODE.match(tokens[-1]):
        postcode = postcode or tokens[-1]
        tokens = tokens[:-1]
    return tokens, postcode, glued


def format_address(parsed: ParsedAddress) -> str:
    """Write a :class:`ParsedAddress` in the canonical form.

    ``TYPE NAME NUMBER[ESPONENTE], POSTCODE COMUNE``, each part only when
    present, the comune folded like the rest: ``VIALE FULVIO TESTI 12A, 20126
    MILANO``. Province, places and ``snc`` are not written.

    Parameters
    ----------
    parsed : ParsedAddress
        A parsed address, as :func:`parse_address` returns it.

    Returns
    -------
    str
        The address on one line, in capitals.
    """
    street = parsed.street
    num = parsed.number_text
    head = " ".join(p for p in (street, num) if p)
    comune = normalize_text(parsed.comune).replace(",", "")
    tail = " ".join(p for p in (parsed.postcode, comune) if p)
    if head and tail:
        return f"{head}, {tail}"
    return head or tail


def normalize_address(text: Any) -> str:
    """Return the canonical form of an address; idempotent, never raises.

    Parameters
    ----------
    text : object
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
    return _fixed_point(format_address(parse_address(text)))


@functools.lru_cache(maxsize=2**16)
def _fixed_point(out: str) -> str:
    """Return the canonical form reached from a first reading ``out``.

    The canonical form is a fixed point; iterate for the rare string whose
    first reading differs from the reading of its canonical form. Many
    spellings share one first reading: each is checked once (cached).
    """
    for _ in range(8):
        again = format_address(parse_address(out))
        if again == out:
            return out
        out = again
    return out


def street_address(text: Any) -> str:
    """Return the street and civic number of an address, without the comune.

    What :func:`normalize_address` writes before its first comma, ``""`` when
    the text names no street. The usual layout (a street type, plain words, a
    civic number and maybe ``MILANO`` after it) is read at once, with the
    parser's own reading of the type; any other text is parsed in full. Both
    ways give the same result: tests compare them on the official addresses
    of Milan written in many ways.

    Parameters
    ----------
    text : object
        An address in any usual Italian spelling; non-strings give ``""``.

    Returns
    -------
    str
        ``TYPE NAME NUMBER[ESPONENTE]`` in capitals, types in long form.

    Examples
    --------
    >>> street_address("Via Carlo Botta, n. 15 - Milano")
    'VIA CARLO BOTTA 15'
    >>> street_address("20092 Cinisello Balsamo (MI), via Gorki 5")
    'VIA GORKI 5'
    """
    if not isinstance(text, str):
        return ""
    usual = _usual_street(fold(text).lstrip(_LEADING_PUNCT))
    if usual is not None:
        return usual
    return normalize_address(text).split(",")[0].strip()


# the usual layout (``VIA CARLO BOTTA, N. 15/A - MILANO``): a street of words
# without digits, the civic number after a space, a comma or ``N.``, an
# esponente, then at most the comune of Milan or Cinisello Balsamo
_USUAL = re.compile(
    r"(?P<street>[A-Z][A-Z.']*(?: +(?!NR?\.)[A-Z.'][A-Z.']*)*)"
    r" *(?:, *| )(?:NR?\. ?)?(?P<number>[1-9]\d{0,2})"
    r"(?:/?(?P<letter>[A-Z])(?![A-Z])| (?P<spaced>[A-Z])(?![A-Z])"
    r"|/(?P<slash>[1-9]\d?)| (?P<word>BIS|TER))?"
    r"(?: *(?:, *| - | )(?:\d{5} +)?(?:MILANO|CINISELLO BALSAMO)(?: *\(MI\))?)? *"
)
# words of a street name that the full parser reads in a particular way
_NOT_USUAL = DATE_WORDS | FLAT_WORDS | PLACE_MARKERS | STOP_WORDS | _NUMBER_PREFIX


def _usual_street(up: str) -> str | None:
    """Street and number of a folded text in the usual layout, else None."""
    m = _USUAL.fullmatch(up)
    if m is None:
        return None
    street, number, letter, spaced, slash, word = m.groups()
    stype, rest = _usual_type(street)
    if not stype:
        return None
    suffix = letter or spaced or slash or word or ""
    return f"{stype} {rest} {number}{_format_suffix(suffix)}"


@functools.lru_cache(maxsize=2**14)
def _usual_type(street: str) -> tuple[str, str]:
    """Type and name of the street of the usual layout; ``("", "")`` if unusual.

    The street as written and as it is written back (``TYPE NAME``) must both
    read plainly: the canonical form is read again by :func:`normalize_address`
    (``P.A BREMBANA GAL X`` is written ``PIAZZA BREMBANA GAL X``, a comune and
    then a gallery; ``Q'RE`` is written ``Q RE``, a quarter).
    """
    stype, rest = _leading_type(street)
    if stype not in _STRONG_TYPES or not rest:
        return "", ""
    if not _NOT_USUAL.isdisjoint(rest.split()) or rest.startswith("PRIV"):
        return "", ""  # ``V. PRIV. X``: read again, it is a VIA PRIVATA
    canonical = f"{stype} {rest}"
    for raw in (street, canonical):
        if _SPECIAL.search(raw) is not None:
            return "", ""  # a kilometre, ``snc``, a quarter: read in full
        if starts_comune(raw.partition(" ")[0]) and any(
            _type_inside(r, after_type=True) is not None for r in (raw, raw + " 1")
        ):
            return "", ""  # ``PIAZZA BREMBANA VIA ROMA``: a comune, then the street
    return stype, rest
