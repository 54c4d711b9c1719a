"""Tests of geo_alloggi.stats: weights, Gi*/LISA, Moran, emerging hot spots, grids, KDE.

Expected values are computed independently: ArcGIS's Gi* formula and
Benjamini–Hochberg written out by hand with NumPy, Marshall's empirical Bayes by
hand, the published Moran's I of the Columbus data, hexagon geometry and the
default kernel bandwidth worked out by hand.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo_alloggi import _schema as S
from geo_alloggi import stats
from geo_alloggi._errors import CRSError, ValidationError

# --------------------------------------------------------------------------
# fixtures and independent reference implementations
# --------------------------------------------------------------------------

SIDE = 6  # a 6 x 6 lattice of 1 km squares: 36 features, above ArcGIS's 30


def _lattice(values: np.ndarray) -> gpd.GeoDataFrame:
    geoms = [
        box(
            500000 + 1000 * c, 5030000 + 1000 * r, 501000 + 1000 * c, 5031000 + 1000 * r
        )
        for r in range(SIDE)
        for c in range(SIDE)
    ]
    return gpd.GeoDataFrame(
        {S.DISTRICT_ID: [f"D{i:02d}" for i in range(SIDE * SIDE)], "v": values},
        geometry=geoms,
        crs="EPSG:32632",
    ).to_crs("EPSG:4326")


def _lattice_queen(i: int) -> list[int]:
    """Queen neighbours on the lattice by index arithmetic (no libpysal)."""
    r, c = divmod(i, SIDE)
    out = []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if (dr, dc) != (0, 0) and 0 <= r + dr < SIDE and 0 <= c + dc < SIDE:
                out.append((r + dr) * SIDE + c + dc)
    return out


def queen_steps(w, sources: list[str]) -> dict[str, int]:
    """Graph distance (steps along the weights) from the nearest of ``sources``.

    Breadth-first search; features not reachable get no entry.
    """
    dist = {str(s): 0 for s in sources}
    frontier = list(dist)
    while frontier:
        nxt = []
        for i in frontier:
            for j in w.neighbors[i]:
                if j not in dist:
                    dist[j] = dist[i] + 1
                    nxt.append(j)
        frontier = nxt
    return dist


def _arcgis_gi_star(x: np.ndarray, neighbours: list[list[int]]) -> np.ndarray:
    """Gi* z-scores, ArcGIS's formula, binary weights with w_ii = 1."""
    n = len(x)
    xbar = x.mean()
    s = math.sqrt((x**2).mean() - xbar**2)
    z = np.empty(n)
    for i in range(n):
        members = [i, *neighbours[i]]
        sw = len(members)  # Σw = Σw² for binary weights
        num = x[members].sum() - xbar * sw
        den = s * math.sqrt((n * sw - sw**2) / (n - 1))
        z[i] = num / den
    return z


def _bh_significant(p: np.ndarray, a: float) -> np.ndarray:
    """ArcGIS/BH rule written out: reject p_(k) for k ≤ max{k: p_(k) ≤ k a / n}."""
    n = len(p)
    order = np.argsort(p)
    ranked = p[order]
    ok = np.flatnonzero(ranked <= np.arange(1, n + 1) * a / n)
    out = np.zeros(n, dtype=bool)
    if len(ok):
        cutoff = ranked[ok.max()]
        out = p <= cutoff
    return out


@pytest.fixture(scope="module")
def nil_weights(nil: gpd.GeoDataFrame):
    return stats.spatial_weights(nil)


# --------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------


def test_study_area_joins_cinisello_to_nearest_nil(study_area):
    with pytest.warns(UserWarning, match=r"CINISELLO -> MI-NIL-14 \(8\d\d m\)"):
        w = stats.spatial_weights(study_area)
    assert w.n == 89
    assert w.islands == []
    assert "MI-NIL-14" in w.neighbors["CINISELLO"]
    assert "CINISELLO" in w.neighbors["MI-NIL-14"]  # symmetric
    # the nearest Milan NIL by polygon distance, computed here independently
    metric = study_area.to_crs("EPSG:32632").set_index(S.DISTRICT_ID)
    d = metric.geometry.distance(metric.geometry["CINISELLO"]).drop("CINISELLO")
    assert d.idxmin() == "MI-NIL-14"
    assert 700 < d.min() < 1000
    joined = set(w.neighbors["CINISELLO"])
    assert joined == set(d[d <= 1.5 * d.min()].index)


def test_nil_queen_has_no_island(nil, nil_weights):
    assert nil_weights.n == len(nil) == 88
    assert nil_weights.islands == []
    assert nil_weights.n_components == 1


@pytest.mark.parametrize(
    ("kind", "kwds", "expected"),
    [("knn", {"k": 4}, 4.0), ("rook", None, None), ("distance_band", None, None)],
)
def test_other_weight_kinds(nil, kind, kwds, expected):
    w = stats.spatial_weights(nil, weights=kind, weights_kwds=kwds)
    assert w.n == 88
    assert min(w.cardinalities.values()) >= 1
    if expected is not None:
        assert w.mean_neighbors == expected


def test_weights_errors(nil):
    with pytest.raises(ValidationError, match="weights='hexes' is not one of"):
        stats.spatial_weights(nil, weights="hexes")
    with pytest.raises(ValidationError, match=r"weights_kwds\['k'\]=0"):
        stats.spatial_weights(nil, weights="knn", weights_kwds={"k": 0})
    with pytest.raises(CRSError):
        stats.spatial_weights(
            gpd.GeoDataFrame(nil.drop(columns="geometry"), geometry=list(nil.geometry))
        )


# --------------------------------------------------------------------------
# Gi*
# --------------------------------------------------------------------------


def test_gi_star_matches_arcgis_formula_including_negative_values():
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 3.0, SIDE * SIDE)  # negative values on purpose
    x[[0, 1, 6, 7]] += 12.0
    out = stats.hotspots(_lattice(x), "v", fdr=False)
    expected = _arcgis_gi_star(x, [_lattice_queen(i) for i in range(SIDE * SIDE)])
    np.testing.assert_allclose(out[S.GI_Z].to_numpy(), expected, rtol=0, atol=1e-9)
    p = 2 * (1 - __import__("scipy").stats.norm.cdf(np.abs(expected)))
    np.testing.assert_allclose(out[S.GI_P].to_numpy(), p, atol=1e-12)
    # bins without FDR: thresholds 0.10/0.05/0.01 on the two-sided p
    level = (p <= 0.10).astype(int) + (p <= 0.05) + (p <= 0.01)
    np.testing.assert_array_equal(out[S.GI_BIN].to_numpy(), np.sign(expected) * level)
    assert out.loc[0, S.HOTSPOT] == "Hot spot 99%"
    assert set(out[S.HOTSPOT]) <= set(S.HOTSPOT_LABELS.values())


def test_fdr_bins_follow_benjamini_hochberg_per_level(nil, nil_weights):
    rng = np.random.default_rng(5)
    g = nil.assign(v=rng.gamma(2.0, 5.0, len(nil)))
    cluster = ["MI-NIL-51", *nil_weights.neighbors["MI-NIL-51"]]
    g.loc[g[S.DISTRICT_ID].isin(cluster), "v"] += 14.0
    out = stats.hotspots(g, "v")
    p = out[S.GI_P].to_numpy()
    z = out[S.GI_Z].to_numpy()
    level = np.zeros(len(p), dtype=int)
    for lv, a in ((1, 0.10), (2, 0.05), (3, 0.01)):
        level[_bh_significant(p, a)] = lv
    expected = np.sign(z).astype(int) * level
    np.testing.assert_array_equal(out[S.GI_BIN].to_numpy(), expected)
    assert len(set(expected[expected != 0])) >= 2  # the test sees several levels
    # FDR is stricter than raw p
    raw = stats.hotspots(g, "v", fdr=False)
    assert (raw[S.GI_BIN].abs() >= out[S.GI_BIN].abs()).all()
    # alpha=0.05 drops the 90% bins only
    a05 = stats.hotspots(g, "v", alpha=0.05)
    np.testing.assert_array_equal(
        a05[S.GI_BIN].to_numpy(), np.where(np.abs(expected) == 1, 0, expected)
    )


def test_hotspots_returns_new_frame_and_keeps_input(study_area):
    g = study_area.assign(v=np.arange(len(study_area), dtype=float) % 7)
    before = g.copy()
    with pytest.warns(UserWarning, match="joined"):
        out = stats.hotspots(g, "v", permutations=99, seed=1)
    pd.testing.assert_frame_equal(pd.DataFrame(g), pd.DataFrame(before))
    assert out is not g
    assert list(out.index) == list(g.index)
    assert out.crs == g.crs
    for col in (S.GI_Z, S.GI_P, S.GI_Q, S.GI_P_SIM, S.GI_BIN, S.HOTSPOT):
        assert col in out.columns
    assert ((out[S.GI_P_SIM] > 0) & (out[S.GI_P_SIM] <= 0.5 + 1e-6)).all()
    with pytest.warns(UserWarning, match="joined"):
        again = stats.hotspots(g, "v", permutations=99, seed=1)
    pd.testing.assert_frame_equal(pd.DataFrame(out), pd.DataFrame(again))


def test_fewer_than_30_features_warns(grid3x3):
    g = grid3x3.assign(v=[1, 2, 3, 4, 5, 6, 7, 8, 30.0])
    with pytest.warns(UserWarning, match="fewer than 30|undefined") as rec:
        out = stats.hotspots(g, "v")
    assert len(out) == 9
    messages = " | ".join(str(r.message) for r in rec)
    assert "fewer than 30" in messages
    # the centre square neighbours all 9: its Gi* is 0/0, reported and not significant
    assert "Gi* is undefined for 1 feature(s)" in messages
    assert np.isnan(out.loc[4, S.GI_Z])
    assert out.loc[4, S.HOTSPOT] == "Not significant"
    assert np.isfinite(out.drop(index=4)[S.GI_Z]).all()


def _marshall_eb(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    r = e / b
    m = e.sum() / b.sum()
    s2 = (b * (r - m) ** 2).sum() / b.sum()
    a = max(s2 - m / b.mean(), 0.0)
    shrink = a / (a + m / b)
    return shrink * r + (1 - shrink) * m


def test_rates_are_smoothed_with_empirical_bayes_and_zero_units_left_out(nil):
    rng = np.random.default_rng(11)
    units = rng.integers(5, 800, len(nil)).astype(float)
    units[[3, 10]] = 0.0
    risk = rng.gamma(4.0, 0.02, len(nil))  # rates really differ between districts
    events = rng.binomial(units.astype(int), np.minimum(risk, 1)).astype(float)
    g = nil.assign(units=units, occupied=events)
    with pytest.warns(UserWarning, match=r"2 feature\(s\) left out.*units is zero"):
        out = stats.hotspots(g, "occupied", units="units")
    assert out[S.GI_Z].isna().sum() == 2
    assert out.loc[[3, 10], S.HOTSPOT].isna().all()
    assert out.loc[[3, 10], S.GI_BIN].isna().all()
    keep = units > 0
    e, b = events[keep], units[keep]
    eb = _marshall_eb(e, b)
    np.testing.assert_allclose(out.loc[keep, S.RATE_EB].to_numpy(), eb, rtol=1e-10)
    np.testing.assert_allclose(out.loc[keep, S.RATE].to_numpy(), e / b, rtol=1e-12)
    # with a positive prior variance this is esda's estimator too
    from esda.smoothing import Empirical_Bayes

    np.testing.assert_allclose(eb, Empirical_Bayes(e, b).r.ravel(), rtol=1e-10)
    # the district with the fewest units moves the most towards the mean
    r, m = e / b, e.sum() / b.sum()
    moved = np.abs(eb - r) / np.maximum(np.abs(r - m), 1e-12)
    assert np.argmax(moved) == np.argmin(b)


def test_rates_with_no_extra_variation_shrink_to_the_mean(nil):
    # binomial counts at one common risk: the prior variance estimate is
    # negative and is truncated at 0, so every smoothed rate equals the mean
    rng = np.random.default_rng(12)
    units = rng.integers(50, 800, len(nil)).astype(float)
    events = rng.binomial(units.astype(int), 0.07).astype(float)
    with pytest.warns(UserWarning, match="same value in all 88"):
        out = stats.hotspots(
            nil.assign(units=units, occupied=events), "occupied", units="units"
        )
    m = events.sum() / units.sum()
    np.testing.assert_allclose(out[S.RATE_EB].to_numpy(), m, rtol=1e-12)
    assert (out[S.HOTSPOT] == "Not significant").all()


@pytest.mark.parametrize("method", ["gi_star", "lisa"])
def test_constant_values_give_no_spots_and_keep_global_rng(nil, method):
    np.random.seed(123)
    expected_next = np.random.random()
    np.random.seed(123)
    with pytest.warns(UserWarning, match="same value in all 88"):
        out = stats.hotspots(nil.assign(v=0.0), "v", method=method, permutations=99)
    label = S.HOTSPOT if method == "gi_star" else S.LISA_CLUSTER
    assert (out[label] == "Not significant").all()
    # permutations elsewhere must not disturb the caller's global NumPy generator
    out = stats.hotspots(
        nil.assign(v=np.arange(88.0)), "v", method=method, permutations=99, seed=4
    )
    assert np.random.random() == expected_next


def test_bad_arguments_raise_clear_errors(nil):
    g = nil.assign(v=1.0)
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['nope'\]"):
        stats.hotspots(g, "nope")
    with pytest.raises(ValidationError, match="method='kde' is not one of"):
        stats.hotspots(g, "v", method="kde")
    with pytest.raises(ValidationError, match=r"alpha=0\.2 is not one of"):
        stats.hotspots(g, "v", alpha=0.2)
    dup = pd.concat([g, g.iloc[:1]])
    with pytest.raises(ValidationError, match="must be unique"):
        stats.hotspots(dup, "v")
    with pytest.raises(ValidationError, match="must be numeric"):
        stats.hotspots(g.assign(v="x"), "v")


# --------------------------------------------------------------------------
# planted clusters on the real NIL, 20 seeds
# --------------------------------------------------------------------------


def _planted_counts(nil, w, seed: int) -> tuple[gpd.GeoDataFrame, set[str], dict]:
    """Two separated clusters (a NIL and its queen neighbours) at 4x the background.

    Occupations spill over estate boundaries, so the districts touching a
    cluster run at 2.5x; everything else is Poisson(10).
    """
    rng = np.random.default_rng(seed)
    ids = nil[S.DISTRICT_ID].tolist()
    centres: list[str] = []
    for c in rng.permutation(ids):
        if all(queen_steps(w, [c]).get(o, 99) >= 5 for o in centres):
            centres.append(str(c))
        if len(centres) == 2:
            break
    planted = set(centres) | {n for c in centres for n in w.neighbors[c]}
    steps = queen_steps(w, sorted(planted))
    lam = np.array(
        [40.0 if i in planted else 25.0 if steps.get(i) == 1 else 10.0 for i in ids]
    )
    return nil.assign(occupied=rng.poisson(lam)), planted, steps


def test_planted_clusters_recall_and_false_positives_over_20_seeds(nil, nil_weights):
    tp = fn = fp = negatives = 0
    for seed in range(20):
        g, planted, steps = _planted_counts(nil, nil_weights, seed)
        out = stats.hotspots(g, "occupied", weights=nil_weights, alpha=0.05)
        hot = set(out.loc[out[S.GI_BIN] > 0, S.DISTRICT_ID])
        far = {i for i in out[S.DISTRICT_ID] if steps.get(i, 99) >= 2}
        tp += len(planted & hot)
        fn += len(planted - hot)
        fp += len(far & hot)
        negatives += len(far)
    recall = tp / (tp + fn)
    assert recall >= 0.9, recall
    assert fp / negatives <= 0.05, fp / negatives
    assert negatives > 20 * 30  # the false-positive check looks at many districts


def test_fdr_keeps_null_maps_free_of_hot_spots(nil, nil_weights):
    # Poisson noise with no cluster: Benjamini-Hochberg at 0.05 keeps the share
    # of maps with any false hot spot near 5%; raw p-values flag most maps
    maps_with_hot = {True: 0, False: 0}
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        g = nil.assign(occupied=rng.poisson(10, len(nil)))
        for fdr in (True, False):
            out = stats.hotspots(
                g, "occupied", weights=nil_weights, alpha=0.05, fdr=fdr
            )
            maps_with_hot[fdr] += bool((out[S.GI_BIN] > 0).any())
    assert maps_with_hot[True] <= 2
    assert maps_with_hot[False] >= 10


# --------------------------------------------------------------------------
# LISA and global Moran
# --------------------------------------------------------------------------


def test_lisa_finds_planted_high_high_and_is_seeded(nil, nil_weights):
    g, planted, _ = _planted_counts(nil, nil_weights, 0)
    out = stats.hotspots(g, "occupied", method="lisa", weights=nil_weights, seed=5)
    assert set(out[S.LISA_CLUSTER]) <= set(S.LISA_LABELS)
    hh = set(out.loc[out[S.LISA_CLUSTER] == "High-High", S.DISTRICT_ID])
    assert hh
    assert hh <= planted | {n for p in planted for n in nil_weights.neighbors[p]}
    again = stats.hotspots(g, "occupied", method="lisa", weights=nil_weights, seed=5)
    pd.testing.assert_frame_equal(pd.DataFrame(out), pd.DataFrame(again))
    # the local statistic of a HH district is positive
    assert (out.loc[out[S.LISA_CLUSTER] == "High-High", S.LISA_I] > 0).all()


def test_global_moran_columbus_crime_is_published_0_500():
    from libpysal.examples import get_path

    col = gpd.read_file(get_path("columbus.shp"))
    assert col.crs is None  # the shapefile has no .prj
    # coordinates are planar in an unspecified unit; tag them with the metric
    # CRS so nothing is reprojected (contiguity does not depend on units)
    col = col.set_crs("EPSG:32632").assign(district_id=lambda d: d.POLYID.astype(str))
    res = stats.global_moran(col, "CRIME", permutations=999, seed=0)
    assert res.i == pytest.approx(0.500, abs=5e-4)
    assert res.expected_i == pytest.approx(-1 / 48)
    assert res.n == 49
    assert res.p_sim == pytest.approx(0.001)
    assert res.p_analytic < 1e-6
    again = stats.global_moran(col, "CRIME", permutations=999, seed=0)
    assert again == res


def test_global_moran_on_rates_uses_moran_rate(nil):
    rng = np.random.default_rng(2)
    units = rng.integers(50, 900, len(nil)).astype(float)
    events = rng.binomial(units.astype(int), 0.05).astype(float)
    g = nil.assign(units=units, occupied=events)
    res = stats.global_moran(g, "occupied", units="units", permutations=99, seed=1)
    from esda import Moran_Rate

    w = stats.spatial_weights(nil)
    np.random.seed(1)
    ref = Moran_Rate(
        events, units, w, adjusted=True, transformation="r", permutations=0
    )
    assert res.rate
    assert res.i == pytest.approx(ref.I, abs=1e-12)


# --------------------------------------------------------------------------
# emerging hot spots
# --------------------------------------------------------------------------


def _b(s: str) -> list[bool]:
    return [ch == "1" for ch in s]


@pytest.mark.parametrize(
    ("hot", "cold", "tau", "p", "expected"),
    [
        ("000000000001", "000000000000", 0.1, 0.5, "New Hot Spot"),
        ("000000000111", "000000000000", 0.5, 0.01, "Consecutive Hot Spot"),
        ("111111111111", "000000000000", 0.8, 0.001, "Intensifying Hot Spot"),
        ("111111111111", "000000000000", 0.1, 0.6, "Persistent Hot Spot"),
        ("011111111111", "000000000000", -0.7, 0.001, "Diminishing Hot Spot"),
        ("010010010011", "000000000000", 0.0, 1.0, "Sporadic Hot Spot"),
        ("000000000011", "110000000000", 0.6, 0.01, "Oscillating Hot Spot"),
        ("000000000001", "001000000000", 0.1, 0.5, "Oscillating Hot Spot"),
        ("111111111110", "000000000000", -0.3, 0.2, "Historical Hot Spot"),
        ("000000000000", "000000000001", -0.1, 0.5, "New Cold Spot"),
        ("000000000000", "111111111111", -0.8, 0.001, "Intensifying Cold Spot"),
        ("000000000000", "111111111111", 0.8, 0.001, "Diminishing Cold Spot"),
        ("000000000000", "111111111111", math.nan, math.nan, "Persistent Cold Spot"),
        ("100000000000", "000000000001", 0.0, 1.0, "Oscillating Cold Spot"),
        ("000000000000", "111111111110", 0.0, 1.0, "Historical Cold Spot"),
        ("000000000000", "000000001011", 0.0, 1.0, "Sporadic Cold Spot"),
        ("000000000000", "000000000011", 0.0, 1.0, "Consecutive Cold Spot"),
        ("010010010010", "000000000000", 0.0, 1.0, "No Pattern Detected"),
        ("000000000000", "000000000000", math.nan, math.nan, "No Pattern Detected"),
        # 90% of 10 periods is exactly 9 (no floating-point surprise)
        ("0111111111", "0000000000", 0.1, 0.5, "Persistent Hot Spot"),
        ("1111111110", "0000000000", 0.1, 0.5, "Historical Hot Spot"),
        # 90% of 12 is ⌈10.8⌉ = 11: ten hot periods are not enough
        ("001111111111", "000000000000", 0.9, 0.001, "Consecutive Hot Spot"),
    ],
)
def test_emerging_rules(hot, cold, tau, p, expected):
    got = stats.classify_emerging(_b(hot), _b(cold), tau=tau, trend_p=p)
    assert got == expected
    assert got in S.EMERGING_CATEGORIES


T = 12


def _pattern_panel(
    nil, w, seed: int, pattern: dict[int, float]
) -> tuple[pd.DataFrame, str]:
    """District values 100 ± 10 (fixed over time) and one planted cluster.

    ``pattern`` maps a period index to the value of the cluster (the most
    connected NIL and its queen neighbours) in that period.
    """
    rng = np.random.default_rng(seed)
    ids = nil[S.DISTRICT_ID].tolist()
    base = 100.0 + rng.normal(0.0, 10.0, len(ids))
    centre = max(ids, key=lambda i: (len(w.neighbors[i]), i))
    cluster = {centre, *w.neighbors[centre]}
    in_cluster = np.isin(ids, sorted(cluster))
    rows = []
    for t in range(T):
        v = base.copy()
        if t in pattern:
            v[in_cluster] = pattern[t]
        rows.append(
            pd.DataFrame({S.DISTRICT_ID: ids, S.PERIOD: 2014 + t, "occupied": v})
        )
    return pd.concat(rows, ignore_index=True), centre


PATTERNS = {
    "New Hot Spot": {11: 300.0},
    "Consecutive Hot Spot": {9: 300.0, 10: 300.0, 11: 300.0},
    "Intensifying Hot Spot": {t: 200.0 + 20 * t for t in range(T)},
    "Persistent Hot Spot": dict.fromkeys(range(T), 300.0),
    "Diminishing Hot Spot": {t: 420.0 - 20 * t for t in range(T)},
    "Sporadic Hot Spot": {1: 300.0, 4: 300.0, 7: 300.0, 11: 300.0},
    "Oscillating Hot Spot": {0: 0.0, 1: 0.0, 2: 0.0, 10: 300.0, 11: 300.0},
    "Historical Hot Spot": dict.fromkeys(range(T - 1), 300.0),
    "New Cold Spot": {11: 0.0},
    "Persistent Cold Spot": dict.fromkeys(range(T), 0.0),
    "Historical Cold Spot": dict.fromkeys(range(T - 1), 0.0),
}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("category", sorted(PATTERNS))
def test_planted_space_time_patterns(nil, nil_weights, category, seed):
    panel, centre = _pattern_panel(nil, nil_weights, seed, PATTERNS[category])
    # the planted patterns are read period by period: space-only neighbourhood
    out = stats.emerging_hotspots(
        panel, "occupied", districts=nil, weights=nil_weights, time_step=0
    )
    assert len(out) == len(nil)
    got = out.set_index(S.DISTRICT_ID)
    assert got.loc[centre, S.EMERGING] == category
    far = [i for i, s in queen_steps(nil_weights, [centre]).items() if s >= 4]
    assert (got.loc[far, S.EMERGING] == "No Pattern Detected").mean() >= 0.9


def test_emerging_is_deterministic_and_reports_counts(nil, nil_weights):
    rng = np.random.default_rng(42)
    ids = nil[S.DISTRICT_ID].tolist()
    periods = pd.period_range("2019-01", periods=24, freq="M")
    lam = rng.gamma(2.0, 4.0, len(ids))[:, None] * np.linspace(1, 2, 24)[None, :]
    y = rng.poisson(lam)
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(ids, 24),
            S.PERIOD: np.tile(periods, len(ids)),
            "occupied": y.ravel(),
            "units": 400,
        }
    )
    a = stats.emerging_hotspots(panel, "occupied", districts=nil, units="units")
    b = stats.emerging_hotspots(
        panel.sample(frac=1, random_state=1), "occupied", districts=nil, units="units"
    )
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    assert (a[S.N_PERIODS] == 24).all()
    assert (a[S.N_HOT] + a[S.N_COLD] <= 24).all()
    # n_hot agrees with the per-period table
    per = stats.hotspots_by_period(
        panel, "occupied", districts=nil, units="units", alpha=0.05
    )
    counted = per[per[S.GI_BIN] > 0].groupby(S.DISTRICT_ID).size()
    np.testing.assert_array_equal(
        a.set_index(S.DISTRICT_ID)[S.N_HOT].to_numpy(),
        counted.reindex(a[S.DISTRICT_ID]).fillna(0).to_numpy(),
    )


def test_hotspots_by_period_equals_direct_esda_per_period(nil, nil_weights):
    from esda import G_Local
    from libpysal.weights import W

    rng = np.random.default_rng(5)
    ids = nil[S.DISTRICT_ID].tolist()
    y = rng.poisson(8, (len(ids), 3)).astype(float)
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(ids, 3),
            S.PERIOD: np.tile([1, 2, 3], len(ids)),
            "v": y.ravel(),
        }
    )
    per = stats.hotspots_by_period(
        panel, "v", districts=nil, weights=nil_weights, time_step=0
    )
    for t in range(3):
        w = W(dict(nil_weights.neighbors), id_order=ids, silence_warnings=True)
        g = G_Local(y[:, t], w, transform="B", star=True, permutations=0)
        got = per[per[S.PERIOD] == t + 1][S.GI_Z].to_numpy()
        np.testing.assert_allclose(got, g.Zs, atol=1e-10)


def _space_time_reference(
    values: np.ndarray, neighbours: list[list[int]], time_step: int
) -> np.ndarray:
    """Space–time Gi* z by the formula, bin by bin (district × period).

    The neighbourhood of district i in period t: i and its neighbours in
    periods max(0, t - time_step) .. t; mean and s.d. over every bin of
    those periods (ArcGIS's neighbourhood-time-step global window).
    """
    nd, nt = values.shape
    z = np.empty((nd, nt))
    for t in range(nt):
        window = range(max(0, t - time_step), t + 1)
        bins = [values[j, s] for s in window for j in range(nd)]
        n = len(bins)
        xbar = sum(bins) / n
        sd = math.sqrt(sum(b * b for b in bins) / n - xbar**2)
        for i in range(nd):
            members = [values[j, s] for s in window for j in [i, *neighbours[i]]]
            w = len(members)
            z[i, t] = (sum(members) - xbar * w) / (
                sd * math.sqrt((n * w - w * w) / (n - 1))
            )
    return z


def test_space_time_gi_star_by_hand_on_a_row_of_four():
    # A B C D in a row, values 1 2 3 4 then 5 0 0 3. With time_step=1 the
    # second period compares 8 bins: mean 18/8 = 2.25, mean square 64/8 = 8,
    # s = sqrt(8 - 2.25**2) = 1.71391. A's neighbourhood A, B in both
    # periods: 1 + 2 + 5 + 0 = 8 over 4 bins, z = (8 - 9) / (s * sqrt(16/7)).
    # B's: A, B, C in both periods: 11 over 6 bins,
    # z = (11 - 13.5) / (s * sqrt(12/7)).
    row = gpd.GeoDataFrame(
        {S.DISTRICT_ID: list("ABCD")},
        geometry=[
            box(500000 + 1000 * i, 5030000, 501000 + 1000 * i, 5031000)
            for i in range(4)
        ],
        crs="EPSG:32632",
    )
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: list("ABCD") * 2,
            S.PERIOD: [1] * 4 + [2] * 4,
            "v": [1, 2, 3, 4, 5, 0, 0, 3],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 4 districts
        per = stats.hotspots_by_period(panel, "v", districts=row, time_step=1)
        space = stats.hotspots_by_period(panel, "v", districts=row, time_step=0)
    z = per[per[S.PERIOD] == 2].set_index(S.DISTRICT_ID)[S.GI_Z]
    sd = math.sqrt(8 - 2.25**2)
    assert z["A"] == pytest.approx(-1 / (sd * math.sqrt(16 / 7)), abs=1e-12)
    assert z["B"] == pytest.approx(-2.5 / (sd * math.sqrt(12 / 7)), abs=1e-12)
    # the first period has no period before it: the same with either setting
    first = per[S.PERIOD] == 1
    np.testing.assert_allclose(per.loc[first, S.GI_Z], space.loc[first, S.GI_Z])
    # space only, the second period alone (4 bins, mean 2): A's A, B sum 5
    # over 2 bins, z = (5 - 4) / (s * sqrt((4 * 2 - 2**2) / 3))
    z0 = space[space[S.PERIOD] == 2].set_index(S.DISTRICT_ID)[S.GI_Z]
    sd0 = math.sqrt((25 + 9) / 4 - 2**2)
    assert z0["A"] == pytest.approx((5 - 4) / (sd0 * math.sqrt(4 / 3)), abs=1e-12)


@pytest.mark.parametrize("time_step", [1, 2])
def test_space_time_gi_star_matches_the_formula_on_a_lattice(time_step):
    rng = np.random.default_rng(time_step)
    nt = 5
    values = rng.poisson(6, (SIDE * SIDE, nt)).astype(float)
    values[14, 2:] += 12  # a district that heats up
    lattice = _lattice(np.zeros(SIDE * SIDE))
    ids = lattice[S.DISTRICT_ID].tolist()
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(ids, nt),
            S.PERIOD: np.tile(np.arange(nt), len(ids)),
            "v": values.ravel(),
        }
    )
    per = stats.hotspots_by_period(panel, "v", districts=lattice, time_step=time_step)
    expected = _space_time_reference(
        values, [_lattice_queen(i) for i in range(SIDE * SIDE)], time_step
    )
    got = per.pivot(index=S.DISTRICT_ID, columns=S.PERIOD, values=S.GI_Z)
    np.testing.assert_allclose(got.loc[ids].to_numpy(), expected, atol=1e-10)
    # the trend is read on the same z-scores
    em = stats.emerging_hotspots(
        panel, "v", districts=lattice, time_step=time_step, alpha=0.10
    )
    n_hot = per[per[S.GI_BIN] > 0].groupby(S.DISTRICT_ID).size()
    assert (
        em.set_index(S.DISTRICT_ID)[S.N_HOT] == n_hot.reindex(ids).fillna(0).astype(int)
    ).all()


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1"])
def test_time_step_must_be_a_whole_number(nil, bad):
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(nil[S.DISTRICT_ID].tolist(), 2),
            S.PERIOD: np.tile([1, 2], len(nil)),
            "v": 1.0,
        }
    )
    with pytest.raises(ValidationError, match="time_step="):
        stats.hotspots_by_period(panel, "v", districts=nil, time_step=bad)
    with pytest.raises(ValidationError, match="time_step="):
        stats.emerging_hotspots(panel, "v", districts=nil, time_step=bad)


def test_emerging_accepts_an_overlay_style_panel(nil):
    # the shape geo_alloggi.overlay.aggregate returns: a GeoDataFrame, string
    # periods, nullable Int64 counts, units NA/0 in parks, attrs with a label
    rng = np.random.default_rng(8)
    ids = nil[S.DISTRICT_ID].tolist()
    years = [str(y) for y in range(2014, 2026)]
    units = rng.integers(100, 3000, len(ids))
    units[:3] = 0
    panel = gpd.GeoDataFrame(
        {
            S.DISTRICT_ID: pd.array(np.repeat(ids, 12), dtype="string"),
            S.PERIOD: pd.array(np.tile(years, len(ids)), dtype="string"),
            S.UNITS: pd.array(np.repeat(units, 12), dtype="Int64"),
            S.OCCUPIED: pd.array(rng.poisson(20, 12 * len(ids)), dtype="Int64"),
        },
        geometry=np.repeat(nil.geometry.to_numpy(), 12),
        crs=nil.crs,
    )
    panel.attrs["synthetic"] = True
    with pytest.warns(UserWarning, match=r"3 district\(s\) with zero or missing"):
        out = stats.emerging_hotspots(panel, S.OCCUPIED, districts=nil, units=S.UNITS)
    assert len(out) == len(ids) - 3
    assert out.attrs["synthetic"] is True
    assert set(out[S.EMERGING]) <= set(S.EMERGING_CATEGORIES)
    plain = stats.emerging_hotspots(panel, S.OCCUPIED, districts=nil)
    assert len(plain) == len(ids)
    bad = panel.copy()
    bad.loc[5, S.PERIOD] = pd.NA
    with pytest.raises(ValidationError, match=r"panel\['period'\] is missing in 1 row"):
        stats.emerging_hotspots(bad, S.OCCUPIED, districts=nil)


def test_emerging_trend_is_scipy_kendalltau_of_the_z_scores(nil):
    # ties and repeated series: the memoised test gives SciPy's figures exactly
    from scipy import stats as sps

    rng = np.random.default_rng(5)
    ids = nil[S.DISTRICT_ID].tolist()
    y = rng.poisson(rng.gamma(2.0, 4.0, len(ids))[:, None] * np.ones(12))
    y[:10] = 7  # constant districts: equal z-scores within a period
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(ids, 12),
            S.PERIOD: np.tile(np.arange(2010, 2022), len(ids)),
            "occupied": y.ravel(),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = stats.emerging_hotspots(panel, "occupied", districts=nil, time_step=0)
        per = stats.hotspots_by_period(panel, "occupied", districts=nil, time_step=0)
    z = per.pivot(index=S.DISTRICT_ID, columns=S.PERIOD, values=S.GI_Z)
    for row in out.itertuples():
        series = z.loc[row.district_id].to_numpy(float)
        if not np.nanmax(series) > np.nanmin(series):
            assert math.isnan(row.trend_tau)
            continue
        want = sps.kendalltau(np.arange(12), series, nan_policy="omit")
        assert row.trend_tau == float(want.statistic)
        assert row.trend_p == float(want.pvalue)


def _changing_panel(nil: gpd.GeoDataFrame, seed: int) -> pd.DataFrame:
    """Twelve years; some districts without units early on, one losing them late."""
    rng = np.random.default_rng(seed)
    ids = nil[S.DISTRICT_ID].tolist()
    n, t = len(ids), 12
    units = np.repeat(rng.integers(100, 3000, n), t).reshape(n, t)
    units[:3, :4] = 0
    units[3, -2:] = 0
    lam = rng.uniform(2, 40, n)[:, None] * np.linspace(1, 1.8, t)[None, :]
    lam[10:16] *= 3
    return pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(ids, t),
            S.PERIOD: np.tile([str(y) for y in range(2010, 2010 + t)], n),
            S.UNITS: units.ravel(),
            S.OCCUPIED: rng.poisson(lam).ravel(),
        }
    )


@pytest.mark.parametrize("incomplete", [False, True])
def test_emerging_by_origin_equals_emerging_hotspots_on_each_cut(nil, incomplete):
    panel = _changing_panel(nil, 3)
    if incomplete:  # the last period lacks a district: only that cut is refused
        panel = panel.iloc[:-1]
    origins = sorted(panel[S.PERIOD].unique())
    cols = [S.DISTRICT_ID, S.N_PERIODS, S.N_HOT, S.N_COLD, S.FINAL_BIN, S.EMERGING]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rolled = stats.emerging_hotspots_by_origin(
            panel, S.OCCUPIED, districts=nil, origins=origins, units=S.UNITS
        )
        for origin in origins:
            got = rolled[rolled[S.PERIOD] == origin]
            try:
                want = stats.emerging_hotspots(
                    panel[panel[S.PERIOD] <= origin],
                    S.OCCUPIED,
                    districts=nil,
                    units=S.UNITS,
                )
            except ValidationError:
                assert got.empty, origin
                continue
            assert len(want) > 0
            pd.testing.assert_frame_equal(
                got[cols].reset_index(drop=True),
                pd.DataFrame(want[cols]).reset_index(drop=True),
                check_dtype=False,
            )
    assert rolled[S.PERIOD].iloc[0] == "2011"  # a single period has no trend
    assert rolled[S.PERIOD].nunique() == len(origins) - 1 - incomplete


def test_hotspots_at_periods_equals_hotspots_of_each_period(nil):
    panel = _changing_panel(nil, 4)
    panel.loc[panel[S.PERIOD] == "2012", S.UNITS] = 0  # no district to analyse
    panel.loc[(panel[S.PERIOD] == "2013") & (panel.index % 7 == 0), S.UNITS] = 0
    periods = sorted(panel[S.PERIOD].unique())
    cols = [S.GI_Z, S.GI_P, S.GI_Q, S.GI_BIN, S.HOTSPOT]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = stats.hotspots_at_periods(
            panel, S.OCCUPIED, districts=nil, periods=periods, units=S.UNITS
        )
        for p in periods:
            rows = got[got[S.PERIOD] == p]
            layer = nil.merge(panel[panel[S.PERIOD] == p], on=S.DISTRICT_ID)
            try:
                want = stats.hotspots(layer, S.OCCUPIED, units=S.UNITS)
            except ValidationError:
                assert rows.empty and p == "2012"
                continue
            assert rows[S.DISTRICT_ID].tolist() == want[S.DISTRICT_ID].tolist()
            pd.testing.assert_frame_equal(
                rows[cols].reset_index(drop=True),
                pd.DataFrame(want[cols]).reset_index(drop=True),
            )
    assert got[S.PERIOD].nunique() == len(periods) - 1


def test_emerging_rejects_incomplete_or_duplicated_panel(nil):
    ids = nil[S.DISTRICT_ID].tolist()
    panel = pd.DataFrame(
        {
            S.DISTRICT_ID: np.repeat(ids, 2),
            S.PERIOD: np.tile([1, 2], len(ids)),
            "v": 1.0,
        }
    )
    with pytest.raises(ValidationError, match=r"lacks 'v' for 1 district × period"):
        stats.emerging_hotspots(panel.iloc[1:], "v", districts=nil)
    with pytest.raises(ValidationError, match="duplicated"):
        stats.emerging_hotspots(pd.concat([panel, panel.iloc[:1]]), "v", districts=nil)
    bad = panel.copy()
    bad.loc[0, S.DISTRICT_ID] = "MI-NIL-999"
    with pytest.raises(ValidationError, match="not in districts"):
        stats.emerging_hotspots(bad, "v", districts=nil)


# --------------------------------------------------------------------------
# grids
# --------------------------------------------------------------------------


def _points(xy: np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        geometry=[Point(x, y) for x, y in xy], crs="EPSG:32632"
    ).to_crs("EPSG:4326")


def test_optimal_cell_size_is_twice_mean_nearest_neighbour_distance():
    gx, gy = np.meshgrid(np.arange(20) * 100.0, np.arange(20) * 100.0)
    xy = np.column_stack([gx.ravel() + 514000.0, gy.ravel() + 5034000.0])
    xy = np.vstack([xy, xy[:5]])  # duplicates do not count as neighbours
    assert stats.optimal_cell_size(_points(xy)) == pytest.approx(200.0)


def test_hex_grid_geometry_and_contiguity():
    area = gpd.GeoDataFrame(
        geometry=[box(514000, 5034000, 518000, 5038000)], crs="EPSG:32632"
    )
    grid = stats.hex_grid(area, 500.0)
    assert grid.crs == "EPSG:4326"
    assert grid[S.CELL_ID].is_unique
    m = grid.to_crs("EPSG:32632")
    np.testing.assert_allclose(m.area, math.sqrt(3) / 2 * 500.0**2, rtol=1e-9)
    assert m.union_all().covers(area.geometry.iloc[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = stats.spatial_weights(grid)
    assert max(w.cardinalities.values()) == 6  # hexagons share edges with 6 cells
    # centres of neighbours are one cell size apart
    c = m.set_index(S.CELL_ID).centroid
    for i, nbrs in list(w.neighbors.items())[:20]:
        for j in nbrs:
            assert c[i].distance(c[j]) == pytest.approx(500.0, rel=1e-6)


def test_aggregate_to_hexagons_counts_every_point_and_reports_size():
    rng = np.random.default_rng(0)
    xy = np.vstack(
        [
            rng.normal([515000, 5035000], 300, (200, 2)),
            rng.uniform([513000, 5033000], [518000, 5038000], (100, 2)),
        ]
    )
    grid = stats.aggregate_to_hexagons(_points(xy))
    assert int(grid[S.COUNT].sum()) == 300
    size = grid.attrs["cell_size_m"]
    assert size == stats.optimal_cell_size(_points(xy))
    assert "nearest-neighbour" in grid.attrs["cell_size_rule"]
    assert (grid[S.COUNT] == 0).any()  # empty cells are kept for Gi*
    out = stats.hotspots(grid, S.COUNT)
    centre_cell = grid.to_crs("EPSG:32632").distance(Point(515000, 5035000)).idxmin()
    assert out.loc[centre_cell, S.GI_BIN] == 3


# --------------------------------------------------------------------------
# density surface
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        # four points 300 m from their mean centre, on the axes:
        #   SD = √(mean of squared distances) = 300; Dm = median distance = 300
        #   √(1/ln 2) × Dm = 1.2011224 × 300 = 360.3 > SD, so SD is used
        #   h = 0.9 × 300 × 4^(−0.2) = 270 × 0.7578583 = 204.62174 m
        ([(300, 0), (-300, 0), (0, 300), (0, -300)], 204.62174),
        # four points 100 m and two outliers 1000 m from the mean centre:
        #   SD = √((4 × 100² + 2 × 1000²) / 6) = √340000 = 583.1
        #   Dm = median(100, 100, 100, 100, 1000, 1000) = 100
        #   √(1/ln 2) × Dm = 120.11224 < SD: the outliers do not widen the kernel
        #   h = 0.9 × 120.11224 × 6^(−0.2) = 108.10102 × 0.6988271 = 75.54392 m
        #   (the standard distance alone would give 366.7 m)
        (
            [(100, 0), (-100, 0), (0, 100), (0, -100), (1000, 0), (-1000, 0)],
            75.54392,
        ),
    ],
    ids=["standard-distance", "median-distance-with-outliers"],
)
def test_default_bandwidth_matches_hand_worked_values(offsets, expected):
    # ArcGIS Kernel Density's default search radius, worked out by hand above:
    # 0.9 × min(SD, √(1/ln 2) × Dm) × n^(−0.2)
    xy = np.array([[515000.0 + dx, 5035000.0 + dy] for dx, dy in offsets])
    assert stats.default_bandwidth(xy) == pytest.approx(expected, abs=1e-4)


def test_density_surface_hides_groups_below_threshold():
    rng = np.random.default_rng(4)
    cluster = rng.normal([515000, 5035000], 150, (40, 2))
    lonely = np.array(
        [[520000, 5040000], [520050, 5040020], [520020, 5039950], [510000, 5030000]]
    )  # 3 together + 1 alone, below 5
    pts = _points(np.vstack([cluster, lonely]))
    surf = stats.density_surface(pts, bandwidth=600.0, min_count=5)
    assert len(surf) >= 3
    assert surf.crs == "EPSG:4326"
    assert list(surf["level"]) == sorted(surf["level"])
    drawn = surf.to_crs("EPSG:32632").union_all()
    for x, y in lonely:
        assert drawn.distance(Point(x, y)) > 600.0
    assert drawn.contains(Point(515000, 5035000))
    assert surf.attrs["bandwidth_m"] == 600.0
    # the highest class sits on the cluster
    top = surf.to_crs("EPSG:32632").iloc[-1].geometry
    assert top.distance(Point(515000, 5035000)) < 300.0
    # a group as large as the threshold is drawn
    surf2 = stats.density_surface(pts, bandwidth=600.0, min_count=3)
    assert surf2.to_crs("EPSG:32632").union_all().distance(Point(520020, 5040000)) < 100


def test_density_surface_hides_a_building_with_fewer_occupations_than_threshold():
    # four occupations at the same address, placed exactly on a raster node
    # (the raster starts one bandwidth below the lowest point), and a larger
    # group elsewhere so that the surface is not empty
    rng = np.random.default_rng(6)
    building = np.array([[514000.0, 5034000.0]] * 4)
    group = rng.normal([517000, 5037000], 100, (30, 2))
    pts = _points(np.vstack([building, group]))
    surf = stats.density_surface(pts, bandwidth=500.0, cell_size=100.0, min_count=5)
    drawn = surf.to_crs("EPSG:32632").union_all()
    assert drawn.distance(Point(514000, 5034000)) > 400.0
    one_more = _points(np.vstack([building, building[:1], group]))
    surf5 = stats.density_surface(
        one_more, bandwidth=500.0, cell_size=100.0, min_count=5
    )
    assert surf5.to_crs("EPSG:32632").union_all().contains(Point(514000, 5034000))


def test_density_surface_integrates_to_the_number_of_points():
    # with min_count=1 nothing is masked: the classes cover the whole support,
    # and the volume under the surface equals the number of points
    rng = np.random.default_rng(9)
    xy = rng.normal([515000, 5035000], 200, (60, 2))
    surf = stats.density_surface(
        _points(xy), bandwidth=500.0, cell_size=20.0, min_count=1, levels=20
    )
    m = surf.to_crs("EPSG:32632")
    mid = (m[S.DENSITY_MIN] + m[S.DENSITY_MAX]) / 2
    volume = float((mid * m.area / 1e6).sum())
    assert volume == pytest.approx(60, rel=0.05)


@pytest.mark.parametrize("pairs_per_chunk", [2_000_000, 500])
def test_density_kernel_sums_equal_every_cell_point_pair(monkeypatch, pairs_per_chunk):
    # the surface sums each distinct place once, weighted by its incidents, in
    # chunks; the old computation summed every (cell, incident) pair: both
    # agree to 1e-12 (only the order of the additions differs), counts exactly
    from geo_alloggi.stats import density

    monkeypatch.setattr(density, "_PAIRS_PER_CHUNK", pairs_per_chunk)
    rng = np.random.default_rng(11)
    places = rng.uniform([514000, 5034000], [516000, 5036000], (40, 2))
    xy = np.vstack(
        [places[rng.integers(0, 40, 400)], rng.normal([515000, 5035000], 300, (60, 2))]
    )
    h, cs = 350.0, 50.0
    gx, gy, _ = density._raster(xy, h, cs)
    gxx, gyy = np.meshgrid(gx, gy)
    centres = np.column_stack([gxx.ravel(), gyy.ravel()])
    dens, near = density._kernel_sums(centres, xy, h, cs)
    # every pair, by brute force: K(d) = 3/(π h²) (1 − d²/h²)² for d <= h, per km²
    d = np.hypot(centres[:, :1] - xy[:, 0], centres[:, 1:] - xy[:, 1])
    inside = d <= h
    kern = np.where(inside, 3 / (np.pi * h * h) * (1 - (d / h) ** 2) ** 2, 0.0)
    np.testing.assert_allclose(dens, kern.sum(axis=1) * 1e6, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(near, inside.sum(axis=1))
    assert near.max() > 50 and (near == 0).any()  # both cases exercised


def test_density_surface_with_too_few_points_is_empty():
    pts = _points(np.array([[515000, 5035000], [515010, 5035010]]))
    with pytest.warns(UserWarning, match="fewer than the suppression threshold"):
        surf = stats.density_surface(pts)
    assert surf.empty
    assert list(surf.columns) == ["level", S.DENSITY_MIN, S.DENSITY_MAX, "geometry"]
