"""Calibration of the SYNTHETIC records: public figures and the planted patterns.

The yearly stocks of Milan (:data:`MILAN_OCCUPIED`, :data:`MILAN_VACANT`),
the size of the public housing of Milan and Cinisello Balsamo, the estates
named in DESIGN.md (:data:`NAMED_COMPLEXES`, each in its real NIL), the three
planted hot areas (:data:`HOT_AREAS`) and their trends, and the shares of
records written without an estate id. Plain data, no code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: First and last year of the generated records.
FIRST_YEAR = 2014
LAST_YEAR = 2025
YEARS = np.arange(FIRST_YEAR - 1, LAST_YEAR + 1)  # 2013 = stock on 1 January 2014

#: Milan: abusively occupied units at the end of each year (2013 = 1 Jan 2014).
#: 4,564 during 2018 (peak, end of 2017), 4,487 on 1 January 2019, ~500 fewer
#: during 2019, then a slow decline under the 2020 plan.
MILAN_OCCUPIED: dict[int, int] = {
    2013: 4180,
    2014: 4260,
    2015: 4340,
    2016: 4420,
    2017: 4564,
    2018: 4487,
    2019: 3987,
    2020: 3820,
    2021: 3700,
    2022: 3610,
    2023: 3520,
    2024: 3450,
    2025: 3400,
}
#: Milan: vacant units at the end of each year (about 9,754 in 2014), falling
#: with the renovation money from 2020.
MILAN_VACANT: dict[int, int] = {
    2013: 9650,
    2014: 9754,
    2015: 9880,
    2016: 9990,
    2017: 10050,
    2018: 9960,
    2019: 9600,
    2020: 9050,
    2021: 8300,
    2022: 7500,
    2023: 6900,
    2024: 6400,
    2025: 6050,
}
MILAN_UNITS = 66_730
MILAN_ALER_UNITS = 37_400
CINISELLO_UNITS = 1_163
CINISELLO_OCCUPIED_RATE = 0.05
CINISELLO_VACANT_RATE = 0.09

OWNER_ALER = "Aler"
OWNER_COMUNE = "Comune-MM"


@dataclass(frozen=True)
class NamedComplex:
    """A named estate of DESIGN.md: where it is, its size, its trend."""

    key: str
    name: str
    nil: int
    streets: tuple[str, ...]
    owner: str
    units: int
    occupied_2018: int
    buildings: int
    trend: str = "global"  # global | persistent | fading | new
    numbers: tuple[int, int] | None = None


#: The estates named in DESIGN.md, in their real NIL (checked on ds634 points).
NAMED_COMPLEXES: tuple[NamedComplex, ...] = (
    NamedComplex(
        "san_siro",
        "Quartiere San Siro",
        57,
        (
            "DANIELE RICCIARELLI",
            "BERNARDO ZAMAGNA",
            "MAR JONIO",
            "PRENESTE",
            "MATTEO CIVITALI",
            "FILIPPO ABBIATI",
            "SELINUNTE",
            "CARLO MARATTA",
            "TRACIA",
            "MARIO MORGANTINI",
            "PIER ALESSANDRO PARAVIA",
            "GIACINTO GIGANTE",
        ),
        OWNER_ALER,
        4000,
        873,
        48,
        "persistent",
    ),
    NamedComplex(
        "via_gola",
        "Via Gola",
        44,
        ("EMILIO GOLA", "MARIO PICHI", "GIOSUE' BORSI"),
        OWNER_COMUNE,
        800,
        200,
        12,
        "fading",
    ),
    NamedComplex(
        "via_bolla",
        "Via Bolla 26-42",
        65,
        ("BOLLA",),
        OWNER_ALER,
        244,
        67,
        9,
        numbers=(26, 42),
    ),
    NamedComplex(
        "lorenteggio",
        "Lorenteggio",
        53,
        ("LORENTEGGIO", "ANGELO INGANNI"),
        OWNER_ALER,
        1300,
        150,
        16,
    ),
    NamedComplex(
        "giambellino",
        "Giambellino",
        49,
        ("GIAMBELLINO", "EMANUELE ODAZIO", "RECOARO", "METAURO"),
        OWNER_ALER,
        1100,
        120,
        14,
    ),
    NamedComplex(
        "gratosoglio",
        "Gratosoglio",
        41,
        ("DEI MISSAGLIA", "MICHELE SAPONARO", "COSTANTINO BARONI"),
        OWNER_ALER,
        2600,
        170,
        26,
    ),
    NamedComplex(
        "corvetto",
        "Corvetto",
        35,
        (
            "GIACINTO MOMPIANI",
            "POLESINE",
            "GABRIELE ROSA",
            "COMACCHIO",
            "DEI CINQUECENTO",
            "OMERO",
        ),
        OWNER_ALER,
        1800,
        70,
        20,
        "new",
    ),
    NamedComplex(
        "quarto_oggiaro",
        "Quarto Oggiaro",
        76,
        (
            "CESARE PASCARELLA",
            "SABATINO LOPEZ",
            "ANTONIO ALDINI",
            "VAL TROMPIA",
            "LUIGI CAPUANA",
            "CARLO AMORETTI",
            "SEBASTIANO SATTA",
        ),
        OWNER_ALER,
        3000,
        280,
        30,
    ),
    NamedComplex(
        "molise_calvairate",
        "Molise-Calvairate",
        28,
        (
            "MOLISE",
            "LAURA CICERI VISCONTI",
            "CALVAIRATE",
            "EMILIO FAA' DI BRUNO",
            "UGO TOMMEI",
        ),
        OWNER_ALER,
        1600,
        180,
        18,
    ),
    NamedComplex(
        "ponte_lambro",
        "Ponte Lambro",
        31,
        ("GUIDO UCELLI DI NEMI", "GIACINTO SERRATI MENOTTI", "ELIO VITTORINI"),
        OWNER_COMUNE,
        700,
        70,
        8,
    ),
    NamedComplex(
        "comasina",
        "Comasina",
        82,
        ("SALEMI", "COMASINA", "TEANO"),
        OWNER_ALER,
        1200,
        110,
        12,
    ),
    NamedComplex(
        "stadera",
        "Stadera",
        42,
        ("ANTON GIULIO BARRILI", "NICOLA PALMIERI", "NEERA", "LODOVICO MONTEGANI"),
        OWNER_ALER,
        1500,
        140,
        16,
    ),
)

#: Trends of the three planted hot areas (multipliers of the 2018 stock).
TRENDS: dict[str, dict[int, float]] = {
    "persistent": dict.fromkeys(range(2013, 2026), 1.0),
    "fading": {
        2013: 1.0,
        2014: 1.0,
        2015: 1.0,
        2016: 1.0,
        2017: 1.02,
        2018: 1.0,
        2019: 0.55,
        2020: 0.35,
        2021: 0.25,
        2022: 0.18,
        2023: 0.15,
        2024: 0.12,
        2025: 0.1,
    },
    "new": {
        2013: 1.0,
        2014: 1.0,
        2015: 1.0,
        2016: 1.0,
        2017: 1.0,
        2018: 1.0,
        2019: 0.95,
        2020: 1.0,
        2021: 2.0,
        2022: 3.2,
        2023: 4.2,
        2024: 5.0,
        2025: 5.6,
    },
}

#: The three planted hot areas: the NIL of a named estate (core, listed first)
#: and its neighbours sharing a border (checked on the NIL layer; parks and
#: neighbours holding another named estate left out). Background estates in the
#: area get their occupation propensity multiplied by :data:`AREA_MULT` each
#: year, so that the area is hot as a whole.
HOT_AREAS: dict[str, tuple[int, ...]] = {
    "persistent": (57, 52, 51, 58, 66),
    "new": (35, 34, 32, 33, 36, 30, 29),
    "fading": (44, 43, 45, 6, 50, 7),
}
AREA_MULT: dict[str, dict[int, float]] = {
    "persistent": dict.fromkeys(range(2013, 2026), 3.0),
    "new": {
        **dict.fromkeys(range(2013, 2021), 1.0),
        2021: 1.8,
        2022: 2.6,
        2023: 3.3,
        2024: 3.8,
        2025: 4.2,
    },
    "fading": {
        **dict.fromkeys(range(2013, 2019), 3.0),
        2019: 2.2,
        2020: 1.6,
        2021: 1.3,
        2022: 1.15,
        2023: 1.05,
        2024: 1.0,
        2025: 0.9,
    },
}

#: Street names of Cinisello Balsamo (ANNCSU, Agenzia delle Entrate/ISTAT,
#: CC BY 4.0); the official data has no civic points there.
CINISELLO_STREETS: tuple[str, ...] = (
    "Via Milanese",
    "Piazza Andrea Costa",
    "Via Giovanni Paisiello",
    "Via Pablo Picasso",
    "Via Moncenisio",
    "Via Giuseppe Garibaldi",
    "Via Lanfranco della Pila",
    "Via Luisa Sanfelice",
    "Via Primo Maggio",
    "Via Monte Ortigara",
    "Via della Repubblica",
    "Via Nazario Sauro",
    "Via Vittorio Emanuele Orlando",
    "Via Rodolfo da Cinisello",
    "Via Vincenzo Bellini",
    "Via Istria",
    "Via Cadore",
    "Via Giuseppe Parini",
    "Viale Sicilia",
    "Via Saverio Mercadante",
)

#: Shares of occupation and eviction records written without an estate id
#: (address, coordinates), and of the address-only ones misspelled.
ADDRESS_ONLY = 0.06
COORDS_ONLY = 0.04
MISSPELLED = 0.4
