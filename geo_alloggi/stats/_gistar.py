"""Gi* z-scores, FDR confidence bins and empirical Bayes rates: the shared engine.

Private to :mod:`geo_alloggi.stats`: :mod:`~geo_alloggi.stats.local` runs this
engine on one cross-section, :mod:`~geo_alloggi.stats.spacetime` on every
period of a panel. Gi* itself is ``esda.G_Local``; the bins follow ArcGIS's
Hot Spot Analysis with the Benjamini–Hochberg false discovery rate.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

import numpy as np
from libpysal.weights import W
from scipy import stats as sps

log = logging.getLogger(__name__)

#: Significance level of each confidence bin (|gi_bin| → alpha).
BIN_ALPHAS: dict[int, float] = {1: 0.10, 2: 0.05, 3: 0.01}
#: ArcGIS's minimum number of features for a reliable Gi*.
MIN_FEATURES = 30


@contextlib.contextmanager
def legacy_seed(seed: int | None) -> Iterator[None]:
    """Seed NumPy's global generator for esda calls without ``seed=``; restore it."""
    state = np.random.get_state()
    if seed is not None:
        np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def empirical_bayes(events: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Global empirical Bayes rates (Marshall 1991), prior variance truncated at 0.

    ``m = Σe/Σb``; ``s² = Σ b (r − m)² / Σb``; prior variance ``a = s² − m/b̄``,
    set to 0 when negative (the rates vary no more than Poisson noise, so every
    district shrinks to ``m``); ``EB_i = w_i r_i + (1 − w_i) m`` with
    ``w_i = a / (a + m / b_i)``. Equals ``esda.smoothing.Empirical_Bayes``
    when ``a ≥ 0``; esda does not truncate, and a negative ``a`` would push
    rates away from the mean.
    """
    e = np.asarray(events, dtype=float)
    b = np.asarray(base, dtype=float)
    m = e.sum() / b.sum()
    r = e / b
    if m == 0:
        return r
    s2 = float((b * (r - m) ** 2).sum() / b.sum())
    a = s2 - m / float(b.mean())
    if a < 0:
        log.info("empirical Bayes: prior variance %.3g < 0 set to 0 (shrink all)", a)
        a = 0.0
    w = a / (a + m / b)
    return w * r + (1.0 - w) * m


def star_weights(w: W) -> W:
    """Binary weights with the feature itself as its own neighbour (Gi*)."""
    from libpysal.weights import fill_diagonal

    wb = W(dict(w.neighbors), id_order=list(w.id_order), silence_warnings=True)
    wb.transform = "B"
    return fill_diagonal(wb, 1.0)


def gi_star_z(
    y: np.ndarray, w_star: W, *, permutations: int = 0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray | None]:
    """Gi* z-scores (and pseudo p-values) from ``esda.G_Local``.

    ``esda`` writes the statistic as a share of the total, which flips the sign
    of z when the mean is negative; Gi*'s z-score is unchanged by adding a
    constant, so values are shifted to be positive first. A constant ``y``
    gives z = 0 (no clustering can be measured).
    """
    from esda import G_Local

    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0:
        return np.zeros(len(y)), (np.ones(len(y)) if permutations else None)
    if y.min() < 0:
        y = y - y.min() + 1.0
    # esda seeds NumPy's global generator for permutations: restore it after
    with legacy_seed(None), warnings.catch_warnings():
        # a feature neighbouring every other one has an undefined z (0/0): NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        g = G_Local(
            y,
            w_star,
            transform="B",
            star=None,
            permutations=permutations,
            keep_simulations=False,
            n_jobs=1,
            seed=seed,
        )
    z = np.asarray(g.Zs, dtype=float)
    return z, (np.asarray(g.p_sim, dtype=float) if permutations else None)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of z-scores under the standard normal."""
    return 2.0 * sps.norm.sf(np.abs(z))


def confidence_bins(
    z: np.ndarray, p: np.ndarray, *, fdr: bool, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence bins −3..3 and the p-values they were judged on.

    Without FDR a feature is in bin ±3, ±2, ±1 when its two-sided p is at most
    0.01, 0.05, 0.10. With FDR each of the three levels is corrected with
    Benjamini–Hochberg over all features (ArcGIS's FDR option): a feature is
    significant at level a exactly when its BH-adjusted p (``q``) is at most a,
    so the bin is the highest level whose threshold ``q`` meets. Levels whose a
    exceeds ``alpha`` are not reported (their features go to bin 0).
    """
    q = np.array(p, dtype=float)
    ok = np.isfinite(p)
    if fdr and ok.any():
        q[ok] = sps.false_discovery_control(p[ok], method="bh")
    level = np.zeros(len(z), dtype=int)
    for lv in (1, 2, 3):
        a = BIN_ALPHAS[lv]
        if a <= alpha + 1e-12:
            level[q <= a] = lv
    return np.where(ok, np.sign(np.nan_to_num(z)), 0).astype(int) * level, q
