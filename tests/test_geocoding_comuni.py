"""Geocoding with the comune read from the text (issue 11): examples, traps, area."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo_alloggi import config, datasets
from geo_alloggi.address import LAYOUT_FAMILIES, address_in_layout
from geo_alloggi.geocoding import Geocoder

GEOD = Geod(ellps="WGS84")
PLACED = ("exact", "interpolated", "nearest_number")


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep this module's geocoder cache in a temporary folder."""
    old = os.environ.get(config.CACHE_ENV)
    os.environ[config.CACHE_ENV] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop(config.CACHE_ENV, None)
    else:
        os.environ[config.CACHE_ENV] = old


@pytest.fixture(scope="module")
def geocoder(mirror: Path) -> Geocoder:
    return Geocoder(mirror)


@pytest.fixture(scope="module")
def civici(mirror: Path) -> pd.DataFrame:
    """Official current civic points of ds634, read independently of the geocoder."""
    c = datasets.read_civici(mirror / datasets.REGISTRY["civici"].filename)
    return c[(c["status"] == 2) & (c["entrance"] == "")].reset_index(drop=True)


def quiet(g: Geocoder, data, **kw) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return g.geocode(data, **kw)


def official(civici: pd.DataFrame, name: str, housenumber: str) -> tuple[float, float]:
    row = civici[
        (civici["street_name"] == name) & (civici["housenumber"] == housenumber)
    ]
    assert len(row) == 1
    return float(row["lon"].iloc[0]), float(row["lat"].iloc[0])


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1 = np.asarray(lon1, dtype=float), np.asarray(lat1, dtype=float)
    bad = ~(np.isfinite(lon1) & np.isfinite(lat1))
    _, _, d = GEOD.inv(np.where(bad, 0, lon1), np.where(bad, 0, lat1), lon2, lat2)
    return np.where(bad, np.inf, d)


# the seven examples at the top of issue 11 (and the one that worked):
# address -> (match type, street name, civic number of the official point)
EXAMPLES = {
    "MILANO VIA MAC MAHON '89 A": ("nearest_number", "MAC MAHON", "89"),
    "Milano, Via Mac Mahon 89": ("exact", "MAC MAHON", "89"),
    "00585175 MILANO VIA DELLA CAPINERA '5": ("exact", "DELLA CAPINERA", "5"),
    "Milano (MI) - via balilla n. 30": ("exact", "BALILLA", "30"),
    "c/o Aler Milano, Via Balilla 30 - Milano": ("exact", "BALILLA", "30"),
    "quartiere San Siro, via Zamagna 4": ("exact", "BERNARDO ZAMAGNA", "4"),
    "VIA MAC MAHON '89 A, MILANO": ("nearest_number", "MAC MAHON", "89"),
    # the /2 of 30.2 is kept: no 30/2 in ds634, so not an exact match on 30
    "via balilla 30.2": ("nearest_number", "BALILLA", "30"),
    # comune-name traps: streets and quarters of Milan named like comuni
    "VIALE MONZA 140": ("exact", "MONZA", "140"),
    "CORSO LODI 2": ("exact", "LODI", "2"),
    "CORSO MAGENTA 10": ("exact", "MAGENTA", "10"),
    "Ponte Lambro, via Ucelli di Nemi 30": ("exact", "GUIDO UCELLI DI NEMI", "30"),
}


def test_issue_examples_and_comune_traps_are_placed_in_milan(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    out = quiet(geocoder, list(EXAMPLES))
    for i, (address, (kind, name, number)) in enumerate(EXAMPLES.items()):
        assert out.loc[i, "geo_match_type"] == kind, address
        assert out.loc[i, "geo_comune"] == "Milano", address
        lon, lat = official(civici, name, number)
        d = metres(out.loc[i, "geo_lon"], out.loc[i, "geo_lat"], lon, lat)
        assert d < 1.0, address


def test_cinisello_example_is_read_in_cinisello(geocoder: Geocoder) -> None:
    # The mirror has no civic points for Cinisello Balsamo (ANNCSU's streets
    # only): the street is found there, street-level, no position in Milan.
    out = quiet(geocoder, ["20092 Cinisello Balsamo (MI), via Gorki 5"])
    assert out.loc[0, "geo_comune"] == "Cinisello Balsamo"
    assert out.loc[0, "geo_match_type"] == "street"
    assert out.loc[0, "geo_matched_address"] == "VIA MASSIMO GORKI, Cinisello Balsamo"
    assert np.isnan(out.loc[0, "geo_lon"])


def test_same_named_streets_are_never_placed_across_comuni(
    geocoder: Geocoder, civici: pd.DataFrame
) -> None:
    rows = pd.DataFrame(
        {
            "address": [
                "Via Eugenio Curiel 5, Corsico",
                "Corsico, via E. Curiel 5",
                "Via Eugenio Curiel 5, Cinisello Balsamo",
                "Viale Fulvio Testi 100, Cinisello B.",
                "Via Massimo Gorki 5 - 20092",
                "Via Eugenio Curiel 5",
                "Via Massimo Gorki 5",
                "Via Eugenio Curiel 5",
            ],
            "comune": ["", "", "", "", "", "Corsico", "C707", "015146"],
        }
    )
    out = quiet(geocoder, rows, comune_column="comune")
    assert list(out["geo_comune"]) == [
        "Corsico",
        "Corsico",
        "Cinisello Balsamo",
        "Cinisello Balsamo",
        "Cinisello Balsamo",
        "Corsico",
        "Cinisello Balsamo",
        "Milano",
    ]
    assert list(out["geo_match_type"][:2]) == ["out_of_area", "out_of_area"]
    assert out.loc[5, "geo_match_type"] == "out_of_area"
    # no civic points in Cinisello: never a typed position, never Milan's
    assert not out["geo_match_type"][:7].isin(PLACED).any()
    assert out["geo_lon"][:7].isna().all()
    milan = out.loc[7]
    assert milan["geo_match_type"] in PLACED
    assert milan["geo_matched_address"].endswith(", Milano")
    # Corsico in the study area: still not placed (no points there), never in Milan
    inside = quiet(
        geocoder,
        ["Via Eugenio Curiel 5, Corsico"],
        comuni=["Milano", "Cinisello Balsamo", "D045"],
    )
    assert inside.loc[0, "geo_match_type"] == "unmatched"
    assert inside.loc[0, "geo_comune"] == "Corsico"
    assert np.isnan(inside.loc[0, "geo_lon"])


def test_text_and_column_disagree_go_to_review_with_both_named(
    geocoder: Geocoder,
) -> None:
    out = quiet(
        geocoder,
        pd.DataFrame(
            {
                "address": ["Milano, Via Mac Mahon 89", "Via Mac Mahon 89, Milano"],
                "comune": ["Cinisello Balsamo", "F205"],
            }
        ),
        comune_column="comune",
    )
    assert out.loc[0, "geo_match_type"] == "unmatched"
    assert out.loc[0, "geo_matched_address"] == (
        "comune conflict: Milano in the address, Cinisello Balsamo given"
    )
    assert np.isnan(out.loc[0, "geo_lon"])
    assert out.loc[1, "geo_match_type"] == "exact"


def test_snc_and_km_are_street_level_not_placed(geocoder: Geocoder) -> None:
    out = quiet(
        geocoder,
        [
            "Via Mac Mahon snc",
            "Viale Fulvio Testi 100 snc",
            "Viale Fulvio Testi km 3,2",
        ],
    )
    assert list(out["geo_match_type"]) == ["street"] * 3
    assert out["geo_lon"].isna().all()


def test_unknown_study_area_comune_is_a_one_line_error(geocoder: Geocoder) -> None:
    from geo_alloggi._errors import ValidationError

    with pytest.raises(ValidationError, match="not one of the 1502 comuni of Lombardy"):
        geocoder.geocode(["Via Mac Mahon 89"], comuni=["Atlantide"])


@pytest.mark.parametrize("family", [f for f in LAYOUT_FAMILIES if f != "no_number"])
def test_layout_family_of_official_addresses_is_placed(
    geocoder: Geocoder, civici: pd.DataFrame, family: str
) -> None:
    # ~300 official ds634 addresses per family, the comune only in the text
    cur = civici[civici["source"] == "ds634"] if "source" in civici else civici
    cur = cur.drop_duplicates(["street_type", "street_name", "housenumber"])
    rng = np.random.default_rng(11)
    sample = cur.iloc[np.sort(rng.choice(len(cur), size=300, replace=False))]
    texts = [
        address_in_layout(t, n, h, "Milano", family)
        for t, n, h in zip(
            sample["street_type"],
            sample["street_name"],
            sample["housenumber"],
            strict=True,
        )
    ]
    out = quiet(geocoder, texts)
    d = metres(out["geo_lon"], out["geo_lat"], sample["lon"], sample["lat"])
    placed = out["geo_match_type"].isin(PLACED).to_numpy() & (d <= 30)
    assert placed.mean() >= 0.97, (family, placed.mean())
    assert (out["geo_comune"] == "Milano").all()
