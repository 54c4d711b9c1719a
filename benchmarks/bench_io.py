"""Validating record files: geo_alloggi.io.read_records vs a bare pandas.read_csv.

The file is what Aler/MM exports look like: semicolons, cp1252, Italian
headers, dd/mm/yyyy dates, a personal column, and about 1 % bad rows
(impossible dates, end before start, duplicate ids, unknown estates). Both
sides read the same file in the same run; ours also validates every row,
quarantines the bad ones with reasons and drops the personal column.
Target: 1,000,000 rows in under 10 s.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import compare, single

from geo_alloggi.boundaries import load_districts
from geo_alloggi.io import read_records

TODAY = "2026-11-25"
N_ESTATES = 2_000


def make_file(
    folder: Path, n: int, *, seed: int = 0, coordinates: bool = False
) -> Path:
    """Write a seeded occupations CSV of ``n`` rows; return its path."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2014-01-01") + rng.integers(0, 4000, n).astype(
        "timedelta64[D]"
    )
    end = start + rng.integers(1, 700, n).astype("timedelta64[D]")
    ended = rng.random(n) < 0.6
    ids = np.char.add("OCC", np.arange(n).astype(str)).astype(object)
    estate = rng.integers(0, N_ESTATES, n)
    frame = pd.DataFrame(
        {
            "Codice Pratica": ids,
            "Codice Stabile": np.char.add("ST", estate.astype(str)),
            "Codice Alloggio": np.char.add("U", rng.integers(0, 10**6, n).astype(str)),
            "Nominativo": "Mario Rossi",
            "Data Rilevazione": pd.to_datetime(start).strftime("%d/%m/%Y"),
            "Data Fine": np.where(ended, pd.to_datetime(end).strftime("%d/%m/%Y"), ""),
            "Stato": np.where(ended, "liberato", "in corso"),
        }
    )
    if coordinates:
        # estates scattered over central Milan, records at their estate
        ex = 9.12 + 0.14 * np.random.default_rng(seed + 1).random(N_ESTATES)
        ey = 45.43 + 0.07 * np.random.default_rng(seed + 2).random(N_ESTATES)
        frame["Lon"] = np.char.replace(np.round(ex[estate], 6).astype(str), ".", ",")
        frame["Lat"] = np.char.replace(np.round(ey[estate], 6).astype(str), ".", ",")
    # about 1 % bad rows, of four kinds
    bad = rng.choice(n, size=n // 100, replace=False)
    kinds = np.arange(len(bad)) % 4
    frame.loc[bad[kinds == 0], "Data Rilevazione"] = "31/02/2019"
    swap = bad[kinds == 1]
    frame.loc[swap, "Data Fine"] = "01/01/2014"
    frame.loc[swap, "Stato"] = "liberato"
    frame.loc[bad[kinds == 2], "Codice Pratica"] = "OCC0"
    frame.loc[bad[kinds == 3], "Codice Stabile"] = "ST-UNKNOWN"
    path = folder / f"occupations_{n}{'_xy' if coordinates else ''}.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    return path


def run(quick: bool) -> list[dict]:
    n = 100_000 if quick else 1_000_000
    estates = pd.DataFrame({"estate_id": [f"ST{i}" for i in range(N_ESTATES)]})
    study_area = load_districts("study_area")
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench_io_") as tmp:
        for coordinates in (False, True):
            path = make_file(Path(tmp), n, coordinates=coordinates)
            summary: dict[str, int] = {}

            def ours(path: Path = path, summary: dict[str, int] = summary) -> object:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    result = read_records(
                        path,
                        "occupations",
                        estates=estates,
                        today=TODAY,
                        # the official study area (88 NIL + Cinisello) when
                        # coordinates are present
                        study_area=study_area,
                    )
                summary.update(
                    rows=result.rows_read,
                    accepted=len(result.accepted),
                    quarantined=len(result.quarantine),
                )
                return result

            def baseline(path: Path = path) -> object:
                return pd.read_csv(path, sep=";", encoding="cp1252")

            row = compare(
                "validate occupations CSV"
                + (" with lon/lat (in official study area?)" if coordinates else ""),
                ours,
                baseline,
                baseline_name="pandas.read_csv (no checks)",
                n=n,
                repeat=1 if quick else 2,  # best of two: the machine is shared
                note="cp1252, ';', dd/mm/yyyy, 1% bad rows, personal column; "
                "target < 10 s for 1,000,000 rows",
            )
            row.update(summary)
            rows.append(row)
            if not coordinates:
                rows.append(
                    single(
                        "validate occupations CSV: rows per second",
                        n / row["seconds"],
                        "rows/s",
                        n=n,
                    )
                )
    return rows


if __name__ == "__main__":  # pragma: no cover
    import sys

    for r in run("--quick" in sys.argv):
        print(r)
