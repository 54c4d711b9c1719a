"""Tests of the stats API conventions: ids from the index, libpysal Graph weights,
the local Moran without permutations.

Expected values are worked out by hand (closed forms in the comments) or taken
from esda called directly with the equivalent libpysal weights.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats as sps
from shapely.geometry import box

from geo_alloggi import stats
from geo_alloggi._errors import ValidationError


def _row(values: list[float], ids: list[str] | None = None) -> gpd.GeoDataFrame:
    """Squares in a row, each bordering the next (queen = rook = a path)."""
    n = len(values)
    return gpd.GeoDataFrame(
        {"district_id": ids or [f"D{i}" for i in range(n)], "v": values},
        geometry=[box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(n)],
        crs="EPSG:32632",
    )


def _quiet(func, *args, **kwds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few features
        return func(*args, **kwds)


# --------------------------------------------------------------------------
# local Moran, permutations=0: analytical inference
# --------------------------------------------------------------------------


def test_lisa_without_permutations_is_analytical_by_hand():
    # Row A-B-C-D, y = 1 2 3 6, row-standardised path weights. Deviations
    # -2 -1 0 3, m2 = 14/4 = 3.5, z_i = dev / sqrt(3.5), n = 4.
    # I_i = (n-1) z_i lag_i / sum z^2: A = 3/7, B = 3/14, C = D = 0.
    # Conditional-randomisation moments (Sokal et al. 1998, A7-A8):
    # E = -z_i^2 w_i / ((n-1) m2); Var = z_i^2 n/(n-2) (w2_i - w_i^2/(n-1))
    # (m2 - z_i^2/(n-1)) with m2 = 1 for the standardised z:
    # A: E = -8/21, Var = 416/441 -> z = 17/sqrt(416)
    # B: E = -2/21, Var = 38/441  -> z = 13/(2 sqrt(38))
    # C: Var = 0 -> undefined, p = 1
    # D: E = -6/7,  Var = 24/49   -> z = 6/sqrt(24)
    out = _quiet(
        stats.hotspots,
        _row([1, 2, 3, 6]),
        "v",
        method="lisa",
        permutations=0,
        fdr=False,
    )
    np.testing.assert_allclose(out["lisa_i"], [3 / 7, 3 / 14, 0, 0], atol=1e-12)
    z = np.array([17 / math.sqrt(416), 13 / (2 * math.sqrt(38)), np.nan, 6 / 24**0.5])
    expected = np.where(np.isnan(z), 1.0, sps.norm.sf(np.abs(z)))
    np.testing.assert_allclose(out["lisa_p"], expected, atol=1e-12)
    assert (out["lisa_cluster"] == "Not significant").all()


def test_lisa_permutations_zero_draws_none_and_default_is_999():
    g = _row([1, 2, 3, 6, 2, 9, 8, 1, 0, 4, 7, 7])
    a = _quiet(stats.hotspots, g, "v", method="lisa", permutations=0, seed=1)
    b = _quiet(stats.hotspots, g, "v", method="lisa", permutations=0, seed=2)
    np.testing.assert_array_equal(a["lisa_p"], b["lisa_p"])  # no draws
    default = _quiet(stats.hotspots, g, "v", method="lisa", seed=3)
    explicit = _quiet(stats.hotspots, g, "v", method="lisa", permutations=999, seed=3)
    np.testing.assert_array_equal(default["lisa_p"], explicit["lisa_p"])
    # pseudo p-values are multiples of 1/1000; analytical ones are not
    assert np.allclose(explicit["lisa_p"] * 1000, np.round(explicit["lisa_p"] * 1000))
    assert not np.allclose(a["lisa_p"] * 1000, np.round(a["lisa_p"] * 1000))


# --------------------------------------------------------------------------
# weights= takes a libpysal Graph as well as a W
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def columbus() -> gpd.GeoDataFrame:
    from libpysal.examples import get_path

    col = gpd.read_file(get_path("columbus.shp"))
    # planar coordinates without a .prj: tagged metric so nothing is reprojected
    return col.set_crs("EPSG:32632").assign(district_id=col.POLYID.astype(str))


def test_graph_and_w_give_the_same_gi_star_and_moran_as_esda(columbus):
    from esda import G_Local, Moran
    from libpysal.graph import Graph
    from libpysal.weights import Queen

    layer = columbus.set_index("district_id")
    graph = Graph.build_contiguity(layer, rook=False)
    w = Queen.from_dataframe(layer, use_index=True, silence_warnings=True)
    y = columbus["CRIME"].to_numpy()

    by_graph = stats.hotspots(columbus, "CRIME", weights=graph, fdr=False)
    by_w = stats.hotspots(columbus, "CRIME", weights=w, fdr=False)
    assert_frame_equal(by_graph, by_w)
    ref = G_Local(y, graph, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(by_graph["gi_z"], ref.Zs, rtol=0, atol=1e-12)

    m_graph = stats.global_moran(columbus, "CRIME", weights=graph, permutations=0)
    m_w = stats.global_moran(columbus, "CRIME", weights=w, permutations=0)
    assert m_graph == m_w
    ref_m = Moran(y, graph, transformation="r", permutations=0)
    assert m_graph.i == pytest.approx(ref_m.I, abs=1e-12)
    assert m_graph.z == pytest.approx(ref_m.z_rand, abs=1e-12)


def test_graph_weights_in_space_time_and_as_spatial_weights(columbus):
    from libpysal.graph import Graph

    graph = Graph.build_contiguity(columbus.set_index("district_id"), rook=False)
    w = stats.spatial_weights(columbus, weights=graph)
    assert w.id_order == columbus["district_id"].tolist()
    assert w.neighbors == {str(i): list(js) for i, js in graph.neighbors.items()}
    ids = columbus["district_id"].tolist()
    rng = np.random.default_rng(0)
    panel = pd.DataFrame(
        {
            "district_id": ids * 2,
            "period": [1] * len(ids) + [2] * len(ids),
            "v": rng.poisson(5, 2 * len(ids)).astype(float),
        }
    )
    a = stats.hotspots_by_period(panel, "v", districts=columbus, weights=graph)
    b = stats.hotspots_by_period(panel, "v", districts=columbus, weights=w)
    assert_frame_equal(a, b)


def test_graph_island_is_joined_like_a_w_island():
    from libpysal.graph import Graph
    from libpysal.weights import W

    g = _row([1, 5, 2, 8, 3, 9])
    # a path A..E and F on its own: Graph keeps F as a self-link of weight 0
    links = {f"D{i}": [f"D{i - 1}", f"D{i + 1}"] for i in range(1, 4)}
    links |= {"D0": ["D1"], "D4": ["D3"], "D5": []}
    w = W(links, silence_warnings=True)
    graph = Graph.from_W(w)
    assert list(graph.isolates) == ["D5"]
    with pytest.warns(UserWarning, match="D5 -> D4"):
        a = _quiet_but_islands(stats.hotspots, g, "v", weights=graph)
    with pytest.warns(UserWarning, match="D5 -> D4"):
        b = _quiet_but_islands(stats.hotspots, g, "v", weights=w)
    assert_frame_equal(a, b)


def _quiet_but_islands(func, *args, **kwds):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="only")
        return func(*args, **kwds)


def test_graph_missing_an_id_names_it(columbus):
    from libpysal.graph import Graph

    graph = Graph.build_contiguity(
        columbus.set_index("district_id").drop(index="7"), rook=False
    )
    with pytest.raises(ValidationError, match=r"missing id '7'.*Graph"):
        stats.hotspots(columbus, "CRIME", weights=graph)


# --------------------------------------------------------------------------
# ids from id_column= or the frame's index
# --------------------------------------------------------------------------

# Row A-E of squares, values 0 0 6 0 0. Gi* with binary weights and the
# district itself included: n = 5, mean 1.2, s = 2.4; A and E see a sum of 0
# over 2 bins: z = (0 - 2.4) / (2.4 sqrt((10 - 4) / 4)) = -1/sqrt(1.5); B, C,
# D see 6 over 3 bins: z = (6 - 3.6) / (2.4 sqrt((15 - 9) / 4)) = 1/sqrt(1.5).
ROW_Z = np.array([-1, 1, 1, 1, -1]) / math.sqrt(1.5)
# Moran's I, row-standardised: deviations -1.2 -1.2 4.8 -1.2 -1.2, spatial lags
# -1.2 1.8 -1.2 1.8 -1.2; I = sum(z lag) / sum(z^2) = -7.2 / 28.8 = -0.25.
ROW_I = -0.25


def _row_layers() -> dict[str, gpd.GeoDataFrame]:
    by_column = _row([0, 0, 6, 0, 0], ids=list("ABCDE"))
    named = by_column.set_index("district_id")
    unnamed = named.rename_axis(None)
    return {"column": by_column, "named index": named, "unnamed index": unnamed}


@pytest.mark.parametrize("how", ["column", "named index", "unnamed index"])
def test_hotspots_and_moran_take_ids_from_a_column_or_the_index(how):
    layer = _row_layers()[how]
    out = _quiet(stats.hotspots, layer, "v", fdr=False)
    np.testing.assert_allclose(out["gi_z"], ROW_Z, atol=1e-12)
    assert list(out.index) == list(layer.index)  # the caller's rows and index
    res = _quiet(stats.global_moran, layer, "v", permutations=0)
    assert res.i == pytest.approx(ROW_I, abs=1e-12)
    w = _quiet(stats.spatial_weights, layer)
    assert w.id_order == list("ABCDE")
    assert sorted(w.neighbors["C"]) == ["B", "D"]


def test_same_result_via_column_and_via_index():
    layers = _row_layers()
    by_column = _quiet(stats.hotspots, layers["column"], "v")
    by_index = _quiet(stats.hotspots, layers["named index"], "v")
    assert_frame_equal(
        by_column.drop(columns="district_id"), by_index.reset_index(drop=True)
    )
    lisa_c = _quiet(stats.hotspots, layers["column"], "v", method="lisa", seed=4)
    lisa_i = _quiet(stats.hotspots, layers["unnamed index"], "v", method="lisa", seed=4)
    np.testing.assert_array_equal(lisa_c["lisa_p"], lisa_i["lisa_p"])


def test_id_column_may_name_the_index_and_ids_must_be_unique():
    named = _row_layers()["named index"]
    out = _quiet(stats.hotspots, named, "v", id_column="district_id", fdr=False)
    np.testing.assert_allclose(out["gi_z"], ROW_Z, atol=1e-12)
    with pytest.raises(ValidationError, match="no column or index named 'zona'"):
        stats.hotspots(named, "v", id_column="zona")
    dup = named.rename(index={"B": "A"})
    with pytest.raises(ValidationError, match=r"index .* must be unique.*'A'"):
        stats.hotspots(dup, "v")
    multi = named.set_index("v", append=True)
    with pytest.raises(ValidationError, match="MultiIndex"):
        stats.hotspots(multi, "geometry")


def test_space_time_reads_the_layer_index_and_a_grouped_panel():
    # the worked example of emerging_hotspots' docstring, space only (period 2)
    panel = pd.DataFrame(
        {
            "district_id": list("ABCDE") * 2,
            "period": [1] * 5 + [2] * 5,
            "v": [0, 0, 6, 0, 0, 0, 0, 0, 0, 6],
        }
    )
    grouped = panel.set_index(["district_id", "period"])
    expected = [-0.82, -1.22, -1.22, 0.82, 1.22]
    results = []
    for layer in _row_layers().values():
        for p in (panel, grouped):
            per = _quiet(stats.hotspots_by_period, p, "v", districts=layer, time_step=0)
            last = per[per["period"] == 2].set_index("district_id")["gi_z"]
            assert last.round(2).tolist() == expected
            results.append(per)
    for per in results[1:]:
        assert_frame_equal(per, results[0])
    by_column = _quiet(
        stats.emerging_hotspots, panel, "v", districts=_row_layers()["column"]
    )
    by_index = _quiet(
        stats.emerging_hotspots, panel, "v", districts=_row_layers()["named index"]
    )
    assert list(by_index.index) == list("ABCDE")  # the layer's index is kept
    assert_frame_equal(
        by_column.drop(columns="district_id"), by_index.reset_index(drop=True)
    )
