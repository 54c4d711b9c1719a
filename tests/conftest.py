"""Shared fixtures: the local mirror of official data and tiny hand-made layers."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from _bundles import Bundle, warning_log
from shapely.geometry import box

# The root conftest.py points GEO_ALLOGGI_DATA_MIRROR at the mirror of official data.


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The mirror folder of official files; tests needing it fail loudly without it."""
    value = os.environ.get("GEO_ALLOGGI_DATA_MIRROR")
    if not value or not Path(value).is_dir():
        pytest.fail("GEO_ALLOGGI_DATA_MIRROR must name the folder of official files")
    return Path(value)


@pytest.fixture(scope="session")
def study_area(mirror: Path) -> gpd.GeoDataFrame:
    from geo_alloggi import load_districts

    return load_districts("study_area", mirror=mirror)


@pytest.fixture(scope="session")
def nil(mirror: Path) -> gpd.GeoDataFrame:
    from geo_alloggi import load_districts

    return load_districts("nil", mirror=mirror)


@pytest.fixture
def grid3x3() -> gpd.GeoDataFrame:
    """Nine 1 km squares in EPSG:32632 in the normalised district schema."""
    rows = []
    for r in range(3):
        for c in range(3):
            i = r * 3 + c
            rows.append(
                {
                    "district_id": f"D{i}",
                    "name": f"District {i}",
                    "level": "custom",
                    "comune": "Milano",
                    "comune_istat": "015146",
                    "parent_id": "P0" if c < 2 else "P1",
                    "parent_share": 1.0,
                    "area_km2": 1.0,
                    "geometry": box(
                        500000 + 1000 * c,
                        5030000 + 1000 * r,
                        501000 + 1000 * c,
                        5031000 + 1000 * r,
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, crs="EPSG:32632").to_crs("EPSG:4326")


@pytest.fixture(scope="session")
def anncsu_mirror(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mirror plus the ANNCSU Indirizzario FIXTURE under its mirror name.

    The official files are linked, not copied; the FIXTURE (made-up points,
    see ``tests/_anncsu_fixture.py``) stands in for the real Indirizzario,
    which the project's mirror does not hold.
    """
    from _anncsu_fixture import write_fixture

    folder = tmp_path_factory.mktemp("FIXTURE_anncsu_mirror")
    for path in mirror.iterdir():
        (folder / path.name).symlink_to(path)
    write_fixture(folder, name="anncsu_indirizzi_lombardia.zip")
    return folder


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Bundle:
    """``geo-alloggi demo`` (seed 0, Italian) built once, with the warnings it saw."""
    from geo_alloggi.pipeline import run_demo

    out = tmp_path_factory.mktemp("demo_bundle")
    with warning_log() as messages:
        files = run_demo(out, seed=0, mirror=mirror)
    return Bundle(out, files, list(messages))


@pytest.fixture(scope="session")
def demo_bundle(demo_run: Bundle) -> Path:
    """The meeting bundle of ``geo-alloggi demo`` (seed 0, Italian), built once."""
    return demo_run.path
