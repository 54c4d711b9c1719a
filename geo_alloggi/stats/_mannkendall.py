"""Mann–Kendall trend of a series against time: ``scipy.stats.kendalltau``, memoised.

Private to :mod:`geo_alloggi.stats`. Emerging hot spots test every district's
series of Gi* z-scores, and a back-test does so again at every origin: about
a thousand calls of ``kendalltau`` on short series, which would cost more
than the statistics themselves.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

#: Results already computed, by (values, discordant pairs, sizes of the ties).
_KNOWN: dict[tuple[int, int, tuple[int, ...]], tuple[float, float]] = {}

#: The memo is emptied when it holds this many results.
_KNOWN_MAX = 4096


def mann_kendall(z: np.ndarray) -> tuple[float, float]:
    """Kendall's tau-b of ``z`` against its positions, and its two-sided p-value.

    Equals ``scipy.stats.kendalltau(np.arange(len(z)), z, nan_policy="omit")``.
    Positions have no ties, so SciPy's tau-b and p-value (exact or asymptotic)
    are functions of three whole numbers only: the values kept, the
    discordant pairs and the sizes of the groups of tied values. The answer
    SciPy gives for one series is kept for every later series with the same
    three.

    Parameters
    ----------
    z : numpy.ndarray
        The series in time order; NaN values are left out, as ``nan_policy``
        ``"omit"`` does. At least two distinct values must remain.

    Returns
    -------
    tuple of float
        Kendall's tau-b and its two-sided p-value.
    """
    z = np.asarray(z, dtype=float)
    v = z[~np.isnan(z)]
    discordant = int(np.count_nonzero(np.triu(v[:, None] > v[None, :], k=1)))
    _, counts = np.unique(v, return_counts=True)
    key = (len(v), discordant, tuple(sorted(int(c) for c in counts if c > 1)))
    known = _KNOWN.get(key)
    if known is None:
        res = sps.kendalltau(np.arange(len(z)), z, nan_policy="omit")
        known = (float(res.statistic), float(res.pvalue))
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN[key] = known
    return known
