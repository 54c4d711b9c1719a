"""Scaling curve: how each step's cost grows from 10k to 100k to 1M records.

For each size, in the same run:

* validation of an occupations CSV (``io.read_records``) against a bare
  ``pandas.read_csv`` of the same file;
* overlay of record points on the study area (``overlay.aggregate``) against
  ``geopandas.sjoin`` + ``groupby``;
* offline geocoding of messy addresses (``Geocoder.geocode``), with the time
  Nominatim's usage policy (1 request per second) would take, computed.

Quick mode stops at 100k.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from _harness import compare, single
from bench_geocoding import current_points, messy_table
from bench_io import make_file

from geo_alloggi import load_districts
from geo_alloggi.geocoding import Geocoder, reference_tables
from geo_alloggi.io import read_records
from geo_alloggi.overlay import aggregate
from geo_alloggi.synthetic import make_occupations


def run(quick: bool) -> list[dict]:
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    districts = load_districts("study_area")
    geocoder = Geocoder()
    pts = current_points(reference_tables()[0])
    base = messy_table(pts.sample(min(len(pts), 20_000), random_state=0), seed=1)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = make_file(Path(tmp), n, seed=n)

            def ours(path=path):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return read_records(path, "occupations", study_area=districts)

            def bare(path=path):
                return pd.read_csv(path, sep=";", encoding="cp1252")

            rows.append(
                compare(
                    f"scaling: validate CSV ({n:,} rows)",
                    ours,
                    bare,
                    baseline_name="pandas.read_csv (no checks)",
                    n=n,
                )
            )
            path.unlink()

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                points = make_occupations(n, seed=n, districts=districts)
            metric = districts.to_crs(points.crs)

            def overlay(points=points):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return aggregate(points, districts, period="year")

            def sjoin(points=points, metric=metric):
                joined = gpd.sjoin(
                    points, metric[["district_id", "geometry"]], predicate="within"
                )
                year = joined["detected_on"].dt.year
                return joined.groupby(["district_id", year]).size()

            rows.append(
                compare(
                    f"scaling: overlay points ({n:,})",
                    overlay,
                    sjoin,
                    baseline_name="geopandas.sjoin + groupby",
                    n=n,
                )
            )
            del points

            idx = np.resize(np.arange(len(base)), n)
            addresses = pd.DataFrame({"address": base["address"].to_numpy()[idx]})

            def geocode(addresses=addresses):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return geocoder.geocode(addresses, comune="Milano")

            t0 = time.perf_counter()
            geocode()
            took = time.perf_counter() - t0
            rows.append(
                single(
                    f"scaling: geocode messy addresses ({n:,})",
                    took,
                    "s",
                    n=n,
                    note=f"{n / took:,.0f} addresses/s ({min(n, len(base)):,} distinct "
                    f"addresses, repeated: each distinct one is matched once); "
                    f"Nominatim policy (1 request/s) would take {n / 3600:,.1f} h",
                )
            )
    return rows
