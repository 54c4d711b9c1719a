"""The public API's conventions, checked over every name in the ``__all__`` lists.

* no public function forwards ``**kwargs``: an unknown option is a
  ``TypeError`` raised by Python itself;
* the options that ``read_bundle`` and ``load_records`` used to forward reach
  ``read_records`` unchanged.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import warnings
from pathlib import Path

import pytest

import geo_alloggi
from geo_alloggi import _schema as S
from geo_alloggi.io import load_records, read_bundle


def _public_modules() -> list[str]:
    found = pkgutil.iter_modules(geo_alloggi.__path__)
    subs = sorted(f"geo_alloggi.{m.name}" for m in found if not m.name.startswith("_"))
    return ["geo_alloggi", *subs]


def _public_callables(methods: bool = True):
    seen = set()
    for name in _public_modules():
        mod = importlib.import_module(name)
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if inspect.isfunction(obj) and obj not in seen:
                seen.add(obj)
                yield f"{name}.{attr}", obj
            elif (
                methods
                and inspect.isclass(obj)
                and obj.__module__.startswith("geo_alloggi")
            ):
                for meth, fn in vars(obj).items():
                    if inspect.isfunction(fn) and not meth.startswith("_"):
                        yield f"{name}.{attr}.{meth}", fn


def test_no_public_function_forwards_kwargs():
    offenders = [
        name
        for name, fn in _public_callables()
        if any(
            p.kind is inspect.Parameter.VAR_KEYWORD
            for p in inspect.signature(fn).parameters.values()
        )
    ]
    assert offenders == []
    assert len(list(_public_callables())) > 50  # the walk did find the API


def _files(tmp_path: Path) -> dict[str, Path]:
    estates = tmp_path / "e.csv"
    estates.write_text("codice_stabile;alloggi\nST1;10\n", encoding="utf-8")
    occupations = tmp_path / "o.csv"
    occupations.write_text(
        "codice_pratica;codice_stabile;data_rilevazione;data_fine;stato\n"
        "P0;ST1;01/02/2019;;in corso\n"
        "P1;ST1;01/02/2024;;in corso\n",
        encoding="utf-8",
    )
    return {"estates": estates, "occupations": occupations}


@pytest.mark.parametrize("func", [read_bundle, load_records])
def test_unknown_option_is_a_type_error(tmp_path, func):
    with pytest.raises(TypeError, match="unexpected keyword argument 'todya'"):
        func(**_files(tmp_path), todya="2020-01-01")


def test_read_options_reach_every_file(tmp_path):
    files = _files(tmp_path)
    # P1 was detected on 1 February 2024: after 'today' 2020-12-31 it is
    # quarantined; with 'today' 2025-06-30 both rows are accepted
    early = read_bundle(**files, today="2020-12-31", delimiter=";")
    late = read_bundle(**files, today="2025-06-30", delimiter=";")
    assert early.records.occupations[S.RECORD_ID].tolist() == ["P0"]
    assert late.records.occupations[S.RECORD_ID].tolist() == ["P0", "P1"]
    with pytest.warns(UserWarning, match=r"\{'occupations': 1\}"):
        records = load_records(**files, today="2020-12-31", earliest="2019-01-01")
    assert records.occupations[S.RECORD_ID].tolist() == ["P0"]
    # 'earliest' reaches read_records too: P0 (2019) is now too early
    later = read_bundle(**files, today="2025-06-30", earliest="2020-01-01")
    assert later.records.occupations[S.RECORD_ID].tolist() == ["P1"]


# --------------------------------------------------------------------------
# results: frames, or frozen dataclasses with .to_frame()
# --------------------------------------------------------------------------

RESULT_CLASSES = [
    "geo_alloggi.Backtest",
    "geo_alloggi.CalibratedWeights",
    "geo_alloggi.LinkResult",
    "geo_alloggi.MoranResult",
    "geo_alloggi.ReadResult",
    "geo_alloggi.Records",
    "geo_alloggi.RenovationPlan",
    "geo_alloggi.boundaries.DistrictCheck",
    "geo_alloggi.io.Bundle",
    "geo_alloggi.pipeline.Analysis",
    "geo_alloggi.pipeline.PriorityTables",
]


@pytest.mark.parametrize("path", RESULT_CLASSES)
def test_result_classes_are_frozen_with_to_frame(path):
    module, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen
    assert callable(getattr(cls, "to_frame", None))


def test_no_public_function_returns_a_plain_dict():
    # record_columns is a lookup table of header aliases, not a result
    offenders = [
        name
        for name, fn in _public_callables(methods=False)
        if str(inspect.signature(fn).return_annotation).startswith("dict")
        and not name.endswith(".record_columns")
    ]
    assert offenders == []


def test_read_results_to_frame(tmp_path):
    bundle = read_bundle(**_files(tmp_path), today="2020-12-31")
    table = bundle.to_frame()
    assert table[["kind", "rows_read", "accepted", "quarantined"]].to_dict(
        "records"
    ) == [
        {"kind": "estates", "rows_read": 1, "accepted": 1, "quarantined": 0},
        {"kind": "occupations", "rows_read": 2, "accepted": 1, "quarantined": 1},
    ]
    occ = bundle.results["occupations"]
    frame = occ.to_frame()
    assert frame[S.RECORD_ID].tolist() == ["P0"]
    frame.loc[:, S.RECORD_ID] = "changed"  # a copy: the result is untouched
    assert occ.accepted[S.RECORD_ID].tolist() == ["P0"]
    assert bundle.records.to_frame().to_dict("list") == {
        "kind": ["estates", "occupations", "evictions", "vacancies"],
        "rows": [1, 1, 0, 0],
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        occ.rows_read = 5  # type: ignore[misc]


def test_moran_link_and_plan_results_to_frame():
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point, box

    from geo_alloggi import global_moran, link_records, renovation_plan

    # Moran's I of 0 0 6 0 0 in a row, row-standardised: -7.2 / 28.8 = -0.25
    row = gpd.GeoDataFrame(
        {"district_id": list("ABCDE"), "v": [0, 0, 6, 0, 0]},
        geometry=[box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(5)],
        crs="EPSG:32632",
    )
    moran = global_moran(row, "v", permutations=0)
    m = moran.to_frame()
    assert m.shape[0] == 1
    assert m.loc[0, "i"] == pytest.approx(-0.25, abs=1e-12)
    assert m.loc[0, "n"] == 5

    estates = gpd.GeoDataFrame(
        {S.ESTATE_ID: ["E1", "E2"], S.UNITS: [10, 4]},
        geometry=[Point(9.10, 45.45), Point(9.20, 45.47)],
        crs="EPSG:4326",
    )
    rec = pd.DataFrame({S.RECORD_ID: ["a", "b"], S.ESTATE_ID: ["E2", "E9"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # E9 is unlinked
        linked = link_records(rec, estates, geocode=False)
    frame = linked.to_frame()
    assert frame["link_method"].tolist() == ["estate_id", "unlinked"]
    assert frame is not linked.records

    cand = pd.DataFrame(
        {
            S.ESTATE_ID: ["E1", "E2"],
            S.UNITS: [2, 1],
            S.UNIT_COST_EUR: [10_000.0, 30_000.0],
            S.SITE_COST_EUR: [0.0, 0.0],
            S.RISK: [0.5, 0.5],
        }
    )
    # budget 20,000: both units of E1 (2 x 10,000), nothing of E2 (30,000)
    plan = renovation_plan(cand, 20_000, objective="units")
    table = plan.to_frame()
    assert dict(zip(table[S.ESTATE_ID], table["units_chosen"], strict=True)) == {
        "E1": 2,
        "E2": 0,
    }


def test_backtest_takes_areas_by_column_or_by_index():
    import pandas as pd

    from geo_alloggi import backtest

    ids = [f"D{i:02d}" for i in range(12)]
    rows = []
    for t, year in enumerate(range(2016, 2022)):
        for k, d in enumerate(ids):
            # D03 grows every year; the rest stay flat
            new = 3 + 3 * t if d == "D03" else 1
            rows.append(
                {
                    S.DISTRICT_ID: d,
                    S.PERIOD: str(year),
                    S.OCCUPIED: 5 + k % 3,
                    S.NEW_OCCUPATIONS: new,
                }
            )
    panel = pd.DataFrame(rows)
    areas = pd.DataFrame({S.DISTRICT_ID: ids, S.AREA_KM2: 1.0})
    by_column = backtest(panel, area_km2=areas, calibrate=False, seed=2)
    by_index = backtest(
        panel, area_km2=areas.set_index(S.DISTRICT_ID), calibrate=False, seed=2
    )
    pd.testing.assert_frame_equal(by_column.to_frame(), by_index.to_frame())
    pd.testing.assert_frame_equal(by_column.summary, by_index.summary)
