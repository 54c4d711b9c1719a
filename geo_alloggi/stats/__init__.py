"""Hot spots, spatial autocorrelation, emerging space–time hot spots, grids, density.

The statistics come from PySAL (``esda``, ``libpysal``) and SciPy; this package
only writes the workflow around them, following ArcGIS Pro's Hot Spot Analysis,
Optimized Hot Spot Analysis and Emerging Hot Spot Analysis. One module per
family:

* :mod:`~geo_alloggi.stats.local` — :func:`spatial_weights` (queen contiguity
  by default, KNN or distance band on request; islands joined to their nearest
  districts and reported), :func:`hotspots` (Getis–Ord Gi* with confidence
  bins ±3/±2/±1 and the Benjamini–Hochberg false discovery rate, or local
  Moran), :func:`global_moran` (Moran's I, ``esda.Moran_Rate`` on rates);
* :mod:`~geo_alloggi.stats.spacetime` — :func:`hotspots_by_period` and
  :func:`emerging_hotspots`: Gi* per period, Mann–Kendall trend of the
  z-scores, and ArcGIS's seventeen categories (:func:`classify_emerging`);
  :func:`emerging_hotspots_by_origin`: the categories as they stood at each
  of several origins (a back-test's);
* :mod:`~geo_alloggi.stats.grids` — :func:`optimal_cell_size`,
  :func:`hex_grid`, :func:`aggregate_to_hexagons`: point records on a metric
  hexagon grid at an automatic scale;
* :mod:`~geo_alloggi.stats.density` — :func:`density_surface` (kernel density
  as contour polygons, masked where fewer incidents than the suppression
  threshold lie under the kernel) and :func:`default_bandwidth`.

Every function takes a GeoDataFrame (or a long table) and returns a new one; the
input is never modified. Distances are computed in
:data:`geo_alloggi.config.metric_crs`.
"""

from __future__ import annotations

from geo_alloggi.stats.density import default_bandwidth, density_surface
from geo_alloggi.stats.grids import aggregate_to_hexagons, hex_grid, optimal_cell_size
from geo_alloggi.stats.local import (
    MoranResult,
    global_moran,
    hotspots,
    hotspots_at_periods,
    spatial_weights,
)
from geo_alloggi.stats.spacetime import (
    classify_emerging,
    emerging_hotspots,
    emerging_hotspots_by_origin,
    hotspots_by_period,
)

# One spatial index per job, in this package and across geo_alloggi:
# * scipy's cKDTree for distance queries between points held in memory in the
#   metric CRS (k nearest, all pairs within a radius): vectorised over NumPy
#   arrays, no geometry objects built (grids, density, distance-band weights);
# * shapely's STRtree for geometry predicates on polygons (intersects,
#   point in polygon), which a KD-tree on coordinates cannot answer (grids);
# * rtree only where the index must persist on disk between runs: the
#   geocoder's civic-number index (geo_alloggi.geocoding). linking's in-memory
#   nearest-estate search still builds an rtree: by this rule it belongs to
#   cKDTree (issue 14, not changed here).

__all__ = [
    "MoranResult",
    "aggregate_to_hexagons",
    "classify_emerging",
    "default_bandwidth",
    "density_surface",
    "emerging_hotspots",
    "emerging_hotspots_by_origin",
    "global_moran",
    "hex_grid",
    "hotspots",
    "hotspots_at_periods",
    "hotspots_by_period",
    "optimal_cell_size",
    "spatial_weights",
]
