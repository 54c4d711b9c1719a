"""Files shaped like the agencies' own exports, through every door a planner uses.

Aler Milano and the Comuni export estates without coordinates, with the comune
in the address text or in a column, a single year of records, cp1252 or UTF-8
with BOM. Each test is one defect found by using the package that way; the
addresses are real civic numbers of the official reference (ds634) or real
streets of Cinisello Balsamo, so they land in known districts.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo_alloggi.cli import main


def _cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return exit code, stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, stdout.getvalue(), stderr.getvalue()


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)


# Aler's layouts: an apostrophe before the number, c/o, the comune first, a CAP
ESTATES = pd.DataFrame(
    {
        "COD_STABILE": ["00585176", "00585178", "00585179"],
        "DENOMINAZIONE": ["Teano", "Balilla", "Gorki"],
        "INDIRIZZO": [
            "VIA TEANO '36",
            "c/o Aler Milano, Via Balilla 30 - Milano",
            "20092 Cinisello Balsamo (MI), via Gorki 5",
        ],
        "N_ALLOGGI": ["80", "60", "30"],
    }
)


def test_prioritise_places_estates_from_their_addresses_with_one_year(tmp_path):
    """'prioritise' on files: estates placed by address, one year is enough.

    Before: the estates of a file without coordinates were never geocoded
    (every record "outside every district"), and one year of records ended in
    "at least 2 are needed" although 'run' ranks a single year.
    """
    estates = tmp_path / "stabili.csv"
    ESTATES.to_csv(estates, sep=";", index=False, encoding="cp1252")
    occupations = tmp_path / "occupazioni.csv"
    pd.DataFrame(
        {
            "ID_VERBALE": [f"V{i}" for i in range(12)],
            "COD_STABILE": ["00585176"] * 6 + ["00585178"] * 6,
            "DATA_RILEVAZIONE": ["03/02/2024"] * 12,
        }
    ).to_csv(occupations, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    code, _, err = _cli(
        "prioritise",
        "--estates",
        str(estates),
        "--occupations",
        str(occupations),
        "--out-dir",
        str(out),
    )
    assert code == 0, err
    assert "Traceback" not in err
    ranked = _read(out / "patrol_districts.csv")
    # Via Teano 36 is in NIL 82 Comasina, Via Balilla 30 in NIL 6: six
    # occupations each rank them first; the other districts have none
    top = ranked.head(2).set_index("Codice quartiere")["Alloggi occupati"]
    assert top.to_dict() == {"MI-NIL-82": "6", "MI-NIL-6": "6"}
    assert set(ranked["Alloggi occupati"].iloc[2:]) == {"0"}
    linking = _read(out / "linking.csv")
    assert linking.iloc[0]["Record"] == "12"
    assert linking.iloc[0]["Non collegati"] == "0"


def test_place_estates_keeps_the_comune_named_in_the_address():
    """An estate whose comune is only in its address keeps it.

    Before: without a comune column the Cinisello estate had no comune, so
    the one district rule could not give it the CINISELLO district and its
    units and records were dropped as "outside every district".
    """
    from geo_alloggi.boundaries import load_districts
    from geo_alloggi.linking import place_estates
    from geo_alloggi.overlay import assign_districts

    estates = gpd.GeoDataFrame(
        {
            "estate_id": ["A", "B"],
            "address": ESTATES["INDIRIZZO"].iloc[1:].tolist(),
        },
        geometry=gpd.GeoSeries([None, None]),
        crs="EPSG:4326",
    )
    with pytest.warns(UserWarning, match="1 of 2 estates"):
        placed = place_estates(estates)
    assert placed["comune"].tolist() == ["Milano", "Cinisello Balsamo"]
    assert placed["position_source"].iloc[0] == "geocoded"
    assert "comune" not in estates.columns  # the caller's frame is unchanged
    with pytest.warns(UserWarning, match="1"):
        where = assign_districts(
            placed, load_districts("study_area"), id_column="estate_id"
        )
    assert where.set_index("estate_id").loc["B", "district_id"] == "CINISELLO"
    assert where.set_index("estate_id").loc["B", "position_source"] == "comune"
