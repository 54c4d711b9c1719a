"""Spatial weights for district layers and grids, islands joined to their nearest.

Builds :class:`libpysal.weights.W` objects keyed by district id from a layer in
the metric CRS, or reads a caller's ``W`` or ``libpysal.graph.Graph`` (one
conversion, :func:`given_neighbors`), and joins islands (features without
neighbours) to their nearest features so that no statistic silently runs on a
disconnected feature.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import shapely
from libpysal.graph import Graph
from libpysal.weights import KNN, DistanceBand, Queen, Rook, W

from geo_alloggi._errors import ValidationError, warn

log = logging.getLogger(__name__)

#: Kinds of weights understood by :func:`build_weights`.
WEIGHT_KINDS: tuple[str, ...] = ("queen", "rook", "knn", "distance_band")

#: An island is joined to its nearest feature and to every feature no farther
#: than ``ISLAND_FACTOR`` times that nearest distance.
ISLAND_FACTOR = 1.5

#: Default number of neighbours for ``knn`` weights (ArcGIS's default is 8).
DEFAULT_K = 8

#: What ``weights=`` accepts: one of :data:`WEIGHT_KINDS`, a ready ``W`` or a
#: ``libpysal.graph.Graph``.
WeightsArg: TypeAlias = "str | W | Graph"


@dataclass(frozen=True)
class WeightsReport:
    """What was built, for logging and for the user.

    Attributes
    ----------
    kind : str
        ``queen``, ``rook``, ``knn``, ``distance_band`` or ``custom``.
    n : int
        Number of features.
    mean_neighbors : float
        Mean number of neighbours after islands were joined.
    islands : dict
        Island id → tuple of ``(neighbour id, distance in metres)`` it was joined to.
    threshold_m : float or None
        Distance band used (``distance_band`` only).
    k : int or None
        Number of neighbours (``knn`` only).
    components : int
        Connected components after islands were joined.
    """

    kind: str
    n: int
    mean_neighbors: float
    islands: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    threshold_m: float | None = None
    k: int | None = None
    components: int = 1

    def describe(self) -> str:
        """One line for logs and warnings."""
        extra = ""
        if self.k is not None:
            extra = f", k={self.k}"
        if self.threshold_m is not None:
            extra = f", threshold={self.threshold_m:.0f} m"
        return (
            f"{self.kind} weights{extra} on {self.n} features, "
            f"{self.mean_neighbors:.2f} neighbours on average, "
            f"{len(self.islands)} island(s) joined, {self.components} component(s)"
        )

    def islands_message(self) -> str:
        """Describe the joins, e.g. ``CINISELLO -> MI-NIL-14 (823 m), ...``."""
        parts = []
        for island, links in self.islands.items():
            joined = ", ".join(f"{j} ({d:.0f} m)" for j, d in links)
            parts.append(f"{island} -> {joined}")
        return "; ".join(parts)


def warn_islands(
    report: WeightsReport, *, noun: str = "feature", stacklevel: int = 2
) -> None:
    """Warn that islands were joined to their nearest features, naming each join.

    The one place this warning is written; nothing happens without islands.

    Parameters
    ----------
    report : WeightsReport
        What :func:`build_weights` built.
    noun : str
        What the features are called in the message (``"district"``).
    stacklevel : int
        As for :func:`warnings.warn`, counted from the caller of this function.
    """
    if not report.islands:
        return
    warn(
        f"{len(report.islands)} {noun}(s) without contiguous neighbours joined to "
        f"their nearest {noun}s: {report.islands_message()}",
        "stats.islands",
        n=len(report.islands),
        joins=[(i, list(j)) for i, j in report.islands.items()],
        stacklevel=stacklevel + 1,
    )


def _centroids(metric: gpd.GeoDataFrame) -> np.ndarray:
    pts = metric.geometry.centroid
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _join_islands(
    w: W, metric: gpd.GeoDataFrame, ids: Sequence[str]
) -> tuple[W, dict[str, tuple[tuple[str, float], ...]]]:
    """Link each island to its nearest features (symmetric binary links)."""
    islands = [i for i in ids if len(w.neighbors[i]) == 0]
    if not islands or len(ids) < 2:
        return w, {}
    neighbors = {i: list(w.neighbors[i]) for i in ids}
    geoms = metric.geometry.to_numpy()
    pos = {i: n for n, i in enumerate(ids)}
    joined: dict[str, tuple[tuple[str, float], ...]] = {}
    for island in islands:
        p = pos[island]
        dist = np.array(metric.geometry.distance(geoms[p]), dtype=float)
        dist[p] = np.inf
        nearest = float(np.min(dist))
        order = np.argsort(dist, kind="stable")
        chosen = [int(j) for j in order if dist[j] <= ISLAND_FACTOR * nearest + 1e-9]
        links = tuple((ids[j], float(dist[j])) for j in chosen)
        joined[island] = links
        for j, _ in links:
            if j not in neighbors[island]:
                neighbors[island].append(j)
            if island not in neighbors[j]:
                neighbors[j].append(island)
    return W(neighbors, id_order=list(ids), silence_warnings=True), joined


def build_weights(
    metric: gpd.GeoDataFrame,
    ids: Sequence[str],
    kind: str | W | Graph = "queen",
    *,
    kwds: Mapping[str, Any] | None = None,
) -> tuple[W, WeightsReport]:
    """Binary spatial weights keyed by ``ids`` for a layer in a metric CRS.

    Parameters
    ----------
    metric : geopandas.GeoDataFrame
        Features in a metric CRS, in the order of ``ids``.
    ids : sequence of str
        Unique feature ids, used as the weights' ids.
    kind : str, libpysal.weights.W or libpysal.graph.Graph
        ``"queen"``, ``"rook"``, ``"knn"`` or ``"distance_band"``: contiguity
        (polygons sharing a vertex, or an edge), the ``k`` nearest centroids,
        or centroids within ``threshold`` metres. A ready ``W`` or ``Graph``
        whose ids include ``ids`` is subset to them; its links are used as
        binary (a link of weight 0 is no link).
    kwds : mapping, optional
        ``{"k": int}`` for ``knn`` (default 8); ``{"threshold": metres}`` for
        ``distance_band`` (default: the smallest distance giving every
        feature at least one neighbour, as ArcGIS does).

    Returns
    -------
    (libpysal.weights.W, WeightsReport)
        Binary weights (transform ``"O"``) and what was built.

    Raises
    ------
    ValidationError
        Unknown kind, bad options, or a ``W`` or ``Graph`` missing some ids.
    """
    kwds = dict(kwds or {})
    ids = [str(i) for i in ids]
    n = len(ids)
    k_used: int | None = None
    threshold: float | None = None
    if isinstance(kind, W | Graph):
        w, label = _subset(given_neighbors(kind), ids), "custom"
    else:
        w, k_used, threshold = _build(metric, ids, kind, kwds)
        label = kind
    w, joined = _join_islands(w, metric.reset_index(drop=True), ids)
    report = WeightsReport(
        kind=label,
        n=n,
        mean_neighbors=float(w.mean_neighbors),
        islands=joined,
        threshold_m=threshold,
        k=k_used,
        components=int(w.n_components),
    )
    log.info("%s", report.describe())
    if joined:
        log.info(
            "islands joined to their nearest features: %s", report.islands_message()
        )
    return w, report


def given_neighbors(given: W | Graph) -> dict[str, list[str]]:
    """Neighbours of each id of a caller's ``W`` or ``Graph``, ids as text.

    The one place where a caller's weights are read: a ``Graph`` (libpysal's
    current API, which esda and momepy use) and the equivalent ``W`` give the
    same neighbours. A ``Graph`` keeps an island as a self-link of weight 0;
    links of weight 0 and self-links are not neighbours.
    """
    if isinstance(given, Graph):
        adj = given.adjacency
        focal = adj.index.get_level_values(0).astype(str)
        neighbor = adj.index.get_level_values(1).astype(str)
        link = (adj.to_numpy() != 0) & (focal != neighbor)
        out: dict[str, list[str]] = {str(i): [] for i in given.unique_ids}
        for i, j in zip(focal[link], neighbor[link], strict=True):
            out[i].append(j)
        return out
    return {str(i): [str(j) for j in given.neighbors[i]] for i in given.id_order}


def _subset(nbrs: Mapping[str, list[str]], ids: list[str]) -> W:
    """Restrict a caller's neighbours to ``ids`` (ids compared as text)."""
    missing = [i for i in ids if i not in nbrs]
    if missing:
        raise ValidationError(
            f"weights is missing id {missing[0]!r} ({len(missing)} missing in all, "
            f"e.g. {missing[:5]!r}); expected a libpysal W or Graph whose ids "
            "include every feature id"
        )
    keep = set(ids)
    return W(
        {i: [j for j in nbrs[i] if j in keep] for i in ids},
        id_order=ids,
        silence_warnings=True,
    )


def _build(
    metric: gpd.GeoDataFrame, ids: list[str], kind: str, kwds: dict[str, Any]
) -> tuple[W, int | None, float | None]:
    """Weights of one of :data:`WEIGHT_KINDS`, with the ``k`` and threshold used."""
    if kind not in WEIGHT_KINDS:
        raise ValidationError(
            f"weights={kind!r} is not one of {list(WEIGHT_KINDS)!r} "
            "or a libpysal.weights.W or libpysal.graph.Graph"
        )
    unknown = sorted(set(kwds) - {"k", "threshold"})
    if unknown:
        raise ValidationError(
            f"weights_kwds has unknown key(s) {unknown!r}; expected 'k' or 'threshold'"
        )
    n = len(ids)
    if n < 2:
        raise ValidationError(f"spatial weights need at least 2 features, got {n}")
    frame = metric.reset_index(drop=True)
    k_used: int | None = None
    threshold: float | None = None
    if kind in ("queen", "rook"):
        types = set(frame.geometry.geom_type)
        if not types <= {"Polygon", "MultiPolygon"}:
            raise ValidationError(
                f"weights={kind!r} needs polygon features, got {sorted(types)!r}; "
                "use weights='knn' or 'distance_band' for points"
            )
        w = W(
            {i: list(js) for i, js in _contiguity(frame, ids, kind).items()},
            id_order=ids,
            silence_warnings=True,
        )
    elif kind == "knn":
        k_used = int(kwds.get("k", DEFAULT_K))
        if not 1 <= k_used < n:
            raise ValidationError(
                f"weights_kwds['k']={k_used!r} must be between 1 and {n - 1}"
            )
        pts = gpd.GeoDataFrame(geometry=frame.geometry.centroid, crs=frame.crs)
        w = KNN.from_dataframe(pts, k=k_used, ids=ids, use_index=False)
    else:
        xy = _centroids(frame)
        threshold = _band(xy, kwds)
        w = DistanceBand(
            xy, threshold=threshold, binary=True, ids=ids, silence_warnings=True
        )
    w = W(
        {str(i): [str(j) for j in w.neighbors[i]] for i in w.id_order},
        id_order=ids,
        silence_warnings=True,
    )
    return w, k_used, threshold


#: Contiguity neighbours already found, by (kind, ids, digest of the geometries):
#: a run asks for the weights of the same districts at every period and origin.
_CONTIGUITY: dict[tuple[str, tuple[str, ...], str], dict[str, tuple[str, ...]]] = {}


def _contiguity(
    frame: gpd.GeoDataFrame, ids: list[str], kind: str
) -> dict[str, tuple[str, ...]]:
    """Queen or rook neighbours of each id (libpysal), found once per layer."""
    digest = hashlib.sha256()
    for wkb in shapely.to_wkb(frame.geometry.to_numpy()):
        digest.update(len(wkb).to_bytes(8, "little") + wkb)
    key = (kind, tuple(ids), digest.hexdigest())
    if key not in _CONTIGUITY:
        cls = Queen if kind == "queen" else Rook
        w = cls.from_dataframe(frame, ids=ids, use_index=False, silence_warnings=True)
        if len(_CONTIGUITY) >= 16:
            _CONTIGUITY.clear()
        _CONTIGUITY[key] = {
            str(i): tuple(str(j) for j in w.neighbors[i]) for i in w.id_order
        }
    return _CONTIGUITY[key]


def _band(xy: np.ndarray, kwds: Mapping[str, Any]) -> float:
    """Distance band: the given threshold, else the smallest linking every point."""
    if "threshold" in kwds:
        threshold = float(kwds["threshold"])
        if not threshold > 0:
            raise ValidationError(
                f"weights_kwds['threshold']={kwds['threshold']!r} must be a "
                "positive distance in metres"
            )
        return threshold
    from scipy.spatial import cKDTree

    # k-nearest between metric points in memory: cKDTree (see stats/__init__)
    d, _ = cKDTree(xy).query(xy, k=2)
    return float(np.max(d[:, 1])) * (1 + 1e-9)
