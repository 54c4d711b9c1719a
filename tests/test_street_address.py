"""The street and number of an address: the usual layout read at once, the same
as the full parser's reading (:func:`geo_alloggi.address.street_address`)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_alloggi import datasets
from geo_alloggi.address import (
    STREET_TYPES,
    _parse,
    lombardy_comuni,
    messy_address,
    normalize_address,
    street_address,
)


def full_reading(text: object) -> str:
    """The street and number as the full parser writes them (the reference)."""
    return normalize_address(text).split(",")[0].strip()


class FullReadings:
    """Counts the texts :func:`street_address` hands to the full parser."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = _parse.normalize_address

        def counted(text: object) -> str:
            self.count += 1
            return original(text)

        monkeypatch.setattr(_parse, "normalize_address", counted)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Via Carlo Botta, n. 15 - Milano", "VIA CARLO BOTTA 15"),
        ("  via  carlo torre 27 ", "VIA CARLO TORRE 27"),
        ("V. CUFRA, 27", "VIA CUFRA 27"),
        ("V.LE FULVIO TESTI 12 bis", "VIALE FULVIO TESTI 12 BIS"),
        ("via valsugana, n. 7/A, Milano (MI)", "VIA VALSUGANA 7A"),
        ("Via Roncaglia ,n. 13", "VIA RONCAGLIA 13"),
        ("via dell'arcadia, 41 - MILANO", "VIA DELL ARCADIA 41"),
        ("P.LE SELINUNTE 4/2, 20126 Milano", "PIAZZALE SELINUNTE 4/2"),
        ("via gorki 5, 20092 Cinisello Balsamo", "VIA GORKI 5"),
        # other layouts, read by the full parser
        ("20092 Cinisello Balsamo (MI), via Gorki 5", "VIA GORKI 5"),
        ("MILANO VIA MAC MAHON '89 A", "VIA MAC MAHON 89A"),
        ("Via 8 Ottobre 2001 n. 12", "VIA 8 OTTOBRE 2001 12"),
        # a type written in two words is one type
        ("V. LE ROMA 5", "VIALE ROMA 5"),
        ("V. PRIV. CINO 9 TER", "VIA PRIVATA CINO 9 TER"),
        # a kilometre is no civic number
        ("C.SO COSTE KM 7/b", "CORSO COSTE"),
        # written back in full, the street reads otherwise: a comune named
        # Piazza Brembana before a gallery, Q'RE a quarter
        ("P.A BREMBANA GAL BORGESE 20/B", "GALLERIA BORGESE 20B"),
        ("P.ZA BREMBANA VIA ROMA 5", "VIA ROMA 5"),
        ("Via Cova Q'RE 187", "VIA COVA QUARTIERE 187"),
        ("", ""),
        (None, ""),
    ],
)
def test_street_address_examples(text: object, expected: str) -> None:
    assert street_address(text) == expected
    assert full_reading(text) == expected


@pytest.fixture(scope="module")
def official_spellings(mirror: Path) -> list[str]:
    """Current ds634 addresses of Milan, each as written and in messy spellings."""
    c = datasets.read_civici(mirror / datasets.REGISTRY["civici"].filename)
    c = c[(c["status"] == 2) & (c["entrance"] == "")]
    c = c.drop_duplicates(["codice_via", "housenumber"])
    pts = c.sample(3000, random_state=3)
    rng = np.random.default_rng(3)
    texts = []
    for t, s, h in zip(
        pts["street_type"], pts["street_name"], pts["housenumber"], strict=True
    ):
        texts.append(f"{t} {s} {h}")
        for comune in ("Milano", "Cinisello Balsamo", None):
            texts.append(
                messy_address(
                    t, s, h, rng=rng, comune=comune, postcode=rng.choice(["20126", ""])
                )
            )
    return texts


def test_official_addresses_read_as_the_full_parser_reads_them(
    official_spellings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [full_reading(t) for t in official_spellings]
    full = FullReadings(monkeypatch)
    got = [street_address(t) for t in official_spellings]
    assert got == expected
    # most are in the usual layout and never reach the full parser
    assert full.count < 0.3 * len(official_spellings)


def _composed(seed: int, n: int) -> list[str]:
    """Texts of street types, words the parser reads in a particular way, numbers."""
    r = random.Random(seed)
    comuni = sorted({w for c in lombardy_comuni() for w in c.name.upper().split()})
    plain = """ROMA FULVIO TESTI SAN S DON DEL DELLA DI A E L V C P XXV IV MI MILANO
        CINISELLO BALSAMO PIAZZA VIA VIALE CORSO LARGO SCALA PIANO INT N NR CIV
        ANGOLO PRESSO QUARTIERE SNC KM BIS TER CASCINA ZONA LOC PRIVATA PRIV PRIV.
        LE LO ZA SO GO L. S. F. DELL' SANT'ANNA D'ORO MAGGIO OTTOBRE GIORNATE
        PRIMO CINQUE TRE"""
    words = [*plain.split(), *r.sample(comuni, 100)]
    types = [a for spellings in STREET_TYPES.values() for a in spellings]
    types += ["Via", "via", "v.", "p.za", "V. LE", "V. L.", "P. ZA", "C. SO", "V."]
    seps = [" ", ", ", " ,", ",", "  "]
    prefixes = ["", "", "N. ", "n.", "NR. ", "nr ", "N "]
    suffixes = ["", "", "A", "a", "/A", " A", " B", "/2", "/12", " BIS", " ter", "/b"]
    tails = ["", " MILANO", ", Milano", " - MILANO", ", 20126 MILANO", " (MI)"]
    tails += [", 20092 Cinisello Balsamo", ", Milano (MI)", " MI", ", MONZA"]
    return [
        f"{r.choice(types)} {' '.join(r.choices(words, k=r.randint(1, 4)))}"
        f"{r.choice(seps)}{r.choice(prefixes)}{r.randint(1, 999)}"
        f"{r.choice(suffixes)}{r.choice(tails)}"
        for _ in range(n)
    ]


def test_composed_addresses_read_as_the_full_parser_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _composed(0, 6000)
    expected = [full_reading(t) for t in texts]
    full = FullReadings(monkeypatch)
    got = [street_address(t) for t in texts]
    assert [t for t, a, b in zip(texts, got, expected, strict=True) if a != b] == []
    assert full.count < 0.9 * len(texts)  # the usual layout was tried


_PIECES = st.lists(
    st.sampled_from(
        [
            *"VIAPLEZ.,/ 0123456789ABRST'-()",
            "VIA ",
            "V. ",
            "V.LE ",
            "P.ZZA ",
            "CORSO ",
            " MILANO",
            ", ",
            " N. ",
            "20126 ",
            "SNC",
            " KM ",
            "BIS",
            " PRIV ",
            " LE ",
            "CINISELLO BALSAMO",
        ]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=60), _PIECES))
def test_any_text_reads_as_the_full_parser_reads_it(text: str) -> None:
    assert street_address(text) == full_reading(text)


@pytest.mark.parametrize(
    "text",
    [
        "PZA B VIA A 1",
        "P.zza Brembana via Roma, 5 - Milano",
        "P.ZZA B V.LE A 1",
        "PZA B P A 1",
        "PIAZZA B.VIA A 1",
        "VIA A Q..RE 1",
        "VIA A S'NC B 1",
        "VIA A S''N C 1",
        "VIA A K''M 1",
    ],
)
def test_texts_whose_canonical_form_reads_otherwise(text: str) -> None:
    # found by fuzzing: written back in full, these streets read otherwise
    # (a comune before the street, a quarter, snc, a kilometre)
    assert street_address(text) == full_reading(text)
    assert street_address(street_address(text)) == street_address(text)
