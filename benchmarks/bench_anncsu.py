"""Loading the ANNCSU Indirizzario for a study area: cached vs first load vs pandas.

No real Indirizzario is in the mirror: the file is the FIXTURE of
``tests/_anncsu_fixture.py`` grown to regional size with made-up accesses
(1.9 million lines, about 170 MB of CSV, like the Tuscan extract; 200,000 with
``--quick``), one line in twelve in Milano or Cinisello Balsamo. Rows:

* second load (the filtered table cached on disk) against the first load
  (stream the zip, keep the lines of the two comuni, parse ten columns, write
  the cache): the ratio is what the cache buys; the target is a second load
  under 1 s;
* our first load against a bare ``pandas.read_csv`` of the whole CSV (every
  column, every comune) followed by a filter.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
from _harness import compare, single

from geo_alloggi.datasets import read_anncsu_civici
from tests._anncsu_fixture import FIXTURE_CSV, write_large_fixture

STUDY_AREA = {"F205": "Milano", "C707": "Cinisello Balsamo"}


def run(quick: bool) -> list[dict]:
    n = 200_000 if quick else 1_900_000
    folder = Path(tempfile.mkdtemp(prefix="bench_anncsu_"))
    try:
        path = write_large_fixture(folder, n)
        cache = folder / "cache"

        def first() -> pd.DataFrame:
            shutil.rmtree(cache, ignore_errors=True)
            return read_anncsu_civici(path, comuni=STUDY_AREA, cache_dir=cache)

        def second() -> pd.DataFrame:
            return read_anncsu_civici(path, comuni=STUDY_AREA, cache_dir=cache)

        def whole_file() -> pd.DataFrame:
            with zipfile.ZipFile(path) as zf, zf.open(FIXTURE_CSV) as fh:
                df = pd.read_csv(fh, sep=";", dtype=str, keep_default_na=False)
            return df[df["CODICE_COMUNE"].isin(list(STUDY_AREA))]

        kept = len(first())
        rows = [
            compare(
                "ANNCSU study area: second load (cache)",
                second,
                first,
                baseline_name="first load (stream, filter, parse, cache)",
                n=n,
                repeat=3,
                note=f"{kept:,} accesses of Milano + Cinisello kept; FIXTURE file",
            ),
            compare(
                "ANNCSU study area: first load",
                first,
                whole_file,
                baseline_name="pandas.read_csv of the whole CSV, then filter",
                n=n,
                note="FIXTURE file of made-up accesses",
            ),
        ]
        size = zipfile.ZipFile(path).infolist()[0].file_size / 2**20
        rows.append(single("ANNCSU FIXTURE CSV size", size, "MiB", n=n))
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)
