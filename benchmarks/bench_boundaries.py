"""Loading the study area: geo_alloggi's normalised layer vs bare geopandas reads."""

from __future__ import annotations

import geopandas as gpd
from _harness import compare

from geo_alloggi import boundaries, datasets


def run(quick: bool) -> list[dict]:
    nil = datasets.dataset_path("nil")
    mun = datasets.dataset_path("municipi")
    com = datasets.dataset_path("comuni")

    def ours():
        # cold: clear the per-process cache so the files are read again
        for fn in (boundaries._nil, boundaries._municipi, boundaries._comuni):
            fn.cache_clear()
        return boundaries.load_districts("study_area")

    def baseline():
        # what a hand-written notebook does: read the three files, no repair,
        # no parents, no areas
        return gpd.read_file(nil), gpd.read_file(mun), gpd.read_file(com)

    return [
        compare(
            "load study area (88 NIL + Cinisello, cold)",
            ours,
            baseline,
            baseline_name="3 x geopandas.read_file",
            n=89,
            repeat=1 if quick else 3,
            note="ours adds repair, Municipio parents and shares, metric areas",
        )
    ]
