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
from geo_alloggi.stats.local import MoranResult, global_moran, hotspots, spatial_weights
from geo_alloggi.stats.spacetime import (
    classify_emerging,
    emerging_hotspots,
    hotspots_by_period,
)

__all__ = [
    "MoranResult",
    "aggregate_to_hexagons",
    "classify_emerging",
    "default_bandwidth",
    "density_surface",
    "emerging_hotspots",
    "global_moran",
    "hex_grid",
    "hotspots",
    "hotspots_by_period",
    "optimal_cell_size",
    "spatial_weights",
]
