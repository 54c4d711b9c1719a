"""FIXTURE generator: a made-up ANNCSU Indirizzario in the official file format.

FIXTURE - NOT REAL DATA. No real Indirizzario extract is in the project's
mirror, so the tests and benchmarks of the ANNCSU reader use this file. It is
written exactly in the published format (a zip holding one CSV named
``INDIR_LOMB_<YYYYMMDD>.csv``; UTF-8 without BOM, LF line ends, ``;``
separator, decimal comma, the published header), and every file it writes has
``FIXTURE`` in its name and a zip comment saying it is a fixture.

The street names and the national street ids (``PROGRESSIVO_NAZIONALE``) are
real: they come from the ANNCSU street list in the mirror
(``anncsu_odonimi_lombardia_202502.csv.gz``), including the streets whose name
exists in several comuni (``VIA EUGENIO CURIEL`` in Milano, Cinisello
Balsamo, Corsico and Sesto San Giovanni; ``VIALE FULVIO TESTI`` and ``VIA
MASSIMO GORKI`` in Milano and Cinisello Balsamo). Everything else is made
up: the access ids, which numbers exist, their suffixes and the points. The
points lie inside each comune's ISTAT polygon (a test checks it) but are not
where the real civic numbers are. They never appear in the demo or the README
as real positions.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

#: Release date written in the CSV's name.
FIXTURE_RELEASE = "20250301"
FIXTURE_CSV = f"INDIR_LOMB_{FIXTURE_RELEASE}.csv"
FIXTURE_ZIP = "FIXTURE_anncsu_indirizzi_lombardia.zip"
FIXTURE_COMMENT = (
    b"FIXTURE - NOT REAL DATA: made-up ANNCSU Indirizzario points written by "
    b"geo_alloggi's tests/_anncsu_fixture.py"
)
HEADER = (
    "CODICE_COMUNE;CODICE_ISTAT;PROGRESSIVO_NAZIONALE;CODICE_COMUNALE;ODONIMO;"
    "LOCALITA';DIZIONE_LINGUA1;DIZIONE_LINGUA2;PROGRESSIVO_ACCESSO;"
    "CODICE_COMUNALE_ACCESSO;CIVICO;ESPONENTE;SPECIFICITA;METRICO;PROGRESSIVO_SNC;"
    "COORD_X_COMUNE;COORD_Y_COMUNE;QUOTA;METODO"
)

#: comune -> (cadastral code, ISTAT code)
CODES = {
    "Milano": ("F205", "015146"),
    "Cinisello Balsamo": ("C707", "015077"),
    "Corsico": ("D045", "015093"),
    "Sesto San Giovanni": ("I690", "015209"),
}

# (comune, national street id, ODONIMO, accesses); an access is
# (access id, CIVICO, ESPONENTE, COORD_X, COORD_Y, METODO) as written in the
# file: decimal commas, "" or "0" for a missing coordinate.
STREETS: list[tuple[str, str, str, list[tuple[str, str, str, str, str, str]]]] = [
    (
        "Cinisello Balsamo",
        "138761",
        "VIA MASSIMO GORKI",
        [
            ("90000101", "1", "", "9,2200", "45,5580", "3"),
            ("90000102", "3", "", "9,2202", "45,5582", "3"),
            ("90000103", "5", "", "9,2204", "45,5584", "3"),
            ("90000104", "7", "", "9,2206", "45,5586", "3"),
            ("90000105", "2", "", "9,2201", "45,5579", "3"),
            ("90000106", "4", "", "9,2203", "45,5581", "3"),
            ("90000107", "5", "A", "9,2205", "45,5584", "4"),
        ],
    ),
    (
        "Cinisello Balsamo",
        "138651",
        "VIALE FULVIO TESTI",
        [
            ("90000201", "10", "", "9,2150", "45,5450", "1"),
            ("90000202", "12", "", "9,2152", "45,5455", "1"),
            ("90000203", "14", "", "0", "0", "5"),
            ("90000204", "16", "", "", "", "5"),
            ("90000205", "18", "BIS", "9,2158", "45,5470", "2"),
            ("90000206", "20", "", "9,2160", "45,5475", "1"),
        ],
    ),
    (
        "Cinisello Balsamo",
        "138622",
        "VIA EUGENIO CURIEL",
        [
            ("90000301", "2", "", "9,2300", "45,5620", "3"),
            ("90000302", "4", "", "9,2303", "45,5621", "3"),
            ("90000303", "4", "/1", "9,2304", "45,5622", "3"),
            ("90000304", "6", "", "0,0", "45,5623", "5"),
        ],
    ),
    (
        "Cinisello Balsamo",
        "138729",
        "VIA LIBERTA'",
        [
            ("90000401", "", "", "9,2250", "45,5550", "5"),  # SNC: no number
            ("90000402", "30", "", "9,2252", "45,5552", "2"),
        ],
    ),
    (
        "Corsico",
        "139382",
        "VIA EUGENIO CURIEL",
        [
            ("90000501", "1", "", "9,1030", "45,4340", "3"),
            ("90000502", "3", "", "9,1032", "45,4342", "3"),
            ("90000503", "5", "", "9,1034", "45,4344", "3"),
            ("90000504", "7", "B", "9,1036", "45,4346", "3"),
        ],
    ),
    (
        "Milano",
        "1027625",
        "VIA EUGENIO CURIEL",
        [
            ("90000601", "5", "", "9,1594", "45,4387", "3"),
            ("90000602", "7", "", "9,1597", "45,4388", "3"),
        ],
    ),
    (
        "Milano",
        "1027898",
        "VIALE FULVIO TESTI",
        [
            ("90000701", "4", "", "9,1985", "45,5030", "1"),
            ("90000702", "8", "", "9,1990", "45,5040", "1"),
        ],
    ),
    (
        "Milano",
        "1028901",
        "VIA MASSIMO GORKI",
        [
            ("90000801", "6", "", "9,1503", "45,4505", "2"),
            ("90000802", "8", "", "", "", "5"),
        ],
    ),
    (
        "Sesto San Giovanni",
        "140121",
        "VIA EUGENIO CURIEL",
        [
            ("90000901", "1", "", "9,2370", "45,5340", "3"),
            ("90000902", "3", "", "9,2372", "45,5342", "3"),
        ],
    ),
]


def fixture_lines() -> list[str]:
    """The CSV lines of the FIXTURE (header first), in file order."""
    lines = [HEADER]
    for comune, street_id, odonimo, accesses in STREETS:
        cad, istat = CODES[comune]
        for access, civico, esponente, x, y, metodo in accesses:
            snc = "1" if civico == "" else ""
            quota = "140,5" if x not in ("", "0") else ""
            lines.append(
                ";".join(
                    [
                        cad,
                        istat,
                        street_id,
                        "",
                        odonimo,
                        "",
                        odonimo,
                        "",
                        access,
                        "",
                        civico,
                        esponente,
                        "",
                        "",
                        snc,
                        x,
                        y,
                        quota,
                        metodo,
                    ]
                )
            )
    return lines


def _write_zip(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
    ) as zf:
        zf.comment = FIXTURE_COMMENT
        zf.writestr(FIXTURE_CSV, text.encode("utf-8"))
    return path


def write_fixture(folder: Path, name: str = FIXTURE_ZIP) -> Path:
    """Write the FIXTURE zip into ``folder``; return its path."""
    return _write_zip(Path(folder) / name, "\n".join(fixture_lines()) + "\n")


def write_large_fixture(folder: Path, n_rows: int, *, seed: int = 0) -> Path:
    """Write a FIXTURE zip of about ``n_rows`` accesses, for load benchmarks.

    The small FIXTURE's lines come first; the rest are made-up accesses of
    made-up comuni (cadastral codes ``X000``-``X999``, not real ones) and,
    one line in twelve, more made-up accesses of Milano and Cinisello
    Balsamo, so that a study area keeps a realistic share of the file.
    """
    rng = np.random.default_rng(seed)
    n = max(0, n_rows - len(fixture_lines()) + 1)
    comune = rng.integers(0, 1000, n)
    home = rng.random(n) < 1 / 12
    milano = rng.random(n) < 0.9
    civico = rng.integers(1, 300, n).tolist()
    x = (9.0 + rng.random(n) * 0.3).round(6).tolist()
    y = (45.4 + rng.random(n) * 0.2).round(6).tolist()
    no_xy = (rng.random(n) < 0.2).tolist()
    lines = fixture_lines()
    for i, (k, h, m) in enumerate(
        zip(comune.tolist(), home.tolist(), milano.tolist(), strict=True)
    ):
        if h:
            cad, istat = ("F205", "015146") if m else ("C707", "015077")
        else:
            cad, istat = f"X{k:03d}", f"099{k:03d}"
        xy = ";" if no_xy[i] else f"{x[i]};{y[i]}".replace(".", ",")
        street = i % 5000
        lines.append(
            f"{cad};{istat};{500000 + street};;VIA FIXTURE {street};;"
            f"VIA FIXTURE {street};;{10_000_000 + i};;{civico[i]};;;;;{xy};;3"
        )
    return _write_zip(
        Path(folder) / f"FIXTURE_large_{n_rows}.zip", "\n".join(lines) + "\n"
    )
